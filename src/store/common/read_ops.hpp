// The read side of the record stores, shared by both backends: read, vread, search (with
// paging, _total and includes), history, Patient/$everything and the export stream, as function
// templates over a backend's connection type `Db`, so that the same code serves a reader pool and
// the writer's open transaction (Transaction::Read/Search see its writes).
//
// `Db` offers Prepare(sql) -> Result<statement> with the statement interface of
// sqlite::Connection (Bind, BindAll, Step, Run, Reset, IsNull, Int, Real, Text, BlobView, Value),
// and CompartmentsOf(db) (found by argument-dependent lookup) returns its CompartmentTable. SQL
// differences go through ctx.dialect.
//
// Thread safety: each function uses only the connection it is given; StoreContext members are
// immutable or thread-safe (Registry, Keyring::ForRead, Clock).

#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result_macros.hpp"
#include "store/common/dialect.hpp"
#include "store/common/hash.hpp"
#include "store/common/index_rows.hpp"
#include "store/common/keyring.hpp"
#include "store/common/page_token.hpp"
#include "store/common/registry.hpp"
#include "store/common/search_sql.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store::common {
namespace fs = fhir::search;

// The bounds of reads, from the backend's options.
struct ReadLimits {
  std::uint32_t default_page_size = 50;
  std::uint32_t max_page_size = 1000;
  std::size_t max_included = 1000;
  int max_include_iterations = 4;
};

struct StoreContext {
  const ReadLimits& options;
  core::Clock& clock;
  const Registry& registry;
  Keyring& keyring;
  const Dialect& dialect;
};

// Method codes in resources.method and versions.method.
std::int64_t MethodCode(WriteMethod method);
WriteMethod MethodFromCode(std::int64_t code);

inline core::Timestamp FromMicros(std::int64_t micros) {
  return core::Timestamp(std::chrono::microseconds(micros));
}
inline std::int64_t ToMicros(core::Timestamp t) { return t.time_since_epoch().count(); }

// The associated data a version's content is sealed with.
std::string ContentAad(std::string_view type, std::string_view id, std::int64_t version);

// The resources row of type/id.
struct CurrentRow {
  std::int64_t rid = 0;
  std::int64_t type_id = 0;
  std::int64_t version = 0;
  WriteMethod method = WriteMethod::kCreate;
  bool deleted = false;
  std::int64_t last_updated = 0;
  std::int64_t cid = 0;
  std::optional<std::int64_t> content_id;
  std::string index_keys;  // only when asked for
};

inline constexpr std::string_view kFindCurrentSqlite =
    "SELECT rid, version, method, deleted, last_updated, cid, content_id FROM resources INDEXED "
    "BY resources_by_ref WHERE ref_hash = ? AND type_id = ? AND id = ?";
inline constexpr std::string_view kFindCurrentKeysSqlite =
    "SELECT r.rid, r.version, r.method, r.deleted, r.last_updated, r.cid, r.content_id, k.keys "
    "FROM resources AS r INDEXED BY resources_by_ref LEFT JOIN index_keys AS k ON k.rid = r.rid "
    "WHERE r.ref_hash = ? AND r.type_id = ? AND r.id = ?";
inline constexpr std::string_view kFindCurrentPg =
    "SELECT rid, version, method, deleted, last_updated, cid, content_id FROM resources WHERE "
    "ref_hash = ? AND type_id = ? AND id = ?";
inline constexpr std::string_view kFindCurrentKeysPg =
    "SELECT r.rid, r.version, r.method, r.deleted, r.last_updated, r.cid, r.content_id, k.keys "
    "FROM resources AS r LEFT JOIN index_keys AS k ON k.cid = r.cid AND k.rid = r.rid WHERE "
    "r.ref_hash = ? AND r.type_id = ? AND r.id = ?";

