// What is particular to the SQLite backend: opening, migrations, the master key, the file's
// permissions, statistics and page tokens. The behaviour every backend shares is tested by the
// contract tests in tests/store/resource_store*_test.cpp.

#include "store/sqlite/sqlite_resource_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <regex>

#include "store/common/search_sql.hpp"
#include "store/sqlite/db.hpp"
#include "store/sqlite/index_rows.hpp"
#include "store/sqlite/migrations/migrations.hpp"
#include "support/backends.hpp"
#include "support/queries.hpp"
#include "support/store_fixture.hpp"

namespace chartroom::store {
namespace {

namespace fs = fhir::search;

class SqliteResourceStoreTest : public ::testing::Test {
 protected:
  SqliteResourceStore::Options Options() {
    SqliteResourceStore::Options options;
    options.path = dir_.path() / "db" / "chartroom.db";
    options.index = test::RealIndex();
    options.reader_connections = 2;
    return options;
  }
  Result<std::unique_ptr<SqliteResourceStore>> Open(const crypto::SecretKey& key) {
    return SqliteResourceStore::Open(Options(), clock_, random_, key);
  }
  Status Put(SqliteResourceStore& store, std::string_view json) {
    return store.InTransaction([&](Transaction& tx) -> Status {
      auto written = tx.Update(test::Json(json), std::nullopt);
      if (!written) return tl::unexpected(written.error());
      return Ok();
    });
  }
  // The one integer `sql` selects, read on a connection of its own.
  std::int64_t Count(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_stmt* stmt = nullptr;
    std::int64_t n = -1;
    if (sqlite3_open(Options().path.c_str(), &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }
  // The ids of the Patients whose family name starts with `family`.
  std::vector<std::string> Family(SqliteResourceStore& store, std::string_view family) {
    auto page = store.Search(
        test::Search("Patient", {test::Param("Patient", "family", {test::Str(family)})}));
    EXPECT_TRUE(page.has_value()) << page.error().message();
    std::vector<std::string> ids;
    if (page) {
      for (const ResourceVersion& v : page->matches) ids.push_back(v.id);
    }
    return ids;
  }
  static std::string Patient(std::string_view id, std::string_view family) {
    return R"({"resourceType":"Patient","id":")" + std::string(id) + R"(","name":[{"family":")" +
           std::string(family) + R"("}]})";
  }
  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(Options().path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  test::TempDir dir_;
  core::FixedClock clock_{test::StartTime()};
  core::SeededRandom random_{7};
  crypto::SecretKey key_ = crypto::SecretKey::Generate(random_);
};

TEST_F(SqliteResourceStoreTest, ReopeningKeepsEveryVersionAndTheTimestampOrder) {
  {
    auto store = Open(key_);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    ASSERT_TRUE(Put(**store, R"({"resourceType":"Patient","id":"p1","gender":"female"})"));
    ASSERT_TRUE(Put(**store, R"({"resourceType":"Patient","id":"p1","gender":"male"})"));
  }
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value()) << store.error().message();
  EXPECT_EQ((*store)->Read("Patient", "p1")->version, 2);
  EXPECT_NE((*store)->ReadVersion("Patient", "p1", 1)->json.find("female"), std::string::npos);
  // The clock still stands at the first write; new versions still follow the old ones.
  ASSERT_TRUE(Put(**store, R"({"resourceType":"Patient","id":"p1","gender":"other"})"));
  auto v3 = (*store)->Read("Patient", "p1");
  EXPECT_GT(v3->last_updated, (*store)->ReadVersion("Patient", "p1", 2)->last_updated);
  EXPECT_EQ((*store)->CheckIntegrity().value(), std::vector<std::string>{});
}

TEST_F(SqliteResourceStoreTest, OpenRefusesADatabaseFromANewerChartroom) {
  { ASSERT_TRUE(Open(key_).has_value()); }
  Exec("INSERT INTO schema_version (version, name, applied_at) VALUES (" +
       std::to_string(SqliteResourceStore::SchemaVersion() + 1) + ", 'future', 0)");
  auto store = Open(key_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().category(), ErrorCategory::kUnsupported);
  EXPECT_EQ(store.error().code(), "store.schema-too-new");
}

TEST_F(SqliteResourceStoreTest, OpenRefusesAnotherMasterKey) {
  { ASSERT_TRUE(Open(key_).has_value()); }
  auto store = Open(crypto::SecretKey::Generate(random_));
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().category(), ErrorCategory::kUnavailable);
  EXPECT_EQ(store.error().code(), "store.key-unwrap");
}

