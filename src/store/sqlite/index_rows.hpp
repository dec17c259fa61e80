// Turns the search values of one resource version (fhir::search::IndexEntry) into rows of the
// SQLite store's index tables, and writes or removes them. Every row is also kept in a canonical
// byte form (IndexRows::Encode); the table index_keys stores their concatenation per resource, so
// an update deletes exactly the rows the previous version added and inserts only what changed, with
// no secondary index on rid. docs/storage.md describes the tables; the query side (search_sql.cpp)
// computes its keys with the same functions (TokenCode, ReferenceTarget, ...).
//
// Thread safety: IndexRows is a value; ApplyRowDiff uses one Connection (the writer's).

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "fhir/search/index_values.hpp"
#include "store/sqlite/db.hpp"

namespace chartroom::store::sqlite {

enum class IndexTable : std::uint8_t {
  kToken = 1,
  kText = 2,
  kString = 3,
  kDate = 4,
  kNumber = 5,
  kQuantity = 6,
  kReference = 7,
  kUri = 8,
  kComposite = 9,
};

// Text index values are cut to this many bytes (at a UTF-8 boundary); queries cut theirs alike.
inline constexpr std::size_t kMaxIndexedText = 512;
std::string_view CutText(std::string_view text);

// Keys shared by the write and the query side.
std::int64_t TokenCode(std::string_view code);
std::int64_t TokenSystem(std::string_view system);
std::int64_t TokenOfType(std::string_view of_type, std::string_view value);  // :of-type rows
std::int64_t ReferenceTarget(std::string_view type, std::string_view id);    // "Type/id"
std::int64_t ReferenceUrl(std::string_view url);
std::int64_t ReferenceIdentifierCode(std::string_view value);  // idx_token rows of :identifier
std::int64_t QuantityUnit(std::string_view canonical_code);    // 0 for no unit

// The parts of a composite value as indexed: the head hash over equality components, the
// systems of the first two token components and up to two ranged slots.
struct CompositeKey {
  std::int64_t head = 0;
  std::int64_t sys1 = 0;
  std::int64_t sys2 = 0;
  double low1 = 0, high1 = 0, raw1 = 0;
  double low2 = 0, high2 = 0;
  std::int64_t unit = 0;
};
// The composite head is built from one string per component: the equality key of token (code),
// reference ("Type/id" or url), string (normalized), uri components, and "#" for a ranged one.
std::int64_t CompositeHead(const std::vector<std::string>& parts);

// The rows of one resource version, each in canonical encoded form, sorted and unique.
class IndexRows {
 public:
  // Adds the rows of one value of parameter `param_id`. Values that cannot be indexed (empty,
  // NaN, a composite with more than two ranged components) add nothing.
  void Add(std::int64_t param_id, const fhir::search::IndexValue& value);
  // Sorts and removes duplicates.
  void Finish();
  // The parameters that have at least one row, as ",12,57," (resources.params, for :missing);
  // "" when there are none.
  std::string PresentParams() const;

  const std::vector<std::string>& rows() const { return rows_; }
  // The index_keys blob: the rows, each prefixed by its length.
  std::string Encode() const;
  static Result<IndexRows> Decode(std::string_view blob);

 private:
  std::vector<std::string> rows_;
};

// Removes the rows in `old_rows` that are not in `new_rows` and inserts the others, for resource
// `rid`. Both must be Finish()ed.
Status ApplyRowDiff(Connection& db, std::int64_t rid, const IndexRows& old_rows,
                    const IndexRows& new_rows);

// Index rows of new resources waiting to be inserted. A transaction that writes many resources
// inserts their rows table by table in key order at the end, so that consecutive inserts land
// on the same or neighbouring b-tree pages instead of random ones. Whoever reads the index
// tables in the transaction (a search, an update's diff) flushes first.
class RowBuffer {
 public:
  void Add(std::int64_t rid, const IndexRows& rows);
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
