#include "rest/mpi_http.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/result_macros.hpp"
#include "mpi/intake.hpp"
#include "mpi/merge.hpp"
#include "mpi/mrn.hpp"
#include "rest/error_response.hpp"

namespace chartroom::rest {
namespace json = boost::json;
namespace {

using mpi::PairKey;
constexpr std::string_view kPairs = mpi::kPairKind;
constexpr std::string_view kDecisions = mpi::kDecisionKind;
constexpr std::size_t kPage = 1000;

std::string TextOf(const json::object& body, std::string_view key) {
  const json::value* v = body.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool MayWork(const access::Caller& caller) {
  for (access::Role r : caller.subject.roles) {
    if (r == access::Role::kHimTechnician || r == access::Role::kHimDirector ||
        r == access::Role::kAdmin) {
      return true;
    }
  }
  return false;
}

Result<Reply> Worklist(store::ResourceStore& store) {
  json::array pairs;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kPairs, after, kPage));
    for (const auto& record : page) {
      boost::system::error_code ec;
      json::value v = json::parse(record.value, ec);
      if (!ec) pairs.push_back(std::move(v));
    }
    if (page.size() < kPage) break;
    after = page.back().key;
  }
  std::stable_sort(pairs.begin(), pairs.end(), [](const json::value& x, const json::value& y) {
    return x.at("score").to_number<double>() > y.at("score").to_number<double>();
  });
  json::object body;
  body["total"] = static_cast<std::int64_t>(pairs.size());
  body["pairs"] = std::move(pairs);
  return JsonReply(200, body);
}

Result<Reply> Decide(store::ResourceStore& store, const http::Request& request,
                     const access::Caller* caller, core::Timestamp now) {
  CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
  auto text = [&](std::string_view key) { return TextOf(body, key); };
  const std::string first = text("first");
  const std::string second = text("second");
  const std::string decision = text("decision");
  if (first.empty() || second.empty() || first == second ||
      (decision != "same" && decision != "different")) {
    return Fail(ErrorCategory::kInvalid, "mpi.bad-decision",
                "a decision names two different patients (first, second) and is \"same\" or "
                "\"different\"");
  }
  const std::string key = PairKey(first, second);
  json::object record;
  record["first"] = std::min(first, second);
  record["second"] = std::max(first, second);
  record["decision"] = decision;
  record["by"] = caller != nullptr ? caller->subject.id : std::string("trusted");
  record["at"] = core::FormatInstant(now);
  if (const std::string note = text("note"); !note.empty()) record["note"] = note;
  Status written = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_RETURN_IF_ERROR(tx.PutRecord(kDecisions, key, json::serialize(record)));
    return tx.DeleteRecord(kPairs, key);
  });
  if (!written) return tl::unexpected(written.error());
  return JsonReply(200, record);
}

// Puts patients a committed change touched into the index as they now stand (a retired record
// leaves it). The change stands whatever happens here: a store that fails this now is read
// again by the index's follower (mpi/follower.hpp).
void Reindex(mpi::Index& index, store::ResourceStore& store, std::initializer_list<std::string> ids,
             core::Timestamp now) {
  for (const std::string& id : ids) (void)mpi::Intake(index, store, id, now);
}

// The audit entry of a merge or unmerge, written in its transaction.
mpi::Witness AuditIn(audit::Trail* trail, const audit::Event& event) {
  if (trail == nullptr) return nullptr;
  return [trail, event](store::Transaction& tx, const mpi::MergeRecord& record) -> Status {
    audit::Event e = event;
    e.patients = {record.source, record.target};
    for (const mpi::MergeChange& c : record.changes) {
      e.resources.push_back(c.type + "/" + c.id + "/_history/" + std::to_string(c.after));
    }
    e.detail += " " + record.id;
    return trail->RecordIn(tx, e);
  };
}

