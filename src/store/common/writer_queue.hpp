// WriterQueue: the single-writer queue both store backends commit through. InTransaction callers
// Submit their work and block; one writer thread takes every queued item (up to max_batch, after
// an optional window for more to arrive) and hands the group to the backend's RunGroup, which
// runs and commits them together and fulfils each item's promise (group commit).
//
// Thread safety: Submit from any thread but the writer's; Start and Stop from the owner.

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store::common {

class WriterQueue {
 public:
  struct Item {
    const std::function<Status(Transaction& tx)>* work;
    std::promise<Status> done;
  };
  using RunGroup = std::function<void(std::vector<Item*>& group)>;

  ~WriterQueue() { Stop(); }

  // Starts the writer thread; `run` is called on it with each group.
  void Start(std::size_t max_batch, std::chrono::microseconds window, RunGroup run) {
    max_batch_ = max_batch == 0 ? 1 : max_batch;
    window_ = window;
    run_ = std::move(run);
    writer_ = std::thread([this] { Loop(); });
    writer_id_ = writer_.get_id();
  }

  // Queues `work` and waits for its group's outcome. kInternal "store.nested-transaction" from
  // the writer thread itself, kUnavailable "store.closed" once stopping.
  Status Submit(const std::function<Status(Transaction& tx)>& work) {
    if (std::this_thread::get_id() == writer_id_) {
      return Fail(ErrorCategory::kInternal, "store.nested-transaction",
                  "InTransaction was called from inside a transaction's work");
    }
    Item item{&work, {}};
    std::future<Status> done = item.done.get_future();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return Fail(ErrorCategory::kUnavailable, "store.closed", "the store is shutting down");
      }
      queue_.push_back(&item);
    }
    cv_.notify_all();
    return done.get();
  }

  // Runs what is queued, then stops the writer thread. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
  }

 private:
  void Loop() {
    for (;;) {
      std::vector<Item*> group;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and nothing left to do
        if (window_.count() > 0 && queue_.size() < max_batch_ && !stopping_) {
          cv_.wait_for(lock, window_, [&] { return stopping_ || queue_.size() >= max_batch_; });
        }
        while (!queue_.empty() && group.size() < max_batch_) {
          group.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      run_(group);
    }
  }

  std::size_t max_batch_ = 1;
  std::chrono::microseconds window_{0};
  RunGroup run_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item*> queue_;
  bool stopping_ = false;
  std::thread writer_;
  std::thread::id writer_id_;
};

}  // namespace chartroom::store::common
