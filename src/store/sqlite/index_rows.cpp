#include "store/sqlite/index_rows.hpp"

#include <algorithm>

#include "core/result_macros.hpp"

namespace chartroom::store::sqlite {
namespace {

using common::IndexRows;

// The INSERT and DELETE statements of each index table, by IndexTable order.
struct TableSql {
  std::string insert;
  std::string remove;
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
      v.push_back({"INSERT OR IGNORE INTO " + names[t] + " (" + list + "rid) VALUES (" +
                       placeholders + "?)",
                   "DELETE FROM " + names[t] + " WHERE " + where + "rid = ?"});
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

void RowBuffer::Add(std::int64_t rid, const IndexRows& rows) {
  for (const std::string& row : rows.rows()) {
    Pending p{};
    p.order_at = static_cast<std::uint32_t>(bytes_.size());
    common::AppendOrderKey(bytes_, row, rid);
    p.order_size = static_cast<std::uint32_t>(bytes_.size() - p.order_at);
    p.row_at = static_cast<std::uint32_t>(bytes_.size());
    bytes_.append(row);
    p.row_size = static_cast<std::uint32_t>(row.size());
    p.rid = rid;
    pending_.push_back(p);
  }
}

Status RowBuffer::Flush(Connection& db) {
  std::sort(pending_.begin(), pending_.end(), [this](const Pending& a, const Pending& b) {
    return View(a.order_at, a.order_size) < View(b.order_at, b.order_size);
  });
  for (const Pending& p : pending_) {
    CHARTROOM_RETURN_IF_ERROR(WriteRow(db, p.rid, View(p.row_at, p.row_size), true));
  }
  Clear();
  return Ok();
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
