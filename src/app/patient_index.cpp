#include "app/patient_index.hpp"

#include "core/random.hpp"
#include "core/result_macros.hpp"
#include "mpi/default_model.hpp"
#include "mpi/linker.hpp"

namespace chartroom::app {

Result<std::unique_ptr<mpi::Index>> OpenPatientIndex(const Config& config,
                                                     store::ResourceStore& store) {
  (void)config;
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<mpi::Person> people, mpi::LoadActivePeople(store));
  mpi::LinkOptions options;
  mpi::Model model;
  if (people.size() >= kTrainFrom) {
    // A fixed seed for the random pairs: the same patients give the same weights.
    core::SeededRandom random(0x6d7069);
    CHARTROOM_ASSIGN_OR_RETURN(model, mpi::TrainModel(people, options, random));
  } else {
    CHARTROOM_ASSIGN_OR_RETURN(model, mpi::Model::FromJson(mpi::DefaultModelJson()));
  }
  return std::make_unique<mpi::Index>(std::move(model), std::move(options), std::move(people));
}

}  // namespace chartroom::app
