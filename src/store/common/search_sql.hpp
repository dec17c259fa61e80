// Translates the parts of a fhir::search::SearchQuery into SQL over the stores' index tables
// (docs/storage.md, "Search"), for SQLite and PostgreSQL alike: the few differences go through
// Dialect. Every value reaches the database as a bound parameter (`?`; the PostgreSQL backend
// numbers them); the SQL text is built only from fixed fragments and placeholder lists.
//
// Each criterion compiles to two forms over the same index rows:
//   * a source, "SELECT rid FROM ..." listing the resources that match, which can drive the
//     query (the executor picks the smallest source as the driver);
//   * a probe, a boolean expression over the outer row `r` of `resources`, which checks one
//     candidate with a keyed lookup (the index tables lead with (param, key, rid) or
//     (param, rid)).
// Chains and _has become nested sources joined through idx_reference and resources.ref_hash.
//
// Thread safety: a QueryCompiler is used by one thread for one query.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "fhir/search/query.hpp"
#include "store/common/bind_value.hpp"
#include "store/common/dialect.hpp"
#include "store/common/registry.hpp"

namespace chartroom::store::common {

// SQL text with its bound values, in placeholder order.
struct Sql {
  std::string text;
  std::vector<BindValue> binds;

  Sql& operator+=(std::string_view fragment) {
    text += fragment;
    return *this;
  }
  // Appends a placeholder bound to `value`.
  Sql& Bind(BindValue value) {
    text += '?';
    binds.push_back(std::move(value));
    return *this;
  }
  Sql& Append(const Sql& other) {
    text += other.text;
    binds.insert(binds.end(), other.binds.begin(), other.binds.end());
    return *this;
  }
  // "(?, ?, ...)" bound to `values`.
  Sql& List(const std::vector<std::int64_t>& values);
};

struct CompiledCriterion {
  std::optional<Sql> source;  // absent when the criterion cannot list its matches cheaply
  bool ordered = false;       // the source yields rids in ascending order
  // How selective the source usually is, most first: 0 _id, 1 an equality (token, reference,
  // composite, uri), 2 a prefix, 3 a chain or _has, 4 a range, 5 a scan of the parameter's rows.
  int rank = 3;
  Sql probe;  // over the outer alias `r`
};

struct CompiledSortKey {
  Sql expression;  // over `r`; NULL when the resource has no value
  bool descending = false;
};

class QueryCompiler {
 public:
  QueryCompiler(const Registry& registry, core::Timestamp now,
                const Dialect& dialect = Dialect::Sqlite())
      : registry_(registry), now_(now), dialect_(dialect) {}

  // `type` is the query's resource type, "" for a system-wide search. Probes read the outer
  // row's id from `rid` ("r.rid", or the driver's "d.rid" so that they run before the resources
  // row is read) and its other columns from `r`.
  Result<CompiledCriterion> Compile(std::string_view type, const fhir::search::Criterion& criterion,
                                    std::string_view rid = "r.rid");
  Result<CompiledSortKey> CompileSort(std::string_view type, const fhir::search::SortKey& key);

  // Limits a system-wide search to these types (_type); all types when empty.
  void SetSystemTypes(std::vector<std::string> types) { system_types_ = std::move(types); }
  // The query's criteria (ANDed), which Compile is then given one by one. Criteria on one date
  // parameter that has at most one value per resource (fhir::search::SingleValued) must then
  // all hold on that one index row, so the source of each also seeks within the others'
  // bounds: Encounter?date=ge2020-03-01&date=lt2020-03-08 reads one week of rows.
  void SetCriteria(const std::vector<fhir::search::Criterion>* criteria) { criteria_ = criteria; }

  // Registered ids of parameter `code` on `type` (every type, or the _type ones, when `type` is
  // empty).
  std::vector<std::int64_t> ParamIds(std::string_view type, std::string_view code) const;
  // The type ids a type-restricted query filters on: one for a type, none for system search.
  std::vector<std::int64_t> TypeIds(std::string_view type) const;

 private:
  struct Predicates;
  Result<Predicates> ValuePredicates(std::string_view type, const fhir::search::Criterion& c,
                                     std::string_view alias, bool probe);
  // Rids of `type` matching `c` from has link `has_index` and chain link `chain_index` on.
  Result<Sql> NestedSource(std::string_view type, const fhir::search::Criterion& c,
                           std::size_t has_index, std::size_t chain_index);
  // Final-parameter forms (no links left).
  Result<CompiledCriterion> CompileFinal(std::string_view type, const fhir::search::Criterion& c,
                                         std::string_view alias);
  std::string NextAlias();
  // A criterion on a parameter's own values: no chain, _has or modifier.
  static bool Plain(const fhir::search::Criterion& c);

  const Registry& registry_;
  core::Timestamp now_;
  const Dialect& dialect_;
  int alias_counter_ = 0;
  std::string rid_ = "r.rid";  // the outer rid of the top-level probe being compiled
  std::vector<std::string> system_types_;
  const std::vector<fhir::search::Criterion>* criteria_ = nullptr;
};

// idx_date rows by the length of their range (the generated column `span` of migration 0004):
// class k < 3 holds the rows with high - low <= kDateSpanBounds[k] (and above the bound before),
// class 3 the longer and open ones. A range no longer than L that ends at or after X starts at or
// after X - L, which turns a bound on high into a seekable bound on low.
inline constexpr std::int64_t kDateSpanBounds[3] = {
    86'400'000'000LL,      // a day, in microseconds
    2'764'800'000'000LL,   // 32 days
    31'622'400'000'000LL,  // 366 days
};

// The smallest string greater than every string that starts with `prefix` (for range scans);
// nullopt when there is none (prefix of 0xFF bytes).
std::optional<std::string> PrefixUpperBound(std::string_view prefix);

}  // namespace chartroom::store::common
