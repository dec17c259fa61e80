// The server's patient index: every active patient as a Person, under its blocking keys, so that
// a new or changed registration, or a Patient/$match query, finds its likely matches without
// reading the store: the candidates are the patients sharing a blocking key with it (blocks
// larger than LinkOptions::max_block are passed over, as in Dedupe), weighed by the model.
//
// Thread safety: Find may run on any number of threads while Put and Remove run (a shared
// mutex).

#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "mpi/linker.hpp"
#include "mpi/model.hpp"
#include "mpi/person.hpp"

namespace chartroom::mpi {

struct Found {
  Person person;
  Score score;
  Decision decision;
};

class Index {
 public:
  // `people`: the active patients now; their name frequencies rebase the model.
  Index(Model model, LinkOptions options, std::vector<Person> people);

  // Adds or replaces the patient with person.id; an inactive one is removed.
  void Put(Person person);
  void Remove(const std::string& id);
  // The indexed patient with `id`; nullopt when there is none (inactive, deleted, unknown).
  std::optional<Person> Get(const std::string& id) const;

  // The patients other than `query.id` at or above `floor` match probability (twins excluded),
  // the most likely first, at most `limit`.
  std::vector<Found> Find(const Person& query, double floor, std::size_t limit) const;

  const Model& model() const { return model_; }
  const LinkOptions& options() const { return options_; }
  std::size_t size() const;

 private:
  void PutLocked(Person person);
  void RemoveLocked(const std::string& id);

  Model model_;
  LinkOptions options_;
  mutable std::shared_mutex mutex_;
  std::vector<Person> people_;  // by slot; a freed slot has an empty id
  std::vector<std::uint32_t> free_;
  std::unordered_map<std::string, std::uint32_t> slot_of_;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> blocks_;
};

}  // namespace chartroom::mpi
