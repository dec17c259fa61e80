// Bearer tokens: compact JWS (RFC 7515) with alg "EdDSA" (Ed25519, RFC 8037), the form SMART on
// FHIR clients expect, signed by the server's key. A token names who (sub), in which roles, for
// which purpose of use and scopes, and until when; `jti` lets logout and revocation refuse it
// before it expires.
//
// Verification accepts only what this server issues: alg EdDSA (never "none" or an HMAC
// algorithm, RFC 8725 section 3.1), a known key id, the expected issuer, and a lifetime that
// covers `now` (with a small leeway for clock skew). Every failure is kUnauthenticated with one
// of two codes and a message that says nothing about why beyond "not valid" or "expired".
//
// Thread safety: pure functions; TokenKeys is immutable once built.

#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "crypto/signature.hpp"

namespace chartroom::access {

struct TokenClaims {
  std::string issuer;              // iss
  std::string subject;             // sub: a user name or a system client id
  std::vector<std::string> roles;  // roles (PRODUCT.md role names)
  std::string purpose;             // pou: HL7 PurposeOfUse code (TREAT, HOPERAT, ...)
  std::string scope;               // SMART v2 scopes, space separated
  std::string token_id;            // jti: unique; revocation refers to it
  std::string session_id;          // sid: the login session a refresh renews; may be empty
  core::Timestamp issued_at;       // iat, whole seconds
  core::Timestamp expires_at;      // exp, whole seconds

  bool operator==(const TokenClaims&) const = default;
};

// The public keys tokens may be signed with, by key id (kid): the current key and, while a key is
// being replaced, the previous one.
using TokenKeys = std::map<std::string, crypto::PublicKey, std::less<>>;

// The compact serialization "header.payload.signature" of `claims`, signed by `key` under `kid`.
std::string IssueToken(const TokenClaims& claims, const crypto::SigningKey& key,
                       std::string_view kid);

// The claims of `token` when it is valid at `now`. kUnauthenticated "access.invalid-token"
// (malformed, another algorithm, unknown key, bad signature, wrong issuer, missing claims) or
// "access.token-expired".
Result<TokenClaims> VerifyToken(std::string_view token, const TokenKeys& keys,
                                std::string_view issuer, core::Timestamp now,
                                std::chrono::seconds leeway = std::chrono::seconds(30));

}  // namespace chartroom::access
