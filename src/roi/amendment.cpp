#include "roi/amendment.hpp"

#include <array>
#include <functional>

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "crypto/keyed_hash.hpp"
#include "roi/fields.hpp"

namespace chartroom::roi {
namespace json = boost::json;
namespace {

constexpr std::string_view kBad = "roi.bad-request";
constexpr std::array<std::string_view, 4> kGrounds = {"not-created-here", "not-designated-record",
                                                      "not-accessible", "accurate-and-complete"};

Result<Amendment> Load(store::Transaction& tx, std::string_view id) {
  CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kAmendmentKind, id));
  if (!record) {
    return Fail(ErrorCategory::kNotFound, "roi.unknown-amendment",
                "there is no amendment request " + std::string(id));
  }
  CHARTROOM_ASSIGN_OR_RETURN(json::object o, ParseObject(record->value));
  return Amendment::FromJson(o);
}

Status Save(store::Transaction& tx, const Amendment& a) {
  return tx.PutRecord(kAmendmentKind, a.id, json::serialize(a.ToJson()));
}

void Note(Amendment& a, std::string_view user, core::Timestamp now, std::string note) {
  a.history.push_back({core::FormatInstant(now), a.status, std::string(user), std::move(note)});
}

// The Request that a Within callback receives for an amendment's change: its patient and id.
Request AsRequest(const Amendment& a) {
  Request r;
  r.id = a.id;
  r.patient = a.patient;
  return r;
}

Result<Amendment> Change(store::ResourceStore& store, std::string_view id,
                         const std::function<Status(store::Transaction&, Amendment&)>& change,
                         const Within& within) {
  Amendment out;
  const Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(Amendment a, Load(tx, id));
    CHARTROOM_RETURN_IF_ERROR(change(tx, a));
    CHARTROOM_RETURN_IF_ERROR(Save(tx, a));
    if (within) CHARTROOM_RETURN_IF_ERROR(within(tx, AsRequest(a)));
    out = std::move(a);
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return out;
}

Status MustBe(const Amendment& a, std::string_view status) {
  if (a.status == status) return Ok();
  return Fail(ErrorCategory::kConflict, "roi.amendment-" + a.status,
              "amendment " + a.id + " is " + a.status);
}

}  // namespace

std::string_view DenialGroundName(DenialGround g) { return kGrounds[static_cast<std::size_t>(g)]; }

std::optional<DenialGround> ParseDenialGround(std::string_view name) {
  for (std::size_t i = 0; i < kGrounds.size(); ++i) {
    if (kGrounds[i] == name) return static_cast<DenialGround>(i);
  }
  return std::nullopt;
}

json::object Amendment::ToJson() const {
  json::object o{{"id", id},
                 {"patient", patient},
                 {"requested_by", requested_by},
                 {"received", received},
                 {"record", record},
                 {"record_version", record_version},
                 {"reason", reason},
                 {"requested_change", requested_change},
                 {"status", status},
                 {"due", due}};
  if (!extension_reason.empty()) o["extension_reason"] = extension_reason;
  if (!decided_on.empty()) {
    o["decided_on"] = decided_on;
    o["decided_by"] = decided_by;
  }
  if (amended_version != 0) o["amended_version"] = amended_version;
  if (ground) o["ground"] = DenialGroundName(*ground);
  if (!denial_explanation.empty()) o["denial_explanation"] = denial_explanation;
  if (!disagreement.empty()) o["disagreement"] = disagreement;
  if (!rebuttal.empty()) o["rebuttal"] = rebuttal;
  json::array people;
  for (const ToNotify& n : notify) {
    people.push_back(json::object{{"who", n.who}, {"notified_on", n.notified_on}});
  }
  o["notify"] = std::move(people);
  json::array h;
  for (const HistoryEntry& e : history) {
    h.push_back(json::object{{"at", e.at}, {"status", e.status}, {"by", e.by}, {"note", e.note}});
  }
  o["history"] = std::move(h);
  return o;
}

