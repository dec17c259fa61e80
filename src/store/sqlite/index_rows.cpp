#include "store/sqlite/index_rows.hpp"

#include <algorithm>
#include <optional>
#include <thread>

#include "core/result_macros.hpp"

namespace chartroom::store::sqlite {
namespace {

using common::IndexRows;

// Rows one INSERT of a bulk flush writes: each statement step costs as much as several rows.
constexpr std::size_t kRowsPerInsert = 16;
// From this many rows a flush sorts on two threads.
constexpr std::size_t kParallelSortRows = 100000;

// The INSERT and DELETE statements of each index table, by IndexTable order.
struct TableSql {
  std::string insert;
  std::string insert_many;  // kRowsPerInsert rows
  std::string remove;
  std::string exists;
};

const std::vector<TableSql>& Statements() {
  static const std::vector<TableSql> statements = [] {
    std::vector<TableSql> v;
    const auto& names = common::IndexTableNames();
    for (std::size_t t = 0; t < names.size(); ++t) {
      const auto& columns = common::IndexTableColumns(static_cast<common::IndexTable>(t + 1));
      std::string list, placeholders, where;
      for (const std::string& column : columns) {
        list.append(column).append(", ");
        placeholders.append("?, ");
        where.append(column).append(" = ? AND ");
      }
      const std::string values = "(" + placeholders + "?)";
      std::string many = values;
      for (std::size_t i = 1; i < kRowsPerInsert; ++i) many += ", " + values;
      v.push_back({"INSERT OR IGNORE INTO " + names[t] + " (" + list + "rid) VALUES " + values,
                   "INSERT OR IGNORE INTO " + names[t] + " (" + list + "rid) VALUES " + many,
                   "DELETE FROM " + names[t] + " WHERE " + where + "rid = ?",
                   "SELECT 1 FROM " + names[t] + " WHERE " + where + "rid = ?"});
    }
    return v;
  }();
  return statements;
}

Status WriteRow(Connection& db, std::int64_t rid, std::string_view row, bool insert) {
  CHARTROOM_ASSIGN_OR_RETURN(common::DecodedRow decoded, common::DecodeRow(row));
  const TableSql& sql = Statements()[static_cast<std::size_t>(decoded.table) - 1];
  CHARTROOM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(insert ? sql.insert : sql.remove));
  stmt.BindAll(decoded.values);
  stmt.Bind(static_cast<int>(decoded.values.size()) + 1, rid);
  return stmt.Run();
}

}  // namespace

namespace {

// Bytes [at, at + 8) of `key` as a big-endian number, zero-padded past its end.
std::uint64_t KeyWord(std::string_view key, std::size_t at) {
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    const std::size_t k = at + i;
    word = (word << 8) | (k < key.size() ? static_cast<unsigned char>(key[k]) : 0u);
  }
  return word;
}

}  // namespace

void RowBuffer::Add(std::int64_t rid, const IndexRows& rows) {
  for (const std::string& row : rows.rows()) {
    Pending p{};
    p.order_at = static_cast<std::uint32_t>(bytes_.size());
    common::AppendOrderKey(bytes_, row, rid);
    p.order_size = static_cast<std::uint32_t>(bytes_.size() - p.order_at);
    const std::string_view key = View(p.order_at, p.order_size);
    for (std::size_t w = 0; w < 3; ++w) p.key[w] = KeyWord(key, 8 * w);
    p.row_at = static_cast<std::uint32_t>(bytes_.size());
    bytes_.append(row);
    p.row_size = static_cast<std::uint32_t>(row.size());
    p.rid = rid;
    pending_.push_back(p);
  }
}

// Binds the values of rows, and the rid after each row's values, to an INSERT statement.
class InsertBinder final : public common::RowVisitor {
 public:
  void Int(std::int64_t value) override { stmt_->Bind(next_++, value); }
  void Real(double value) override { stmt_->Bind(next_++, value); }
  void Text(std::string_view value) override { stmt_->Bind(next_++, value); }

  Status Use(Connection& db, const std::string& sql) {
    stmt_.reset();
    CHARTROOM_ASSIGN_OR_RETURN(Stmt stmt, db.Prepare(sql));
    stmt_.emplace(std::move(stmt));
    next_ = 1;
    return Ok();
  }
  Status Add(std::string_view row, std::int64_t rid) {
    CHARTROOM_RETURN_IF_ERROR(common::VisitRow(row, *this));
    stmt_->Bind(next_++, rid);
    return Ok();
  }
  Status Run() {
    next_ = 1;
    return stmt_->Run();
  }

 private:
  std::optional<Stmt> stmt_;
  int next_ = 1;
};

