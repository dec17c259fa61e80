// Rng: the draws the generator makes (bounded integers, chances, weighted picks, bell-shaped
// values) on top of core::SeededRandom, so one seed gives one population on every machine. No
// libm function is used (their last bits differ between C libraries); a bell-shaped value is
// the Irwin-Hall sum of four uniforms.
//
// Thread safety: an Rng is not thread-safe; the generator makes one per stream.

#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/random.hpp"

namespace chartroom::synth {

// Mixes `value` into `seed` (the splitmix64 finaliser): streams keyed by distinct values are
// independent for every practical purpose.
constexpr std::uint64_t MixSeed(std::uint64_t seed, std::uint64_t value) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (value + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : random_(seed) {}

  std::uint64_t Next() { return random_.NextU64(); }
  // Uniform in [0, n); n > 0. Multiply-shift (the bias is below 2^-32).
  std::uint32_t Below(std::uint32_t n) {
    return static_cast<std::uint32_t>(((Next() >> 32) * n) >> 32);
  }
  std::size_t Index(std::size_t n) { return Below(static_cast<std::uint32_t>(n)); }
  // Uniform in [lo, hi]; lo <= hi.
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<std::uint32_t>(hi - lo + 1)));
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  bool PerMille(unsigned k) { return Below(1000) < k; }
  // Bell-shaped around `mean` with standard deviation `sd`, within mean +- 3.46 sd.
  double Normal(double mean, double sd) {
    const double sum = Unit() + Unit() + Unit() + Unit();  // mean 2, variance 1/3
    return mean + (sum - 2.0) * 1.7320508075688772 * sd;
  }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Index(items.size())];
  }

 private:
  core::SeededRandom random_;
};

// Picks indexes in proportion to weights; built once per table.
class WeightedIndex {
 public:
  WeightedIndex() = default;
  template <typename T, typename Weight>
  WeightedIndex(std::span<const T> items, Weight weight) {
    cumulative_.reserve(items.size());
    std::uint64_t total = 0;
    for (const T& item : items) {
      total += weight(item);
      cumulative_.push_back(total);
    }
  }
  // An index in [0, size()); the table's total weight must be positive.
  std::size_t Pick(Rng& rng) const {
    const std::uint64_t target = rng.Next() % cumulative_.back();
    return static_cast<std::size_t>(
        std::upper_bound(cumulative_.begin(), cumulative_.end(), target) - cumulative_.begin());
  }
  std::size_t size() const { return cumulative_.size(); }

 private:
  std::vector<std::uint64_t> cumulative_;
};

}  // namespace chartroom::synth
