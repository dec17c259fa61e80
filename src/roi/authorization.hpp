// A patient's written permission to disclose: a HIPAA authorization (45 CFR 164.508(c)), a
// 42 CFR Part 2 consent (42 CFR 2.31(a)) or an authorization for psychotherapy notes
// (164.508(a)(2)), checked element by element.
//
// Check() answers a checklist with one line per required element, each with its citation, so
// that the HIM technician sees what is missing; Valid() is the checklist passing on a date,
// neither expired nor revoked.
//
// Thread safety: values; functions of their arguments.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.hpp"

namespace chartroom::roi {

enum class AuthorizationKind : std::uint8_t { kHipaa, kPart2, kPsychotherapy };
std::string_view AuthorizationKindName(AuthorizationKind k);  // "hipaa", "part2", ...

struct Authorization {
  AuthorizationKind kind = AuthorizationKind::kHipaa;
  std::string information;      // a specific and meaningful description of what may be disclosed
  std::string sud_information;  // Part 2: how much and what kind of SUD information
  std::vector<std::string> sensitive;  // sensitivity labels it names (HIV, STD, PSY, ...)
  std::string discloser;               // who may disclose
  std::string recipient;               // to whom
  std::string purpose;  // "at the request of the individual" is enough for the patient's own
  std::string expires;  // YYYY-MM-DD, or
  std::string expiration_event;
  std::string signed_by;
  std::string signed_on;  // YYYY-MM-DD
  // When a personal representative signs: their authority to act for the patient.
  std::string representative_authority;
  bool statement_revocation = false;    // the right to revoke in writing, and how
  bool statement_conditioning = false;  // treatment, payment ... not conditioned on signing
  bool statement_redisclosure = false;  // information may be redisclosed and lose protection
  std::string revoked_on;               // YYYY-MM-DD when the patient revoked it

  boost::json::object ToJson() const;
  // kInvalid "roi.bad-authorization" naming the field that is not of its type.
  static Result<Authorization> FromJson(const boost::json::object& o);
};

struct ChecklistItem {
  std::string element;   // "description", "recipient", ... stable
  std::string citation;  // "45 CFR 164.508(c)(1)(i)"
  std::string label;     // what the element is, for people
  bool met = false;
};

struct Checklist {
  std::vector<ChecklistItem> items;
  bool expired = false;
  bool revoked = false;
  bool valid() const;
  boost::json::object ToJson() const;
};

// The checklist of `a` on `date` (YYYY-MM-DD): the core elements and required statements of
// its kind, the signature date not after `date`, not expired, not revoked.
Checklist Check(const Authorization& a, std::string_view date);

}  // namespace chartroom::roi
