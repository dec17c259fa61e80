// The access endpoints of the API (docs/api/access.md) and the authentication of every other
// request. Internal to rest/.
//
//   POST /auth/login          {"username","password","totp"?,"purpose"?} -> tokens
//   POST /auth/refresh        {"refresh_token"} -> tokens (the old refresh token is spent)
//   POST /auth/token          SMART Backend Services: grant_type=client_credentials with a
//                             private_key_jwt client_assertion (form-encoded) -> a token
//   POST /auth/logout         (bearer) revokes the session
//   POST /auth/break-glass    (bearer, clinician) {"patient","reason","minutes"} -> the grant
//   GET  /privacy/break-glass (privacy officer) grants waiting for review (?all=true: every one)
//   POST /privacy/break-glass/[id] (privacy officer) {"decision","note"}
//   GET  /privacy/reviews     (privacy officer) monitoring flags waiting for review (?all=true)
//   POST /privacy/reviews/[id] (privacy officer) {"decision","note"}
//   GET  /privacy/access-report?patient=ID | ?user=NAME   AuditEvent Bundle: who accessed what;
//        a patient account may ask for its own record only.
//
// Thread safety: reentrant; the services are thread-safe.

#pragma once

#include <optional>
#include <string_view>

#include "access/gate.hpp"
#include "access/identity.hpp"
#include "access/monitor.hpp"
#include "audit/trail.hpp"
#include "http/server.hpp"
#include "rest/interactions.hpp"

namespace chartroom::rest {

// Access control and audit for the API; all null: the API trusts every caller (tests of the
// interactions only; app/ always binds them).
struct AccessServices {
  access::Identity* identity = nullptr;
  access::Gate* gate = nullptr;
  audit::Trail* trail = nullptr;
  // Suspicious-access rules applied after every guarded request; may be null.
  access::Monitor* monitor = nullptr;
  // Decrypts audit events for the privacy reports (the store's system key).
  std::optional<crypto::SecretKey> audit_key;
};

bool IsAccessPath(std::string_view path);

// A JSON reply (application/json, not cached); the JSON object of a request body (kInvalid
// "access.bad-request" otherwise).
Reply JsonReply(int status, const boost::json::object& body);
Result<boost::json::object> JsonBody(const http::Request& request);

// The token endpoint's URL for a request (its base URL without /fhir, then /auth/token): the
// audience client assertions must name.
std::string TokenUrl(const RequestContext& context);
// GET [base]/.well-known/smart-configuration (SMART App Launch 2.0 discovery).
Reply SmartConfiguration(const RequestContext& context);

Reply HandleAccessEndpoint(const AccessServices& services, const http::Request& request,
                           const RequestContext& context);

// The caller of a request from its Authorization: Bearer token and X-Purpose-Of-Use header,
// its purpose checked against its roles: kUnauthenticated (401) or kForbidden (403).
Result<access::Caller> AuthenticateRequest(access::Identity& identity,
                                           const http::Request& request);

// The audit event of a request by `caller`, before its action and outcome are known.
audit::Event EventFor(const access::Caller* caller, const http::Request& request,
                      const RequestContext& context);

}  // namespace chartroom::rest
