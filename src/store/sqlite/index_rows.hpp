// Writing the SQLite store's index rows: the rows of a version (common::IndexRows, the
// backend-neutral encoding) inserted into and removed from the index tables, an update touching
// only what changed. docs/storage.md describes the tables.
//
// Thread safety: ApplyRowDiff and RowBuffer use one Connection (the writer's).

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "store/common/index_rows.hpp"
#include "store/sqlite/db.hpp"

namespace chartroom::store::sqlite {

// Removes the rows in `old_rows` that are not in `new_rows` and inserts the others, for resource
// `rid`. Both must be Finish()ed.
Status ApplyRowDiff(Connection& db, std::int64_t rid, const common::IndexRows& old_rows,
                    const common::IndexRows& new_rows);

// Resources whose index rows (as index_keys lists them) are not all in the index tables, as
// "rid N: table" lines, at most `limit` of them. For integrity checks: it reads every resource.
Result<std::vector<std::string>> MissingIndexRows(Connection& db, std::size_t limit);

// Index rows of new resources waiting to be inserted. A transaction that writes many resources
// inserts their rows table by table in key order at the end, so that consecutive inserts land
// on the same or neighbouring b-tree pages instead of random ones. Whoever reads the index
// tables in the transaction (a search, an update's diff) flushes first.
class RowBuffer {
 public:
  void Add(std::int64_t rid, const common::IndexRows& rows);
  Status Flush(Connection& db);
  void Clear() {
    pending_.clear();
    bytes_.clear();
  }
  std::size_t size() const { return pending_.size(); }
  // Memory the buffered rows take.
  std::size_t bytes() const { return bytes_.size() + pending_.size() * sizeof(Pending); }

 private:
  // A buffered row: its sort key (the row's key in SQLite's order, then the rid) and the encoded
  // row, both in bytes_, so that buffering costs no allocation per row. key holds the sort key's
  // first 24 bytes as big-endian numbers: most comparisons end there.
  struct Pending {
    std::uint64_t key[3];
    std::uint32_t order_at;
    std::uint32_t order_size;
    std::uint32_t row_at;
    std::uint32_t row_size;
    std::int64_t rid;
  };
  std::string_view View(std::uint32_t at, std::uint32_t size) const {
    return std::string_view(bytes_).substr(at, size);
  }
  std::vector<Pending> pending_;
  std::string bytes_;
};

}  // namespace chartroom::store::sqlite
