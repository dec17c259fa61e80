// OpenStore's lock on the data directory: a bulk load gets the store to itself or shares it, and
// nothing else opens a store a bulk load holds.

#include "app/store_open.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace chartroom::app {
namespace {

namespace fs = std::filesystem;

class StoreOpenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("store-open-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto config = LoadConfig(std::nullopt, [](std::string_view) { return std::nullopt; },
                             {{"data_dir", dir_.string()}});
    ASSERT_TRUE(config.has_value()) << config.error().message();
    config_ = *config;
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<OpenedStore> Open(StoreUse use) { return OpenStore(config_, clock_, random_, use); }

  fs::path dir_;
  Config config_;
  core::SystemClock clock_;
  core::SystemRandom random_;
};

TEST_F(StoreOpenTest, ABulkLoadAloneGetsTheStoreToItself) {
  auto bulk = Open(StoreUse::kBulkLoad);
  ASSERT_TRUE(bulk.has_value()) << bulk.error().message();
  EXPECT_TRUE(bulk->bulk_load);
  auto other = Open(StoreUse::kShared);
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().category(), ErrorCategory::kBusy);
  EXPECT_EQ(other.error().code(), "app.data-dir-busy");
  auto second = Open(StoreUse::kBulkLoad);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().category(), ErrorCategory::kBusy);
}

TEST_F(StoreOpenTest, ABulkLoadBesideAnotherUserSharesTheStore) {
  auto server = Open(StoreUse::kShared);
  ASSERT_TRUE(server.has_value()) << server.error().message();
  EXPECT_FALSE(server->bulk_load);
  auto import = Open(StoreUse::kBulkLoad);
  ASSERT_TRUE(import.has_value()) << import.error().message();
  EXPECT_FALSE(import->bulk_load);
}

TEST_F(StoreOpenTest, ClosingABulkLoadReleasesTheDirectory) {
  { ASSERT_TRUE(Open(StoreUse::kBulkLoad).has_value()); }
  auto shared = Open(StoreUse::kShared);
  ASSERT_TRUE(shared.has_value()) << shared.error().message();
}

}  // namespace
}  // namespace chartroom::app
