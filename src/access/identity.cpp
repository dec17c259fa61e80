#include "access/identity.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <boost/json.hpp>

#include "access/json_fields.hpp"
#include "core/result_macros.hpp"
#include "crypto/jwk.hpp"
#include "crypto/keyed_hash.hpp"
#include "crypto/sha256.hpp"
#include "crypto/totp.hpp"

namespace chartroom::access {
namespace json = boost::json;

constexpr std::string_view kUsers = "user";
constexpr std::string_view kSessions = "session";    // key: "<user>/<session id>"
constexpr std::string_view kRevoked = "revoked";     // key: session id
constexpr std::string_view kGrants = "break-glass";  // key: grant id (time-ordered)
constexpr int kMaxGrantMinutes = 240;
constexpr std::string_view kClients = "client";
constexpr std::string_view kClientJtis = "client-jti";  // key: "<client>/<jti>"
constexpr std::chrono::seconds kClientTokenTtl{300};

struct Identity::User {
  std::string name;
  std::string hash;
  std::vector<Role> roles;
  std::string patient;
  std::string totp;  // secret, hex; empty: not enrolled
  UserProfile profile;
  bool disabled = false;
  std::int64_t failures = 0;
  std::int64_t locked_until = 0;

  std::string Json() const {
    json::object o;
    o["hash"] = hash;
    json::array r;
    for (Role role : roles) r.emplace_back(RoleName(role));
    o["roles"] = std::move(r);
    if (!patient.empty()) o["patient"] = patient;
    if (!profile.family.empty()) o["family"] = profile.family;
    if (!profile.postal_code.empty()) o["postal_code"] = profile.postal_code;
    if (!totp.empty()) o["totp"] = totp;
    o["disabled"] = disabled;
    o["failures"] = failures;
    o["locked_until"] = locked_until;
    return json::serialize(o);
  }

  static Result<User> Parse(std::string_view name, std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
      return Fail(ErrorCategory::kInternal, "access.bad-user-record", "a user record is damaged");
    }
    const json::object& o = v.get_object();
    User u;
    u.name = std::string(name);
    const auto str = [&](std::string_view key) { return StringField(o, key); };
    const auto num = [&](std::string_view key) { return IntField(o, key); };
    u.hash = str("hash");
    u.patient = str("patient");
    u.profile.family = str("family");
    u.profile.postal_code = str("postal_code");
    u.totp = str("totp");
    u.failures = num("failures");
    u.locked_until = num("locked_until");
    const json::value* d = o.if_contains("disabled");
    u.disabled = d != nullptr && d->is_bool() && d->get_bool();
    if (const json::value* r = o.if_contains("roles"); r != nullptr && r->is_array()) {
      for (const json::value& role : r->get_array()) {
        if (!role.is_string()) continue;
        if (auto parsed = ParseRole(role.get_string())) u.roles.push_back(*parsed);
      }
    }
    return u;
  }
};

namespace {

std::int64_t Seconds(core::Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

core::Timestamp FromSeconds(std::int64_t s) {
  return core::Timestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::seconds(s)));
}

Error LoginFailed() {
  return Error(ErrorCategory::kUnauthenticated, "access.login-failed",
               "the user name, password or one-time code is not valid");
}

// Calls `visit` with every record of `kind` after `from`, in key order, 1,000 at a time.
template <typename Visit>
Status ForEachRecord(store::ResourceStore& store, std::string_view kind, Visit&& visit,
                     std::string from = {}) {
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kind, from, 1000));
    for (const store::Record& record : page) CHARTROOM_RETURN_IF_ERROR(visit(record));
    if (page.size() < 1000) return Ok();
    from = page.back().key;
  }
}

// Whether a record with an "expires" time (seconds) ended more than a minute before `now`.
bool Expired(const store::Record& record, std::int64_t now) {
  boost::system::error_code ec;
  const json::value v = json::parse(record.value, ec);
  const json::value* until = !ec && v.is_object() ? v.get_object().if_contains("expires") : nullptr;
  return until != nullptr && until->is_int64() && until->get_int64() < now - 60;
}

Error InvalidToken() {
  return Error(ErrorCategory::kUnauthenticated, "access.invalid-token",
               "the bearer token is not valid");
}

Error NoUser() { return Error(ErrorCategory::kNotFound, "access.no-user", "no such user"); }

bool ValidUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
           c == '-';
  });
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

std::string RandomHex(core::Random& random, std::size_t bytes) {
  std::string raw(bytes, '\0');
  random.Fill(std::as_writable_bytes(std::span<char>(raw)));
  return Hex(raw);
}

std::string HexDigest(std::string_view text) { return crypto::ToHex(crypto::Sha256({text})); }

bool HasRole(const std::vector<Role>& roles, Role role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

Status CheckRoles(const std::vector<Role>& roles, std::string_view patient) {
  if (roles.empty()) {
    return Fail(ErrorCategory::kInvalid, "access.bad-user", "a user needs at least one role");
  }
  if (HasRole(roles, Role::kPatient) && patient.empty()) {
    return Fail(ErrorCategory::kInvalid, "access.bad-user",
                "a patient account needs the id of its Patient");
  }
  return Ok();
}

}  // namespace