// The resources row of type/id; with `with_index_keys`, also its index_keys blob.
template <typename Db>
Result<std::optional<CurrentRow>> FindCurrent(Db& db, const Registry& registry,
                                              std::string_view type, std::string_view id,
                                              bool with_index_keys,
                                              const Dialect& dialect = Dialect::Sqlite()) {
  auto type_id = registry.TypeId(type);
  if (!type_id) return std::optional<CurrentRow>();
  CHARTROOM_ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare(!with_index_keys   ? (dialect.postgres ? kFindCurrentPg : kFindCurrentSqlite)
                 : dialect.postgres ? kFindCurrentKeysPg
                                    : kFindCurrentKeysSqlite));
  stmt.Bind(1, ReferenceTarget(type, id)).Bind(2, *type_id).Bind(3, id);
  CHARTROOM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<CurrentRow>();
  CurrentRow row;
  row.rid = stmt.Int(0);
  row.type_id = *type_id;
  row.version = stmt.Int(1);
  row.method = MethodFromCode(stmt.Int(2));
  row.deleted = stmt.Int(3) != 0;
  row.last_updated = stmt.Int(4);
  row.cid = stmt.Int(5);
  if (!stmt.IsNull(6)) row.content_id = stmt.Int(6);
  if (with_index_keys && !stmt.IsNull(7)) row.index_keys = std::string(stmt.BlobView(7));
  return std::optional<CurrentRow>(std::move(row));
}

template <typename Db>
Result<std::string> OpenContent(StoreContext& ctx, Db& db, bool writer, std::int64_t cid,
                                std::int64_t content_id, std::string_view type, std::string_view id,
                                std::int64_t version) {
  auto compartments = CompartmentsOf(db);
  CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey key, ctx.keyring.ForRead(compartments, cid, writer));
  // PostgreSQL keys contents by (cid, content_id), SQLite by content_id alone.
  CHARTROOM_ASSIGN_OR_RETURN(
      auto stmt, db.Prepare(ctx.dialect.postgres
                                ? "SELECT sealed FROM contents WHERE cid = ? AND content_id = ?"
                                : "SELECT sealed FROM contents WHERE content_id = ?"));
  if (ctx.dialect.postgres) {
    stmt.Bind(1, cid).Bind(2, content_id);
  } else {
    stmt.Bind(1, content_id);
  }
  CHARTROOM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) {
    return Fail(ErrorCategory::kInternal, "store.corrupt",
                std::string(type) + "/" + std::string(id) + " has lost its content");
  }
  auto opened = crypto::Open(key, stmt.BlobView(0), ContentAad(type, id, version));
  if (!opened) {
    return Fail(ErrorCategory::kInternal, "store.corrupt",
                "the stored content of " + std::string(type) + "/" + std::string(id) + " version " +
                    std::to_string(version) + " fails its authenticity check");
  }
  return std::move(*opened);
}

template <typename Db>
Result<ResourceVersion> ReadCurrent(StoreContext& ctx, Db& db, bool writer, std::string_view type,
                                    std::string_view id) {
  CHARTROOM_ASSIGN_OR_RETURN(auto row, FindCurrent(db, ctx.registry, type, id, false, ctx.dialect));
  if (!row) {
    return Fail(ErrorCategory::kNotFound, "store.not-found",
                std::string(type) + "/" + std::string(id) + " does not exist");
  }
  if (row->deleted) {
    return Fail(ErrorCategory::kGone, "store.deleted",
                std::string(type) + "/" + std::string(id) + " is deleted");
  }
  ResourceVersion v{std::string(type), std::string(id),
                    row->version,      FromMicros(row->last_updated),
                    row->method,       {}};
  CHARTROOM_ASSIGN_OR_RETURN(
      v.json, OpenContent(ctx, db, writer, row->cid, *row->content_id, type, id, row->version));
  return v;
}

template <typename Db>
Result<ResourceVersion> ReadVersionOf(StoreContext& ctx, Db& db, bool writer, std::string_view type,
                                      std::string_view id, std::int64_t version) {
  CHARTROOM_ASSIGN_OR_RETURN(auto row, FindCurrent(db, ctx.registry, type, id, false, ctx.dialect));
  if (!row) {
    return Fail(ErrorCategory::kNotFound, "store.not-found",
                std::string(type) + "/" + std::string(id) + " does not exist");
  }
  CHARTROOM_ASSIGN_OR_RETURN(
      auto stmt, db.Prepare("SELECT last_updated, method, cid, content_id FROM versions WHERE "
                            "rid = ? AND version = ?"));
  stmt.Bind(1, row->rid).Bind(2, version);
  CHARTROOM_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) {
    return Fail(
        ErrorCategory::kNotFound, "store.version-not-found",
        std::string(type) + "/" + std::string(id) + " has no version " + std::to_string(version));
  }
  ResourceVersion v{std::string(type),
                    std::string(id),
                    version,
                    FromMicros(stmt.Int(0)),
                    MethodFromCode(stmt.Int(1)),
                    {}};
  std::int64_t cid = stmt.Int(2);
  bool has_content = !stmt.IsNull(3);
  std::int64_t content_id = stmt.Int(3);
  stmt.Reset();
  if (has_content) {
    CHARTROOM_ASSIGN_OR_RETURN(v.json,
                               OpenContent(ctx, db, writer, cid, content_id, type, id, version));
  }
  return v;
}

