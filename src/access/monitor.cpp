#include "access/monitor.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <boost/json.hpp>

#include "access/json_fields.hpp"
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

}  // namespace

boost::json::object ReviewItem::ToJson() const {
  json::object o;
  o["id"] = id;
  o["rule"] = rule;
  o["user"] = user;
  o["patient"] = patient;
  o["detail"] = detail;
  o["time"] = time;
  o["decision"] = decision;
  o["reviewer"] = reviewer;
  o["note"] = note;
  return o;
}

ReviewItem ReviewItem::FromJson(std::string_view id, std::string_view text) {
  ReviewItem item;
  item.id = std::string(id);
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return item;
  const json::object& o = v.get_object();
  item.rule = StringField(o, "rule");
  item.user = StringField(o, "user");
  item.patient = StringField(o, "patient");
  item.detail = StringField(o, "detail");
  item.time = IntField(o, "time");
  item.decision = StringField(o, "decision");
  item.reviewer = StringField(o, "reviewer");
  item.note = StringField(o, "note");
  return item;
}

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
  return store_.InTransaction([&](store::Transaction& tx) {
    return tx.PutRecord(kReviews, item.id, json::serialize(item.ToJson()));
  });
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
      ReviewItem item = ReviewItem::FromJson(record.key, record.value);
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
    item = ReviewItem::FromJson(record->key, record->value);
    item.decision = std::string(decision);
    item.reviewer = std::string(reviewer);
    item.note = std::string(note);
    return tx.PutRecord(kReviews, id, json::serialize(item.ToJson()));
  });
  if (!written) return tl::unexpected(written.error());
  return item;
}

}  // namespace chartroom::access