Identity::Identity(store::ResourceStore& store, core::Clock& clock, core::Random& random,
                   crypto::SigningKey key, IdentityOptions options)
    : store_(store),
      clock_(clock),
      random_(random),
      key_(std::move(key)),
      options_(std::move(options)) {
  keys_.emplace(options_.key_id, key_.public_key());
}

Result<std::optional<Identity::User>> Identity::LoadUser(store::Transaction& tx,
                                                         std::string_view name) {
  CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kUsers, name));
  if (!record) return std::optional<User>();
  CHARTROOM_ASSIGN_OR_RETURN(User user, User::Parse(name, record->value));
  return std::optional<User>(std::move(user));
}

Status Identity::AddUser(std::string_view name, std::string_view password, std::vector<Role> roles,
                         std::string_view patient) {
  if (!ValidUserName(name)) {
    return Fail(ErrorCategory::kInvalid, "access.bad-user",
                "a user name is 1 to 64 of a-z 0-9 . _ @ -");
  }
  CHARTROOM_RETURN_IF_ERROR(CheckRoles(roles, patient));
  CHARTROOM_RETURN_IF_ERROR(crypto::CheckPasswordPolicy(password, name, options_.password_policy));
  CHARTROOM_ASSIGN_OR_RETURN(std::string hash,
                             crypto::HashPassword(password, random_, options_.hash_params));
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto existing, LoadUser(tx, name));
    if (existing) {
      return Fail(ErrorCategory::kConflict, "access.user-exists", "the user already exists");
    }
    User user;
    user.name = std::string(name);
    user.hash = hash;
    user.roles = roles;
    user.patient = std::string(patient);
    return tx.PutRecord(kUsers, name, user.Json());
  });
  if (!written) return tl::unexpected(written.error());
  return RefreshCaches(true);
}

Result<std::vector<UserInfo>> Identity::ListUsers() {
  std::vector<UserInfo> out;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store_.ListRecords(kUsers, after, 500));
    for (const auto& record : page) {
      CHARTROOM_ASSIGN_OR_RETURN(User u, User::Parse(record.key, record.value));
      out.push_back({u.name, u.roles, u.patient, u.disabled, !u.totp.empty(), u.locked_until});
    }
    if (page.size() < 500) break;
    after = page.back().key;
  }
  return out;
}

Status Identity::RevokeSessions(store::Transaction& tx, std::string_view name) {
  const std::string prefix = std::string(name) + "/";
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, tx.ListRecords(kSessions, prefix, 200));
    std::size_t done = 0;
    for (const auto& record : page) {
      if (!record.key.starts_with(prefix)) break;
      ++done;
      json::object revoked;
      revoked["expires"] =
          Seconds(clock_.Now() + std::max(options_.refresh_ttl, options_.max_cli_ttl));
      CHARTROOM_RETURN_IF_ERROR(
          tx.PutRecord(kRevoked, record.key.substr(prefix.size()), json::serialize(revoked)));
      CHARTROOM_RETURN_IF_ERROR(tx.DeleteRecord(kSessions, record.key));
    }
    if (done < page.size() || page.size() < 200) return Ok();
  }
}

namespace {

// Loads, changes and stores one user in one transaction.
template <typename Load, typename Change>
Status Modify(store::ResourceStore& store, Load& load, std::string_view name, Change&& change) {
  return store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto user, load(tx, name));
    if (!user) return tl::unexpected(NoUser());
    CHARTROOM_RETURN_IF_ERROR(change(tx, *user));
    return tx.PutRecord(kUsers, name, user->Json());
  });
}

}  // namespace

Status Identity::Disable(std::string_view name) {
  auto load = [this](store::Transaction& tx, std::string_view n) { return LoadUser(tx, n); };
  Status changed = Modify(store_, load, name, [&](store::Transaction& tx, User& u) -> Status {
    u.disabled = true;
    return RevokeSessions(tx, name);
  });
  if (!changed) return tl::unexpected(changed.error());
  return RefreshCaches(true);
}

Status Identity::SetProfile(std::string_view name, const UserProfile& profile) {
  auto load = [this](store::Transaction& tx, std::string_view n) { return LoadUser(tx, n); };
  Status changed = Modify(store_, load, name, [&](store::Transaction&, User& u) -> Status {
    u.profile = profile;
    return Ok();
  });
  if (!changed) return tl::unexpected(changed.error());
  return RefreshCaches(true);
}

UserProfile Identity::ProfileOf(std::string_view name) {
  std::shared_lock lock(cache_mutex_);
  auto it = users_.find(std::string(name));
  return it == users_.end() ? UserProfile{} : it->second.profile;
}

