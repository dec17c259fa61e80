// The HTTP edge of the FHIR API: content negotiation (https://hl7.org/fhir/R4/http.html#mime-type),
// Prefer (http.html#ops, search.html#errors), body limits and parsing, and turning a Reply into
// an http::Response. Everything between is dispatch.cpp and the interactions.

#include "rest/api.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

#include <boost/json/monotonic_resource.hpp>

#include "fhir/json/strict_parser.hpp"
#include "fhir/validation/validator.hpp"
#include "mpi/intake.hpp"
#include "rest/capability.hpp"
#include "rest/coding_http.hpp"
#include "rest/console.hpp"
#include "rest/error_response.hpp"
#include "rest/guarded_session.hpp"
#include "rest/interactions.hpp"
#include "rest/mpi_http.hpp"
#include "rest/query_params.hpp"
#include "rest/roi_http.hpp"

namespace chartroom::rest {
namespace {

constexpr std::string_view kFhirJson = "application/fhir+json; charset=utf-8";

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

// The media type of a Content-Type or Accept item, without parameters.
std::string_view MediaType(std::string_view value) {
  return Trim(value.substr(0, value.find(';')));
}

std::string_view HeaderValue(const http::Request& request, std::string_view name) {
  const http::Header* h = request.header(name);
  return h != nullptr ? std::string_view(h->value) : std::string_view();
}

bool IsJsonType(std::string_view type) {
  return IEquals(type, "application/fhir+json") || IEquals(type, "application/json") ||
         IEquals(type, "application/json+fhir");
}

// Accept and _format: JSON only (http.html#mime-type). Anything that admits JSON passes.
Status NegotiateFormat(const http::Request& request) {
  const std::string_view accept = HeaderValue(request, "Accept");
  if (!accept.empty()) {
    bool acceptable = false;
    std::string_view list = accept;
    while (!list.empty() && !acceptable) {
      const std::size_t comma = list.find(',');
      const std::string_view type = MediaType(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      acceptable =
          type.empty() || type == "*/*" || IEquals(type, "application/*") || IsJsonType(type);
    }
    if (!acceptable) {
      return Fail(ErrorCategory::kUnsupported, "rest.not-acceptable",
                  "this server answers in FHIR JSON only (application/fhir+json)");
    }
  }
  const std::string_view query = request.query();
  if (query.find("_format") != std::string_view::npos) {
    auto params = ParseQueryParams(query);
    if (!params) return tl::unexpected(params.error());
    for (const QueryParam& p : *params) {
      if (p.name != "_format") continue;
      const std::string_view f = MediaType(p.value);
      if (!(IEquals(f, "json") || IsJsonType(f))) {
        return Fail(ErrorCategory::kUnsupported, "rest.not-acceptable",
                    "_format: this server answers in FHIR JSON only");
      }
    }
  }
  return Ok();
}

// Prefer: return=... and handling=... (RFC 7240; http.html#ops, search.html#errors).
void ReadPrefer(const http::Request& request, RequestContext& context) {
  for (const http::Header& h : request.headers) {
    if (!IEquals(h.name, "Prefer")) continue;
    std::string_view list = h.value;
    while (!list.empty()) {
      const std::size_t sep = list.find_first_of(",;");
      const std::string_view token = Trim(list.substr(0, sep));
      list = sep == std::string_view::npos ? std::string_view() : list.substr(sep + 1);
      if (IEquals(token, "return=minimal")) {
        context.preference = ReturnPreference::kMinimal;
      } else if (IEquals(token, "return=representation")) {
        context.preference = ReturnPreference::kRepresentation;
      } else if (IEquals(token, "return=OperationOutcome")) {
        context.preference = ReturnPreference::kOperationOutcome;
      } else if (IEquals(token, "handling=strict")) {
        context.handling = fhir::search::Handling::kStrict;
      } else if (IEquals(token, "handling=lenient")) {
        context.handling = fhir::search::Handling::kLenient;
      } else if (IEquals(token, "respond-async")) {
        context.respond_async = true;
      }
    }
  }
}

// A Host header value that is safe to put in URLs: host name or address and port.
bool PlainHost(std::string_view host) {
  return !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '[' || c == ']';
  });
}

std::string BaseUrl(const Options& options, const http::Request& request, bool tls) {
  if (!options.base_url.empty()) return options.base_url;
  std::string_view host = HeaderValue(request, "Host");
  if (!PlainHost(host)) host = "localhost";
  std::string url = tls ? "https://" : "http://";
  url += host;
  url += kFhirPrefix;
  return url;
}

Error UnsupportedMediaType(std::string_view expected) {
  return Error(ErrorCategory::kUnsupported, "rest.unsupported-media-type",
               "the request body must be " + std::string(expected));
}

// What the request body of a route and method must be.
enum class BodyUse : std::uint8_t { kNone, kResource, kPatch, kForm };

BodyUse BodyUseOf(std::string_view method, RouteKind kind) {
  if (method == "PATCH") return BodyUse::kPatch;
  if (method == "PUT") return BodyUse::kResource;
  if (method == "POST") {
    if (kind == RouteKind::kSystemSearch || kind == RouteKind::kTypeSearch) return BodyUse::kForm;
    if (kind == RouteKind::kType || kind == RouteKind::kSystem) return BodyUse::kResource;
    if (kind == RouteKind::kTypeOperation) return BodyUse::kResource;  // a Parameters resource
  }
  return BodyUse::kNone;
}

Status CheckContentType(const http::Request& request, BodyUse use) {
  const std::string_view type = MediaType(HeaderValue(request, "Content-Type"));
  if (type.empty()) return Ok();  // a body without a type is read as what the route expects
  switch (use) {
    case BodyUse::kResource:
      if (IsJsonType(type)) return Ok();
      return tl::unexpected(UnsupportedMediaType("FHIR JSON (application/fhir+json)"));
    case BodyUse::kPatch:
      if (IEquals(type, "application/json-patch+json")) return Ok();
      return tl::unexpected(UnsupportedMediaType(
          "a JSON Patch (application/json-patch+json); FHIRPath Patch is not supported"));
    case BodyUse::kForm:
      if (IEquals(type, "application/x-www-form-urlencoded")) return Ok();
      return tl::unexpected(UnsupportedMediaType("application/x-www-form-urlencoded"));
    case BodyUse::kNone:
      return Ok();
  }
  return Ok();
}

std::string_view LogMethod(std::string_view method) { return method.substr(0, 16); }

// The audit action of a request.
audit::Action ActionOf(std::string_view method, const Route& route) {
  const RouteKind kind = route.kind;
  if (IsExportRoute(route)) return audit::Action::kExport;
  if (method == "POST") {
    if (kind == RouteKind::kTypeSearch || kind == RouteKind::kSystemSearch) {
      return audit::Action::kSearch;
    }
    if (kind == RouteKind::kSystemOperation || kind == RouteKind::kTypeOperation ||
        kind == RouteKind::kInstanceOperation) {
      return audit::Action::kRead;
    }
    return audit::Action::kCreate;
  }
  if (method == "PUT" || method == "PATCH") return audit::Action::kUpdate;
  if (method == "DELETE") return audit::Action::kDelete;
  if (kind == RouteKind::kType || kind == RouteKind::kSystem) return audit::Action::kSearch;
  return audit::Action::kRead;
}

std::string OutcomeOf(int status) {
  if (status < 400) return "success";
  if (status == 401) return "unauthenticated";
  if (status == 403) return "denied";
  if (status == 404 || status == 410) return "not-found";
  if (status >= 500) return "error";
  return "invalid";
}

}  // namespace

