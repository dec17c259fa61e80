// The HTTP side of Bulk Data export (https://hl7.org/fhir/uv/bulkdata/STU2/export.html): the
// kick-off request (export.html#bulk-data-kick-off-request), the status request
// (#bulk-data-status-request), its DELETE (#bulk-data-delete-request) and the output files
// (#file-request). The jobs themselves are rest/export.hpp.

#include <algorithm>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include "core/result_macros.hpp"
#include "core/text.hpp"
#include "fhir/model/model.hpp"
#include "fhir/validation/validator.hpp"
#include "rest/error_response.hpp"
#include "rest/export.hpp"
#include "rest/guarded_session.hpp"
#include "rest/interactions.hpp"
#include "rest/query_params.hpp"

namespace chartroom::rest {
namespace {

// How long a client should wait before polling a running job, or retrying a refused kick-off.
constexpr std::string_view kPollSeconds = "2";
constexpr std::string_view kBusyRetrySeconds = "10";

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view HeaderValue(const http::Request& request, std::string_view name) {
  const http::Header* h = request.header(name);
  return h != nullptr ? std::string_view(h->value) : std::string_view();
}

// Whether an Accept header lists application/fhir+json (export.html#headers: required).
bool AcceptsFhirJson(std::string_view accept) {
  while (!accept.empty()) {
    const std::size_t comma = accept.find(',');
    const std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    if (IEquals(Trim(item.substr(0, item.find(';'))), "application/fhir+json")) return true;
  }
  return false;
}

// _outputFormat values for NDJSON (export.html#query-parameters). A '+' left unencoded in a query
// string arrives as a space.
bool IsNdjsonFormat(std::string value) {
  std::replace(value.begin(), value.end(), ' ', '+');
  return IEquals(value, "application/fhir+ndjson") || IEquals(value, "application/ndjson") ||
         IEquals(value, "ndjson");
}

// Parameters of the specification this server does not implement.
bool IsUnsupportedParameter(std::string_view name) {
  return name == "_elements" || name == "_typeFilter" || name == "includeAssociatedData" ||
         name == "patient" || name == "organizeOutputBy" || name == "allowPartialManifests";
}

tl::unexpected<Error> BadParameter(std::string message) {
  return Fail(ErrorCategory::kInvalid, "rest.bad-parameter", std::move(message));
}

// The kick-off's parameters, validated, into `request`.
Status ReadParameters(const std::vector<QueryParam>& params, fhir::search::Handling handling,
                      ExportRequest& request) {
  bool have_since = false;
  for (const QueryParam& p : params) {
    if (p.name == "_outputFormat") {
      if (!IsNdjsonFormat(p.value)) {
        return Fail(ErrorCategory::kInvalid, "rest.export-bad-format",
                    "_outputFormat must be application/fhir+ndjson, application/ndjson or ndjson");
      }
    } else if (p.name == "_type") {
      std::string_view list = p.value;
      while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view type = Trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (type.empty()) continue;
        const fhir::TypeInfo* info = fhir::FindResourceType(type);
        if (info == nullptr || info->is_abstract) {
          return BadParameter("_type names something that is not a concrete resource type");
        }
        if (std::find(request.types.begin(), request.types.end(), type) == request.types.end()) {
          request.types.emplace_back(type);
        }
      }
      if (request.types.empty()) return BadParameter("_type is empty");
    } else if (p.name == "_since") {
      auto since = core::ParseInstant(p.value);
      if (!since || have_since) {
        return BadParameter("_since must be given once, as an instant with a time zone");
      }
      request.since = *since;
      have_since = true;
    } else if (p.name == "_format" || p.name == "_pretty") {
      continue;  // the kick-off answers FHIR JSON (an OperationOutcome) whatever they say
    } else if (handling == fhir::search::Handling::kStrict) {
      if (IsUnsupportedParameter(p.name)) {
        return Fail(ErrorCategory::kUnsupported, "rest.unsupported-parameter",
                    "$export does not support the parameter " + core::PercentEncode(p.name));
      }
      return Fail(ErrorCategory::kInvalid, "rest.unknown-parameter",
                  "$export does not take the parameter " + core::PercentEncode(p.name));
    } else {
      const std::string name = core::PercentEncode(p.name);
      if (std::find(request.ignored.begin(), request.ignored.end(), name) ==
          request.ignored.end()) {
        request.ignored.push_back(name);
      }
    }
  }
  return Ok();
}

// The parameters of a POSTed Parameters resource (export.html#post-body), as name/value pairs:
// the value is the first primitive value[x]; anything else (valueReference, parts) is kept with
// an empty value, which only unsupported parameters can have.
Result<std::vector<QueryParam>> BodyParameters(const http::Request& request,
                                               const RequestContext& context, Reply& invalid) {
  std::vector<QueryParam> params;
  if (request.body.empty()) return params;
  if (request.body.size() > context.options->max_body_bytes) {
    return Fail(ErrorCategory::kInvalid, "rest.body-too-large",
                "the request body is larger than " +
                    std::to_string(context.options->max_body_bytes) + " bytes");
  }
  const std::string_view type =
      Trim(HeaderValue(request, "Content-Type")
               .substr(0, HeaderValue(request, "Content-Type").find(';')));
  if (!type.empty() && !IEquals(type, "application/fhir+json") &&
      !IEquals(type, "application/json")) {
    return Fail(ErrorCategory::kUnsupported, "rest.unsupported-media-type",
                "the request body must be a FHIR JSON Parameters resource");
  }
  boost::json::monotonic_resource arena;
  fhir::ValidationOptions validation;
  validation.max_depth = context.options->max_json_depth;
  fhir::ParsedDocument document = fhir::ParseAndValidate(request.body, &arena, validation);
  if (document.outcome.HasErrors()) {
    invalid = OutcomeReply(400, document.outcome, "fhir.invalid");
    return params;
  }
  const boost::json::object& body = document.value.get_object();
  const boost::json::value* resource_type = body.if_contains("resourceType");
  if (resource_type == nullptr || *resource_type != "Parameters") {
    return Fail(ErrorCategory::kInvalid, "rest.type-mismatch",
                "the body of a POST $export must be a Parameters resource");
  }
  if (const boost::json::value* list = body.if_contains("parameter")) {
    for (const boost::json::value& item : list->get_array()) {
      const boost::json::object& parameter = item.get_object();
      const boost::json::value* name = parameter.if_contains("name");
      if (name == nullptr || !name->is_string()) continue;  // the validator requires one
      QueryParam param;
      param.name = std::string(name->get_string());
      for (const auto& member : parameter) {
        if (member.key().starts_with("value") && member.value().is_string()) {
          param.value = std::string(member.value().get_string());
          break;
        }
      }
      params.push_back(std::move(param));
    }
  }
  return params;
}

// The job's own view of the caller (the request's ends with it): every line it writes passes
// the gate for kExport, and its end is audited with the patients it exported.
void GuardExport(const Guard& guard, ExportRequest& job) {
  struct JobView {
    JobView(access::Gate& gate, access::Subject who)
        : subject(std::move(who)), view(gate, subject) {}
    access::Subject subject;
    access::Gate::View view;
  };
  auto state = std::make_shared<JobView>(guard.view->gate(), guard.view->subject());
  job.filter = [state](const store::ResourceVersion& v) -> Result<std::optional<std::string>> {
    if (v.deleted()) return std::optional<std::string>();
    return state->view.Show(access::Operation::kExport, v.json);
  };
  audit::Trail* trail = guard.trail;
  audit::Event event = *guard.event;
  job.finished = [state, trail, event](bool ok, std::int64_t exported) mutable {
    if (trail == nullptr) return;
    event.action = audit::Action::kExport;
    event.outcome = ok ? "success" : "error";
    event.detail = std::to_string(exported) + " resources";
    event.patients.assign(state->view.patients().begin(), state->view.patients().end());
    trail->Record(std::move(event));
  };
}

Result<Reply> KickOff(ExportManager& exports, const RequestContext& context,
                      const http::Request& request, const Route& route) {
  ExportRequest job;
  if (route.kind == RouteKind::kSystemOperation) {
    job.level = ExportLevel::kSystem;
  } else if (route.kind == RouteKind::kTypeOperation && route.type == "Patient") {
    job.level = ExportLevel::kPatient;
  } else if (route.kind == RouteKind::kInstanceOperation && route.type == "Group") {
    job.level = ExportLevel::kGroup;
    job.group_id = std::string(route.id);
  } else {
    return Fail(ErrorCategory::kNotFound, "rest.unknown-operation",
                "$export is defined on the base, on Patient and on Group/[id]");
  }
  if (request.method != "GET" && request.method != "POST") {
    return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                "the $export kick-off takes GET or POST");
  }
  if (!AcceptsFhirJson(HeaderValue(request, "Accept"))) {
    return Fail(ErrorCategory::kInvalid, "rest.export-accept",
                "the $export kick-off needs Accept: application/fhir+json");
  }
  if (!context.respond_async) {
    return Fail(ErrorCategory::kInvalid, "rest.export-prefer-async",
                "the $export kick-off needs Prefer: respond-async");
  }
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<QueryParam> params, ParseQueryParams(request.query()));
  if (request.method == "POST") {
    Reply invalid;
    CHARTROOM_ASSIGN_OR_RETURN(std::vector<QueryParam> body,
                               BodyParameters(request, context, invalid));
    if (invalid.status != 200) return invalid;
    params.insert(params.end(), std::make_move_iterator(body.begin()),
                  std::make_move_iterator(body.end()));
  }
  CHARTROOM_RETURN_IF_ERROR(ReadParameters(params, context.handling, job));
  if (context.guard != nullptr) {
    access::Gate::View& view = *context.guard->view;
    if (!view.MayUse(access::Operation::kExport, "Patient")) {
      return Fail(ErrorCategory::kForbidden, "access.denied",
                  "the request is not permitted for this user, role and purpose of use");
    }
  }
  if (job.level == ExportLevel::kGroup) {
    // A Group that is not there (or hidden from the caller) fails the kick-off, not the job.
    CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion group,
                               context.store->Read("Group", job.group_id));
    if (context.guard != nullptr) {
      CHARTROOM_ASSIGN_OR_RETURN(auto shown,
                                 context.guard->view->Show(access::Operation::kRead, group.json));
      if (!shown) {
        return Fail(ErrorCategory::kNotFound, "store.not-found",
                    "Group/" + job.group_id + " does not exist");
      }
    }
  }
  if (context.guard != nullptr) GuardExport(*context.guard, job);
  job.base_url = context.base_url;
  job.request_url = context.base_url + std::string(request.target.substr(kFhirPrefix.size()));
  CHARTROOM_ASSIGN_OR_RETURN(std::string id, exports.Start(std::move(job)));

  Reply reply = InformationReply(202, "the export has started; poll the Content-Location URL");
  reply.headers.push_back({"Content-Location", context.base_url + "/$export-status/" + id});
  return reply;
}