Status Identity::Enable(std::string_view name) {
  auto load = [this](store::Transaction& tx, std::string_view n) { return LoadUser(tx, n); };
  Status changed = Modify(store_, load, name, [&](store::Transaction&, User& u) -> Status {
    u.disabled = false;
    return Ok();
  });
  if (!changed) return tl::unexpected(changed.error());
  return RefreshCaches(true);
}

Status Identity::Grant(std::string_view name, std::vector<Role> roles) {
  auto load = [this](store::Transaction& tx, std::string_view n) { return LoadUser(tx, n); };
  Status changed = Modify(store_, load, name, [&](store::Transaction& tx, User& u) -> Status {
    CHARTROOM_RETURN_IF_ERROR(CheckRoles(roles, u.patient));
    u.roles = roles;
    return RevokeSessions(tx, name);  // tokens name roles: the old ones must go
  });
  if (!changed) return tl::unexpected(changed.error());
  return RefreshCaches(true);
}

Status Identity::ResetPassword(std::string_view name, std::string_view password) {
  CHARTROOM_RETURN_IF_ERROR(crypto::CheckPasswordPolicy(password, name, options_.password_policy));
  CHARTROOM_ASSIGN_OR_RETURN(std::string hash,
                             crypto::HashPassword(password, random_, options_.hash_params));
  auto load = [this](store::Transaction& tx, std::string_view n) { return LoadUser(tx, n); };
  Status changed = Modify(store_, load, name, [&](store::Transaction& tx, User& u) -> Status {
    u.hash = hash;
    u.failures = 0;
    u.locked_until = 0;
    return RevokeSessions(tx, name);
  });
  if (!changed) return tl::unexpected(changed.error());
  return RefreshCaches(true);
}

Result<std::string> Identity::EnrollTotp(std::string_view name) {
  std::string secret = crypto::NewTotpSecret(random_);
  auto load = [this](store::Transaction& tx, std::string_view n) { return LoadUser(tx, n); };
  Status changed = Modify(store_, load, name, [&](store::Transaction&, User& u) -> Status {
    u.totp = Hex(secret);
    return Ok();
  });
  if (!changed) return tl::unexpected(changed.error());
  return crypto::TotpUri(secret, options_.issuer, name);
}

Result<TokenPair> Identity::OpenSession(store::Transaction& tx, const User& user,
                                        std::string_view purpose, std::chrono::seconds access_ttl,
                                        std::chrono::seconds refresh_ttl) {
  const core::Timestamp now = clock_.Now();
  std::string session = RandomHex(random_, 16);
  std::string secret = RandomHex(random_, 32);
  json::object record;
  record["refresh"] = HexDigest(secret);
  record["expires"] = Seconds(now + refresh_ttl);
  record["purpose"] = purpose;
  CHARTROOM_RETURN_IF_ERROR(
      tx.PutRecord(kSessions, user.name + "/" + session, json::serialize(record)));
  TokenClaims claims;
  claims.issuer = options_.issuer;
  claims.subject = user.name;
  for (Role role : user.roles) claims.roles.emplace_back(RoleName(role));
  claims.purpose = std::string(purpose);
  claims.token_id = RandomHex(random_, 16);
  claims.session_id = session;
  claims.issued_at = FromSeconds(Seconds(now));
  claims.expires_at = FromSeconds(Seconds(now + access_ttl));
  TokenPair pair;
  pair.access_token = IssueToken(claims, key_, options_.key_id);
  pair.refresh_token = refresh_ttl.count() > 0 ? user.name + "/" + session + "." + secret : "";
  pair.expires_in = access_ttl.count();
  pair.session = session;
  return pair;
}