Amendment Amendment::FromJson(const json::object& o) {
  Amendment a;
  a.id = Text(o, "id");
  a.patient = Text(o, "patient");
  a.requested_by = Text(o, "requested_by");
  a.received = Text(o, "received");
  a.record = Text(o, "record");
  if (const json::value* v = o.if_contains("record_version"); v != nullptr && v->is_int64()) {
    a.record_version = v->get_int64();
  }
  a.reason = Text(o, "reason");
  a.requested_change = Text(o, "requested_change");
  a.status = Text(o, "status");
  a.due = Text(o, "due");
  a.extension_reason = Text(o, "extension_reason");
  a.decided_on = Text(o, "decided_on");
  a.decided_by = Text(o, "decided_by");
  if (const json::value* v = o.if_contains("amended_version"); v != nullptr && v->is_int64()) {
    a.amended_version = v->get_int64();
  }
  a.ground = ParseDenialGround(Text(o, "ground"));
  a.denial_explanation = Text(o, "denial_explanation");
  a.disagreement = Text(o, "disagreement");
  a.rebuttal = Text(o, "rebuttal");
  if (const json::value* n = o.if_contains("notify"); n != nullptr && n->is_array()) {
    for (const json::value& p : n->get_array()) {
      if (p.is_object()) {
        a.notify.push_back({Text(p.get_object(), "who"), Text(p.get_object(), "notified_on")});
      }
    }
  }
  if (const json::value* h = o.if_contains("history"); h != nullptr && h->is_array()) {
    for (const json::value& e : h->get_array()) {
      if (const json::object* eo = e.if_object()) {
        a.history.push_back(
            {Text(*eo, "at"), Text(*eo, "status"), Text(*eo, "by"), Text(*eo, "note")});
      }
    }
  }
  return a;
}

Result<Amendment> GetAmendment(store::ResourceStore& store, std::string_view id) {
  Result<Amendment> out = Fail(ErrorCategory::kInternal, "roi.unread", "");
  const Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    out = Load(tx, id);
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return out;
}

Result<Amendment> RequestAmendment(store::ResourceStore& store, const json::object& body,
                                   std::string_view user, core::Timestamp now,
                                   const Within& within) {
  const std::string today = DayOf(now);
  Amendment a;
  CHARTROOM_ASSIGN_OR_RETURN(a.patient, OptionalString(body, "patient", kBad));
  CHARTROOM_ASSIGN_OR_RETURN(a.requested_by, OptionalString(body, "requested_by", kBad));
  CHARTROOM_ASSIGN_OR_RETURN(a.record, OptionalString(body, "record", kBad));
  CHARTROOM_ASSIGN_OR_RETURN(a.reason, OptionalString(body, "reason", kBad));
  CHARTROOM_ASSIGN_OR_RETURN(a.requested_change, OptionalString(body, "requested_change", kBad));
  CHARTROOM_ASSIGN_OR_RETURN(a.received, OptionalString(body, "received", kBad));
  if (a.received.empty()) a.received = today;
  if (a.patient.empty() || a.requested_by.empty() || a.reason.empty() ||
      a.requested_change.empty()) {
    return Fail(ErrorCategory::kInvalid, std::string(kBad),
                "an amendment request needs patient, requested_by, record, reason and "
                "requested_change");
  }
  if (!ValidDate(a.received) || a.received > today) {
    return Fail(ErrorCategory::kInvalid, std::string(kBad),
                "received is a date (YYYY-MM-DD), not in the future");
  }
  const std::size_t slash = a.record.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == a.record.size()) {
    return Fail(ErrorCategory::kInvalid, std::string(kBad),
                "record is the disputed record as Type/id");
  }
  auto current = store.Read(a.record.substr(0, slash), a.record.substr(slash + 1));
  if (!current) {
    return Fail(ErrorCategory::kNotFound, "roi.unknown-record", "there is no record " + a.record);
  }
  CHARTROOM_ASSIGN_OR_RETURN(json::object resource, ParseObject(current->json));
  if (PatientOf(resource) != a.patient) {
    return Fail(ErrorCategory::kConflict, "roi.identity-mismatch",
                a.record + " is not a record of patient " + a.patient);
  }
  a.record_version = current->version;
  a.due = AddDays(a.received, 60);  // 164.526(b)(2)
  Note(a, user, now, "received");
  const Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(a.id, NextNumber(tx, "amendment", "A-"));
    CHARTROOM_RETURN_IF_ERROR(Save(tx, a));
    if (within) CHARTROOM_RETURN_IF_ERROR(within(tx, AsRequest(a)));
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return a;
}

