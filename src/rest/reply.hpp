// Reply is what one FHIR interaction answers, before it becomes an HTTP response (api.cpp) or
// the entry of a batch/transaction response Bundle (transaction.cpp): a status, a JSON body, and
// the version it is about (for ETag, Last-Modified and Location). Interactions never build HTTP
// responses themselves, so a Bundle entry and a plain request are answered the same way.
//
// A plain value type.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "http/server.hpp"
#include "store/resource_store.hpp"

namespace chartroom::rest {

enum class BodyKind : std::uint8_t {
  kNone,
  kResource,  // a resource (as stored, or subsetted)
  kOutcome,   // an OperationOutcome (errors, and Prefer: return=OperationOutcome)
  kBundle,    // a Bundle the server built
  kText,      // not FHIR (metrics): `content_type` says what
};

// How the client wants a write answered (Prefer: return=...,
// https://hl7.org/fhir/R4/http.html#ops).
enum class ReturnPreference : std::uint8_t { kRepresentation, kMinimal, kOperationOutcome };

struct Reply {
  int status = 200;
  BodyKind kind = BodyKind::kNone;
  std::string body;
  std::string content_type;  // only for BodyKind::kText

  // The version this reply is about; empty type when none.
  std::string type;
  std::string id;
  std::int64_t version = 0;
  std::optional<core::Timestamp> last_modified;
  bool location = false;  // send Location: [base]/type/id/_history/version

  std::string error_code;             // the Error's code when this reply reports one (for logs)
  std::string log_detail;             // an internal error's message: logged, never sent
  std::vector<http::Header> headers;  // extra headers (Allow ...)
  // A batch or transaction: the Patients it wrote or deleted, for the patient index's intake.
  std::vector<std::string> patients_written;
};

// A reply for a stored version: its JSON as the body (unless `preference` says otherwise), its
// ETag and Last-Modified. `created` sets Location.
Reply VersionReply(int status, store::ResourceVersion&& version, ReturnPreference preference,
                   bool created);

// A reply whose body is an OperationOutcome with one information issue (Prefer:
// return=OperationOutcome on success).
Reply InformationReply(int status, std::string diagnostics);

// "W/\"3\"" for version 3 (https://hl7.org/fhir/R4/http.html#versioning).
std::string WeakETag(std::int64_t version);
// Parses an If-Match / If-None-Match value: W/"3" (or "3", or 3); nullopt when malformed.
std::optional<std::int64_t> ParseETag(std::string_view value);

// The status line of a Bundle entry response: "201 Created".
std::string StatusText(int status);

}  // namespace chartroom::rest
