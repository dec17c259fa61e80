#include "core/random.hpp"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace chartroom::core {

std::uint64_t Random::NextU64() {
  std::uint64_t value = 0;
  Fill(std::as_writable_bytes(std::span(&value, 1)));
  return value;
}

std::string Random::Uuid() {
  std::byte bytes[16];
  Fill(bytes);
  bytes[6] = (bytes[6] & std::byte{0x0F}) | std::byte{0x40};  // version 4
  bytes[8] = (bytes[8] & std::byte{0x3F}) | std::byte{0x80};  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    auto b = std::to_integer<unsigned>(bytes[i]);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

void SystemRandom::Fill(std::span<std::byte> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      CHARTROOM_CHECK(errno == EINTR);  // getrandom only fails on interruption after boot
      continue;
    }
    done += static_cast<std::size_t>(n);
  }
}

void SeededRandom::Fill(std::span<std::byte> out) {
  for (std::size_t i = 0; i < out.size(); i += 8) {
    // splitmix64 (Steele, Lea, Flood 2014)
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    std::size_t n = std::min<std::size_t>(8, out.size() - i);
    std::memcpy(out.data() + i, &z, n);
  }
}

void BufferedRandom::Fill(std::span<std::byte> out) {
  while (!out.empty()) {
    if (used_ == buffer_.size()) {
      source_.Fill(buffer_);
      used_ = 0;
    }
    const std::size_t n = std::min(out.size(), buffer_.size() - used_);
    std::memcpy(out.data(), buffer_.data() + used_, n);
    // What was handed out is not kept.
    std::memset(buffer_.data() + used_, 0, n);
    used_ += n;
    out = out.subspan(n);
  }
}

}  // namespace chartroom::core