Result<Amendment> ExtendAmendment(store::ResourceStore& store, std::string_view id,
                                  std::string_view reason, std::string_view user,
                                  core::Timestamp now, const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction&, Amendment& a) -> Status {
        CHARTROOM_RETURN_IF_ERROR(MustBe(a, "received"));
        if (!a.extension_reason.empty()) {
          return Fail(ErrorCategory::kConflict, "roi.extended",
                      "amendment " + a.id + " has had its one extension");
        }
        if (DayOf(now) > a.due) {
          return Fail(ErrorCategory::kConflict, "roi.overdue",
                      "amendment " + a.id + " was due on " + a.due +
                          ": an extension is given within the first period");
        }
        if (reason.empty()) {
          return Fail(ErrorCategory::kInvalid, std::string(kBad),
                      "an extension needs its reason, which the patient is told");
        }
        a.extension_reason = std::string(reason);
        a.due = AddDays(a.due, 30);
        Note(a, user, now, "extended to " + a.due);
        return Ok();
      },
      within);
}

Result<Amendment> AcceptAmendment(store::ResourceStore& store, std::string_view id,
                                  json::object resource, std::vector<std::string> notify,
                                  std::string_view user, core::Timestamp now,
                                  const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction& tx, Amendment& a) -> Status {
        CHARTROOM_RETURN_IF_ERROR(MustBe(a, "received"));
        // A copy: the store may run this again (a retried transaction).
        json::object amended = resource;
        const std::string type = Text(amended, "resourceType");
        if (type + "/" + Text(amended, "id") != a.record) {
          return Fail(ErrorCategory::kInvalid, std::string(kBad),
                      "resource is " + a.record + " as amended (its resourceType and id)");
        }
        if (PatientOf(amended) != a.patient) {
          return Fail(ErrorCategory::kInvalid, std::string(kBad),
                      "the amended record must stay in patient " + a.patient + "'s record");
        }
        // Amends the version the patient disputed; one changed since is reviewed again.
        auto written = tx.Update(std::move(amended), a.record_version);
        if (!written && written.error().category() == ErrorCategory::kPrecondition) {
          return Fail(ErrorCategory::kConflict, "roi.record-changed",
                      a.record + " changed after the patient disputed version " +
                          std::to_string(a.record_version) + ": review the request again");
        }
        if (!written) return tl::unexpected(written.error());
        a.amended_version = written->version;
        a.status = "accepted";
        a.decided_on = DayOf(now);
        a.decided_by = std::string(user);
        for (const std::string& who : notify) {
          if (!who.empty()) a.notify.push_back({who, ""});
        }
        Note(a, user, now, a.record + " amended as version " + std::to_string(written->version));
        return Ok();
      },
      within);
}

Result<Amendment> MarkNotified(store::ResourceStore& store, std::string_view id, std::size_t index,
                               std::string_view date, std::string_view user, core::Timestamp now,
                               const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction&, Amendment& a) -> Status {
        CHARTROOM_RETURN_IF_ERROR(MustBe(a, "accepted"));
        if (index >= a.notify.size()) {
          return Fail(
              ErrorCategory::kNotFound, "roi.unknown-notification",
              "amendment " + a.id + " has no person " + std::to_string(index) + " to notify");
        }
        if (!ValidDate(date)) {
          return Fail(ErrorCategory::kInvalid, std::string(kBad), "date is YYYY-MM-DD");
        }
        a.notify[index].notified_on = std::string(date);
        Note(a, user, now, "notified " + a.notify[index].who);
        return Ok();
      },
      within);
}