Result<Reply> MergeRecords(mpi::Index& index, store::ResourceStore& store,
                           const http::Request& request, const access::Caller* caller,
                           audit::Trail* trail, audit::Event event, core::Timestamp now) {
  CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
  mpi::MergeRequest merge{.source = TextOf(body, "source"),
                          .target = TextOf(body, "target"),
                          .by = caller != nullptr ? caller->subject.id : std::string("trusted"),
                          .note = TextOf(body, "note"),
                          .now = now};
  event.action = audit::Action::kUpdate;
  event.detail = "mpi merge";
  CHARTROOM_ASSIGN_OR_RETURN(auto record, mpi::Merge(store, merge, AuditIn(trail, event)));
  Reindex(index, store, {record.source, record.target}, now);
  return JsonReply(200, record.ToJson());
}

Result<Reply> UnmergeRecords(mpi::Index& index, store::ResourceStore& store,
                             const http::Request& request, const access::Caller* caller,
                             audit::Trail* trail, audit::Event event, core::Timestamp now) {
  CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
  const std::string id = TextOf(body, "merge");
  if (id.empty()) {
    return Fail(ErrorCategory::kInvalid, "mpi.bad-unmerge",
                "an unmerge names the merge to undo: {\"merge\": \"<id>\"}");
  }
  event.action = audit::Action::kUpdate;
  event.detail = "mpi unmerge";
  const std::string by = caller != nullptr ? caller->subject.id : std::string("trusted");
  CHARTROOM_ASSIGN_OR_RETURN(auto record, mpi::Unmerge(store, id, by, now, AuditIn(trail, event)));
  Reindex(index, store, {record.source, record.target}, now);
  return JsonReply(200, record.ToJson());
}

bool MayConfigure(const access::Caller& caller) {
  for (access::Role r : caller.subject.roles) {
    if (r == access::Role::kHimDirector || r == access::Role::kAdmin) return true;
  }
  return false;
}

Result<Reply> Facilities(store::ResourceStore& store) {
  CHARTROOM_ASSIGN_OR_RETURN(auto facilities, mpi::ListFacilities(store));
  json::array list;
  for (const mpi::Facility& f : facilities) list.push_back(f.ToJson());
  json::object body;
  body["facilities"] = std::move(list);
  return JsonReply(200, body);
}

Result<Reply> DefineFacility(store::ResourceStore& store, const http::Request& request,
                             const access::Caller* caller) {
  if (caller != nullptr && !MayConfigure(*caller)) {
    return Fail(ErrorCategory::kForbidden, "access.denied",
                "facilities are defined by an HIM director or an administrator");
  }
  CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
  CHARTROOM_ASSIGN_OR_RETURN(mpi::Facility facility, mpi::Facility::FromJson(body));
  CHARTROOM_ASSIGN_OR_RETURN(facility, mpi::DefineFacility(store, std::move(facility)));
  return JsonReply(200, facility.ToJson());
}

Result<Reply> AssignMrn(mpi::Index& index, store::ResourceStore& store,
                        const http::Request& request, core::Timestamp now) {
  CHARTROOM_ASSIGN_OR_RETURN(json::object body, JsonBody(request));
  const std::string patient = TextOf(body, "patient");
  const std::string facility = TextOf(body, "facility");
  if (patient.empty() || facility.empty()) {
    return Fail(ErrorCategory::kInvalid, "mpi.bad-mrn",
                "an MRN request names the patient and the facility: {\"patient\", \"facility\"}");
  }
  CHARTROOM_ASSIGN_OR_RETURN(auto assigned, mpi::AssignMrn(store, patient, facility));
  if (assigned.issued) Reindex(index, store, {patient}, now);
  json::object reply;
  reply["patient"] = patient;
  reply["facility"] = facility;
  reply["mrn"] = assigned.value;
  reply["issued"] = assigned.issued;
  reply["version"] = assigned.version;
  Reply out = JsonReply(assigned.issued ? 201 : 200, reply);
  out.id = patient;  // for the audit event
  return out;
}

