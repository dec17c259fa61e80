// patch with JSON Patch (https://hl7.org/fhir/R4/http.html#patch, RFC 6902), and conditional
// patch (PATCH [type]?criteria). The patched resource must still be a valid resource of the
// same type and id: otherwise 422 with the validator's findings, and nothing is written.

#include "fhir/json/strict_parser.hpp"

#include "core/result_macros.hpp"
#include "fhir/validation/validator.hpp"
#include "rest/error_response.hpp"
#include "rest/interactions.hpp"
#include "rest/json_patch.hpp"
#include "rest/write_common.hpp"

namespace chartroom::rest {
namespace {

Error ResultInvalid(std::string message) {
  return Error(ErrorCategory::kInvalid, "rest.patch-result-invalid", std::move(message));
}

}  // namespace

Result<Reply> Patch(Session& session, const RequestContext& context, const Call& call) {
  if (call.patch == nullptr) {
    return Fail(ErrorCategory::kInvalid, "rest.missing-body",
                "PATCH needs a JSON Patch document in the request body");
  }
  CHARTROOM_ASSIGN_OR_RETURN(std::optional<std::int64_t> expected, ParseIfMatch(call.if_match));
  std::optional<fhir::search::SearchQuery> condition;
  if (call.route.kind == RouteKind::kType) {
    CHARTROOM_ASSIGN_OR_RETURN(condition, ParseConditionalQuery(call.route.type, call.query));
  }
  fhir::ValidationOptions validation;
  validation.max_depth = context.options->max_json_depth;

  std::optional<Reply> findings_reply;  // the validator's findings on the patched resource
  store::ResourceVersion result;
  Status status = session.Write([&](store::Transaction& tx) -> Status {
    findings_reply.reset();
    store::ResourceVersion current;
    if (condition) {
      CHARTROOM_ASSIGN_OR_RETURN(std::vector<store::ResourceVersion> matches,
                                 ConditionalMatches(tx, *condition));
      if (matches.empty()) {
        return Fail(ErrorCategory::kNotFound, "rest.no-match",
                    "the criteria match no " + std::string(call.route.type));
      }
      if (matches.size() > 1) {
        return Fail(ErrorCategory::kPrecondition, "rest.multiple-matches",
                    "the criteria match more than one " + std::string(call.route.type));
      }
      current = std::move(matches.front());
    } else {
      CHARTROOM_ASSIGN_OR_RETURN(current, tx.Read(call.route.type, call.route.id));
    }
    if (expected && *expected != current.version) {
      return Fail(
          ErrorCategory::kPrecondition, "store.version-conflict",
          current.type + "/" + current.id + " is not at version " + std::to_string(*expected));
    }
    // Parsed strictly for the text of its numbers: what the patch leaves alone stays as written.
    fhir::json::StrictJson stored = fhir::json::ParseStrictJson(current.json);
    boost::json::value patched = std::move(stored.value);
    if (stored.syntax_error) {
      return Fail(ErrorCategory::kInternal, "rest.stored-json",
                  "the stored JSON of " + current.type + "/" + current.id + " does not parse");
    }
    CHARTROOM_RETURN_IF_ERROR(ApplyJsonPatch(patched, *call.patch));
    if (!patched.is_object()) {
      return tl::unexpected(ResultInvalid("the patch leaves something other than a resource"));
    }
    const boost::json::object& object = patched.get_object();
    const boost::json::value* type = object.if_contains("resourceType");
    const boost::json::value* id = object.if_contains("id");
    if (type == nullptr || !type->is_string() || type->get_string() != current.type) {
      return tl::unexpected(ResultInvalid("a patch may not change the resourceType"));
    }
    if (id == nullptr || !id->is_string() || id->get_string() != current.id) {
      return tl::unexpected(ResultInvalid("a patch may not change or remove the id"));
    }
    fhir::OperationOutcome findings = fhir::Validate(patched, validation);
    if (findings.HasErrors()) {
      findings_reply = OutcomeReply(422, findings, "rest.patch-result-invalid");
      return tl::unexpected(ResultInvalid("the patched resource is not valid"));
    }
    CHARTROOM_ASSIGN_OR_RETURN(
        result, context.store != nullptr
                    ? WriteResource(tx, *context.store, std::move(patched.get_object()),
                                    &stored.numbers, current.version, false)
                    : tx.Update(std::move(patched.get_object()), current.version));
    return Ok();
  });
  if (!status) {
    if (findings_reply) return std::move(*findings_reply);
    return tl::unexpected(status.error());
  }
  return VersionReply(200, std::move(result), context.preference, false);
}

}  // namespace chartroom::rest
