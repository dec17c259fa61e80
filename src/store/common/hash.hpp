// The 64-bit hash the stores key their compact index rows with (token codes and systems,
// reference targets, composite heads, quantity units). It is persisted, so it must never change:
// FNV-1a 64 over the bytes, then the MurmurHash3 fmix64 finalizer so that similar strings spread
// over the whole key space. It is not a cryptographic hash; a collision can only make a search
// return a resource whose value hashes alike (about n^2 / 2^65 for n distinct values of one
// parameter).
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace chartroom::store::common {

inline std::uint64_t Fnv1a64(std::uint64_t h, std::string_view bytes) {
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

inline constexpr std::uint64_t kFnvOffset = 0xCBF29CE484222325ULL;

inline std::int64_t Finish(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 33;
  return static_cast<std::int64_t>(h);
}

// Hash of one string.
inline std::int64_t Hash64(std::string_view text) { return Finish(Fnv1a64(kFnvOffset, text)); }

// Hash of several parts, each followed by a 0x1F unit separator so that ("ab","c") and ("a","bc")
// differ.
inline std::int64_t HashParts(std::initializer_list<std::string_view> parts) {
  std::uint64_t h = kFnvOffset;
  for (std::string_view part : parts) {
    h = Fnv1a64(h, part);
    h = Fnv1a64(h, "\x1F");
  }
  return Finish(h);
}

}  // namespace chartroom::store::common
