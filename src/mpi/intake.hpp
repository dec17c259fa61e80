// Intake: a new or changed registration matched against the patient index, and the worklist it
// fills (docs/mpi.md, "In the server").
//
// A pair at or above the match threshold is recorded as `linked` (the same person, not merged),
// one at or above the review threshold as `review`, each as a store record of kind `mpi-pair`
// with its score and every field's weight; a pair a person already decided (`mpi-decision`) is
// not recorded again. Then the index takes the patient as it now stands (a deleted or inactive
// one leaves it). Nothing is merged.
//
// Thread safety: reentrant; the index and the store are thread-safe.

#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "mpi/index.hpp"
#include "store/resource_store.hpp"

namespace chartroom::mpi {

// Matches and indexes Patient/`id` as it now stands in `store` (gone: leaves the index).
Status Intake(Index& index, store::ResourceStore& store, std::string_view id, core::Timestamp now);

// The same for many patients already in the index (after an import): matched on `threads`
// threads, their pairs written in batches. Returns how many pairs it recorded.
Result<std::size_t> IntakeAll(Index& index, store::ResourceStore& store,
                              std::span<const std::string> ids, core::Timestamp now,
                              unsigned threads);

}  // namespace chartroom::mpi