// What a guarded request carries: its caller, view, event and guard.
struct Api::Guarded {
  access::Caller caller;
  std::optional<access::Gate::View> view;
  audit::Event event;
  Guard guard;
};

namespace {

// Reads, searches and failed writes of a guarded request go to the trail's next batch; a
// successful write was audited in its own transaction (GuardedSession), a Bundle's too.
void AuditRequest(audit::Trail& trail, const Api::Guarded& guarded, std::string_view method,
                  const Route& route, int status) {
  audit::Event event = guarded.event;
  event.action = ActionOf(method, route);
  const bool write = event.action == audit::Action::kCreate ||
                     event.action == audit::Action::kUpdate ||
                     event.action == audit::Action::kDelete;
  if (method == "POST" && route.kind == RouteKind::kSystem) {
    // A batch or transaction: its writes were audited entry by entry; what its read entries
    // (and conditional searches) showed is audited here.
    if (status < 400 && guarded.view && guarded.view->resources().empty()) return;
    event.action = audit::Action::kRead;
    event.detail = "batch/transaction";
  } else if (write && status < 400) {
    return;
  }
  event.outcome = OutcomeOf(status);
  if (guarded.view) {
    event.patients.assign(guarded.view->patients().begin(), guarded.view->patients().end());
    event.resources = guarded.view->resources();  // the first Gate::View::kMaxListed
    if (guarded.view->break_glass())
      event.detail += event.detail.empty() ? "break-the-glass" : " break-the-glass";
  }
  trail.Record(std::move(event));
}

}  // namespace

