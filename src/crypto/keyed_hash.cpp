#include "crypto/keyed_hash.hpp"

#include <sodium.h>

namespace chartroom::crypto {
namespace {

void EnsureSodium() {
  static const int ready = sodium_init();
  CHARTROOM_CHECK(ready >= 0);
}

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

std::optional<std::string> DecodeCanonicalBase64(std::string_view text) {
  EnsureSodium();
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  std::size_t written = 0;
  const char* end = nullptr;
  // No characters to ignore: whitespace fails. libsodium also rejects non-zero unused bits and
  // wrong padding, which makes the accepted encoding the canonical one.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &written, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(written);
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  EnsureSodium();
  const std::size_t length =
      sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(length, '\0');
  sodium_bin2base64(out.data(), length, Bytes(bytes), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(length - 1);  // the terminating NUL
  return out;
}

}  // namespace chartroom::crypto
