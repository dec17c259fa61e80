// Identity: Chartroom's users, their login sessions and the bearer tokens that carry them
// (docs/access.md "Identity"). Users live as records of kind "user" in the store (ADR 0006):
// an Argon2id password hash (crypto/password.hpp, NIST SP 800-63B policy), roles, an optional
// TOTP secret (RFC 6238; required at login for the roles the configuration names), the failure
// count and lockout of the login backoff, and for a patient account its Patient id.
//
// A login opens a session (record kind "session") and answers a short-lived access token (an
// EdDSA JWS of token.hpp naming the session) and a refresh token ("<session>.<secret>", stored
// only as its SHA-256) that Refresh rotates. Logout, a disabled user or a password reset revoke
// sessions (record kind "revoked", kept until the tokens they cover expire), and Authenticate
// refuses their tokens. There is no default user: the first administrator is added with
// `chartroom user add`.
//
// Every error a client can cause is kUnauthenticated "access.login-failed" (a wrong name,
// password or code, a disabled or locked account: the same message for each) or "access.
// invalid-token"; the audit trail, not the client, learns which.
//
// Thread safety: every method may be called from any thread; user and revocation caches are
// refreshed from the store at most every `cache_seconds`.

#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "access/policy.hpp"
#include "access/token.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "crypto/password.hpp"
#include "crypto/signature.hpp"
#include "store/resource_store.hpp"

namespace chartroom::access {

struct IdentityOptions {
  std::string issuer = "chartroom";
  std::string key_id = "server";
  std::chrono::seconds access_ttl{15 * 60};
  std::chrono::seconds refresh_ttl{12 * 60 * 60};
  std::chrono::seconds max_cli_ttl{24 * 60 * 60};
  // Roles that must log in with a TOTP code as well.
  std::vector<Role> totp_roles;
  // Failures in a row before the account locks; each further failure doubles the lock, from
  // `lock_base` up to `lock_max`.
  int lock_after = 5;
  std::chrono::seconds lock_base{30};
  std::chrono::seconds lock_max{60 * 60};
  crypto::PasswordPolicy password_policy;
  crypto::PasswordHashParams hash_params;
  // How stale the caches of users and revoked sessions may be (other processes' changes).
  std::chrono::seconds cache_seconds{5};
};

// A user's own identifying details, for the monitoring rules (not for login).
struct UserProfile {
  std::string family;       // family name
  std::string postal_code;  // home postal code
};

// What `chartroom user list` shows of a user (never the hash or the TOTP secret).
struct UserInfo {
  std::string name;
  std::vector<Role> roles;
  std::string patient;
  bool disabled = false;
  bool totp = false;
  std::int64_t locked_until = 0;  // seconds since the epoch; 0: not locked
};

// A break-the-glass grant (docs/access.md rule 4) and its review.
struct BreakGlassRecord {
  std::string id;
  std::string user;
  std::string patient;
  std::string reason;
  std::int64_t started = 0;  // seconds since the epoch
  std::int64_t expires = 0;
  std::string decision;  // "" while it waits for review; "appropriate" or "inappropriate"
  std::string reviewer;
  std::string note;

  // One JSON form, stored as the record and sent to the privacy officer.
  boost::json::object ToJson() const;
  static BreakGlassRecord FromJson(std::string_view id, std::string_view text);
};

struct TokenPair {
  std::string scope;  // a client token's granted scopes
  std::string access_token;
  std::string refresh_token;
  std::int64_t expires_in = 0;  // seconds
  std::string session;
};

// Who made a request: the Subject the policy decides for, and the session its token belongs to.
struct Caller {
  Subject subject;
  std::string session;
  std::string token_id;
};

class Identity {
 public:
  Identity(store::ResourceStore& store, core::Clock& clock, core::Random& random,
           crypto::SigningKey key, IdentityOptions options);

  // Administration (the CLI). AddUser: kConflict "access.user-exists", kInvalid
  // "access.weak-password" / "access.bad-user" (a name outside [a-z0-9._@-]{1,64}, no role, a
  // patient role without its Patient id).
  Status AddUser(std::string_view name, std::string_view password, std::vector<Role> roles,
                 std::string_view patient = {});
  // What monitoring compares a user's accesses with (monitor.hpp): their own family name and
  // postal code, as HR knows them. kNotFound "access.no-user".
  Status SetProfile(std::string_view name, const UserProfile& profile);
  // The profile of `name` from the cache (empty when unknown).
  UserProfile ProfileOf(std::string_view name);
  Result<std::vector<UserInfo>> ListUsers();
  // Disable also revokes every open session; Grant replaces the roles; ResetPassword clears
  // the lockout and revokes sessions. kNotFound "access.no-user" for an unknown name.
  Status Disable(std::string_view name);
  Status Enable(std::string_view name);
  Status Grant(std::string_view name, std::vector<Role> roles);
  Status ResetPassword(std::string_view name, std::string_view password);
  // A new TOTP secret for `name`, as an otpauth URI for an authenticator app.
  Result<std::string> EnrollTotp(std::string_view name);

