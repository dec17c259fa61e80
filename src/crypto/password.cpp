#include "crypto/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <optional>
#include <vector>

#include "core/text.hpp"
#include "crypto/keyed_hash.hpp"
#include "crypto/sodium.hpp"

namespace chartroom::crypto {
namespace {

constexpr std::size_t kSaltBytes = crypto_pwhash_SALTBYTES;  // 16
constexpr std::size_t kHashBytes = 32;

// Unpadded standard base64, as in PHC strings.
std::string Base64NoPad(std::string_view bytes) {
  std::string text = EncodeBase64(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::optional<std::string> DecodeBase64NoPad(std::string_view text) {
  std::string padded(text);
  while (padded.size() % 4 != 0) padded += '=';
  return DecodeCanonicalBase64(padded);
}

struct Parsed {
  PasswordHashParams params;
  std::string salt;
  std::string hash;
};

std::optional<std::uint32_t> ParseU32(std::string_view text) {
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>"
std::optional<Parsed> Parse(std::string_view encoded) {
  constexpr std::string_view kPrefix = "$argon2id$v=19$m=";
  if (!encoded.starts_with(kPrefix)) return std::nullopt;
  encoded.remove_prefix(kPrefix.size());
  const std::size_t t_at = encoded.find(",t=");
  const std::size_t p_at = encoded.find(",p=1$");
  if (t_at == std::string_view::npos || p_at == std::string_view::npos || p_at < t_at) {
    return std::nullopt;
  }
  const auto memory = ParseU32(encoded.substr(0, t_at));
  const auto iterations = ParseU32(encoded.substr(t_at + 3, p_at - t_at - 3));
  std::string_view rest = encoded.substr(p_at + 5);
  const std::size_t dollar = rest.find('$');
  if (!memory || !iterations || dollar == std::string_view::npos) return std::nullopt;
  auto salt = DecodeBase64NoPad(rest.substr(0, dollar));
  auto hash = DecodeBase64NoPad(rest.substr(dollar + 1));
  if (!salt || !hash || salt->size() < crypto_pwhash_SALTBYTES || hash->size() < 16) {
    return std::nullopt;
  }
  return Parsed{{*iterations, *memory}, std::move(*salt), std::move(*hash)};
}

Result<std::string> Derive(std::string_view password, std::string_view salt,
                           const PasswordHashParams& params, std::size_t length) {
  EnsureSodium();
  if (params.iterations < crypto_pwhash_OPSLIMIT_MIN ||
      std::size_t{params.memory_kib} * 1024 < crypto_pwhash_MEMLIMIT_MIN ||
      salt.size() != crypto_pwhash_SALTBYTES) {
    return Fail(ErrorCategory::kInvalid, "crypto.bad-params",
                "Argon2id parameters below the minimums");
  }
  std::string out(length, '\0');
  if (crypto_pwhash(reinterpret_cast<unsigned char*>(out.data()), out.size(), password.data(),
                    password.size(), reinterpret_cast<const unsigned char*>(salt.data()),
                    params.iterations, std::size_t{params.memory_kib} * 1024,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(ErrorCategory::kUnavailable, "crypto.out-of-memory",
                "not enough memory to hash a password");
  }
  return out;
}

// The most common passwords of public breach corpora (lower case); a policy check, not a
// substitute for rate limiting and lockout.
constexpr std::array<std::string_view, 24> kCommon = {
    "123456789012",     "password1234", "passwordpassword", "qwertyuiopas",  "111111111111",
    "123123123123",     "iloveyou1234", "aaaaaaaaaaaa",     "abcdefghijkl",  "qwerty123456",
    "password123!",     "welcome12345", "letmein12345",     "administrator", "changeme1234",
    "hospital1234",     "chartroom123", "1q2w3e4r5t6y",     "zaq12wsxcde3",  "trustno1trustno1",
    "passw0rdpassw0rd", "summer2024!!", "winter2024!!",     "000000000000"};

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

std::size_t CodePoints(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

Error Weak(std::string reason) {
  return Error(ErrorCategory::kInvalid, "access.weak-password", std::move(reason));
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, core::Random& random,
                                 const PasswordHashParams& params) {
  std::array<std::byte, kSaltBytes> salt_bytes;
  random.Fill(salt_bytes);
  const std::string salt(reinterpret_cast<const char*>(salt_bytes.data()), salt_bytes.size());
  auto hash = Derive(password, salt, params, kHashBytes);
  if (!hash) return tl::unexpected(hash.error());
  return "$argon2id$v=19$m=" + std::to_string(params.memory_kib) +
         ",t=" + std::to_string(params.iterations) + ",p=1$" + Base64NoPad(salt) + "$" +
         Base64NoPad(*hash);
}

Result<bool> VerifyPassword(std::string_view password, std::string_view encoded) {
  std::optional<Parsed> parsed = Parse(encoded);
  if (!parsed) {
    return Fail(ErrorCategory::kInvalid, "crypto.bad-password-hash",
                "the stored password hash is not an Argon2id PHC string");
  }
  auto hash = Derive(password, parsed->salt, parsed->params, parsed->hash.size());
  if (!hash) return tl::unexpected(hash.error());
  return sodium_memcmp(hash->data(), parsed->hash.data(), hash->size()) == 0;
}

bool NeedsRehash(std::string_view encoded, const PasswordHashParams& params) {
  std::optional<Parsed> parsed = Parse(encoded);
  return !parsed || parsed->params.iterations != params.iterations ||
         parsed->params.memory_kib != params.memory_kib || parsed->hash.size() != kHashBytes;
}

Status CheckPasswordPolicy(std::string_view password, std::string_view username,
                           const PasswordPolicy& policy) {
  if (!core::IsValidUtf8(password)) return tl::unexpected(Weak("the password is not valid UTF-8"));
  const std::size_t length = CodePoints(password);
  if (length < policy.min_length) {
    return tl::unexpected(
        Weak("the password needs at least " + std::to_string(policy.min_length) + " characters"));
  }
  if (length > policy.max_length) {
    return tl::unexpected(
        Weak("the password may have at most " + std::to_string(policy.max_length) + " characters"));
  }
  const std::string lower = Lower(password);
  if (std::find(kCommon.begin(), kCommon.end(), lower) != kCommon.end()) {
    return tl::unexpected(Weak("the password is one of the most commonly used ones"));
  }
  if (!username.empty() && lower.find(Lower(username)) != std::string::npos) {
    return tl::unexpected(Weak("the password contains the user name"));
  }
  if (std::all_of(password.begin(), password.end(), [&](char c) { return c == password[0]; })) {
    return tl::unexpected(Weak("the password repeats one character"));
  }
  return Ok();
}

}  // namespace chartroom::crypto
