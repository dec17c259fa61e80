#include "crypto/totp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <array>
#include <cstddef>
#include <span>

#include "core/text.hpp"

namespace chartroom::crypto {

std::string NewTotpSecret(core::Random& random) {
  std::array<std::byte, 20> bytes;
  random.Fill(bytes);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string Hotp(std::string_view secret, std::uint64_t counter, int digits) {
  std::array<unsigned char, 8> message;
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac;
  unsigned int length = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), message.data(), message.size(),
       mac.data(), &length);
  // Dynamic truncation (RFC 4226 section 5.3).
  const std::size_t offset = mac[length - 1] & 0x0F;
  const std::uint32_t binary = (std::uint32_t{mac[offset]} & 0x7F) << 24 |
                               std::uint32_t{mac[offset + 1]} << 16 |
                               std::uint32_t{mac[offset + 2]} << 8 | std::uint32_t{mac[offset + 3]};
  std::uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::int64_t TotpStep(core::Timestamp now) {
  const std::int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return seconds / kTotpStepSeconds;
}

std::optional<std::int64_t> VerifyTotp(std::string_view secret, std::string_view code,
                                       core::Timestamp now, int window) {
  if (code.size() != 6) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const std::int64_t current = TotpStep(now);
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared, so the time taken does not tell which matched.
  for (std::int64_t step = current - window; step <= current + window; ++step) {
    if (step < 0) continue;
    const std::string expected = Hotp(secret, static_cast<std::uint64_t>(step));
    if (sodium_memcmp(expected.data(), code.data(), code.size()) == 0 && !matched) matched = step;
  }
  return matched;
}

std::string EncodeBase32(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char ch : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(ch);
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 0x1F];
      bits -= 5;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (5 - bits)) & 0x1F];
  return out;
}

std::string TotpUri(std::string_view secret, std::string_view issuer, std::string_view account) {
  return "otpauth://totp/" + core::PercentEncode(issuer) + ":" + core::PercentEncode(account) +
         "?secret=" + EncodeBase32(secret) + "&issuer=" + core::PercentEncode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace chartroom::crypto
