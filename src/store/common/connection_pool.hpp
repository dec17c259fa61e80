// ConnectionPool: the read connections of a store backend, lent one at a time. Acquire waits
// while every connection is lent; a Lease returns its connection when it goes out of scope.
//
// Ownership: the pool owns its connections and must outlive every Lease. Thread safety:
// Acquire and the Lease destructor may run on any thread, concurrently.

#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace chartroom::store::common {

template <typename Connection>
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, Connection* db) : pool_(pool), db_(db) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), db_(std::exchange(other.db_, nullptr)) {}
    Lease(const Lease&) = delete;
    ~Lease() {
      if (db_ != nullptr) pool_->Return(db_);
    }
    Connection& operator*() const { return *db_; }

   private:
    ConnectionPool* pool_;
    Connection* db_;
  };

  // Adds a connection to lend (before the pool is shared between threads).
  void Add(std::unique_ptr<Connection> db) {
    free_.push_back(db.get());
    all_.push_back(std::move(db));
  }

  Lease Acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !free_.empty(); });
    Connection* db = free_.back();
    free_.pop_back();
    return Lease(this, db);
  }

 private:
  void Return(Connection* db) {
    {
      std::lock_guard lock(mutex_);
      free_.push_back(db);
    }
    available_.notify_one();
  }

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Connection*> free_;
  std::vector<std::unique_ptr<Connection>> all_;
};

}  // namespace chartroom::store::common
