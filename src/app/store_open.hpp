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

#include "app/config.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "fhir/search/index_values.hpp"
#include "store/resource_store.hpp"

namespace chartroom::app {

struct OpenedStore {
  std::unique_ptr<fhir::search::IndexExtractor> extractor;
  std::unique_ptr<store::ResourceStore> store;
  // Appends the store's figures to /metrics (Prometheus text).
  std::function<void(std::string& out)> metrics;
};

// Creates the data directory (mode 0700) when missing, loads or creates the master key and opens
// the store. kUnavailable for a data directory, key file or database that cannot be used,
// kInvalid for a key file that is not one, kForbidden for a key file others can read.
[[nodiscard]] Result<OpenedStore> OpenStore(const Config& config, core::Clock& clock,
                                            core::Random& random);

}  // namespace chartroom::app
