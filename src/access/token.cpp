#include "access/token.hpp"

#include <boost/json.hpp>

#include <optional>

#include "crypto/keyed_hash.hpp"

namespace chartroom::access {
namespace {

namespace json = boost::json;
using std::chrono::duration_cast;
using std::chrono::seconds;

// Tokens travel in an Authorization header; anything longer is not one of ours.
constexpr std::size_t kMaxTokenBytes = 8192;
// Times past 9999-12-31 (or before 1970) are not ones we issue; bounding them also keeps the
// conversion to microseconds from overflowing.
constexpr std::int64_t kLatestSeconds = 253402300799;

Error Invalid() {
  return Error(ErrorCategory::kUnauthenticated, "access.invalid-token",
               "the bearer token is not valid");
}

std::int64_t Seconds(core::Timestamp t) {
  return duration_cast<seconds>(t.time_since_epoch()).count();
}

core::Timestamp FromSeconds(std::int64_t s) { return core::Timestamp(seconds(s)); }

// The object `part` (base64url JSON) holds; nullopt when it is not one.
std::optional<json::object> DecodeObject(std::string_view part) {
  std::optional<std::string> text = crypto::DecodeBase64Url(part);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  json::value value = json::parse(*text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

const json::string* String(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? &v->get_string() : nullptr;
}

std::optional<std::int64_t> Integer(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

}  // namespace

std::string IssueToken(const TokenClaims& claims, const crypto::SigningKey& key,
                       std::string_view kid) {
  json::object header;
  header["alg"] = "EdDSA";
  header["typ"] = "JWT";
  header["kid"] = kid;
  json::object payload;
  payload["iss"] = claims.issuer;
  payload["sub"] = claims.subject;
  json::array roles;
  for (const std::string& role : claims.roles) roles.emplace_back(role);
  payload["roles"] = std::move(roles);
  if (!claims.purpose.empty()) payload["pou"] = claims.purpose;
  if (!claims.scope.empty()) payload["scope"] = claims.scope;
  payload["jti"] = claims.token_id;
  if (!claims.session_id.empty()) payload["sid"] = claims.session_id;
  payload["iat"] = Seconds(claims.issued_at);
  payload["exp"] = Seconds(claims.expires_at);
  std::string token = crypto::EncodeBase64Url(json::serialize(header)) + "." +
                      crypto::EncodeBase64Url(json::serialize(payload));
  token += "." + crypto::EncodeBase64Url(key.Sign(token));
  return token;
}

Result<TokenClaims> VerifyToken(std::string_view token, const TokenKeys& keys,
                                std::string_view issuer, core::Timestamp now,
                                std::chrono::seconds leeway) {
  if (token.size() > kMaxTokenBytes) return tl::unexpected(Invalid());
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return tl::unexpected(Invalid());
  }
  std::optional<json::object> header = DecodeObject(token.substr(0, first));
  if (!header) return tl::unexpected(Invalid());
  const json::string* alg = String(*header, "alg");
  const json::string* kid = String(*header, "kid");
  const json::value* typ = header->if_contains("typ");
  if (alg == nullptr || *alg != "EdDSA" || kid == nullptr ||
      (typ != nullptr && !(typ->is_string() && typ->get_string() == "JWT")) ||
      header->contains("crit")) {
    return tl::unexpected(Invalid());
  }
  auto key = keys.find(std::string_view(*kid));
  std::optional<std::string> signature = crypto::DecodeBase64Url(token.substr(second + 1));
  if (key == keys.end() || !signature ||
      !crypto::Verify(key->second, token.substr(0, second), *signature)) {
    return tl::unexpected(Invalid());
  }
  std::optional<json::object> payload = DecodeObject(token.substr(first + 1, second - first - 1));
  if (!payload) return tl::unexpected(Invalid());
  const json::string* iss = String(*payload, "iss");
  const json::string* sub = String(*payload, "sub");
  const json::string* jti = String(*payload, "jti");
  const std::optional<std::int64_t> iat = Integer(*payload, "iat");
  const std::optional<std::int64_t> exp = Integer(*payload, "exp");
  const json::value* roles = payload->if_contains("roles");
  if (iss == nullptr || *iss != issuer || sub == nullptr || sub->empty() || jti == nullptr ||
      !iat || !exp || *iat < 0 || *exp <= *iat || *exp > kLatestSeconds || roles == nullptr ||
      !roles->is_array()) {
    return tl::unexpected(Invalid());
  }
  TokenClaims claims;
  claims.issuer = std::string(*iss);
  claims.subject = std::string(*sub);
  claims.token_id = std::string(*jti);
  for (const json::value& role : roles->get_array()) {
    if (!role.is_string()) return tl::unexpected(Invalid());
    claims.roles.emplace_back(role.get_string());
  }
  for (auto [field, name] : {std::pair{&claims.purpose, "pou"}, std::pair{&claims.scope, "scope"},
                             std::pair{&claims.session_id, "sid"}}) {
    const json::value* v = payload->if_contains(name);
    if (v == nullptr) continue;
    if (!v->is_string()) return tl::unexpected(Invalid());
    *field = std::string(v->get_string());
  }
  claims.issued_at = FromSeconds(*iat);
  claims.expires_at = FromSeconds(*exp);
  if (now + leeway < claims.issued_at) return tl::unexpected(Invalid());  // issued in the future
  if (now >= claims.expires_at + leeway) {
    return Fail(ErrorCategory::kUnauthenticated, "access.token-expired",
                "the bearer token has expired");
  }
  return claims;
}

}  // namespace chartroom::access