Result<Reply> Merges(store::ResourceStore& store) {
  CHARTROOM_ASSIGN_OR_RETURN(auto records, mpi::ListMerges(store));
  json::array list;
  for (auto it = records.rbegin(); it != records.rend(); ++it) list.push_back(it->ToJson());
  json::object body;
  body["total"] = static_cast<std::int64_t>(list.size());
  body["merges"] = std::move(list);
  return JsonReply(200, body);
}

}  // namespace

bool IsMpiPath(std::string_view path) { return path.starts_with("/mpi/"); }

Reply HandleMpiEndpoint(const AccessServices& services, mpi::Index* index,
                        const http::Request& request, const RequestContext& context) {
  auto answer = [&]() -> Result<Reply> {
    if (index == nullptr) {
      return Fail(ErrorCategory::kNotFound, "rest.unknown-route",
                  "the patient index is not running on this server");
    }
    std::optional<access::Caller> caller;
    if (services.identity != nullptr) {
      CHARTROOM_ASSIGN_OR_RETURN(caller, AuthenticateRequest(*services.identity, request));
      if (!MayWork(*caller)) {
        return Fail(ErrorCategory::kForbidden, "access.denied",
                    "the request is not permitted for this user, role and purpose of use");
      }
    }
    const std::string_view path = request.path();
    Result<Reply> reply =
        Fail(ErrorCategory::kNotFound, "rest.unknown-route", "there is no endpoint at this URL");
    audit::Event event = EventFor(caller ? &*caller : nullptr, request, context);
    if (path == "/mpi/worklist" && request.method == "GET") {
      reply = Worklist(*context.store);
      event.action = audit::Action::kRead;
      event.detail = "mpi worklist";
    } else if (path == "/mpi/decisions" && request.method == "POST") {
      reply = Decide(*context.store, request, caller ? &*caller : nullptr, context.now);
      event.action = audit::Action::kAdministration;
      event.detail = "mpi decision";
    } else if (path == "/mpi/merges" && request.method == "GET") {
      reply = Merges(*context.store);
      event.action = audit::Action::kRead;
      event.detail = "mpi merges";
    } else if (path == "/mpi/facilities" && request.method == "GET") {
      reply = Facilities(*context.store);
      event.action = audit::Action::kRead;
      event.detail = "mpi facilities";
    } else if (path == "/mpi/facilities" && request.method == "POST") {
      reply = DefineFacility(*context.store, request, caller ? &*caller : nullptr);
      event.action = audit::Action::kAdministration;
      event.detail = "mpi facility";
    } else if (path == "/mpi/mrn" && request.method == "POST") {
      reply = AssignMrn(*index, *context.store, request, context.now);
      event.action = audit::Action::kUpdate;
      event.detail = "mpi mrn";
      if (reply) event.patients.push_back(reply->id);
    } else if ((path == "/mpi/merge" || path == "/mpi/unmerge") && request.method == "POST") {
      // Audited in the change's own transaction; a refusal is audited below.
      const bool merge = path == "/mpi/merge";
      reply = merge ? MergeRecords(*index, *context.store, request, caller ? &*caller : nullptr,
                                   services.trail, event, context.now)
                    : UnmergeRecords(*index, *context.store, request, caller ? &*caller : nullptr,
                                     services.trail, event, context.now);
      if (reply) return reply;
      event.action = audit::Action::kUpdate;
      event.detail = merge ? "mpi merge" : "mpi unmerge";
    } else {
      return reply;
    }
    event.outcome = reply                                                  ? "success"
                    : reply.error().category() == ErrorCategory::kNotFound ? "not-found"
                                                                           : "invalid";
    if (services.trail != nullptr) services.trail->Record(std::move(event));
    return reply;
  };
  auto reply = answer();
  if (reply) return std::move(*reply);
  return ErrorReply(reply.error());
}

}  // namespace chartroom::rest