// A resources row as selected by the queries below: rid, type_id, id, version, method,
// last_updated, cid, content_id.
constexpr std::string_view kRowColumns =
    "r.rid, r.type_id, r.id, r.version, r.method, r.last_updated, r.cid, r.content_id";
constexpr int kRowColumnCount = 8;

struct Row {
  std::int64_t rid = 0;
  std::int64_t type_id = 0;
  std::string id;
  std::int64_t version = 0;
  WriteMethod method = WriteMethod::kCreate;
  std::int64_t last_updated = 0;
  std::int64_t cid = 0;
  std::optional<std::int64_t> content_id;
  std::vector<BindValue> keys;  // sort keys, for page cursors
};

template <typename Statement>
Row ReadRow(const Statement& stmt, int key_count = 0) {
  Row row;
  row.rid = stmt.Int(0);
  row.type_id = stmt.Int(1);
  row.id = std::string(stmt.Text(2));
  row.version = stmt.Int(3);
  row.method = MethodFromCode(stmt.Int(4));
  row.last_updated = stmt.Int(5);
  row.cid = stmt.Int(6);
  if (!stmt.IsNull(7)) row.content_id = stmt.Int(7);
  for (int i = 0; i < key_count; ++i) row.keys.push_back(stmt.Value(kRowColumnCount + i));
  return row;
}

template <typename Db>
Result<ResourceVersion> Load(StoreContext& ctx, Db& db, bool writer, const Row& row) {
  ResourceVersion v{std::string(ctx.registry.TypeName(row.type_id)),
                    row.id,
                    row.version,
                    FromMicros(row.last_updated),
                    row.method,
                    {}};
  if (row.content_id) {
    CHARTROOM_ASSIGN_OR_RETURN(
        v.json, OpenContent(ctx, db, writer, row.cid, *row.content_id, v.type, v.id, v.version));
  }
  return v;
}

template <typename Db>
Result<std::vector<Row>> Collect(Db& db, const Sql& sql) {
  CHARTROOM_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql.text));
  stmt.BindAll(sql.binds);
  std::vector<Row> rows;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(bool more, stmt.Step());
    if (!more) break;
    rows.push_back(ReadRow(stmt));
  }
  return rows;
}

// Rows a source yields, counted up to `cap`: a cheap selectivity estimate.
template <typename Db>
Result<std::int64_t> Estimate(Db& db, const Sql& source, std::int64_t cap) {
  Sql sql;
  sql += "SELECT count(*) FROM (";
  sql.Append(source);
  sql += " LIMIT ";
  sql.Bind(cap);
  sql += ") AS e";
  CHARTROOM_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql.text));
  stmt.BindAll(sql.binds);
  CHARTROOM_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

// The keyset condition "strictly after the cursor" in the page's order. Each key orders by
// (value IS NULL, value) with missing values last going forward; a backward page reverses every
// key and the row id (https://use-the-index-luke.com/no-offset).
inline Sql AfterCursor(const std::vector<CompiledSortKey>& keys, const PageCursor& cursor,
                       const Dialect& dialect) {
  bool backward = cursor.backward;
  Sql expr;
  expr += backward ? "m.rid < " : "m.rid > ";
  expr.Bind(cursor.rid);
  for (std::size_t n = keys.size(); n-- > 0;) {
    std::string k = "m.k" + std::to_string(n);
    bool desc = keys[n].descending != backward;
    bool nulls_last = !backward;
    const BindValue& c = cursor.keys[n];
    Sql after;
    if (std::holds_alternative<std::nullptr_t>(c)) {
      after += nulls_last ? std::string(dialect.False()) : k + " IS NOT NULL";
    } else {
      after += "(" + k + (nulls_last ? " IS NULL OR " : " IS NOT NULL AND ") + k +
               (desc ? " < " : " > ");
      after.Bind(c);
      after += ")";
    }
    Sql combined;
    combined += "(";
    combined.Append(after);
    combined += " OR (" + k;
    combined += dialect.IsSame();
    combined.Bind(c);
    combined += " AND ";
    combined.Append(expr);
    combined += "))";
    expr = std::move(combined);
  }
  return expr;
}

