// The fixture of the ResourceStore contract tests: a fresh store from one backend per test, a
// FixedClock at 2024-03-01T09:00:00Z, a SeededRandom, and the real search-index extractor
// (fhir::search::IndexExtractor) unless a test supplies its own index function.
//
// Thread safety: as gtest fixtures; the helpers may be called from several test threads at once
// where the store allows it (InTransaction, Read, Search).

#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "store/resource_store.hpp"
#include "support/backends.hpp"
#include "support/queries.hpp"

namespace chartroom::store::test {

// 2024-03-01T09:00:00Z
inline core::Timestamp StartTime() { return core::Timestamp(std::chrono::seconds(1709283600)); }

// The real extractor, compiled once per test binary.
IndexFunction RealIndex();

class StoreFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { Reopen(RealIndex()); }

  // Replaces the store with a fresh one on an empty database.
  void Reopen(IndexFunction index, std::int64_t group_commit_window_us = 0);

  ResourceStore& store() { return backend_->store(); }
  BackendInstance& backend() { return *backend_; }

  // One write in its own transaction.
  Result<ResourceVersion> Create(std::string_view json);
  Result<ResourceVersion> Put(std::string_view json,
                              std::optional<std::int64_t> expected = std::nullopt);
  Result<ResourceVersion> Delete(std::string_view type, std::string_view id,
                                 std::optional<std::int64_t> expected = std::nullopt);
  // Several writes in one transaction; fails the test on error.
  void PutAll(const std::vector<std::string>& jsons);

  // Search results as "Type/id", in result order.
  static std::vector<std::string> Ids(const std::vector<ResourceVersion>& versions);
  std::vector<std::string> Find(const fs::SearchQuery& query);
  // Ids of every match of `query` (type given) in result order, or the error code.
  std::vector<std::string> FindIds(const fs::SearchQuery& query);

  core::FixedClock clock_{StartTime()};
  core::SeededRandom random_{42};
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<BackendInstance> backend_;
};

}  // namespace chartroom::store::test
