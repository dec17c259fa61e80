// Keeps a patient index in step with Patients that other processes write to the same store:
// other servers on one PostgreSQL database, or `chartroom import` run while a server is up.
// Every `interval` it reads the Patient history written since it last looked (with a margin for
// clocks that differ between servers) and puts each patient named there into the index as it
// now stands (a deleted or inactive one leaves it). It queues no pairs on the worklist: the
// process that wrote the patient matched it (mpi/intake.hpp).
//
// Thread safety: CatchUp may run on any thread; the index and the store are thread-safe. The
// destructor stops the thread and waits for it.

#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "mpi/index.hpp"
#include "store/resource_store.hpp"

namespace chartroom::mpi {

class Follower {
 public:
  // `since`: when the index was read from the store (a time of `clock`).
  Follower(Index& index, store::ResourceStore& store, core::Clock& clock, core::Timestamp since,
           std::chrono::milliseconds interval);
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // One pass; returns how many patients it put into (or took out of) the index.
  Result<std::size_t> CatchUp();

 private:
  void Loop();

  Index& index_;
  store::ResourceStore& store_;
  core::Clock& clock_;
  core::Timestamp since_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace chartroom::mpi
