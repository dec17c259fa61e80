// BufferedRandom hands out its source's bytes in order, a buffer at a time.

#include "core/random.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>

namespace chartroom::core {
namespace {

// Counts calls and fills with a running byte counter, so order and coverage are visible.
class CountingRandom final : public Random {
 public:
  void Fill(std::span<std::byte> out) override {
    ++calls;
    for (std::byte& b : out) b = static_cast<std::byte>(next++);
  }
  int calls = 0;
  unsigned next = 0;
};

TEST(BufferedRandomTest, DrawsFromItsSourceABufferAtATimeAndInOrder) {
  CountingRandom source;
  BufferedRandom buffered(source);
  std::array<std::byte, 24> nonce{};
  unsigned expected = 0;
  for (int i = 0; i < 300; ++i) {  // 7,200 bytes: two source calls
    buffered.Fill(nonce);
    for (std::byte b : nonce) ASSERT_EQ(b, static_cast<std::byte>(expected++));
  }
  EXPECT_EQ(source.calls, 2);
  // A request larger than the buffer spans refills.
  std::array<std::byte, 10000> big{};
  buffered.Fill(big);
  for (std::byte b : big) ASSERT_EQ(b, static_cast<std::byte>(expected++));
}

}  // namespace
}  // namespace chartroom::core