  // Login: a session and its tokens, or kUnauthenticated "access.login-failed" (and the reason
  // in `*why`, for the audit trail only: "unknown-user", "disabled", "locked", "bad-password",
  // "totp-required", "bad-totp").
  Result<TokenPair> Login(std::string_view name, std::string_view password,
                          std::string_view totp_code, std::string_view purpose,
                          std::string* why = nullptr);
  // A new access token and a rotated refresh token; an old refresh token fails.
  Result<TokenPair> Refresh(std::string_view refresh_token);
  // Revokes the session of `caller`.
  Status Logout(const Caller& caller);
  // A token for scripts (`chartroom user token`), in a session of its own; at most max_cli_ttl.
  Result<TokenPair> IssueFor(std::string_view name, std::string_view purpose,
                             std::chrono::seconds ttl);

  // The caller a bearer token stands for, with `purpose` (a request header) replacing the
  // token's own when given. kUnauthenticated "access.invalid-token" / "access.token-expired"
  // for a token that is malformed, forged, expired, revoked or of a disabled user.
  Result<Caller> Authenticate(std::string_view bearer, std::string_view purpose);

  // Break-the-glass: `caller` (purpose ETREAT, a role that may treat) claims a grant on
  // `patient` for `minutes` (1 to 240) with a reason. kForbidden "access.denied" otherwise;
  // kInvalid "access.bad-grant" without a reason.
  Result<BreakGlassRecord> ClaimBreakGlass(const Caller& caller, std::string_view patient,
                                           std::string_view reason, int minutes);
  // The grants waiting for review (decision ""), or all of them; with `from_key`, only those
  // whose id sorts after it (ids begin with the start time, zero-padded seconds).
  Result<std::vector<BreakGlassRecord>> BreakGlassGrants(bool pending_only,
                                                         std::string_view from_key = {});
  // Records the privacy officer's decision. kNotFound "access.no-grant".
  Result<BreakGlassRecord> ReviewBreakGlass(std::string_view id, std::string_view reviewer,
                                            std::string_view decision, std::string_view note);

  // System clients (SMART Backend Services): `id`, the public key its assertions are signed
  // with (a JWK: RSA for RS384 or EC P-384 for ES384), the SMART system/ scopes it may be
  // granted (space separated) and the purpose of use its tokens carry. kConflict
  // "access.client-exists", kInvalid "access.bad-client".
  Status AddClient(std::string_view id, std::string_view jwk, std::string_view scopes,
                   std::string_view purpose);
  Status DisableClient(std::string_view id);
  Result<std::vector<std::string>> ListClients();  // "id<TAB>scopes<TAB>purpose[<TAB>disabled]"
  // OAuth 2.0 client credentials with a private_key_jwt assertion (RFC 7523, SMART Backend
  // Services): checks the assertion (RS384/ES384 signature by the client's key, iss = sub = a
  // registered, enabled client, aud = `token_url`, exp within 5 minutes, a jti not seen before)
  // and grants the requested scopes the client holds (all of them when none are asked).
  // kUnauthenticated "access.invalid-client" (the reason in `*why`), kForbidden
  // "access.invalid-scope" when none of the requested scopes is held.
  Result<TokenPair> ClientToken(std::string_view assertion, std::string_view scope,
                                std::string_view token_url, std::string* why = nullptr);

  const TokenKeys& keys() const { return keys_; }

 private:
  struct User;
  Result<std::optional<User>> LoadUser(store::Transaction& tx, std::string_view name);
  Status RevokeSessions(store::Transaction& tx, std::string_view name);
  Result<TokenPair> OpenSession(store::Transaction& tx, const User& user, std::string_view purpose,
                                std::chrono::seconds access_ttl, std::chrono::seconds refresh_ttl);
  Status RefreshCaches(bool force);

  store::ResourceStore& store_;
  core::Clock& clock_;
  core::Random& random_;
  crypto::SigningKey key_;
  IdentityOptions options_;
  TokenKeys keys_;

  struct CachedUser {
    std::vector<Role> roles;
    std::string patient;
    bool disabled = false;
    UserProfile profile;
  };
  std::shared_mutex cache_mutex_;
  std::unordered_map<std::string, CachedUser> users_;
  std::set<std::string, std::less<>> revoked_;                            // session ids
  std::unordered_map<std::string, std::vector<BreakGlassGrant>> grants_;  // by user
  std::set<std::string, std::less<>> clients_;                            // enabled system clients
  // Tokens whose signature was checked, with their claims (expiry is checked on every use).
  static constexpr std::size_t kMaxVerifiedTokens = 65536;
  std::shared_mutex verified_mutex_;
  std::unordered_map<std::string, TokenClaims> verified_;
  core::Timestamp cache_loaded_{};
};

}  // namespace chartroom::access
