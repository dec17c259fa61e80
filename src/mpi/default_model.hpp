// The model trained on a synthetic population (default_model.cpp says how), for a store with too
// few patients to train its own.

#pragma once

#include <string_view>

namespace chartroom::mpi {

// Model::FromJson reads it.
std::string_view DefaultModelJson();

}  // namespace chartroom::mpi
