// The backend-neutral half of the search index: the keys both the write and the query side compute
// (TokenCode, ReferenceTarget, ...), and the rows of one resource version as given by its search
// values (fhir::search::IndexEntry), each in a canonical byte form. A backend stores the
// concatenation of a version's rows (IndexRows::Encode) with the resource, so an update removes
// exactly the rows the previous version added; DecodeRow turns an encoded row back into its table
// and column values for the backend's own INSERT, COPY or DELETE. docs/storage.md describes the
// index tables, which have the same names and value columns in every backend.
//
// Thread safety: pure functions; IndexRows is a value.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "fhir/search/index_values.hpp"
#include "store/common/bind_value.hpp"

namespace chartroom::store::common {

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

// One encoded row taken apart: its table and the values of its columns (rid excluded), in the
// order of `columns`.
struct DecodedRow {
  IndexTable table = IndexTable::kToken;
  std::string_view table_name;                        // "idx_token", ...
  const std::vector<std::string>* columns = nullptr;  // "param", "code", "sys", ...
  std::vector<BindValue> values;                      // std::int64_t, double or std::string
};
// kInternal "store.corrupt" for a row that is not in the canonical form.
Result<DecodedRow> DecodeRow(std::string_view row);

// Receives the values of an encoded row in column order: DecodeRow without copies, for loops
// over many rows. Text values are views into the row.
class RowVisitor {
 public:
  virtual ~RowVisitor() = default;
  virtual void Int(std::int64_t value) = 0;
  virtual void Real(double value) = 0;
  virtual void Text(std::string_view value) = 0;
};
// Hands the row's values to `visitor` and returns its table; errors as DecodeRow.
Result<IndexTable> VisitRow(std::string_view row, RowVisitor& visitor);

// The index tables by IndexTable order ("idx_token" first), and the value columns of one.
const std::vector<std::string>& IndexTableNames();
const std::vector<std::string>& IndexTableColumns(IndexTable table);

// A key of an encoded row for resource `rid` whose byte order is the order of the row's primary
// key in the SQLite tables: the value columns with rid after the leading ones, where the table
// puts it ((param, code, rid, sys) for idx_token, (param, rid, low, high) for idx_date, ...).
// Inserts sorted by it append to neighbouring b-tree pages.
std::string OrderKey(std::string_view row, std::int64_t rid);
// The same, appended to `key` (no allocation of its own).
void AppendOrderKey(std::string& key, std::string_view row, std::int64_t rid);

}  // namespace chartroom::store::common
