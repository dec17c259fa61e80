// Keyed hashing and subkey derivation (BLAKE2b, from libsodium), and base64: what the
// content-addressed blob store (store/blob/) needs to name sealed blobs without revealing, across
// key compartments, which blobs are equal.
//
// Thread safety: all functions are pure and safe to call concurrently.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/aead.hpp"

namespace chartroom::crypto {

inline constexpr std::size_t kDigestBytes = 32;
using Digest = std::array<std::uint8_t, kDigestBytes>;

// A subkey of `key` for one purpose: BLAKE2b-based crypto_kdf_derive_from_key with `id` and an
// 8-character `context` (checked). Different (id, context) pairs give independent keys, so one
// data key can seal content and, through a subkey, name it.
SecretKey DeriveSubkey(const SecretKey& key, std::uint64_t id, std::string_view context);

// BLAKE2b-256 of `data` keyed with `key` (a MAC: without the key, equal digests reveal nothing
// and no digest can be forged).
Digest KeyedHash(const SecretKey& key, std::string_view data);

// Lower-case hexadecimal.
std::string ToHex(const Digest& digest);

// Decodes standard base64 (RFC 4648 section 4, with padding) only when `text` is its canonical
// encoding: no whitespace, correct padding, zero unused bits. So EncodeBase64 of the result gives
// `text` back byte for byte; nullopt otherwise.
std::optional<std::string> DecodeCanonicalBase64(std::string_view text);
// Standard base64 with padding.
std::string EncodeBase64(std::string_view bytes);
// The same, appended to `out`.
void AppendBase64(std::string_view bytes, std::string& out);
// base64url without padding (RFC 4648 section 5; the form of JWS, RFC 7515 section 2).
std::string EncodeBase64Url(std::string_view bytes);
// Decodes it when `text` is its canonical form (no padding, zero unused bits); nullopt
// otherwise.
std::optional<std::string> DecodeBase64Url(std::string_view text);

}  // namespace chartroom::crypto
