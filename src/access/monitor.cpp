#include "access/monitor.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <boost/json.hpp>

#include "core/result_macros.hpp"

namespace chartroom::access {
namespace json = boost::json;
namespace {

constexpr std::string_view kReviews = "review";

std::int64_t Seconds(core::Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

bool SameText(std::string_view a, std::string_view b) {
  return !a.empty() && a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string ItemJson(const ReviewItem& item) {
  json::object o;
  o["rule"] = item.rule;
  o["user"] = item.user;
  o["patient"] = item.patient;
  o["detail"] = item.detail;
  o["time"] = item.time;
  o["decision"] = item.decision;
  o["reviewer"] = item.reviewer;
  o["note"] = item.note;
  return json::serialize(o);
}

ReviewItem ItemFrom(const store::Record& record) {
  ReviewItem item;
  item.id = record.key;
  boost::system::error_code ec;
  const json::value v = json::parse(record.value, ec);
  if (ec || !v.is_object()) return item;
  const json::object& o = v.get_object();
  auto str = [&](std::string_view k) {
    const json::value* f = o.if_contains(k);
    return f != nullptr && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  item.rule = str("rule");
  item.user = str("user");
  item.patient = str("patient");
  item.detail = str("detail");
  item.decision = str("decision");
  item.reviewer = str("reviewer");
  item.note = str("note");
  if (const json::value* t = o.if_contains("time"); t != nullptr && t->is_int64()) {
    item.time = t->get_int64();
  }
  return item;
}

}  // namespace

Monitor::Monitor(store::ResourceStore& store, Identity& identity, core::Clock& clock,
                 core::Random& random, MonitorOptions options)
    : store_(store), identity_(identity), clock_(clock), random_(random), options_(options) {}

Status Monitor::Flag(std::string_view rule, const std::string& user, const std::string& patient,
                     std::string detail) {
  ReviewItem item;
  item.rule = std::string(rule);
  item.user = user;
  item.patient = patient;
  item.detail = std::move(detail);
  const std::int64_t now = Seconds(clock_.Now());
  char key[48];
  std::snprintf(key, sizeof key, "%013lld-%016llx", static_cast<long long>(now),
                static_cast<unsigned long long>(random_.NextU64()));
  item.id = key;
  item.time = now;
  return store_.InTransaction(
      [&](store::Transaction& tx) { return tx.PutRecord(kReviews, item.id, ItemJson(item)); });
}

Status Monitor::Observe(const Caller& caller, const Gate::View& view) {
  const std::string& user = caller.subject.id;
  const UserProfile profile = identity_.ProfileOf(user);
  for (const ShownPatient& p : view.shown_patients()) {
    if (p.id == caller.subject.patient) continue;  // a patient's own record
    for (const std::string& family : p.families) {
      if (SameText(family, profile.family)) {
        CHARTROOM_RETURN_IF_ERROR(
            Flag("same-family", user, p.id, "the patient shares the user's family name"));
        break;
      }
    }
    for (const std::string& postal : p.postal_codes) {
      if (SameText(postal, profile.postal_code)) {
        CHARTROOM_RETURN_IF_ERROR(
            Flag("same-address", user, p.id, "the patient shares the user's postal code"));
        break;
      }
    }
    if (p.vip) {
      CHARTROOM_RETURN_IF_ERROR(Flag("vip", user, p.id, "a record labelled VIP was opened"));
    }
  }
  if (view.patients().empty()) return Ok();
  bool over = false;
  std::size_t count = 0;
  {
    std::lock_guard lock(mutex_);
    Day& day = today_[user];
    const std::int64_t today = Seconds(clock_.Now()) / 86400;
    if (day.day != today) day = Day{today, {}, false};
    for (const std::string& patient : view.patients()) {
      if (day.patients.size() <= options_.daily_patient_limit) day.patients.insert(patient);
    }
    count = day.patients.size();
    over = count > options_.daily_patient_limit && !day.flagged;
    if (over) day.flagged = true;
  }
  if (!over) return Ok();
  return Flag("volume", user, "",
              "more than " + std::to_string(options_.daily_patient_limit) +
                  " distinct patients opened today");
}

Result<std::vector<ReviewItem>> Monitor::Reviews(bool pending_only) {
  std::vector<ReviewItem> out;
  for (std::string after;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store_.ListRecords(kReviews, after, 1000));
    for (const auto& record : page) {
      ReviewItem item = ItemFrom(record);
      if (!pending_only || item.decision.empty()) out.push_back(std::move(item));
    }
    if (page.size() < 1000) break;
    after = page.back().key;
  }
  return out;
}

Result<ReviewItem> Monitor::Review(std::string_view id, std::string_view reviewer,
                                   std::string_view decision, std::string_view note) {
  if (decision != "appropriate" && decision != "inappropriate") {
    return Fail(ErrorCategory::kInvalid, "access.bad-decision",
                "a review decides appropriate or inappropriate");
  }
  ReviewItem item;
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kReviews, id));
    if (!record) {
      return Fail(ErrorCategory::kNotFound, "access.no-review", "no such review item");
    }
    item = ItemFrom(*record);
    item.decision = std::string(decision);
    item.reviewer = std::string(reviewer);
    item.note = std::string(note);
    return tx.PutRecord(kReviews, id, ItemJson(item));
  });
  if (!written) return tl::unexpected(written.error());
  return item;
}

}  // namespace chartroom::access