inline std::string OrderBy(const std::vector<CompiledSortKey>& keys, bool backward) {
  std::string order = " ORDER BY ";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string k = "m.k" + std::to_string(i);
    bool desc = keys[i].descending != backward;
    order += k + (desc ? " DESC" : " ASC") + (backward ? " NULLS FIRST, " : " NULLS LAST, ");
  }
  order += backward ? "m.rid DESC" : "m.rid ASC";
  return order;
}

struct Included {
  std::int64_t rid;
  std::string type;
  std::string id;
};

// _include / _revinclude (search.html#include), :iterate repeated on what the previous round
// added, within options.max_included and max_include_iterations.
template <typename Db>
Result<std::vector<Row>> RunIncludes(StoreContext& ctx, QueryCompiler& compiler, Db& db,
                                     const fs::SearchQuery& query,
                                     const std::vector<Row>& matches) {
  std::vector<Row> added;
  if (query.includes.empty() || matches.empty()) return added;
  std::unordered_set<std::int64_t> seen;
  std::vector<Included> frontier;
  for (const Row& m : matches) {
    seen.insert(m.rid);
    frontier.push_back({m.rid, std::string(ctx.registry.TypeName(m.type_id)), m.id});
  }
  for (int round = 0; round < ctx.options.max_include_iterations && !frontier.empty(); ++round) {
    std::vector<Included> next;
    for (const fs::Include& inc : query.includes) {
      if (round > 0 && !inc.iterate) continue;
      if (added.size() >= ctx.options.max_included) break;
      Sql sql;
      sql += "SELECT ";
      sql += kRowColumns;
      if (!inc.reverse) {
        // The resources that the frontier's `param` references point to.
        std::vector<std::int64_t> params, rids;
        for (const Included& f : frontier) {
          if (inc.source_type != "*" && f.type != inc.source_type) continue;
          rids.push_back(f.rid);
          if (inc.param != nullptr) {
            if (auto id = ctx.registry.ParamId(f.type, inc.param)) params.push_back(*id);
          } else {
            for (const ParamEntry& e : ctx.registry.ParamsOf(f.type)) {
              if (e.info->type == fhir::SearchParamType::kReference) params.push_back(e.id);
            }
          }
        }
        std::sort(params.begin(), params.end());
        params.erase(std::unique(params.begin(), params.end()), params.end());
        if (rids.empty() || params.empty()) continue;
        sql += " FROM idx_reference AS f";
        sql += ctx.dialect.FixedJoin();
        sql += "resources AS r" + ctx.dialect.IndexedBy("resources_by_ref") +
               " ON r.ref_hash = f.target WHERE ";
        sql += params.size() == 1 ? "f.param = " : "f.param IN ";
        if (params.size() == 1) {
          sql.Bind(params[0]);
        } else {
          sql.List(params);
        }
        sql += " AND f.rid IN ";
        sql.List(rids);
        sql += " AND r.deleted = 0";
        if (!inc.target_type.empty()) {
          auto target = ctx.registry.TypeId(inc.target_type);
          if (!target) continue;
          sql += " AND r.type_id = ";
          sql.Bind(*target);
        }
      } else {
        // The resources of source_type whose `param` points at the frontier.
        std::vector<std::int64_t> params =
            inc.param != nullptr ? compiler.ParamIds(inc.source_type, inc.param->code())
                                 : std::vector<std::int64_t>{};
        if (inc.param == nullptr) {
          for (const ParamEntry& e : ctx.registry.ParamsOf(inc.source_type)) {
            if (e.info->type == fhir::SearchParamType::kReference) params.push_back(e.id);
          }
        }
        if (params.empty()) continue;
        std::vector<std::int64_t> targets;
        for (const Included& f : frontier) targets.push_back(ReferenceTarget(f.type, f.id));
        sql += " FROM idx_reference AS f";
        sql += ctx.dialect.FixedJoin();
        sql += "resources AS r ON r.rid = f.rid WHERE ";
        sql += "f.param IN ";
        sql.List(params);
        sql += " AND f.target IN ";
        sql.List(targets);
        sql += " AND r.deleted = 0";
      }
      CHARTROOM_ASSIGN_OR_RETURN(std::vector<Row> rows, Collect(db, sql));
      for (Row& row : rows) {
        if (added.size() >= ctx.options.max_included) break;
        if (!seen.insert(row.rid).second) continue;
        next.push_back({row.rid, std::string(ctx.registry.TypeName(row.type_id)), row.id});
        added.push_back(std::move(row));
      }
    }
    frontier = std::move(next);
  }
  return added;
}

