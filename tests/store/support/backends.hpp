// The backends the ResourceStore contract tests run against. Each test gets a fresh, empty store
// from every available backend (SQLite in a temporary directory always, and the same wrapped by
// the blob store of store/blob/ with every attachment in blob files; others register here
// when they exist and their server is reachable), with a fixed clock, a seeded random source and
// the index function the test chooses.
//
// What only some backends can do (count commits, scan their raw files, tamper with stored
// content) is offered as optional hooks; a test that needs one skips on backends without it.
//
// Thread safety: a BackendInstance belongs to one test.

#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store::test {

struct BackendEnv {
  core::Clock* clock = nullptr;
  core::Random* random = nullptr;
  IndexFunction index;
  std::filesystem::path dir;  // a fresh directory the backend may use
  // Group commit: how long the writer may wait for more transactions (0 = backend default).
  std::int64_t group_commit_window_us = 0;
};

class BackendInstance {
 public:
  virtual ~BackendInstance() = default;
  virtual ResourceStore& store() = 0;

  // Durable commits so far (a group commit counts once); nullopt when not observable.
  virtual std::optional<std::uint64_t> Commits() { return std::nullopt; }
  // Whether the backend's files contain `needle` as raw bytes; nullopt when it has no files.
  virtual std::optional<bool> RawStorageContains(std::string_view needle) {
    (void)needle;
    return std::nullopt;
  }
  // Flips one bit of the stored content of type/id at `version`; false when not supported.
  virtual bool TamperWithContent(std::string_view type, std::string_view id, std::int64_t version) {
    (void)type, (void)id, (void)version;
    return false;
  }
  // The backend's own consistency check: problems found (empty when sound).
  virtual std::optional<std::vector<std::string>> IntegrityProblems() { return std::nullopt; }
};

struct Backend {
  std::string name;
  std::function<Result<std::unique_ptr<BackendInstance>>(const BackendEnv& env)> open;
};

std::vector<Backend> AvailableBackends();

inline void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

// A fresh directory under the system's temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace chartroom::store::test