Result<TokenPair> Identity::Login(std::string_view name, std::string_view password,
                                  std::string_view totp_code, std::string_view purpose,
                                  std::string* why) {
  std::string reason;
  std::optional<TokenPair> pair;
  // Verifying the password (Argon2id) happens outside the writer: load, verify, then record.
  std::optional<User> user;
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(user, LoadUser(tx, name));
    return Ok();
  });
  if (!written) return tl::unexpected(written.error());
  const core::Timestamp now = clock_.Now();
  bool password_ok = false;
  if (!user) {
    reason = "unknown-user";
    // Spend the time a real check takes, so timing does not tell which names exist.
    static const std::string kDummy = [&] {
      auto h = crypto::HashPassword("not-a-real-password", random_, options_.hash_params);
      return h ? *h : std::string();
    }();
    (void)crypto::VerifyPassword(password, kDummy);
  } else if (user->disabled) {
    reason = "disabled";
  } else if (user->locked_until > Seconds(now)) {
    reason = "locked";
  } else {
    auto verified = crypto::VerifyPassword(password, user->hash);
    password_ok = verified && *verified;
    if (!password_ok) {
      reason = "bad-password";
    } else if (std::any_of(user->roles.begin(), user->roles.end(),
                           [&](Role r) { return HasRole(options_.totp_roles, r); }) ||
               !user->totp.empty()) {
      if (user->totp.empty()) {
        reason = "totp-required";
      } else {
        if (!crypto::VerifyTotp(Unhex(user->totp), totp_code, now)) reason = "bad-totp";
      }
    }
  }
  // A hash made with old parameters is replaced, computed here rather than in the writer.
  std::optional<std::string> rehashed;
  if (reason.empty() && crypto::NeedsRehash(user->hash, options_.hash_params)) {
    if (auto h = crypto::HashPassword(password, random_, options_.hash_params)) rehashed = *h;
  }
  if (user) {
    Status recorded = store_.InTransaction([&](store::Transaction& tx) -> Status {
      CHARTROOM_ASSIGN_OR_RETURN(auto current, LoadUser(tx, name));
      if (!current) return Ok();
      if (reason.empty()) {
        current->failures = 0;
        current->locked_until = 0;
        if (rehashed && current->hash == user->hash) current->hash = *rehashed;
        CHARTROOM_ASSIGN_OR_RETURN(
            pair, OpenSession(tx, *current, purpose, options_.access_ttl, options_.refresh_ttl));
      } else if (reason == "bad-password" || reason == "bad-totp") {
        current->failures += 1;
        if (current->failures >= options_.lock_after) {
          const std::int64_t doublings =
              std::min<std::int64_t>(current->failures - options_.lock_after, 20);
          const std::int64_t lock = std::min<std::int64_t>(options_.lock_base.count() << doublings,
                                                           options_.lock_max.count());
          current->locked_until = Seconds(now) + lock;
        }
      } else {
        return Ok();
      }
      return tx.PutRecord(kUsers, name, current->Json());
    });
    if (!recorded) return tl::unexpected(recorded.error());
  }
  if (why != nullptr) *why = reason;
  if (!reason.empty() || !pair) return tl::unexpected(LoginFailed());
  return std::move(*pair);
}

Result<TokenPair> Identity::Refresh(std::string_view refresh_token) {
  const std::size_t slash = refresh_token.find('/');
  const std::size_t dot = refresh_token.rfind('.');
  if (slash == std::string_view::npos || dot == std::string_view::npos || dot < slash) {
    return tl::unexpected(InvalidToken());
  }
  const std::string name(refresh_token.substr(0, slash));
  const std::string key(refresh_token.substr(0, dot));
  const std::string secret(refresh_token.substr(dot + 1));
  std::optional<TokenPair> pair;
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kSessions, key));
    if (!record) return Status(tl::unexpected(InvalidToken()));
    boost::system::error_code ec;
    json::value v = json::parse(record->value, ec);
    if (ec || !v.is_object()) return tl::unexpected(InvalidToken());
    json::object& o = v.get_object();
    const json::value* hash = o.if_contains("refresh");
    const json::value* expires = o.if_contains("expires");
    if (hash == nullptr || !hash->is_string() || hash->get_string() != HexDigest(secret) ||
        expires == nullptr || !expires->is_int64() ||
        expires->get_int64() <= Seconds(clock_.Now())) {
      return tl::unexpected(InvalidToken());
    }
    CHARTROOM_ASSIGN_OR_RETURN(auto user, LoadUser(tx, name));
    if (!user || user->disabled) return tl::unexpected(InvalidToken());
    // Rotation: the session is replaced by a new one; the old refresh token is spent and its
    // access token (of a login session: access_ttl at most) revoked.
    CHARTROOM_RETURN_IF_ERROR(tx.DeleteRecord(kSessions, key));
    json::object revoked;
    revoked["expires"] = Seconds(clock_.Now() + options_.access_ttl);
    CHARTROOM_RETURN_IF_ERROR(
        tx.PutRecord(kRevoked, key.substr(slash + 1), json::serialize(revoked)));
    const json::value* purpose = o.if_contains("purpose");
    CHARTROOM_ASSIGN_OR_RETURN(
        pair, OpenSession(tx, *user,
                          purpose != nullptr && purpose->is_string() ? purpose->get_string()
                                                                     : std::string_view(),
                          options_.access_ttl,
                          std::chrono::seconds(expires->get_int64() - Seconds(clock_.Now()))));
    return Ok();
  });
  if (!written) return tl::unexpected(written.error());
  CHARTROOM_RETURN_IF_ERROR(RefreshCaches(true));
  return std::move(*pair);
}

Status Identity::Logout(const Caller& caller) {
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    json::object revoked;
    revoked["expires"] =
        Seconds(clock_.Now() + std::max(options_.refresh_ttl, options_.max_cli_ttl));
    CHARTROOM_RETURN_IF_ERROR(tx.PutRecord(kRevoked, caller.session, json::serialize(revoked)));
    return tx.DeleteRecord(kSessions, caller.subject.id + "/" + caller.session);
  });
  if (!written) return tl::unexpected(written.error());
  return RefreshCaches(true);
}