template <typename Db>
Result<SearchPage> RunSearch(StoreContext& ctx, Db& db, bool writer, const fs::SearchQuery& query,
                             std::vector<std::string>* explain = nullptr) {
  std::optional<std::int64_t> type_id;
  if (!query.type.empty()) {
    type_id = ctx.registry.TypeId(query.type);
    if (!type_id) {
      return Fail(ErrorCategory::kInvalid, "store.bad-type",
                  "there is no resource type " + query.type);
    }
  }
  // _type of a system search.
  std::vector<std::int64_t> system_type_ids;
  if (query.type.empty()) {
    for (const std::string& t : query.types) {
      auto id = ctx.registry.TypeId(t);
      if (!id) {
        return Fail(ErrorCategory::kInvalid, "store.bad-type", "there is no resource type " + t);
      }
      system_type_ids.push_back(*id);
    }
  }
  std::uint32_t count =
      std::min(query.count.value_or(ctx.options.default_page_size), ctx.options.max_page_size);
  if (query.summary == fs::SummaryMode::kCount) count = 0;

  QueryCompiler compiler(ctx.registry, ctx.clock.Now(), ctx.dialect);
  if (query.type.empty()) compiler.SetSystemTypes(query.types);
  compiler.SetCriteria(&query.criteria);
  std::vector<CompiledCriterion> criteria;
  for (const fs::Criterion& c : query.criteria) {
    CHARTROOM_ASSIGN_OR_RETURN(CompiledCriterion compiled, compiler.Compile(query.type, c));
    criteria.push_back(std::move(compiled));
  }
  std::vector<CompiledSortKey> keys;
  for (const fs::SortKey& k : query.sort) {
    CHARTROOM_ASSIGN_OR_RETURN(CompiledSortKey key, compiler.CompileSort(query.type, k));
    keys.push_back(std::move(key));
  }
  std::uint64_t fingerprint = QueryFingerprint(query);
  std::optional<PageCursor> cursor;
  if (query.page_token) {
    CHARTROOM_ASSIGN_OR_RETURN(cursor, DecodeCursor(*query.page_token));
    if (cursor->fingerprint != fingerprint || cursor->keys.size() != keys.size()) {
      return Fail(ErrorCategory::kInvalid, "store.bad-page-token",
                  "the page token is not valid for this query");
    }
  }

  // The driver: the criterion whose source lists the fewest resources. Sources are counted in
  // the order of their usual selectivity, each only up to the best count so far, so that the
  // counting stays cheaper than the query (a patient's few rows cap a common code's many).
  int driver = -1;
  std::vector<std::size_t> candidates;
  for (std::size_t i = 0; i < criteria.size(); ++i) {
    if (criteria[i].source) candidates.push_back(i);
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
    return criteria[a].rank < criteria[b].rank;
  });
  if (candidates.size() == 1) {
    driver = static_cast<int>(candidates[0]);
  } else if (!candidates.empty()) {
    std::int64_t best = 1000;
    for (std::size_t i : candidates) {
      CHARTROOM_ASSIGN_OR_RETURN(std::int64_t rows, Estimate(db, *criteria[i].source, best + 1));
      if (driver < 0 || rows < best) {
        best = std::min(best, rows);
        driver = static_cast<int>(i);
      }
      if (best == 0) break;
    }
  }
  // With a driver, the other criteria probe the driver's rid, before the row is read.
  if (driver >= 0) {
    for (std::size_t i = 0; i < criteria.size(); ++i) {
      if (static_cast<int>(i) == driver) continue;
      CHARTROOM_ASSIGN_OR_RETURN(criteria[i],
                                 compiler.Compile(query.type, query.criteria[i], "d.rid"));
    }
  }

  // FROM ... WHERE ..., with an optional lower bound on the driver's row ids.
  bool default_order = keys.empty();
  auto from_where = [&](const std::optional<PageCursor>& rid_bound) {
    Sql s;
    if (driver >= 0) {
      const CompiledCriterion& d = criteria[static_cast<std::size_t>(driver)];
      // PostgreSQL reads the page with a LIMIT, so its driver lists each rid once; SQLite
      // streams the rows and skips repeats as it reads.
      s += ctx.dialect.postgres ? " FROM (SELECT DISTINCT rid FROM (" : " FROM (SELECT rid FROM (";
      s.Append(*d.source);
      s += ") AS s";
      if (rid_bound) {
        s += rid_bound->backward ? " WHERE rid < " : " WHERE rid > ";
        s.Bind(rid_bound->rid);
      }
      // A source in rid order is flattened into the query, which then streams in that order
      // and stops after a page. Any other is kept apart (LIMIT keeps SQLite from flattening
      // it): flattened, the planner would walk the parameter's rows in rid order to spare the
      // sort instead of seeking the values.
      if (!d.ordered) s += ctx.dialect.NoFlatten();
      s += ") AS d";
      s += ctx.dialect.FixedJoin();
      s += "resources AS r ON r.rid = d.rid WHERE r.deleted = 0";
    } else if (type_id) {
      s += " FROM resources AS r" + ctx.dialect.IndexedBy("resources_by_type") +
           " WHERE r.deleted = 0";
    } else {
      s += " FROM resources AS r WHERE r.deleted = 0";
    }
    if (type_id) {
      s += " AND r.type_id = ";
      s.Bind(*type_id);
    } else if (!system_type_ids.empty()) {
      s += " AND r.type_id IN ";
      s.List(system_type_ids);
    }
    for (std::size_t i = 0; i < criteria.size(); ++i) {
      if (static_cast<int>(i) == driver) continue;
      s += " AND ";
      s.Append(criteria[i].probe);
    }
    return s;
  };

  SearchPage page;
  std::vector<Row> rows;
  if (count > 0) {
    Sql inner;
    inner += "SELECT ";
    inner += driver >= 0 ? "d.rid AS rid" : "r.rid AS rid";
    inner += ", r.type_id, r.id, r.version, r.method, r.last_updated, r.cid, r.content_id";
    for (std::size_t i = 0; i < keys.size(); ++i) {
      inner += ", ";
      inner.Append(keys[i].expression);
      inner += " AS k" + std::to_string(i);
    }
    inner.Append(from_where(default_order ? cursor : std::nullopt));
    Sql sql;
    if (keys.empty()) {
      sql += "SELECT * FROM (";
      sql.Append(inner);
      sql += ") AS m";
    } else {
      // Materialized, so that each sort key is computed once per match, not once per use in
      // the ordering and the cursor condition.
      sql += "WITH m AS MATERIALIZED (";
      sql.Append(inner);
      sql += ") SELECT * FROM m";
    }
    bool backward = cursor && cursor->backward;
    if (cursor) {
      sql += " WHERE ";
      sql.Append(AfterCursor(keys, *cursor, ctx.dialect));
    }
    sql += OrderBy(keys, backward);
    if (ctx.dialect.postgres) {
      // Rows are unique per rid here (see from_where); one more than a page tells of a next.
      sql += " LIMIT ";
      sql.Bind(static_cast<std::int64_t>(count) + 1);
    }

    if (explain != nullptr) {
      // The plan of the page query, for tests and operators (EXPLAIN QUERY PLAN's detail column).
      Sql plan;
      plan += ctx.dialect.postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ";
      plan.Append(sql);
      CHARTROOM_ASSIGN_OR_RETURN(auto stmt, db.Prepare(plan.text));
      stmt.BindAll(plan.binds);
      for (;;) {
        CHARTROOM_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
        if (!has_row) break;
        explain->emplace_back(stmt.Text(ctx.dialect.postgres ? 0 : 3));
      }
      return page;
    }

    CHARTROOM_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql.text));
    stmt.BindAll(sql.binds);
    bool more = false;
    std::int64_t last_rid = 0;
    bool first = true;
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) break;
      std::int64_t rid = stmt.Int(0);
      if (!first && rid == last_rid) continue;  // one resource matched through several rows
      first = false;
      last_rid = rid;
      if (rows.size() == count) {
        more = true;
        break;
      }
      rows.push_back(ReadRow(stmt, static_cast<int>(keys.size())));
    }
    stmt.Reset();
    if (backward) std::reverse(rows.begin(), rows.end());

    auto token = [&](const Row& row, bool back) {
      return EncodeCursor(PageCursor{back, fingerprint, row.keys, row.rid});
    };
    if (!rows.empty()) {
      if (!backward) {
        if (more) page.next_page = token(rows.back(), false);
        if (cursor) page.previous_page = token(rows.front(), true);
      } else {
        if (more) page.previous_page = token(rows.front(), true);
        page.next_page = token(rows.back(), false);
      }
    }
    for (const Row& row : rows) {
      CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion v, Load(ctx, db, writer, row));
      page.matches.push_back(std::move(v));
    }
  }

  if (query.total != fs::TotalMode::kNone || query.summary == fs::SummaryMode::kCount) {
    Sql sql;
    sql += "SELECT count(*) FROM (SELECT DISTINCT r.rid";
    sql.Append(from_where(std::nullopt));
    sql += ") AS t";
    CHARTROOM_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql.text));
    stmt.BindAll(sql.binds);
    CHARTROOM_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    page.total = has_row ? stmt.Int(0) : 0;
  }

  CHARTROOM_ASSIGN_OR_RETURN(std::vector<Row> included,
                             RunIncludes(ctx, compiler, db, query, rows));
  for (const Row& row : included) {
    CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion v, Load(ctx, db, writer, row));
    page.included.push_back(std::move(v));
  }
  return page;
}

