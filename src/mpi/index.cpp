#include "mpi/index.hpp"

#include <algorithm>
#include <mutex>

namespace chartroom::mpi {

Index::Index(Model model, LinkOptions options, std::vector<Person> people)
    : model_(std::move(model)), options_(std::move(options)) {
  model_.Rebase(people);
  for (Person& p : people) PutLocked(std::move(p));
}

void Index::Put(Person person) {
  std::unique_lock lock(mutex_);
  PutLocked(std::move(person));
}

void Index::Remove(const std::string& id) {
  std::unique_lock lock(mutex_);
  RemoveLocked(id);
}

std::optional<Person> Index::Get(const std::string& id) const {
  std::shared_lock lock(mutex_);
  const auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return std::nullopt;
  return people_[it->second];
}

std::size_t Index::size() const {
  std::shared_lock lock(mutex_);
  return slot_of_.size();
}

void Index::PutLocked(Person person) {
  RemoveLocked(person.id);
  if (!person.active || person.id.empty()) return;
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(people_.size());
    people_.emplace_back();
  }
  for (std::uint64_t key : BlockingKeysOf(person, options_)) {
    if (key != 0) blocks_[key].push_back(slot);
  }
  slot_of_[person.id] = slot;
  people_[slot] = std::move(person);
}

void Index::RemoveLocked(const std::string& id) {
  const auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return;
  const std::uint32_t slot = it->second;
  for (std::uint64_t key : BlockingKeysOf(people_[slot], options_)) {
    if (key == 0) continue;
    auto block = blocks_.find(key);
    if (block == blocks_.end()) continue;
    std::erase(block->second, slot);
    if (block->second.empty()) blocks_.erase(block);
  }
  people_[slot] = Person{};
  free_.push_back(slot);
  slot_of_.erase(it);
}

std::vector<Found> Index::Find(const Person& query, double floor, std::size_t limit) const {
  const CompareOptions compare{options_.person_systems};
  std::shared_lock lock(mutex_);
  std::vector<std::uint32_t> candidates;
  for (std::uint64_t key : BlockingKeysOf(query, options_)) {
    if (key == 0) continue;
    const auto block = blocks_.find(key);
    if (block == blocks_.end() || block->second.size() > options_.max_block) continue;
    candidates.insert(candidates.end(), block->second.begin(), block->second.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<Found> found;
  for (std::uint32_t slot : candidates) {
    const Person& other = people_[slot];
    if (other.id == query.id) continue;
    Score score = model_.Weigh(query, other, compare);
    if (score.twins || score.probability < floor) continue;
    const Decision decision = model_.Decide(score, options_.thresholds);
    found.push_back({other, score, decision});
  }
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::tie(b.score.probability, a.person.id) < std::tie(a.score.probability, b.person.id);
  });
  if (found.size() > limit) found.resize(limit);
  return found;
}

}  // namespace chartroom::mpi