Result<TokenPair> Identity::IssueFor(std::string_view name, std::string_view purpose,
                                     std::chrono::seconds ttl) {
  if (ttl.count() <= 0 || ttl > options_.max_cli_ttl) {
    return Fail(ErrorCategory::kInvalid, "access.bad-ttl",
                "a token lives from 1 second to " + std::to_string(options_.max_cli_ttl.count()) +
                    " seconds");
  }
  std::optional<TokenPair> pair;
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto user, LoadUser(tx, name));
    if (!user) return tl::unexpected(NoUser());
    if (user->disabled) {
      return Fail(ErrorCategory::kForbidden, "access.user-disabled", "the user is disabled");
    }
    Subject subject{user->name, user->roles, std::string(purpose), user->patient, {}, {}};
    CHARTROOM_RETURN_IF_ERROR(CheckPurpose(subject));
    CHARTROOM_ASSIGN_OR_RETURN(pair, OpenSession(tx, *user, purpose, ttl, ttl));
    pair->refresh_token.clear();  // a script asks again rather than refreshing
    return Ok();
  });
  if (!written) return tl::unexpected(written.error());
  return std::move(*pair);
}

Status Identity::RefreshCaches(bool force) {
  const core::Timestamp now = clock_.Now();
  {
    std::shared_lock lock(cache_mutex_);
    if (!force && now - cache_loaded_ < options_.cache_seconds) return Ok();
  }
  std::unordered_map<std::string, CachedUser> users;
  std::set<std::string, std::less<>> revoked;
  CHARTROOM_RETURN_IF_ERROR(ForEachRecord(store_, kUsers, [&](const store::Record& r) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(User u, User::Parse(r.key, r.value));
    users[u.name] = {u.roles, u.patient, u.disabled, u.profile};
    return Ok();
  }));
  std::vector<std::string> expired;  // revocations whose tokens have all expired
  CHARTROOM_RETURN_IF_ERROR(ForEachRecord(store_, kRevoked, [&](const store::Record& r) -> Status {
    if (Expired(r, Seconds(now))) {
      expired.push_back(r.key);
    } else {
      revoked.insert(r.key);
    }
    return Ok();
  }));
  // Used client assertion ids are kept while their assertions could be replayed.
  std::vector<std::string> spent_jtis;
  CHARTROOM_RETURN_IF_ERROR(
      ForEachRecord(store_, kClientJtis, [&](const store::Record& r) -> Status {
        if (Expired(r, Seconds(now))) spent_jtis.push_back(r.key);
        return Ok();
      }));
  if (!expired.empty() || !spent_jtis.empty()) {
    Status pruned = store_.InTransaction([&](store::Transaction& tx) -> Status {
      for (const std::string& key : expired) {
        CHARTROOM_RETURN_IF_ERROR(tx.DeleteRecord(kRevoked, key));
      }
      for (const std::string& key : spent_jtis) {
        CHARTROOM_RETURN_IF_ERROR(tx.DeleteRecord(kClientJtis, key));
      }
      return Ok();
    });
    if (!pruned) return tl::unexpected(pruned.error());
  }
  std::unordered_map<std::string, std::vector<BreakGlassGrant>> grants;
  // Grants are keyed by their start time and last at most kMaxGrantMinutes: only those started
  // within that window can still be active.
  char since[24];
  std::snprintf(since, sizeof since, "%013lld",
                static_cast<long long>(Seconds(now) - kMaxGrantMinutes * 60 - 1));
  CHARTROOM_ASSIGN_OR_RETURN(auto all_grants, BreakGlassGrants(false, since));
  for (const BreakGlassRecord& g : all_grants) {
    if (g.expires > Seconds(now)) grants[g.user].push_back({g.patient, FromSeconds(g.expires)});
  }
  std::set<std::string, std::less<>> clients;
  CHARTROOM_RETURN_IF_ERROR(ForEachRecord(store_, kClients, [&](const store::Record& r) -> Status {
    boost::system::error_code ec;
    const json::value v = json::parse(r.value, ec);
    const json::value* disabled =
        !ec && v.is_object() ? v.get_object().if_contains("disabled") : nullptr;
    if (disabled != nullptr && disabled->is_bool() && !disabled->get_bool()) clients.insert(r.key);
    return Ok();
  }));
  std::unique_lock lock(cache_mutex_);
  users_ = std::move(users);
  clients_ = std::move(clients);
  grants_ = std::move(grants);
  revoked_ = std::move(revoked);
  cache_loaded_ = now;
  return Ok();
}