std::string Manifest(const std::string& job_id, const ExportStatus& status) {
  boost::json::array output;
  boost::json::array error;
  for (const ExportOutput& o : status.outputs) {
    boost::json::object item{
        {"type", o.type},
        {"url", status.base_url + "/$export-file/" + job_id + "/" + o.name},
        {"count", o.count},
    };
    (o.error ? error : output).push_back(std::move(item));
  }
  boost::json::object manifest{
      {"transactionTime", core::FormatInstant(status.transaction_time)},
      {"request", status.request_url},
      {"requiresAccessToken", false},
      {"output", std::move(output)},
      {"error", std::move(error)},
  };
  return boost::json::serialize(manifest);
}

Result<Reply> JobStatus(ExportManager& exports, const http::Request& request, const Route& route) {
  const std::string job_id(route.id);
  if (request.method == "DELETE") {
    CHARTROOM_RETURN_IF_ERROR(exports.Cancel(job_id));
    return InformationReply(202, "the export job was cancelled and its files deleted");
  }
  if (request.method != "GET") {
    return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                "an export status URL takes GET or DELETE");
  }
  CHARTROOM_ASSIGN_OR_RETURN(ExportStatus status, exports.Status(job_id));
  Reply reply;
  switch (status.state) {
    case ExportState::kRunning:
      reply.status = 202;
      reply.headers.push_back(
          {"X-Progress", std::to_string(status.exported) + " resources exported"});
      reply.headers.push_back({"Retry-After", std::string(kPollSeconds)});
      return reply;
    case ExportState::kFailed: {
      reply = ErrorReply(
          Error(ErrorCategory::kInternal, "rest.export-failed", "the export job failed"));
      reply.log_detail = status.failure->code() + ": " + status.failure->message();
      return reply;
    }
    case ExportState::kDone:
      break;
  }
  reply.kind = BodyKind::kText;
  reply.content_type = "application/json; charset=utf-8";
  reply.body = Manifest(job_id, status);
  reply.headers.push_back({"Expires", core::FormatHttpDate(status.expires)});
  return reply;
}