template <typename Db>
Result<HistoryPage> RunHistory(StoreContext& ctx, Db& db, const HistoryQuery& query) {
  std::uint32_t count = std::min(query.count, ctx.options.max_page_size);
  std::uint64_t fingerprint = HistoryFingerprint(query);
  std::optional<std::int64_t> before;
  if (query.page_token) {
    CHARTROOM_ASSIGN_OR_RETURN(PageCursor cursor, DecodeCursor(*query.page_token));
    if (cursor.fingerprint != fingerprint || cursor.keys.size() != 1 ||
        !std::holds_alternative<std::int64_t>(cursor.keys[0]) || cursor.backward) {
      return Fail(ErrorCategory::kInvalid, "store.bad-page-token",
                  "the page token is not valid for this history");
    }
    before = std::get<std::int64_t>(cursor.keys[0]);
  }

  Sql from;  // FROM ... WHERE ... over versions v
  if (!query.id.empty()) {
    if (query.type.empty()) {
      return Fail(ErrorCategory::kInvalid, "store.bad-query", "instance history needs a type");
    }
    CHARTROOM_ASSIGN_OR_RETURN(
        auto row, FindCurrent(db, ctx.registry, query.type, query.id, false, ctx.dialect));
    if (!row) {
      return Fail(ErrorCategory::kNotFound, "store.not-found",
                  query.type + "/" + query.id + " does not exist");
    }
    from += " FROM versions AS v WHERE v.rid = ";
    from.Bind(row->rid);
  } else if (!query.type.empty()) {
    auto type_id = ctx.registry.TypeId(query.type);
    if (!type_id) {
      return Fail(ErrorCategory::kInvalid, "store.bad-type",
                  "there is no resource type " + query.type);
    }
    from += " FROM versions AS v" + ctx.dialect.IndexedBy("versions_by_type_time") +
            " WHERE v.type_id = ";
    from.Bind(*type_id);
  } else {
    from += " FROM versions AS v" + ctx.dialect.IndexedBy("versions_by_time") + " WHERE ";
    from += ctx.dialect.True();
  }
  if (query.since) {
    from += " AND v.last_updated >= ";
    from.Bind(ToMicros(*query.since));
  }

  HistoryPage page;
  {
    Sql sql;
    sql += "SELECT count(*)";
    sql.Append(from);
    CHARTROOM_ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql.text));
    stmt.BindAll(sql.binds);
    CHARTROOM_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    page.total = has_row ? stmt.Int(0) : 0;
  }
  if (count == 0) return page;

  Sql sql;
  sql += "SELECT v.rid, r.type_id, r.id, v.version, v.method, v.last_updated, v.cid, v.content_id";
  Sql joined = from;
  joined.text.insert(joined.text.find(" WHERE "),
                     std::string(ctx.dialect.FixedJoin()) + "resources AS r ON r.rid = v.rid");
  sql.Append(joined);
  if (before) {
    sql += " AND v.last_updated < ";
    sql.Bind(*before);
  }
  sql += " ORDER BY v.last_updated DESC LIMIT ";
  sql.Bind(static_cast<std::int64_t>(count) + 1);
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<Row> rows, Collect(db, sql));
  bool more = rows.size() > count;
  if (more) rows.resize(count);
  for (const Row& row : rows) {
    CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion v, Load(ctx, db, false, row));
    page.versions.push_back(std::move(v));
  }
  if (more) {
    page.next_page =
        EncodeCursor(PageCursor{false, fingerprint, {BindValue(rows.back().last_updated)}, 0});
  }
  return page;
}