Result<Caller> Identity::Authenticate(std::string_view bearer, std::string_view purpose) {
  // Verifying an Ed25519 signature costs tens of microseconds, more than the read it guards:
  // tokens already verified are remembered until they expire.
  const core::Timestamp now = clock_.Now();
  std::optional<TokenClaims> known;
  {
    std::shared_lock lock(verified_mutex_);
    auto it = verified_.find(std::string(bearer));
    if (it != verified_.end() && now < it->second.expires_at) known = it->second;
  }
  if (!known) {
    CHARTROOM_ASSIGN_OR_RETURN(TokenClaims verified,
                               VerifyToken(bearer, keys_, options_.issuer, now));
    std::unique_lock lock(verified_mutex_);
    if (verified_.size() >= kMaxVerifiedTokens) verified_.clear();
    verified_.emplace(std::string(bearer), verified);
    known = std::move(verified);
  }
  TokenClaims& claims = *known;
  CHARTROOM_RETURN_IF_ERROR(RefreshCaches(false));
  {
    // A validly signed token of a user the cache does not know yet: added since the last
    // refresh (by `chartroom user add`, say), who has just logged in.
    std::shared_lock lock(cache_mutex_);
    const bool unknown = !users_.contains(claims.subject) && !clients_.contains(claims.subject);
    lock.unlock();
    if (unknown) CHARTROOM_RETURN_IF_ERROR(RefreshCaches(true));
  }
  Caller caller;
  {
    std::shared_lock lock(cache_mutex_);
    auto user = users_.find(claims.subject);
    const bool client = user == users_.end() && clients_.contains(claims.subject);
    if ((!client && (user == users_.end() || user->second.disabled)) || claims.session_id.empty() ||
        revoked_.contains(claims.session_id)) {
      return tl::unexpected(InvalidToken());
    }
    if (!client) caller.subject.patient = user->second.patient;
    if (auto g = grants_.find(claims.subject); g != grants_.end())
      caller.subject.grants = g->second;
  }
  caller.subject.id = claims.subject;
  for (const std::string& name : claims.roles) {
    // A role the server does not know makes the token unusable, not silently narrower.
    auto role = ParseRole(name);
    if (!role) return tl::unexpected(InvalidToken());
    caller.subject.roles.push_back(*role);
  }
  caller.subject.purpose = purpose.empty() ? claims.purpose : std::string(purpose);
  for (std::string_view rest = claims.scope; !rest.empty();) {
    const std::size_t space = rest.find(' ');
    if (space != 0) caller.subject.scopes.emplace_back(rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  caller.session = claims.session_id;
  caller.token_id = claims.token_id;
  return caller;
}

boost::json::object BreakGlassRecord::ToJson() const {
  json::object o;
  o["id"] = id;
  o["user"] = user;
  o["patient"] = patient;
  o["reason"] = reason;
  o["started"] = started;
  o["expires"] = expires;
  o["decision"] = decision;
  o["reviewer"] = reviewer;
  o["note"] = note;
  return o;
}

BreakGlassRecord BreakGlassRecord::FromJson(std::string_view id, std::string_view text) {
  BreakGlassRecord g;
  g.id = std::string(id);
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return g;
  const json::object& o = v.get_object();
  g.user = StringField(o, "user");
  g.patient = StringField(o, "patient");
  g.reason = StringField(o, "reason");
  g.started = IntField(o, "started");
  g.expires = IntField(o, "expires");
  g.decision = StringField(o, "decision");
  g.reviewer = StringField(o, "reviewer");
  g.note = StringField(o, "note");
  return g;
}

Result<BreakGlassRecord> Identity::ClaimBreakGlass(const Caller& caller, std::string_view patient,
                                                   std::string_view reason, int minutes) {
  Subject subject = caller.subject;
  subject.purpose = "ETREAT";
  if (!CheckPurpose(subject) || !std::any_of(subject.roles.begin(), subject.roles.end(),
                                             [](Role r) { return r == Role::kClinician; })) {
    return Fail(ErrorCategory::kForbidden, "access.denied",
                "break-the-glass is for clinicians acting in an emergency (purpose ETREAT)");
  }
  if (reason.empty() || patient.empty() || minutes < 1 || minutes > kMaxGrantMinutes) {
    return Fail(ErrorCategory::kInvalid, "access.bad-grant",
                "break-the-glass needs a patient, a reason and 1 to 240 minutes");
  }
  const core::Timestamp now = clock_.Now();
  BreakGlassRecord g;
  char key[40];
  std::snprintf(key, sizeof key, "%013lld-", static_cast<long long>(Seconds(now)));
  g.id = key + RandomHex(random_, 6);
  g.user = caller.subject.id;
  g.patient = std::string(patient);
  g.reason = std::string(reason);
  g.started = Seconds(now);
  g.expires = g.started + minutes * 60;
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    return tx.PutRecord(kGrants, g.id, json::serialize(g.ToJson()));
  });
  if (!written) return tl::unexpected(written.error());
  CHARTROOM_RETURN_IF_ERROR(RefreshCaches(true));
  return g;
}

Result<std::vector<BreakGlassRecord>> Identity::BreakGlassGrants(bool pending_only,
                                                                 std::string_view from_key) {
  std::vector<BreakGlassRecord> out;
  for (std::string after(from_key);;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store_.ListRecords(kGrants, after, 1000));
    for (const auto& record : page) {
      BreakGlassRecord g = BreakGlassRecord::FromJson(record.key, record.value);
      if (!pending_only || g.decision.empty()) out.push_back(std::move(g));
    }
    if (page.size() < 1000) break;
    after = page.back().key;
  }
  return out;
}