Result<Reply> File(ExportManager& exports, const http::Request& request, const Route& route) {
  if (request.method != "GET") {
    return Fail(ErrorCategory::kUnsupported, "rest.method-not-allowed",
                "an export file URL takes GET");
  }
  std::string type;
  Reply reply;
  CHARTROOM_ASSIGN_OR_RETURN(
      reply.body, exports.ReadFile(std::string(route.id), std::string(route.file), type));
  reply.kind = BodyKind::kText;
  reply.content_type = "application/fhir+ndjson";
  return reply;
}

std::string_view AllowedMethods(RouteKind kind) {
  switch (kind) {
    case RouteKind::kExportStatus:
      return "GET, DELETE";
    case RouteKind::kExportFile:
      return "GET";
    default:
      return "GET, POST";
  }
}

}  // namespace

bool IsExportRoute(const Route& route) {
  switch (route.kind) {
    case RouteKind::kSystemOperation:
    case RouteKind::kTypeOperation:
    case RouteKind::kInstanceOperation:
      return route.operation == "export";
    case RouteKind::kExportStatus:
    case RouteKind::kExportFile:
      return true;
    default:
      return false;
  }
}

Reply HandleExport(ExportManager* exports, const RequestContext& context,
                   const http::Request& request, const Route& route) {
  Result<Reply> result = [&]() -> Result<Reply> {
    CHARTROOM_RETURN_IF_ERROR(CheckRoute(route));
    if (exports == nullptr) {
      return Fail(ErrorCategory::kUnsupported, "rest.export-unavailable",
                  "bulk export is not enabled on this server");
    }
    if (route.kind == RouteKind::kExportStatus) return JobStatus(*exports, request, route);
    if (route.kind == RouteKind::kExportFile) return File(*exports, request, route);
    return KickOff(*exports, context, request, route);
  }();
  if (result) return std::move(*result);
  Reply reply = ErrorReply(result.error());
  if (result.error().code() == "rest.method-not-allowed") {
    reply.headers.push_back({"Allow", std::string(AllowedMethods(route.kind))});
  } else if (result.error().code() == "rest.export-busy") {
    reply.headers.push_back({"Retry-After", std::string(kBusyRetrySeconds)});
  }
  return reply;
}

}  // namespace chartroom::rest
