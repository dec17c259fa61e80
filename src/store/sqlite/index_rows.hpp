// Writing the SQLite store's index rows: the rows of a version (common::IndexRows, the
// backend-neutral encoding) inserted into and removed from the index tables, an update touching
// only what changed. docs/storage.md describes the tables.
//
// Thread safety: ApplyRowDiff and RowBuffer use one Connection (the writer's).

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "store/common/index_rows.hpp"
#include "store/sqlite/db.hpp"

namespace chartroom::store::sqlite {

// Removes the rows in `old_rows` that are not in `new_rows` and inserts the others, for resource
// `rid`. Both must be Finish()ed.
Status ApplyRowDiff(Connection& db, std::int64_t rid, const common::IndexRows& old_rows,
                    const common::IndexRows& new_rows);

// Index rows of new resources waiting to be inserted. A transaction that writes many resources
// inserts their rows table by table in key order at the end, so that consecutive inserts land
// on the same or neighbouring b-tree pages instead of random ones. Whoever reads the index
// tables in the transaction (a search, an update's diff) flushes first.
class RowBuffer {
 public:
  void Add(std::int64_t rid, const common::IndexRows& rows);
  Status Flush(Connection& db);
  void Clear() { pending_.clear(); }
  std::size_t size() const { return pending_.size(); }

 private:
  struct Pending {
    std::string order;  // the row's key in SQLite's order, then the rid
    std::string row;
    std::int64_t rid;
  };
  std::vector<Pending> pending_;
};

}  // namespace chartroom::store::sqlite