Result<BreakGlassRecord> Identity::ReviewBreakGlass(std::string_view id, std::string_view reviewer,
                                                    std::string_view decision,
                                                    std::string_view note) {
  if (decision != "appropriate" && decision != "inappropriate") {
    return Fail(ErrorCategory::kInvalid, "access.bad-decision",
                "a review decides appropriate or inappropriate");
  }
  BreakGlassRecord g;
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kGrants, id));
    if (!record) {
      return Fail(ErrorCategory::kNotFound, "access.no-grant", "no such break-the-glass grant");
    }
    g = BreakGlassRecord::FromJson(record->key, record->value);
    g.decision = std::string(decision);
    g.reviewer = std::string(reviewer);
    g.note = std::string(note);
    // A grant judged inappropriate ends now.
    if (decision == "inappropriate") g.expires = std::min(g.expires, Seconds(clock_.Now()));
    return tx.PutRecord(kGrants, id, json::serialize(g.ToJson()));
  });
  if (!written) return tl::unexpected(written.error());
  CHARTROOM_RETURN_IF_ERROR(RefreshCaches(true));
  return g;
}

namespace {

Error InvalidClient() {
  return Error(ErrorCategory::kUnauthenticated, "access.invalid-client",
               "the client assertion is not valid");
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    if (space != 0) out.emplace_back(text.substr(0, space));
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  return out;
}

}  // namespace

Status Identity::AddClient(std::string_view id, std::string_view jwk, std::string_view scopes,
                           std::string_view purpose) {
  if (!ValidUserName(id)) {
    return Fail(ErrorCategory::kInvalid, "access.bad-client",
                "a client id is 1 to 64 of a-z 0-9 . _ @ -");
  }
  boost::system::error_code ec;
  const json::value key = json::parse(jwk, ec);
  const bool usable = !ec && key.is_object() && key.get_object().if_contains("kty") != nullptr;
  // A key that does not load fails here (an error, not a false signature) rather than at the
  // client's first request.
  const std::string_view alg =
      usable && key.at("kty").is_string() && key.at("kty").get_string() == "EC" ? "ES384" : "RS384";
  if (!usable || !crypto::VerifyJwsSignature(alg, jwk, "probe", std::string(96, '\0'))) {
    return Fail(ErrorCategory::kInvalid, "access.bad-client",
                "the key must be a JWK: RSA (2048 bits or more) or EC P-384");
  }
  const std::vector<std::string> granted = Words(scopes);
  if (granted.empty() || std::any_of(granted.begin(), granted.end(), [](const std::string& sc) {
        return !sc.starts_with("system/");
      })) {
    return Fail(ErrorCategory::kInvalid, "access.bad-client",
                "a client holds one or more system/ scopes");
  }
  Subject probe{std::string(id), {Role::kInterface}, std::string(purpose), "", {}, {}};
  CHARTROOM_RETURN_IF_ERROR(CheckPurpose(probe));
  json::object record;
  record["jwk"] = jwk;
  record["scopes"] = scopes;
  record["purpose"] = purpose;
  record["disabled"] = false;
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto existing, tx.GetRecord(kClients, id));
    if (existing) {
      return Fail(ErrorCategory::kConflict, "access.client-exists", "the client already exists");
    }
    return tx.PutRecord(kClients, id, json::serialize(record));
  });
  if (!written) return tl::unexpected(written.error());
  return RefreshCaches(true);
}

Status Identity::DisableClient(std::string_view id) {
  Status written = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto existing, tx.GetRecord(kClients, id));
    if (!existing) return Fail(ErrorCategory::kNotFound, "access.no-client", "no such client");
    boost::system::error_code ec;
    json::value v = json::parse(existing->value, ec);
    if (ec || !v.is_object()) return tl::unexpected(InvalidClient());
    v.get_object()["disabled"] = true;
    return tx.PutRecord(kClients, id, json::serialize(v));
  });
  if (!written) return tl::unexpected(written.error());
  return RefreshCaches(true);
}

Result<std::vector<std::string>> Identity::ListClients() {
  std::vector<std::string> out;
  CHARTROOM_ASSIGN_OR_RETURN(auto page, store_.ListRecords(kClients, "", 100000));
  for (const auto& record : page) {
    boost::system::error_code ec;
    const json::value v = json::parse(record.value, ec);
    if (ec || !v.is_object()) continue;
    const json::object& o = v.get_object();
    std::string line = record.key + "\t" + std::string(o.at("scopes").as_string()) + "\t" +
                       std::string(o.at("purpose").as_string());
    if (o.at("disabled").as_bool()) line += "\tdisabled";
    out.push_back(std::move(line));
  }
  return out;
}

