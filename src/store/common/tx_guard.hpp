// Rolls back a transaction that the code between BEGIN and Commit() left early (an error
// return): the schema migrations and registry loads of both backends.
//
// Thread safety: as the connection, which must outlive the guard.

#pragma once

#include "core/error.hpp"

namespace chartroom::store::common {

// Connection: anything with `Status Exec(std::string_view sql)` (sqlite::Connection,
// postgres::Connection).
template <typename Connection>
class TxGuard {
 public:
  explicit TxGuard(Connection& db) : db_(db) {}
  ~TxGuard() {
    if (!done_) (void)db_.Exec("ROLLBACK");
  }
  TxGuard(const TxGuard&) = delete;
  TxGuard& operator=(const TxGuard&) = delete;

  Status Commit() {
    done_ = true;
    return db_.Exec("COMMIT");
  }

 private:
  Connection& db_;
  bool done_ = false;
};

}  // namespace chartroom::store::common
