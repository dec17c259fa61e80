// The server's patient index (mpi/index.hpp), opened from the store: every active Patient, and a
// model trained on them when there are at least `kTrainFrom`, else the model trained on a
// synthetic population (mpi/default_model.hpp).

#pragma once

#include <memory>

#include "app/config.hpp"
#include "core/error.hpp"
#include "mpi/index.hpp"
#include "store/resource_store.hpp"

namespace chartroom::app {

inline constexpr std::size_t kTrainFrom = 1000;

[[nodiscard]] Result<std::unique_ptr<mpi::Index>> OpenPatientIndex(const Config& config,
                                                                   store::ResourceStore& store);

}  // namespace chartroom::app
