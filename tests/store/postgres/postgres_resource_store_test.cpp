// What is particular to the PostgreSQL backend: opening (an unreachable server, migrations, the
// master key), the schema's distribution keys, several stores on one database, statistics and
// placeholders. The behaviour every backend shares is tested by the contract tests in
// tests/store/resource_store*_test.cpp. Tests that need a server use TEST_PG_DSN
// (scripts/with-postgres.sh sets it) and skip without it.

#include "store/postgres/postgres_resource_store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "store/postgres/pg.hpp"
#include "support/backends.hpp"
#include "support/queries.hpp"
#include "support/store_fixture.hpp"

namespace chartroom::store {
namespace {

std::atomic<int> schema_counter{0};

class PostgresResourceStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dsn = std::getenv("TEST_PG_DSN");
    if (dsn == nullptr) GTEST_SKIP() << "TEST_PG_DSN is not set (make test sets it)";
    dsn_ = dsn;
    schema_ = "chartroom_pgtest_" + std::to_string(::getpid()) + "_" +
              std::to_string(schema_counter.fetch_add(1));
  }
  void TearDown() override {
    if (!dsn_.empty()) Sql("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  PostgresResourceStore::Options Options() {
    PostgresResourceStore::Options options;
    options.dsn = dsn_;
    options.schema = schema_;
    options.index = test::RealIndex();
    options.reader_connections = 2;
    return options;
  }
  Result<std::unique_ptr<PostgresResourceStore>> Open(const crypto::SecretKey& key) {
    return PostgresResourceStore::Open(Options(), clock_, random_, key);
  }
  static Result<ResourceVersion> Put(ResourceStore& store, std::string_view json) {
    Result<ResourceVersion> out = Fail(ErrorCategory::kInternal, "test.not-run", "not run");
    Status status = store.InTransaction([&](Transaction& tx) -> Status {
      out = tx.Update(test::Json(json), std::nullopt);
      if (!out) return tl::unexpected(out.error());
      return Ok();
    });
    if (!status) return tl::unexpected(status.error());
    return out;
  }
  // Runs `sql` on a connection of its own; the first column of every row.
  std::vector<std::string> Sql(const std::string& sql) {
    std::vector<std::string> values;
    PGconn* conn = PQconnectdb(dsn_.c_str());
    EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* result = PQexec(conn, sql.c_str());
    EXPECT_TRUE(PQresultStatus(result) == PGRES_TUPLES_OK ||
                PQresultStatus(result) == PGRES_COMMAND_OK)
        << PQresultErrorMessage(result);
    for (int i = 0; i < PQntuples(result); ++i) values.emplace_back(PQgetvalue(result, i, 0));
    PQclear(result);
    PQfinish(conn);
    return values;
  }

  std::string dsn_;
  std::string schema_;
  core::FixedClock clock_{test::StartTime()};
  core::SeededRandom random_{7};
  crypto::SecretKey key_ = crypto::SecretKey::Generate(random_);
};

TEST(PostgresConnectionTest, AnUnreachableServerFailsAsUnavailable) {
  PostgresResourceStore::Options options;
  options.dsn = "host=/nonexistent-chartroom-socket-dir port=1 dbname=x connect_timeout=2";
  options.index = [](const boost::json::value&) {
    return Result<std::vector<fhir::search::IndexEntry>>(std::vector<fhir::search::IndexEntry>{});
  };
  core::FixedClock clock{test::StartTime()};
  core::SeededRandom random{1};
  auto store =
      PostgresResourceStore::Open(options, clock, random, crypto::SecretKey::Generate(random));
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().category(), ErrorCategory::kUnavailable);
  EXPECT_EQ(store.error().code(), "store.unavailable");
}

TEST(PostgresConnectionTest, PlaceholdersAreNumberedOutsideQuotesOnly) {
  int params = 0;
  EXPECT_EQ(
      postgres::NumberPlaceholders("a = ? AND b LIKE ? ESCAPE '\\' AND c = '?' AND d = ?", params),
      "a = $1 AND b LIKE $2 ESCAPE '\\' AND c = '?' AND d = $3");
  EXPECT_EQ(params, 3);
}

TEST(PostgresConnectionTest, CopyFieldsEscapeWhatCopyInterprets) {
  std::string out;
  postgres::AppendCopyField(out, std::string("a\tb\\c\nd"));
  EXPECT_EQ(out, "a\\tb\\\\c\\nd");
  out.clear();
  postgres::AppendCopyField(out, common::Blob{std::string("\x01\xff", 2)});
  EXPECT_EQ(out, "\\\\x01ff");
  out.clear();
  postgres::AppendCopyField(out, nullptr);
  EXPECT_EQ(out, "\\N");
}

