#include "crypto/keyed_hash.hpp"

#include <sodium.h>

#include "crypto/sodium.hpp"

namespace chartroom::crypto {
namespace {

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

SecretKey DeriveSubkey(const SecretKey& key, std::uint64_t id, std::string_view context) {
  EnsureSodium();
  CHARTROOM_CHECK(context.size() == crypto_kdf_CONTEXTBYTES);
  std::array<std::uint8_t, kKeyBytes> bytes;
  const int rc =
      crypto_kdf_derive_from_key(bytes.data(), bytes.size(), id, context.data(), key.data());
  CHARTROOM_CHECK(rc == 0);
  SecretKey subkey(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return subkey;
}

Digest KeyedHash(const SecretKey& key, std::string_view data) {
  EnsureSodium();
  Digest digest;
  const int rc = crypto_generichash(digest.data(), digest.size(), Bytes(data), data.size(),
                                    key.data(), kKeyBytes);
  CHARTROOM_CHECK(rc == 0);
  return digest;
}

std::string ToHex(const Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (std::uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

// Base64 is table-driven here rather than libsodium's: libsodium's codec runs in constant time,
// which secrets need but attachment data does not, and is about ten times slower (11 ms to
// encode and 17 ms to decode a MiB on the benchmark machine).
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0..63 for an alphabet character, 0xFF otherwise.
struct DecodeTable {
  std::array<std::uint8_t, 256> value;
  constexpr DecodeTable() : value() {
    for (auto& v : value) v = 0xFF;
    for (std::uint8_t i = 0; i < 64; ++i) value[static_cast<unsigned char>(kAlphabet[i])] = i;
  }
};
constexpr DecodeTable kDecode;

}  // namespace

std::optional<std::string> DecodeCanonicalBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string out(text.size() / 4 * 3 - padding, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t full = text.empty() ? 0 : text.size() / 4 - (padding > 0 ? 1 : 0);
  std::uint8_t bad = 0;  // any character outside the alphabet sets its high bit
  char* o = out.data();
  for (std::size_t i = 0; i < full; ++i, in += 4, o += 3) {
    const std::uint8_t a = kDecode.value[in[0]], b = kDecode.value[in[1]], c = kDecode.value[in[2]],
                       d = kDecode.value[in[3]];
    bad |= a | b | c | d;
    const std::uint32_t v = (std::uint32_t{a} << 18) | (std::uint32_t{b} << 12) |
                            (std::uint32_t{c} << 6) | std::uint32_t{d};
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8);
    o[2] = static_cast<char>(v);
  }
  if (padding > 0) {
    const std::uint8_t a = kDecode.value[in[0]], b = kDecode.value[in[1]];
    const std::uint8_t c = padding == 1 ? kDecode.value[in[2]] : 0;
    bad |= a | b | c;
    if ((bad & 0x80) != 0) return std::nullopt;
    // Canonical: the bits the padding leaves unused are zero.
    if (padding == 2 ? (b & 0x0F) != 0 : (c & 0x03) != 0) return std::nullopt;
    o[0] = static_cast<char>((a << 2) | (b >> 4));
    if (padding == 1) o[1] = static_cast<char>(((b & 0x0F) << 4) | (c >> 2));
  }
  if ((bad & 0x80) != 0) return std::nullopt;
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  AppendBase64(bytes, out);
  return out;
}

void AppendBase64(std::string_view bytes, std::string& out) {
  const std::size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  char* o = out.data() + start;
  const std::size_t full = bytes.size() / 3;
  for (std::size_t i = 0; i < full; ++i, in += 3, o += 4) {
    const std::uint32_t v = (std::uint32_t{in[0]} << 16) | (std::uint32_t{in[1]} << 8) | in[2];
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 0x3F];
    o[2] = kAlphabet[(v >> 6) & 0x3F];
    o[3] = kAlphabet[v & 0x3F];
  }
  const std::size_t rest = bytes.size() % 3;
  if (rest > 0) {
    const std::uint32_t v =
        (std::uint32_t{in[0]} << 16) | (rest == 2 ? std::uint32_t{in[1]} << 8 : 0);
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 0x3F];
    o[2] = rest == 2 ? kAlphabet[(v >> 6) & 0x3F] : '=';
    o[3] = '=';
  }
}

std::string EncodeBase64Url(std::string_view bytes) {
  std::string text = EncodeBase64(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::optional<std::string> DecodeBase64Url(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string standard(text);
  for (char& c : standard) {
    if (c == '+' || c == '/' || c == '=') return std::nullopt;
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (standard.size() % 4 != 0) standard += '=';
  return DecodeCanonicalBase64(standard);
}

}  // namespace chartroom::crypto
