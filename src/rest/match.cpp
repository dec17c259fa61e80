// Patient/$match (https://hl7.org/fhir/R4/patient-operation-match.html, IHE PDQm): the patients
// the patient index (mpi/index.hpp) finds for the demographics in the Parameters' `resource`,
// scored and graded, the most likely first. Parameters: resource (a Patient, required), count
// (at most this many, default 10, at most 100) and onlyCertainMatches. Each entry carries
// search.score (the match probability) and the match-grade extension: certain at or above the
// match threshold, probable at or above the review threshold, possible above 0.1. Entries go
// through the caller's view like a read: a patient the caller may not see is left out.

#include <algorithm>

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "mpi/index.hpp"
#include "rest/bundle_writer.hpp"
#include "rest/interactions.hpp"
#include "rest/search_bundle.hpp"

namespace chartroom::rest {
namespace {

constexpr double kPossible = 0.1;
constexpr std::int64_t kDefaultCount = 10;
constexpr std::int64_t kMaxCount = 100;

Error BadParameters(std::string message) {
  return Error(ErrorCategory::kInvalid, "rest.bad-parameter", std::move(message));
}

}  // namespace

Result<Reply> Match(Session& session, const RequestContext& context, const Call& call) {
  if (call.route.type != "Patient" || call.route.operation != "match") {
    return Fail(ErrorCategory::kNotFound, "rest.unknown-operation",
                "the server has no such operation");
  }
  if (call.method != "POST") {
    return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                "Patient/$match takes a Parameters resource by POST");
  }
  if (context.patient_index == nullptr) {
    return Fail(ErrorCategory::kUnavailable, "rest.no-patient-index",
                "the patient index is not running on this server");
  }
  if (call.resource == nullptr || (*call.resource)["resourceType"] != "Parameters") {
    return tl::unexpected(BadParameters("Patient/$match takes a Parameters resource"));
  }
  const boost::json::object* patient = nullptr;
  std::int64_t count = kDefaultCount;
  bool only_certain = false;
  if (const boost::json::value* params = call.resource->if_contains("parameter");
      params != nullptr && params->is_array()) {
    for (const boost::json::value& p : params->get_array()) {
      if (!p.is_object()) continue;
      const boost::json::object& o = p.get_object();
      const boost::json::value* name = o.if_contains("name");
      if (name == nullptr || !name->is_string()) continue;
      if (name->get_string() == "resource") {
        const boost::json::value* r = o.if_contains("resource");
        if (r != nullptr && r->is_object() && r->get_object().if_contains("resourceType") &&
            r->get_object().at("resourceType") == "Patient") {
          patient = &r->get_object();
        }
      } else if (name->get_string() == "count") {
        const boost::json::value* v = o.if_contains("valueInteger");
        if (v == nullptr || !v->is_int64() || v->get_int64() < 1) {
          return tl::unexpected(BadParameters("count must be a positive integer"));
        }
        count = std::min(v->get_int64(), kMaxCount);
      } else if (name->get_string() == "onlyCertainMatches") {
        const boost::json::value* v = o.if_contains("valueBoolean");
        if (v == nullptr || !v->is_bool()) {
          return tl::unexpected(BadParameters("onlyCertainMatches must be a boolean"));
        }
        only_certain = v->get_bool();
      }
    }
  }
  if (patient == nullptr) {
    return tl::unexpected(BadParameters("Patient/$match needs a parameter 'resource': a Patient"));
  }
  const mpi::Index& index = *context.patient_index;
  mpi::Person query = mpi::PersonFromPatient(*patient);
  query.id.clear();  // the query is no stored patient: every patient is a candidate
  const mpi::Thresholds& t = index.options().thresholds;
  const auto found =
      index.Find(query, only_certain ? t.match : kPossible, static_cast<std::size_t>(kMaxCount));

  BundleWriter writer("searchset", context.request_id, context.now);
  std::vector<std::pair<store::ResourceVersion, const mpi::Found*>> shown;
  for (const mpi::Found& f : found) {
    if (static_cast<std::int64_t>(shown.size()) >= count) break;
    auto read = session.Read("Patient", f.person.id);
    if (!read) {
      if (read.error().category() == ErrorCategory::kNotFound ||
          read.error().category() == ErrorCategory::kGone) {
        continue;  // deleted since, or not the caller's to see
      }
      return tl::unexpected(read.error());
    }
    shown.emplace_back(std::move(*read), &f);
  }
  writer.SetTotal(static_cast<std::int64_t>(shown.size()));
  for (const auto& [version, f] : shown) {
    const std::string url = ResourceUrl(context, "Patient", version.id);
    BundleEntry entry;
    entry.full_url = url;
    entry.resource = version.json;
    entry.search_mode = "match";
    entry.search_score = f->score.probability;
    entry.match_grade = f->score.probability >= t.match    ? "certain"
                        : f->score.probability >= t.review ? "probable"
                                                           : "possible";
    writer.AddEntry(entry);
  }
  Reply reply;
  reply.kind = BodyKind::kBundle;
  reply.body = writer.Finish();
  return reply;
}

}  // namespace chartroom::rest