Status RowBuffer::Flush(Connection& db) {
  const auto before = [this](const Pending& a, const Pending& b) {
    for (std::size_t w = 0; w < 3; ++w) {
      if (a.key[w] != b.key[w]) return a.key[w] < b.key[w];
    }
    // Equal first 24 bytes (zero padding included): the rest decides, then the length.
    return View(a.order_at, a.order_size).substr(std::min<std::uint32_t>(24, a.order_size)) <
           View(b.order_at, b.order_size).substr(std::min<std::uint32_t>(24, b.order_size));
  };
  if (pending_.size() < kParallelSortRows) {
    std::sort(pending_.begin(), pending_.end(), before);
  } else {
    // A bulk load's large runs: half sorted on a second thread, then merged.
    const auto middle = pending_.begin() + static_cast<std::ptrdiff_t>(pending_.size() / 2);
    std::thread upper([&] { std::sort(middle, pending_.end(), before); });
    std::sort(pending_.begin(), middle, before);
    upper.join();
    std::inplace_merge(pending_.begin(), middle, pending_.end(), before);
  }
  // The rows come table by table (the table is the key's first byte); each table's run goes in
  // kRowsPerInsert rows per statement, its remainder one by one.
  InsertBinder insert;
  const std::size_t n = pending_.size();
  for (std::size_t i = 0; i < n;) {
    const auto tag = static_cast<unsigned char>(bytes_[pending_[i].order_at]);
    if (tag < 1 || tag > Statements().size()) {
      return Fail(ErrorCategory::kInternal, "store.corrupt", "an index key has an unknown table");
    }
    std::size_t end = i;
    while (end < n && static_cast<unsigned char>(bytes_[pending_[end].order_at]) == tag) ++end;
    const TableSql& sql = Statements()[tag - 1];
    if (end - i >= kRowsPerInsert) {
      CHARTROOM_RETURN_IF_ERROR(insert.Use(db, sql.insert_many));
      for (; end - i >= kRowsPerInsert; i += kRowsPerInsert) {
        for (std::size_t k = i; k < i + kRowsPerInsert; ++k) {
          CHARTROOM_RETURN_IF_ERROR(
              insert.Add(View(pending_[k].row_at, pending_[k].row_size), pending_[k].rid));
        }
        CHARTROOM_RETURN_IF_ERROR(insert.Run());
      }
    }
    if (i < end) {
      CHARTROOM_RETURN_IF_ERROR(insert.Use(db, sql.insert));
      for (; i < end; ++i) {
        CHARTROOM_RETURN_IF_ERROR(
            insert.Add(View(pending_[i].row_at, pending_[i].row_size), pending_[i].rid));
        CHARTROOM_RETURN_IF_ERROR(insert.Run());
      }
    }
  }
  Clear();
  return Ok();
}

Result<std::vector<std::string>> MissingIndexRows(Connection& db, std::size_t limit) {
  std::vector<std::string> missing;
  CHARTROOM_ASSIGN_OR_RETURN(Stmt keys,
                             db.Prepare("SELECT rid, keys FROM index_keys ORDER BY rid"));
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(bool more, keys.Step());
    if (!more || missing.size() >= limit) break;
    const std::int64_t rid = keys.Int(0);
    CHARTROOM_ASSIGN_OR_RETURN(IndexRows rows, IndexRows::Decode(keys.BlobView(1)));
    for (const std::string& row : rows.rows()) {
      CHARTROOM_ASSIGN_OR_RETURN(common::DecodedRow decoded, common::DecodeRow(row));
      const std::size_t table = static_cast<std::size_t>(decoded.table) - 1;
      CHARTROOM_ASSIGN_OR_RETURN(Stmt probe, db.Prepare(Statements()[table].exists));
      probe.BindAll(decoded.values);
      probe.Bind(static_cast<int>(decoded.values.size()) + 1, rid);
      CHARTROOM_ASSIGN_OR_RETURN(bool found, probe.Step());
      if (!found) {
        missing.push_back("rid " + std::to_string(rid) + ": " + common::IndexTableNames()[table]);
        break;
      }
    }
  }
  return missing;
}

Status ApplyRowDiff(Connection& db, std::int64_t rid, const IndexRows& old_rows,
                    const IndexRows& new_rows) {
  const auto& a = old_rows.rows();
  const auto& b = new_rows.rows();
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i] < b[j])) {
      CHARTROOM_RETURN_IF_ERROR(WriteRow(db, rid, a[i++], false));
    } else if (i == a.size() || b[j] < a[i]) {
      CHARTROOM_RETURN_IF_ERROR(WriteRow(db, rid, b[j++], true));
    } else {
      ++i;
      ++j;
    }
  }
  return Ok();
}

}  // namespace chartroom::store::sqlite