Api::Api(const Options& options, ApiDependencies dependencies)
    : options_(options), deps_(std::move(dependencies)) {
  capability_statement_ =
      BuildCapabilityStatement(deps_.skipped_params, deps_.clock.Now(), deps_.exports != nullptr);
  char prefix[17];
  std::snprintf(prefix, sizeof prefix, "%016llx",
                static_cast<unsigned long long>(deps_.random.NextU64()));
  request_id_prefix_ = prefix;
}

std::string Api::NextRequestId() {
  char counter[17];
  std::snprintf(counter, sizeof counter, "%llx",
                static_cast<unsigned long long>(request_counter_.fetch_add(1) + 1));
  return request_id_prefix_ + "-" + counter;
}

http::Response Api::Handle(const http::Request& request) {
  const auto started = std::chrono::steady_clock::now();
  RequestContext context;
  context.request_id = NextRequestId();
  context.now = deps_.clock.Now();
  context.options = &options_;
  context.store = &deps_.store;
  context.capability_statement = &capability_statement_;
  context.patient_index = deps_.patient_index;
  context.code_sets = deps_.code_sets;
  const Route route = RouteForPath(request.path());

  Reply reply;
  Guarded guarded;
  try {
    reply = [&]() -> Reply {
      if (route.kind == RouteKind::kHealth) {
        if (request.method != "GET") {
          return ErrorReply(
              Error(ErrorCategory::kUnsupported, "rest.method-not-allowed", "/healthz takes GET"));
        }
        auto probe = deps_.store.Read("Patient", "chartroom-health-probe");
        if (probe || probe.error().category() == ErrorCategory::kNotFound ||
            probe.error().category() == ErrorCategory::kGone) {
          Reply ok;
          ok.kind = BodyKind::kText;
          ok.body = "ok\n";
          ok.content_type = "text/plain; charset=utf-8";
          return ok;
        }
        return ErrorReply(Error(ErrorCategory::kUnavailable, "rest.store-unavailable",
                                "the store does not answer: " + probe.error().code()));
      }
      if (route.kind == RouteKind::kMetrics) {
        if (request.method != "GET") {
          return ErrorReply(
              Error(ErrorCategory::kUnsupported, "rest.method-not-allowed", "/metrics takes GET"));
        }
        Reply text;
        text.kind = BodyKind::kText;
        text.content_type = "text/plain; version=0.0.4; charset=utf-8";
        metrics_.Render(text.body);
        if (deps_.store_metrics) deps_.store_metrics(text.body);
        return text;
      }
      if (IsCodingPath(request.path())) {
        return HandleCodingEndpoint(deps_.access, deps_.code_sets, request, context);
      }
      if (IsRoiPath(request.path())) {
        return HandleRoiEndpoint(deps_.access, deps_.roi, deps_.patient_index, request, context);
      }
      if (IsMpiPath(request.path())) {
        return HandleMpiEndpoint(deps_.access, deps_.patient_index, request, context);
      }
      if (IsAccessPath(request.path())) {
        context.base_url = BaseUrl(options_, request, deps_.tls);
        return HandleAccessEndpoint(deps_.access, request, context);
      }
      if (request.path() == "/fhir/.well-known/smart-configuration" &&
          deps_.access.identity != nullptr) {
        context.base_url = BaseUrl(options_, request, deps_.tls);
        return SmartConfiguration(context);
      }
      if (route.kind == RouteKind::kUnknown) {
        if (!deps_.console_dir.empty() && IsConsolePath(request.path())) {
          return ServeConsole(deps_.console_dir, request);
        }
        return ErrorReply(Error(ErrorCategory::kNotFound, "rest.unknown-route",
                                "there is no endpoint at this URL; the FHIR API is under /fhir"));
      }
      // Everything below but the CapabilityStatement (SMART discovery) needs a caller.
      if (deps_.access.identity != nullptr && route.kind != RouteKind::kMetadata) {
        auto caller = AuthenticateRequest(*deps_.access.identity, request);
        if (!caller) {
          audit::Event failed = EventFor(nullptr, request, context);
          failed.action = ActionOf(request.method, route);
          failed.outcome =
              caller.error().category() == ErrorCategory::kForbidden ? "denied" : "unauthenticated";
          if (deps_.access.trail != nullptr) deps_.access.trail->Record(std::move(failed));
          return ErrorReply(caller.error());
        }
        guarded.caller = std::move(*caller);
        guarded.view.emplace(*deps_.access.gate, guarded.caller.subject);
        guarded.event = EventFor(&guarded.caller, request, context);
        guarded.guard = {&*guarded.view, deps_.access.trail, &guarded.event};
        context.guard = &guarded.guard;
      }
      if (IsExportRoute(route)) {
        context.base_url = BaseUrl(options_, request, deps_.tls);
        ReadPrefer(request, context);
        return HandleExport(deps_.exports, context, request, route);
      }
      if (auto negotiated = NegotiateFormat(request); !negotiated) {
        return ErrorReply(negotiated.error());
      }
      context.base_url = BaseUrl(options_, request, deps_.tls);
      ReadPrefer(request, context);

      Call call;
      call.method = request.method;
      call.route = route;
      call.query = std::string(request.query());
      call.if_match = HeaderValue(request, "If-Match");
      call.if_none_match = HeaderValue(request, "If-None-Match");
      call.if_none_exist = HeaderValue(request, "If-None-Exist");
      call.if_modified_since = HeaderValue(request, "If-Modified-Since");

      const BodyUse use = BodyUseOf(request.method, route.kind);
      if (use != BodyUse::kNone && !request.body.empty()) {
        if (request.body.size() > options_.max_body_bytes) {
          return ErrorReply(Error(ErrorCategory::kInvalid, "rest.body-too-large",
                                  "the request body is larger than " +
                                      std::to_string(options_.max_body_bytes) + " bytes"));
        }
        if (auto checked = CheckContentType(request, use); !checked) {
          return ErrorReply(checked.error());
        }
      }

      // The DOM of a request body is read-only apart from what interactions copy out of it:
      // a monotonic arena, freed at once when the request ends.
      boost::json::monotonic_resource arena;
      fhir::ParsedDocument document;
      boost::json::value patch;
      if (use == BodyUse::kResource && !request.body.empty()) {
        fhir::ValidationOptions validation;
        validation.max_depth = options_.max_json_depth;
        document = fhir::ParseAndValidate(request.body, &arena, validation);
        if (route.kind == RouteKind::kSystem && request.method == "POST") {
          if (!document.value.is_object()) {
            return OutcomeReply(400, document.outcome, "fhir.invalid");
          }
          return ProcessBundle(context, document.value, document.outcome, document.numbers);
        }
        if (document.outcome.HasErrors()) {
          return OutcomeReply(400, document.outcome, "fhir.invalid");
        }
        call.resource = &document.value.get_object();
        call.numbers = &document.numbers;
      } else if (use == BodyUse::kPatch && !request.body.empty()) {
        fhir::json::StrictJsonOptions json_options;
        json_options.max_depth = options_.max_json_depth;
        fhir::json::StrictJson parsed =
            fhir::json::ParseStrictJson(request.body, &arena, json_options);
        if (parsed.syntax_error) {
          return ErrorReply(Error(ErrorCategory::kInvalid, "rest.bad-patch",
                                  "the JSON Patch is not JSON: " + parsed.syntax_error->message));
        }
        patch = std::move(parsed.value);
        call.patch = &patch;
      } else if (use == BodyUse::kForm && !request.body.empty()) {
        if (!call.query.empty()) call.query += '&';
        call.query += request.body;
      } else if (use == BodyUse::kResource && route.kind == RouteKind::kSystem) {
        return ErrorReply(Error(ErrorCategory::kInvalid, "rest.missing-body",
                                "POST to the base URL takes a batch or transaction Bundle"));
      }
      StoreSession session(deps_.store);
      if (context.guard != nullptr) {
        GuardedSession guarded_session(session, *context.guard);
        return Dispatch(guarded_session, context, call);
      }
      return Dispatch(session, context, call);
    }();
  } catch (const std::exception& e) {
    reply = ErrorReply(Error(ErrorCategory::kInternal, "rest.exception",
                             std::string("unexpected exception: ") + e.what()));
  }

  if (context.guard != nullptr && deps_.access.trail != nullptr) {
    AuditRequest(*deps_.access.trail, guarded, request.method, route, reply.status);
  }
  // A Patient written or deleted, alone or in a batch or transaction: matched against the
  // patient index, which then takes it.
  const bool patient_write = route.type == "Patient" && request.method != "GET" &&
                             request.method != "HEAD" &&
                             (route.kind == RouteKind::kType || route.kind == RouteKind::kInstance);
  if (deps_.patient_index != nullptr && reply.status < 300) {
    if (patient_write) {
      reply.patients_written.push_back(reply.id.empty() ? std::string(route.id) : reply.id);
    }
    for (const std::string& id : reply.patients_written) {
      if (auto taken = mpi::Intake(*deps_.patient_index, deps_.store, id, context.now); !taken) {
        deps_.logger.Log(LogLevel::kWarn, "patient-intake-failed",
                         {{"request_id", std::string_view(context.request_id)},
                          {"code", std::string_view(taken.error().code())}});
      }
    }
  }
  if (context.guard != nullptr && deps_.access.monitor != nullptr && reply.status < 400) {
    if (auto observed = deps_.access.monitor->Observe(guarded.caller, *guarded.view); !observed) {
      deps_.logger.Log(LogLevel::kWarn, "monitor-failed",
                       {{"request_id", context.request_id}, {"code", observed.error().code()}});
    }
  }

  http::Response response;
  response.status = reply.status;
  response.headers.reserve(6 + reply.headers.size());
  if (!reply.body.empty() && reply.status != 204 && reply.status != 304) {
    response.headers.push_back({"Content-Type", reply.kind == BodyKind::kText
                                                    ? reply.content_type
                                                    : std::string(kFhirJson)});
    response.body = std::move(reply.body);
  }
  if (reply.version > 0) response.headers.push_back({"ETag", WeakETag(reply.version)});
  if (reply.last_modified) {
    response.headers.push_back({"Last-Modified", core::FormatHttpDate(*reply.last_modified)});
  }
  if (reply.location) {
    response.headers.push_back({"Location", context.base_url + "/" + reply.type + "/" + reply.id +
                                                "/_history/" + std::to_string(reply.version)});
  }
  response.headers.push_back({"X-Request-Id", context.request_id});
  for (http::Header& h : reply.headers) response.headers.push_back(std::move(h));

  const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  metrics_.Record(route.kind, request.method, reply.status, latency);
  const LogLevel level = reply.status >= 500 ? LogLevel::kError : LogLevel::kInfo;
  if (deps_.logger.Enabled(level)) {
    const std::string_view type =
        fhir::FindResourceType(route.type) != nullptr ? route.type : std::string_view();
    if (reply.log_detail.empty()) {
      deps_.logger.Log(level, "request",
                       {{"request_id", context.request_id},
                        {"method", LogMethod(request.method)},
                        {"route", RouteTemplate(route.kind)},
                        {"type", type},
                        {"status", std::int64_t{reply.status}},
                        {"code", reply.error_code},
                        {"duration_us", static_cast<std::int64_t>(latency.count())}});
    } else {
      deps_.logger.Log(level, "request",
                       {{"request_id", context.request_id},
                        {"method", LogMethod(request.method)},
                        {"route", RouteTemplate(route.kind)},
                        {"type", type},
                        {"status", std::int64_t{reply.status}},
                        {"code", reply.error_code},
                        {"detail", reply.log_detail},
                        {"duration_us", static_cast<std::int64_t>(latency.count())}});
    }
  }
  return response;
}

}  // namespace chartroom::rest
