// Randomness as a dependency: ids, nonces and keys come from a Random that is passed in, so tests
// can be deterministic (SeededRandom) while the server uses the operating system's CSPRNG.
//
// Thread safety: SystemRandom is safe from any thread; SeededRandom is not (give each test its
// own).

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace chartroom::core {

class Random {
 public:
  virtual ~Random() = default;
  // Fills `out` with random bytes.
  virtual void Fill(std::span<std::byte> out) = 0;

  std::uint64_t NextU64();
  // A random version-4 UUID in lower-case canonical form ("3f2c...-4...-...").
  std::string Uuid();
};

// getrandom(2): cryptographically secure.
class SystemRandom final : public Random {
 public:
  void Fill(std::span<std::byte> out) override;
};

// A deterministic generator (splitmix64) for tests and reproducible synthetic data. Never for
// keys or nonces.
// Draws from `source` 4 KiB at a time: one system call for many nonces. Not thread-safe: for
// one thread's use (the audit trail's writer).
class BufferedRandom final : public Random {
 public:
  explicit BufferedRandom(Random& source) : source_(source) {}
  void Fill(std::span<std::byte> out) override;

 private:
  Random& source_;
  std::array<std::byte, 4096> buffer_{};
  std::size_t used_ = 4096;
};

class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  void Fill(std::span<std::byte> out) override;

 private:
  std::uint64_t state_;
};

}  // namespace chartroom::core