TEST_F(SqliteResourceStoreTest, OpenRefusesUnusableOptions) {
  auto options = Options();
  options.index = nullptr;
  EXPECT_EQ(SqliteResourceStore::Open(options, clock_, random_, key_).error().code(),
            "store.bad-options");
  options = Options();
  options.reader_connections = 0;
  EXPECT_EQ(SqliteResourceStore::Open(options, clock_, random_, key_).error().code(),
            "store.bad-options");
}

TEST_F(SqliteResourceStoreTest, TheDatabaseFileIsPrivateToItsOwner) {
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value());
  struct stat st;
  ASSERT_EQ(::stat(Options().path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SqliteResourceStoreTest, MigrationsAreNumberedFromOneWithoutGaps) {
  auto migrations = sqlite::AllMigrations();
  ASSERT_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<std::int64_t>(i + 1));
    EXPECT_FALSE(migrations[i].sql.empty());
  }
  EXPECT_EQ(SqliteResourceStore::SchemaVersion(), migrations.back().version);
}

TEST_F(SqliteResourceStoreTest, StatsCountTransactionsAndCommits) {
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(Put(**store, R"({"resourceType":"Patient","id":"p1"})"));
  EXPECT_FALSE(Put(**store, R"({"resourceType":"Patient"})"));
  auto stats = (*store)->GetStats();
  EXPECT_EQ(stats.transactions_committed, 1u);
  EXPECT_EQ(stats.transactions_failed, 1u);
  EXPECT_EQ(stats.commits, 1u);
  EXPECT_EQ(stats.largest_group, 1u);
}

// A plan line that reads every row of a parameter (or of a table) instead of seeking a value.
bool ScansAParameter(const std::string& line) {
  static const std::regex scan(R"(^SCAN (t|r|s|f)\b|USING (COVERING )?INDEX \w+ \(param=\?\)$|)"
                               R"(USING PRIMARY KEY \(param=\?\)$)");
  return std::regex_search(line, scan);
}

TEST_F(SqliteResourceStoreTest, TypicalSearchesSeekTheirIndexes) {
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(Put(**store, R"({"resourceType":"Patient","id":"p1","birthDate":"1970",
                               "name":[{"family":"Smith"}]})"));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Put(**store, R"({"resourceType":"Observation","id":"o)" + std::to_string(i) +
                                 R"(","status":"final","code":{"coding":[{"system":
                                 "http://loinc.org","code":"8480-6"}]},"subject":{"reference":
                                 "Patient/p1"},"effectiveDateTime":"2024-01-0)" +
                                 std::to_string(i + 1) + R"(","valueQuantity":{"value":120,
                                 "system":"http://unitsofmeasure.org","code":"mm[Hg]"}})"));
  }
  // Others' observations, so that a patient's few drive the searches below and the rest are
  // probed.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Put(**store, R"({"resourceType":"Observation","id":"x)" + std::to_string(i) +
                                 R"(","status":"final","code":{"coding":[{"system":
                                 "http://loinc.org","code":"8480-6"}]},"subject":{"reference":
                                 "Patient/p2"},"effectiveDateTime":"2024-02-1)" +
                                 std::to_string(i % 10) + R"(","valueQuantity":{"value":150,
                                 "system":"http://unitsofmeasure.org","code":"mm[Hg]"}})"));
  }
  using fs::Prefix;
  std::vector<std::pair<std::string, fs::SearchQuery>> queries;
  queries.emplace_back(
      "name", test::Search("Patient", {test::Param("Patient", "family", {test::Str("smi")})}));
  queries.emplace_back(
      "patient+code+date",
      test::Search("Observation",
                   {test::Param("Observation", "patient", {test::Ref("Patient/p1")}),
                    test::Param("Observation", "code", {test::Tok("http://loinc.org|8480-6")}),
                    test::Param("Observation", "date", {test::Date(Prefix::kGe, "2024-01-02")})}));
  for (Prefix prefix : {Prefix::kGt, Prefix::kLt, Prefix::kGe, Prefix::kSa}) {
    queries.emplace_back(
        "patient+date",
        test::Search("Observation",
                     {test::Param("Observation", "patient", {test::Ref("Patient/p1")}),
                      test::Param("Observation", "date", {test::Date(prefix, "2024-01-02")})}));
    queries.emplace_back(
        "patient+value",
        test::Search(
            "Observation",
            {test::Param("Observation", "patient", {test::Ref("Patient/p1")}),
             test::Param("Observation", "value-quantity",
                         {test::Qty(prefix, "100", "http://unitsofmeasure.org", "mm[Hg]")})}));
  }
  fs::SearchQuery sorted =
      test::Search("Observation", {test::Param("Observation", "patient", {test::Ref("p1")})});
  sorted.sort = {test::SortBy("Observation", "date", true)};
  queries.emplace_back("sorted", sorted);
  for (Prefix prefix : {Prefix::kEq, Prefix::kGe, Prefix::kLe, Prefix::kGt, Prefix::kLt}) {
    queries.emplace_back("birthdate",
                         test::Search("Patient", {test::Param("Patient", "birthdate",
                                                              {test::Date(prefix, "1970")})}));
  }
  queries.emplace_back(
      "code-value-quantity",
      test::Search("Observation",
                   {test::Param("Observation", "code-value-quantity",
                                {test::Composite({test::Tok("8480-6"),
                                                  test::Qty(Prefix::kGt, "100", "", "")})})}));
  for (const auto& [name, query] : queries) {
    auto plan = (*store)->ExplainSearch(query);
    ASSERT_TRUE(plan.has_value()) << name << ": " << plan.error().message();
    ASSERT_FALSE(plan->empty()) << name;
    for (std::size_t i = 0; i < plan->size(); ++i) {
      const std::string& line = (*plan)[i];
      EXPECT_FALSE(ScansAParameter(line)) << name << ": " << line;
      // A probe (a correlated subquery) seeks the candidate's rid.
      if (i > 0 && (*plan)[i - 1].starts_with("CORRELATED SCALAR SUBQUERY")) {
        EXPECT_NE(line.find("rid=?"), std::string::npos) << name << ": " << line;
      }
    }
  }
}