template <typename Db>
Result<std::vector<ResourceVersion>> RunEverything(StoreContext& ctx, Db& db,
                                                   std::string_view patient_id,
                                                   const std::vector<std::string>& types,
                                                   std::optional<core::Timestamp> since) {
  CHARTROOM_ASSIGN_OR_RETURN(
      auto patient, FindCurrent(db, ctx.registry, "Patient", patient_id, false, ctx.dialect));
  if (!patient) {
    return Fail(ErrorCategory::kNotFound, "store.not-found",
                "Patient/" + std::string(patient_id) + " does not exist");
  }
  if (patient->deleted) {
    return Fail(ErrorCategory::kGone, "store.deleted",
                "Patient/" + std::string(patient_id) + " is deleted");
  }
  std::vector<std::int64_t> params;
  if (types.empty()) {
    params = ctx.registry.CompartmentParams("");
  } else {
    for (const std::string& t : types) {
      auto ids = ctx.registry.CompartmentParams(t);
      params.insert(params.end(), ids.begin(), ids.end());
    }
  }
  std::vector<ResourceVersion> out;
  bool want_patient =
      types.empty() || std::find(types.begin(), types.end(), "Patient") != types.end();
  if (want_patient && (!since || patient->last_updated >= ToMicros(*since))) {
    CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion v,
                               ReadCurrent(ctx, db, false, "Patient", patient_id));
    out.push_back(std::move(v));
  }
  if (params.empty()) return out;
  Sql sql;
  sql += "SELECT DISTINCT ";
  sql += kRowColumns;
  sql += " FROM idx_reference AS f";
  sql += ctx.dialect.FixedJoin();
  sql += "resources AS r ON r.rid = f.rid WHERE f.param IN ";
  sql.List(params);
  sql += " AND f.target = ";
  sql.Bind(ReferenceTarget("Patient", patient_id));
  sql += " AND r.deleted = 0 AND r.rid <> ";
  sql.Bind(patient->rid);
  if (since) {
    sql += " AND r.last_updated >= ";
    sql.Bind(ToMicros(*since));
  }
  sql += " ORDER BY r.rid";
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<Row> rows, Collect(db, sql));
  for (const Row& row : rows) {
    CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion v, Load(ctx, db, false, row));
    out.push_back(std::move(v));
  }
  return out;
}

