// ExportManager (rest/export.hpp) over a store whose export can be held open: the limit of
// running jobs, progress, cancelling a running job, and a job the store fails.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "rest/export.hpp"

namespace chartroom::rest {
namespace {

namespace fs = std::filesystem;
using store::ResourceVersion;

// A store whose ForEachCurrent streams `count` Patients and then waits until Release().
class GatedStore final : public store::ResourceStore {
 public:
  void Release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }
  void FailWith(Error error) { failure_ = std::move(error); }

  Status InTransaction(const std::function<Status(store::Transaction&)>&) override {
    return Unsupported();
  }
  Result<store::PreparedResource> Prepare(boost::json::object, fhir::json::NumberTexts) override {
    return Unsupported();
  }
  Result<ResourceVersion> Read(std::string_view, std::string_view) override {
    return Unsupported();
  }
  Result<ResourceVersion> ReadVersion(std::string_view, std::string_view, std::int64_t) override {
    return Unsupported();
  }
  Result<store::SearchPage> Search(const fhir::search::SearchQuery&) override {
    return Unsupported();
  }
  Result<store::HistoryPage> History(const store::HistoryQuery&) override { return Unsupported(); }
  Result<std::vector<ResourceVersion>> Everything(std::string_view, const std::vector<std::string>&,
                                                  std::optional<core::Timestamp>) override {
    return Unsupported();
  }
  Status ForEachCurrent(const std::vector<std::string>&, std::optional<core::Timestamp>,
                        const std::function<bool(const ResourceVersion&)>& sink) override {
    if (failure_) return tl::unexpected(*failure_);
    ResourceVersion v;
    v.type = "Patient";
    for (int i = 0; i < 3; ++i) {
      v.id = "p" + std::to_string(i);
      v.json = R"({"resourceType":"Patient","id":")" + v.id + "\"}";
      if (!sink(v)) return Ok();
    }
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return released_; });
    v.id = "last";
    v.json = R"({"resourceType":"Patient","id":"last"})";
    sink(v);
    return Ok();
  }

 private:
  static tl::unexpected<Error> Unsupported() {
    return Fail(ErrorCategory::kUnsupported, "test.unsupported", "not in this fake");
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  bool released_ = false;
  std::optional<Error> failure_;
};

class ExportJobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("export-jobs-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    ExportOptions options;
    options.max_jobs = 1;
    options.expiry = std::chrono::seconds(60);
    auto created = ExportManager::Create(options, dir_, store_, clock_, logger_);
    ASSERT_TRUE(created.has_value());
    exports_ = std::move(*created);
  }
  void TearDown() override {
    store_.Release();
    exports_.reset();
    fs::remove_all(dir_);
  }

  ExportState WaitWhileRunning(const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      auto status = exports_->Status(id);
      if (!status || status->state != ExportState::kRunning ||
          std::chrono::steady_clock::now() > deadline) {
        return status ? status->state : ExportState::kRunning;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  fs::path dir_;
  GatedStore store_;
  core::FixedClock clock_{core::Timestamp(std::chrono::seconds(1'700'000'000))};
  Logger logger_{"rest", LogLevel::kOff, clock_, [](std::string_view) {}};
  std::unique_ptr<ExportManager> exports_;
};

TEST_F(ExportJobsTest, RunningJobsAreLimitedAndReportProgress) {
  auto first = exports_->Start(ExportRequest{});
  ASSERT_TRUE(first.has_value());
  auto second = exports_->Start(ExportRequest{});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code(), "rest.export-busy");
  EXPECT_EQ(second.error().category(), ErrorCategory::kBusy);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (exports_->Status(*first)->exported < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto running = exports_->Status(*first);
  EXPECT_EQ(running->state, ExportState::kRunning);
  EXPECT_EQ(running->exported, 3);

  store_.Release();
  EXPECT_EQ(WaitWhileRunning(*first), ExportState::kDone);
  auto done = exports_->Status(*first);
  ASSERT_EQ(done->outputs.size(), 1u);
  EXPECT_EQ(done->outputs[0].count, 4);
  std::string type;
  auto file = exports_->ReadFile(*first, done->outputs[0].name, type);
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(type, "Patient");
  EXPECT_NE(file->find(R"("id":"last")"), std::string::npos);
  EXPECT_TRUE(exports_->Start(ExportRequest{}).has_value()) << "the slot is free again";
}

TEST_F(ExportJobsTest, CancellingARunningJobStopsItAndDeletesItsFiles) {
  auto id = exports_->Start(ExportRequest{});
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(exports_->Cancel(*id).has_value());
  EXPECT_EQ(exports_->Status(*id).error().code(), "rest.export-job-not-found");
  store_.Release();
  // The stopped job frees its slot and leaves nothing on disk.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Result<std::string> next = Fail(ErrorCategory::kBusy, "", "");
  while (!next && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    next = exports_->Start(ExportRequest{});
  }
  ASSERT_TRUE(next.has_value());
  EXPECT_FALSE(fs::exists(dir_ / *id));
}

TEST_F(ExportJobsTest, AJobTheStoreFailsReportsTheFailure) {
  store_.FailWith(Error(ErrorCategory::kUnavailable, "store.sqlite", "disk I/O error"));
  auto id = exports_->Start(ExportRequest{});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(WaitWhileRunning(*id), ExportState::kFailed);
  auto status = exports_->Status(*id);
  ASSERT_TRUE(status->failure.has_value());
  EXPECT_EQ(status->failure->code(), "store.sqlite");
  EXPECT_FALSE(fs::exists(dir_ / *id));
}

TEST_F(ExportJobsTest, CreateEmptiesTheDirectoryAndMakesItPrivate) {
  exports_.reset();
  fs::create_directories(dir_ / "old-job");
  std::ofstream(dir_ / "old-job" / "Patient-1.ndjson.sealed") << "x";
  auto created = ExportManager::Create(ExportOptions{}, dir_, store_, clock_, logger_);
  ASSERT_TRUE(created.has_value());
  EXPECT_TRUE(fs::is_empty(dir_));
  EXPECT_EQ(fs::status(dir_).permissions() & fs::perms::all, fs::perms::owner_all);
  exports_ = std::move(*created);
}

}  // namespace
}  // namespace chartroom::rest