Result<TokenPair> Identity::ClientToken(std::string_view assertion, std::string_view scope,
                                        std::string_view token_url, std::string* why) {
  const auto refuse = [&](std::string reason) -> Result<TokenPair> {
    if (why != nullptr) *why = std::move(reason);
    return tl::unexpected(InvalidClient());
  };
  if (assertion.size() > 16384) return refuse("oversized assertion");
  const std::size_t first = assertion.find('.');
  const std::size_t second =
      first == std::string_view::npos ? first : assertion.find('.', first + 1);
  if (second == std::string_view::npos) return refuse("malformed assertion");
  auto header_text = crypto::DecodeBase64Url(assertion.substr(0, first));
  auto payload_text = crypto::DecodeBase64Url(assertion.substr(first + 1, second - first - 1));
  auto signature = crypto::DecodeBase64Url(assertion.substr(second + 1));
  if (!header_text || !payload_text || !signature) return refuse("malformed assertion");
  boost::system::error_code ec;
  const json::value header = json::parse(*header_text, ec);
  if (ec || !header.is_object()) return refuse("malformed header");
  const json::value payload = json::parse(*payload_text, ec);
  if (ec || !payload.is_object()) return refuse("malformed payload");
  const auto str = [](const json::value& v, std::string_view key) {
    const json::value* f = v.get_object().if_contains(key);
    return f != nullptr && f->is_string() ? std::string(f->get_string()) : std::string();
  };
  const std::string alg = str(header, "alg");
  const std::string client = str(payload, "iss");
  const std::string jti = str(payload, "jti");
  if (alg != "RS384" && alg != "ES384") return refuse("algorithm " + alg);
  if (client.empty() || str(payload, "sub") != client || jti.empty() || jti.size() > 256) {
    return refuse("iss, sub or jti");
  }
  bool audience = false;
  if (const json::value* aud = payload.get_object().if_contains("aud")) {
    if (aud->is_string()) audience = aud->get_string() == token_url;
    if (aud->is_array()) {
      for (const json::value& a : aud->get_array()) {
        audience = audience || (a.is_string() && a.get_string() == token_url);
      }
    }
  }
  if (!audience) return refuse("audience");
  const json::value* exp = payload.get_object().if_contains("exp");
  const std::int64_t now = Seconds(clock_.Now());
  if (exp == nullptr || !exp->is_int64() || exp->get_int64() <= now ||
      exp->get_int64() > now + kClientTokenTtl.count() + 30) {
    return refuse("expiry");
  }
  std::optional<TokenPair> pair;
  std::string reason;
  Status done = store_.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kClients, client));
    if (!record) {
      reason = "unknown client";
      return Ok();
    }
    const json::value registered = json::parse(record->value, ec);
    if (ec || !registered.is_object() || registered.at("disabled").as_bool()) {
      reason = "disabled client";
      return Ok();
    }
    CHARTROOM_ASSIGN_OR_RETURN(bool valid,
                               crypto::VerifyJwsSignature(alg, registered.at("jwk").as_string(),
                                                          assertion.substr(0, second), *signature));
    if (!valid) {
      reason = "signature";
      return Ok();
    }
    // Replay: a jti is accepted once while its assertion could still be used.
    const std::string jti_key = client + "/" + jti;
    CHARTROOM_ASSIGN_OR_RETURN(auto seen, tx.GetRecord(kClientJtis, jti_key));
    if (seen) {
      reason = "replayed jti";
      return Ok();
    }
    json::object used;
    used["expires"] = exp->get_int64();
    CHARTROOM_RETURN_IF_ERROR(tx.PutRecord(kClientJtis, jti_key, json::serialize(used)));
    const std::vector<std::string> held = Words(registered.at("scopes").as_string());
    std::vector<std::string> asked = Words(scope);
    if (asked.empty()) asked = held;
    std::string granted;
    for (const std::string& s : asked) {
      if (std::find(held.begin(), held.end(), s) == held.end()) continue;
      if (!granted.empty()) granted += ' ';
      granted += s;
    }
    if (granted.empty()) {
      return Fail(ErrorCategory::kForbidden, "access.invalid-scope",
                  "none of the requested scopes is granted to this client");
    }
    TokenClaims claims;
    claims.issuer = options_.issuer;
    claims.subject = client;
    claims.roles = {std::string(RoleName(Role::kInterface))};
    claims.purpose = std::string(registered.at("purpose").as_string());
    claims.scope = granted;
    claims.token_id = RandomHex(random_, 16);
    claims.session_id = "client-" + RandomHex(random_, 12);
    claims.issued_at = FromSeconds(now);
    claims.expires_at = FromSeconds(now + kClientTokenTtl.count());
    TokenPair issued;
    issued.access_token = IssueToken(claims, key_, options_.key_id);
    issued.expires_in = kClientTokenTtl.count();
    issued.scope = granted;
    pair = std::move(issued);
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  if (!pair) return refuse(reason);
  // The client may have been registered by another process since the caches were loaded.
  CHARTROOM_RETURN_IF_ERROR(RefreshCaches(true));
  return std::move(*pair);
}

}  // namespace chartroom::access