Result<Amendment> DenyAmendment(store::ResourceStore& store, std::string_view id,
                                DenialGround ground, std::string_view explanation,
                                std::string_view user, core::Timestamp now, const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction&, Amendment& a) -> Status {
        CHARTROOM_RETURN_IF_ERROR(MustBe(a, "received"));
        if (explanation.empty()) {
          return Fail(ErrorCategory::kInvalid, std::string(kBad),
                      "a denial needs its explanation, in plain language, for the letter");
        }
        a.status = "denied";
        a.ground = ground;
        a.denial_explanation = std::string(explanation);
        a.decided_on = DayOf(now);
        a.decided_by = std::string(user);
        Note(a, user, now, "denied: " + std::string(DenialGroundName(ground)));
        return Ok();
      },
      within);
}

Result<Amendment> FileStatement(store::ResourceStore& store, std::string_view id, bool rebuttal,
                                std::string_view text, std::string_view user, core::Timestamp now,
                                const Within& within) {
  return Change(
      store, id,
      [&](store::Transaction& tx, Amendment& a) -> Status {
        CHARTROOM_RETURN_IF_ERROR(MustBe(a, "denied"));
        if (text.empty()) {
          return Fail(ErrorCategory::kInvalid, std::string(kBad), "the statement has no text");
        }
        std::string& slot = rebuttal ? a.rebuttal : a.disagreement;
        if (!slot.empty()) {
          return Fail(ErrorCategory::kConflict, "roi.statement-filed",
                      std::string(rebuttal ? "a rebuttal" : "a statement of disagreement") +
                          " is already on file for amendment " + a.id);
        }
        if (rebuttal && a.disagreement.empty()) {
          return Fail(ErrorCategory::kConflict, "roi.no-disagreement",
                      "a rebuttal answers a statement of disagreement, and none is on file");
        }
        const std::string title =
            rebuttal ? "Rebuttal to statement of disagreement" : "Statement of disagreement";
        json::object doc{
            {"resourceType", "DocumentReference"},
            {"status", "current"},
            {"type", json::object{{"text", title}}},
            {"description", title + " (amendment " + a.id + ", 45 CFR 164.526(d))"},
            {"subject", json::object{{"reference", "Patient/" + a.patient}}},
            {"date", core::FormatInstant(now)},
            {"content",
             json::array{json::object{
                 {"attachment", json::object{{"contentType", "text/plain; charset=utf-8"},
                                             {"data", crypto::EncodeBase64(text)},
                                             {"title", title}}}}}},
            {"context",
             json::object{{"related", json::array{json::object{{"reference", a.record}}}}}}};
        CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion written, tx.Create(std::move(doc)));
        slot = "DocumentReference/" + written.id;
        Note(a, user, now, title + " filed as " + slot);
        return Ok();
      },
      within);
}

Result<std::vector<Amendment>> AmendmentsOf(store::ResourceStore& store, std::string_view patient) {
  std::vector<Amendment> out;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kAmendmentKind, after, 1000));
    for (const store::Record& record : page) {
      CHARTROOM_ASSIGN_OR_RETURN(json::object o, ParseObject(record.value));
      Amendment a = Amendment::FromJson(o);
      if (a.patient == patient) out.push_back(std::move(a));
    }
    if (page.size() < 1000) break;
    after = page.back().key;
  }
  return out;
}

Result<std::vector<std::string>> StatementsFor(store::ResourceStore& store,
                                               std::string_view patient,
                                               const std::vector<std::string>& records) {
  CHARTROOM_ASSIGN_OR_RETURN(auto amendments, AmendmentsOf(store, patient));
  std::vector<std::string> out;
  for (const Amendment& a : amendments) {
    if (a.status != "denied" ||
        std::find(records.begin(), records.end(), a.record) == records.end()) {
      continue;
    }
    for (const std::string* s : {&a.disagreement, &a.rebuttal}) {
      if (!s->empty()) out.push_back(*s);
    }
  }
  return out;
}

}  // namespace chartroom::roi
