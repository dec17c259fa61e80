// Release of information's settings from the configuration: days per requester type with their
// overrides, and the overrides' errors.

#include "app/roi_settings.hpp"

#include <gtest/gtest.h>

namespace chartroom::app {
namespace {

TEST(RoiSettingsTest, DueDaysPerRequesterFollowTheConfiguration) {
  Config config;
  config.roi.access_due_days = 15;
  config.roi.other_due_days = 20;
  config.roi.due_days_by_requester = " attorney=10, subpoena=5 ";
  config.roi.settings.electronic_flat_cents = 500;
  auto s = RoiSettings(config);
  ASSERT_TRUE(s.has_value()) << s.error().message();
  auto days = [&](roi::Requester r) { return s->due_days[static_cast<std::size_t>(r)]; };
  EXPECT_EQ(days(roi::Requester::kPatient), 15);
  EXPECT_EQ(days(roi::Requester::kPersonalRepresentative), 15);
  EXPECT_EQ(days(roi::Requester::kInsurer), 20);
  EXPECT_EQ(days(roi::Requester::kAttorney), 10);
  EXPECT_EQ(days(roi::Requester::kSubpoena), 5);
  EXPECT_EQ(s->electronic_flat_cents, 500);
  for (const char* bad : {"attorney", "lawyer=10", "attorney=0", "attorney=10x", "attorney="}) {
    config.roi.due_days_by_requester = bad;
    const auto refused = RoiSettings(config);
    ASSERT_FALSE(refused.has_value()) << bad;
    EXPECT_EQ(refused.error().code(), "app.config");
  }
}

}  // namespace
}  // namespace chartroom::app