// Two criteria on a date parameter with one value per resource seek between both bounds in
// every class of range length; the generated span column classes ranges as the compiler assumes.
TEST_F(SqliteResourceStoreTest, ADateRangeSeeksBetweenBothBounds) {
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value());
  using fs::Prefix;
  auto plan = (*store)->ExplainSearch(test::Search(
      "Encounter", {test::Param("Encounter", "date", {test::Date(Prefix::kGe, "2020-03-01")}),
                    test::Param("Encounter", "date", {test::Date(Prefix::kLt, "2020-03-08")})}));
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  int bounded = 0;
  for (const std::string& line : *plan) {
    if (line.find("idx_date_by_span (param=? AND span=? AND low>? AND low<?)") !=
        std::string::npos) {
      ++bounded;
    }
  }
  EXPECT_GE(bounded, 3) << ::testing::PrintToString(*plan);
  // Long and open ranges: by their end, in the partial index.
  auto after = (*store)->ExplainSearch(test::Search(
      "Encounter", {test::Param("Encounter", "date", {test::Date(Prefix::kGe, "2020-03-01")})}));
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(std::any_of(after->begin(), after->end(), [](const std::string& line) {
    return line.find("idx_date_long (param=? AND high>?)") != std::string::npos;
  })) << ::testing::PrintToString(*after);

  for (std::int64_t k = 0; k < 3; ++k) {
    const std::int64_t bound = common::kDateSpanBounds[k];
    Exec("INSERT INTO idx_date (param, rid, low, high) VALUES (-1, " + std::to_string(2 * k) +
         ", 0, " + std::to_string(bound) + "), (-1, " + std::to_string(2 * k + 1) + ", 0, " +
         std::to_string(bound + 1) + ")");
    EXPECT_EQ(
        Count("SELECT span FROM idx_date WHERE param = -1 AND rid = " + std::to_string(2 * k)), k);
    EXPECT_EQ(
        Count("SELECT span FROM idx_date WHERE param = -1 AND rid = " + std::to_string(2 * k + 1)),
        k + 1);
  }
  Exec(
      "INSERT INTO idx_date (param, rid, low, high) VALUES (-1, 9, -9223372036854775808, "
      "9223372036854775807)");
  EXPECT_EQ(Count("SELECT span FROM idx_date WHERE param = -1 AND rid = 9"), 3);
}

