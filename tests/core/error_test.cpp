#include "core/error.hpp"

#include <gtest/gtest.h>

#include "core/result_macros.hpp"

namespace chartroom {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Fail(ErrorCategory::kInvalid, "test.odd", "odd number");
  return n / 2;
}

Result<int> Quarter(int n) {
  CHARTROOM_ASSIGN_OR_RETURN(int half, Half(n));
  return Half(half);
}

Status CheckQuarter(int n) {
  CHARTROOM_RETURN_IF_ERROR(Quarter(n));
  return Ok();
}

TEST(ErrorTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(Quarter(8).value(), 2);
  Result<int> odd = Quarter(6);
  ASSERT_FALSE(odd.has_value());
  EXPECT_EQ(odd.error().code(), "test.odd");
  EXPECT_EQ(odd.error().category(), ErrorCategory::kInvalid);
}

TEST(ErrorTest, ReturnIfErrorPassesSuccessThrough) {
  EXPECT_TRUE(CheckQuarter(4).has_value());
  EXPECT_FALSE(CheckQuarter(3).has_value());
}

TEST(ErrorTest, CategoryNamesAreStable) {
  EXPECT_EQ(CategoryName(ErrorCategory::kNotFound), "not-found");
  EXPECT_EQ(CategoryName(ErrorCategory::kInternal), "internal");
  EXPECT_EQ(CategoryName(ErrorCategory::kUnauthenticated), "unauthenticated");
}

}  // namespace
}  // namespace chartroom
