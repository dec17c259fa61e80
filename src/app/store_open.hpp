// Opening the record store as the configuration says: the master key (the key file in the data
// directory, created with mode 0600 on first use), the search-index extractor and the store
// backend, wrapped by the blob store that keeps large attachments in data_dir/blobs. `chartroom
// serve` and every command that works on a store (import, ...) open it here, so they agree on where
// the data lives and how it is sealed.
//
// Ownership: OpenedStore owns the extractor and the store; the store is declared after the
// extractor it uses, so it is closed first. The clock and random must outlive it. Thread safety:
// OpenStore is for one thread; the store itself is shared as ResourceStore says.

#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "app/config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "fhir/search/index_values.hpp"
#include "store/resource_store.hpp"

namespace chartroom::app {

// A lock on the data directory (flock on its chartroom.lock), held while the store is open:
// shared by every process that uses the store, exclusive for a bulk load.
class DataDirLock {
 public:
  DataDirLock() = default;
  explicit DataDirLock(int fd) : fd_(fd) {}
  DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  int fd_ = -1;
};

struct OpenedStore {
  DataDirLock lock;  // released last
  // True when the store was opened for a bulk load (StoreUse::kBulkLoad got the exclusive lock).
  bool bulk_load = false;
  std::unique_ptr<fhir::search::IndexExtractor> extractor;
  std::unique_ptr<store::ResourceStore> store;
  // Appends the store's figures to /metrics (Prometheus text).
  std::function<void(std::string& out)> metrics;
};

enum class StoreUse {
  kShared,    // the server and most commands: others may use the store at the same time
  kBulkLoad,  // an import: a SQLite store defers its index rows (SqliteResourceStore::Options::
              // bulk_load) when no other process has the data directory open, else it is shared
};

// Creates the data directory (mode 0700) when missing, locks it, loads or creates the master key
// and opens the store. kUnavailable for a data directory, key file or database that cannot be
// used, kBusy when a bulk load holds the directory, kInvalid for a key file that is not one,
// kForbidden for a key file others can read.
[[nodiscard]] Result<OpenedStore> OpenStore(const Config& config, core::Clock& clock,
                                            core::Random& random, StoreUse use = StoreUse::kShared);

}  // namespace chartroom::app