// A run large enough to be sorted on two threads and written 16 rows per statement lands whole:
// every row once, in every table, whatever order the rows were added in.
TEST_F(SqliteResourceStoreTest, ALargeRowBufferFlushWritesEveryRowOnce) {
  { ASSERT_TRUE(Open(key_).has_value()); }
  auto db = sqlite::Connection::Open(Options().path.string(), sqlite::Connection::Mode::kReadWrite);
  ASSERT_TRUE(db.has_value());
  sqlite::RowBuffer buffer;
  constexpr std::int64_t kResources = 60001;  // 2 rows each: past the two-thread threshold
  for (std::int64_t i = 0; i < kResources; ++i) {
    const std::int64_t rid = (i * 7919) % kResources + 1;  // every rid once, out of order
    common::IndexRows rows;
    rows.Add(1, fs::TokenValue{"http://loinc.org", "code-" + std::to_string(rid % 97), "", ""});
    rows.Add(2, fs::DateRange{rid * 1000, rid * 1000 + 999});
    rows.Finish();
    buffer.Add(rid, rows);
  }
  ASSERT_GE(buffer.size(), 100000u);
  ASSERT_TRUE((*db)->Exec("BEGIN"));
  ASSERT_TRUE(buffer.Flush(**db));
  ASSERT_TRUE((*db)->Exec("COMMIT"));
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_EQ(Count("SELECT count(*) FROM idx_token"), kResources);
  EXPECT_EQ(Count("SELECT count(DISTINCT rid) FROM idx_date WHERE param = 2"), kResources);
  EXPECT_EQ(Count("SELECT count(*) FROM idx_date WHERE low <> rid * 1000"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM idx_text"), 0);  // the tokens had no display
}

// A bulk load keeps the index rows of new resources waiting across transactions; reads in the
// process insert them first, a failed transaction leaves none of its own behind (its rid is
// used again by the next resource), and closing inserts the rest.
TEST_F(SqliteResourceStoreTest, ABulkLoadDefersIndexRowsWithoutChangingWhatSearchesFind) {
  SqliteResourceStore::Options options = Options();
  options.bulk_load = true;
  {
    auto store = SqliteResourceStore::Open(options, clock_, random_, key_);
    ASSERT_TRUE(store.has_value()) << store.error().message();
    ASSERT_TRUE(Put(**store, Patient("p1", "Alpha")));
    ASSERT_TRUE(Put(**store, Patient("p2", "Beta")));
    Status failed = (*store)->InTransaction([&](Transaction& tx) -> Status {
      auto written = tx.Update(test::Json(Patient("p3", "Gamma")), std::nullopt);
      if (!written) return tl::unexpected(written.error());
      return Fail(ErrorCategory::kInvalid, "test.fail", "the work fails after its write");
    });
    ASSERT_FALSE(failed);
    ASSERT_TRUE(Put(**store, Patient("p4", "Delta")));
    EXPECT_EQ(Count("SELECT count(*) FROM pending_index"), 1);
    EXPECT_EQ(Count("SELECT count(*) FROM idx_string"), 0);

    EXPECT_EQ(Family(**store, "delta"), std::vector<std::string>{"p4"});
    EXPECT_EQ(Family(**store, "gamma"), std::vector<std::string>{});
    EXPECT_EQ(Count("SELECT count(*) FROM pending_index"), 0);
    EXPECT_GT(Count("SELECT count(*) FROM idx_string"), 0);

    // Updating a resource whose rows wait inserts them first, then replaces them.
    ASSERT_TRUE(Put(**store, Patient("p5", "Epsilon")));
    ASSERT_TRUE(Put(**store, Patient("p5", "Zeta")));
    ASSERT_TRUE(Put(**store, Patient("p6", "Eta")));
    EXPECT_EQ(Count("SELECT count(*) FROM pending_index"), 1);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM pending_index"), 0);
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ((*store)->CheckIntegrity().value(), std::vector<std::string>{});
  EXPECT_EQ(Family(**store, "eta"), std::vector<std::string>{"p6"});
  EXPECT_EQ(Family(**store, "zeta"), std::vector<std::string>{"p5"});
  EXPECT_EQ(Family(**store, "epsilon"), std::vector<std::string>{});
  EXPECT_EQ(Family(**store, "alpha"), std::vector<std::string>{"p1"});
}

// What a bulk load killed mid-way leaves: committed resources whose index rows wait, recorded in
// pending_index. Opening the store inserts them; an integrity check finds rows missing before.
TEST_F(SqliteResourceStoreTest, OpeningInsertsTheIndexRowsAStoppedBulkLoadLeftWaiting) {
  {
    auto store = Open(key_);
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(Put(**store, Patient("p1", "Alpha")));
    ASSERT_TRUE(Put(**store, Patient("p2", "Beta")));
    ASSERT_TRUE(Put(**store, Patient("p3", "Gamma")));
  }
  Exec("DELETE FROM idx_string WHERE rid >= (SELECT rid FROM resources WHERE id = 'p2')");
  {
    auto store = Open(key_);
    ASSERT_TRUE(store.has_value());
    auto problems = (*store)->CheckIntegrity();
    ASSERT_TRUE(problems.has_value());
    ASSERT_FALSE(problems->empty());
    EXPECT_NE(problems->front().find("index rows missing"), std::string::npos);
  }
  Exec("INSERT INTO pending_index (from_rid) SELECT rid FROM resources WHERE id = 'p2'");
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ(Count("SELECT count(*) FROM pending_index"), 0);
  EXPECT_EQ((*store)->CheckIntegrity().value(), std::vector<std::string>{});
  EXPECT_EQ(Family(**store, "gamma"), std::vector<std::string>{"p3"});
  EXPECT_EQ(Family(**store, "beta"), std::vector<std::string>{"p2"});
}

}  // namespace
}  // namespace chartroom::store