TEST_F(PostgresResourceStoreTest, ReopeningKeepsEveryVersionAndTheTimestampOrder) {
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
  ASSERT_TRUE(Put(**store, R"({"resourceType":"Patient","id":"p1","gender":"other"})"));
  EXPECT_GT((*store)->Read("Patient", "p1")->last_updated,
            (*store)->ReadVersion("Patient", "p1", 2)->last_updated);
  EXPECT_EQ((*store)->CheckIntegrity().value(), std::vector<std::string>{});
}

TEST_F(PostgresResourceStoreTest, OpenRefusesADatabaseFromANewerChartroom) {
  { ASSERT_TRUE(Open(key_).has_value()); }
  Sql("INSERT INTO " + schema_ + ".schema_version (version, name, applied_at) VALUES (" +
      std::to_string(PostgresResourceStore::SchemaVersion() + 1) + ", 'future', 0)");
  auto store = Open(key_);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), "store.schema-too-new");
}

TEST_F(PostgresResourceStoreTest, OpenRefusesAnotherMasterKey) {
  { ASSERT_TRUE(Open(key_).has_value()); }
  auto store = Open(crypto::SecretKey::Generate(random_));
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().category(), ErrorCategory::kUnavailable);
  EXPECT_EQ(store.error().code(), "store.key-unwrap");
}

TEST_F(PostgresResourceStoreTest, EveryDataTableLeadsItsPrimaryKeyWithTheCompartment) {
  ASSERT_TRUE(Open(key_).has_value());
  // The first column of every table's primary key, but the catalogs' and the identity and audit
  // tables' (ADR 0006: records and audit_log belong to no compartment).
  auto leading =
      Sql("SELECT c.relname || ':' || a.attname FROM pg_index i JOIN pg_class c ON c.oid = "
          "i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON "
          "a.attrelid = c.oid AND a.attnum = i.indkey[0] WHERE i.indisprimary AND n.nspname = '" +
          schema_ +
          "' AND c.relname NOT IN ('schema_version', 'resource_types', 'search_params', 'records', "
          "'audit_log') ORDER BY 1");
  ASSERT_GE(leading.size(), 14u);
  for (const std::string& table_column : leading) {
    EXPECT_TRUE(table_column.ends_with(":cid")) << table_column;
  }
  // And every table has one.
  auto without =
      Sql("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
          "n.nspname = '" +
          schema_ +
          "' AND c.relkind = 'r' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid "
          "AND i.indisprimary)");
  EXPECT_EQ(without, std::vector<std::string>{});
}

TEST_F(PostgresResourceStoreTest, StoresOfSeveralProcessesKeepTimestampsInCommitOrder) {
  auto a = Open(key_);
  auto b = Open(key_);
  ASSERT_TRUE(a.has_value() && b.has_value());
  // Both clocks stand still: only the shared advisory lock and the stored maximum keep the
  // timestamps of the two writers apart and increasing.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      PostgresResourceStore& store = t == 0 ? **a : **b;
      for (int i = 0; i < 20; ++i) {
        std::string id = "w" + std::to_string(t) + "-" + std::to_string(i);
        if (!Put(store, R"({"resourceType":"Patient","id":")" + id + R"("})")) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Sql("SELECT count(DISTINCT last_updated) FROM " + schema_ + ".versions"),
            std::vector<std::string>{"40"});
  HistoryQuery all;
  all.count = 100;
  auto history = (*a)->History(all);
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(history->versions.size(), 40u);
  EXPECT_EQ((*b)->CheckIntegrity().value(), std::vector<std::string>{});
}

TEST_F(PostgresResourceStoreTest, ContentIsStoredSealedInThePatientsCompartment) {
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(Put(**store, R"({"resourceType":"Patient","id":"p1","gender":"female",)"
                           R"("name":[{"family":"Sealedperson"}]})"));
  auto plain = Sql("SELECT count(*) FROM " + schema_ +
                   ".contents WHERE position('Sealedperson'::bytea in sealed) > 0");
  EXPECT_EQ(plain, std::vector<std::string>{"0"});
  // Under the key of the patient's own compartment, whose cid every row of it carries.
  EXPECT_EQ(Sql("SELECT count(*) FROM " + schema_ + ".contents c JOIN " + schema_ +
                ".compartments k ON k.cid = c.cid WHERE k.patient_id = 'p1'"),
            std::vector<std::string>{"1"});
}

TEST_F(PostgresResourceStoreTest, StatsCountTransactionsAndCommits) {
  auto store = Open(key_);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(Put(**store, R"({"resourceType":"Patient","id":"p1"})"));
  Status failed = (*store)->InTransaction(
      [](Transaction&) -> Status { return Fail(ErrorCategory::kInvalid, "test.fail", "fails"); });
  EXPECT_FALSE(failed.has_value());
  auto stats = (*store)->GetStats();
  EXPECT_EQ(stats.transactions_committed, 1u);
  EXPECT_EQ(stats.transactions_failed, 1u);
  EXPECT_EQ(stats.commits, 1u);
  EXPECT_GT((*store)->DatabaseBytes().value(), 0);
}

}  // namespace
}  // namespace chartroom::store
