// SHA-256 (OpenSSL, which uses the CPU's SHA extensions where present): the audit log's hash
// chain and Merkle trees.
//
// Thread safety: pure functions.

#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace chartroom::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

// SHA-256 of the concatenation of `parts`.
Sha256Digest Sha256(std::initializer_list<std::string_view> parts);

// A digest's bytes as a string_view, to hash it in turn.
inline std::string_view Bytes(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace chartroom::crypto