template <typename Db>
Status RunForEachCurrent(StoreContext& ctx, Db& db, const std::vector<std::string>& types,
                         std::optional<core::Timestamp> since,
                         const std::function<bool(const ResourceVersion&)>& sink) {
  std::vector<std::optional<std::int64_t>> type_ids;
  if (types.empty()) {
    type_ids.push_back(std::nullopt);
  } else {
    for (const std::string& t : types) {
      auto id = ctx.registry.TypeId(t);
      if (!id) {
        return Fail(ErrorCategory::kInvalid, "store.bad-type", "there is no resource type " + t);
      }
      type_ids.push_back(*id);
    }
  }
  for (const auto& type_id : type_ids) {
    Sql sql;
    sql += "SELECT ";
    sql += kRowColumns;
    sql += type_id ? " FROM resources AS r" + ctx.dialect.IndexedBy("resources_by_type") +
                         " WHERE r.type_id = "
                   : " FROM resources AS r WHERE " + std::string(ctx.dialect.True());
    if (type_id) sql.Bind(*type_id);
    sql += " AND r.deleted = 0";
    if (since) {
      sql += " AND r.last_updated >= ";
      sql.Bind(ToMicros(*since));
    }
    // SQLite streams the rows; libpq would hold the whole result in memory, so PostgreSQL reads
    // it in slices of kExportSlice rows, each after the last rid of the one before.
    constexpr std::int64_t kExportSlice = 1000;
    std::int64_t after = std::numeric_limits<std::int64_t>::min();
    for (;;) {
      Sql slice = sql;
      if (ctx.dialect.postgres) {
        slice += " AND r.rid > ";
        slice.Bind(after);
      }
      slice += " ORDER BY r.rid";
      if (ctx.dialect.postgres) {
        slice += " LIMIT ";
        slice.Bind(kExportSlice);
      }
      CHARTROOM_ASSIGN_OR_RETURN(auto stmt, db.Prepare(slice.text));
      stmt.BindAll(slice.binds);
      std::int64_t rows = 0;
      for (;;) {
        CHARTROOM_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
        if (!has_row) break;
        Row row = ReadRow(stmt);
        ++rows;
        after = row.rid;
        CHARTROOM_ASSIGN_OR_RETURN(ResourceVersion v, Load(ctx, db, false, row));
        if (!sink(v)) return Ok();
      }
      if (!ctx.dialect.postgres || rows < kExportSlice) break;
    }
  }
  return Ok();
}

}  // namespace chartroom::store::common
