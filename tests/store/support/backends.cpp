#include "support/backends.hpp"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>

#include "crypto/aead.hpp"
#include "store/blob/blob_resource_store.hpp"
#include "store/postgres/postgres_resource_store.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::store::test {
namespace {

std::atomic<int> temp_counter{0};

bool FileContains(const std::filesystem::path& path, std::string_view needle) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.find(needle) != std::string::npos;
}

class SqliteInstance final : public BackendInstance {
 public:
  SqliteInstance(std::unique_ptr<SqliteResourceStore> store, std::filesystem::path path)
      : store_(std::move(store)), path_(std::move(path)) {}

  ResourceStore& store() override { return *store_; }

  std::optional<std::uint64_t> Commits() override { return store_->GetStats().commits; }

  std::optional<bool> RawStorageContains(std::string_view needle) override {
    // The main file, the WAL and the shared-memory index: wherever SQLite may have put bytes.
    return FileContains(path_, needle) || FileContains(path_.string() + "-wal", needle) ||
           FileContains(path_.string() + "-shm", needle);
  }

  bool TamperWithContent(std::string_view type, std::string_view id,
                         std::int64_t version) override {
    // A second connection, as an attacker with access to the file would use.
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return false;
    }
    sqlite3_busy_timeout(db, 5000);
    const char* select_sql =
        "SELECT c.content_id, c.sealed FROM versions v JOIN resources r ON r.rid = v.rid "
        "JOIN resource_types t ON t.type_id = r.type_id JOIN contents c ON c.content_id = "
        "v.content_id WHERE t.name = ?1 AND r.id = ?2 AND v.version = ?3";
    sqlite3_stmt* stmt = nullptr;
    bool ok = sqlite3_prepare_v2(db, select_sql, -1, &stmt, nullptr) == SQLITE_OK;
    sqlite3_int64 content_id = 0;
    std::string sealed;
    if (ok) {
      sqlite3_bind_text(stmt, 1, type.data(), static_cast<int>(type.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(stmt, 2, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(stmt, 3, version);
      ok = sqlite3_step(stmt) == SQLITE_ROW;
      if (ok) {
        content_id = sqlite3_column_int64(stmt, 0);
        sealed.assign(static_cast<const char*>(sqlite3_column_blob(stmt, 1)),
                      static_cast<std::size_t>(sqlite3_column_bytes(stmt, 1)));
      }
    }
    sqlite3_finalize(stmt);
    stmt = nullptr;
    if (ok && sealed.size() > 30) {
      sealed[30] = static_cast<char>(sealed[30] ^ 1);  // one bit of the ciphertext
      ok = sqlite3_prepare_v2(db, "UPDATE contents SET sealed = ?1 WHERE content_id = ?2", -1,
                              &stmt, nullptr) == SQLITE_OK;
      if (ok) {
        sqlite3_bind_blob(stmt, 1, sealed.data(), static_cast<int>(sealed.size()),
                          SQLITE_TRANSIENT);
        sqlite3_bind_int64(stmt, 2, content_id);
        ok = sqlite3_step(stmt) == SQLITE_DONE && sqlite3_changes(db) == 1;
      }
      sqlite3_finalize(stmt);
    } else {
      ok = false;
    }
    sqlite3_close(db);
    return ok;
  }

  std::optional<std::vector<std::string>> IntegrityProblems() override {
    auto problems = store_->CheckIntegrity();
    if (!problems) return std::vector<std::string>{problems.error().message()};
    return *problems;
  }

 private:
  std::unique_ptr<SqliteResourceStore> store_;
  std::filesystem::path path_;
};

// A chain for the contract tests (the store is not to know audit/chain.hpp): the previous
// chain's length and a hash, enough to see that each entry's chain follows its predecessor's.
std::string TestAuditChain(std::string_view previous, std::int64_t sequence,
                           std::string_view body) {
  return std::to_string(std::hash<std::string>{}(
      std::string(previous) + "/" + std::to_string(sequence) + "/" + std::string(body)));
}

Result<std::unique_ptr<BackendInstance>> OpenSqlite(const BackendEnv& env) {
  SqliteResourceStore::Options options;
  options.path = env.dir / "chartroom.db";
  options.index = env.index;
  options.audit_chain = TestAuditChain;
  options.reader_connections = 3;
  options.page_cache_kib = 8 * 1024;
  options.mmap_bytes = 0;
  options.group_commit_window = std::chrono::microseconds(env.group_commit_window_us);
  core::SeededRandom key_random(20240301);
  crypto::SecretKey master = crypto::SecretKey::Generate(key_random);
  auto store = SqliteResourceStore::Open(options, *env.clock, *env.random, master);
  if (!store) return tl::unexpected(store.error());
  return std::unique_ptr<BackendInstance>(
      std::make_unique<SqliteInstance>(std::move(*store), options.path));
}

// ---- PostgreSQL: a fresh schema per test in the database TEST_PG_DSN names -----------------

// Runs `sql` on a connection of its own; the error text, or "" on success.
std::string PgAdmin(const std::string& dsn, const std::string& sql) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return error;
}

// The text of the first column of the first row of `sql`; "" on failure.
std::string PgQueryText(const std::string& dsn, const std::string& sql) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  std::string value;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      value = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return value;
}

class PostgresInstance final : public BackendInstance {
 public:
  PostgresInstance(std::unique_ptr<PostgresResourceStore> store, std::string dsn,
                   std::string schema)
      : store_(std::move(store)), dsn_(std::move(dsn)), schema_(std::move(schema)) {}
  ~PostgresInstance() override {
    store_.reset();
    PgAdmin(dsn_, "DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
  }

  ResourceStore& store() override { return *store_; }

  std::optional<std::uint64_t> Commits() override { return store_->GetStats().commits; }

  std::optional<bool> RawStorageContains(std::string_view needle) override {
    // The server's files (tables, indexes and WAL) after a checkpoint, when this process can
    // read them (a local test server: the same user, or root).
    std::string directory = PgQueryText(dsn_, "SELECT current_setting('data_directory')");
    if (directory.empty() || !PgAdmin(dsn_, "CHECKPOINT").empty()) return std::nullopt;
    std::error_code ec;
    bool readable = false;
    for (const char* sub : {"base", "pg_wal"}) {
      auto it =
          std::filesystem::recursive_directory_iterator(std::filesystem::path(directory) / sub, ec);
      if (ec) continue;
      for (const auto& entry : it) {
        if (!entry.is_regular_file(ec)) continue;
        std::ifstream probe(entry.path(), std::ios::binary);
        if (!probe) continue;
        readable = true;
        if (FileContains(entry.path(), needle)) return true;
      }
    }
    if (!readable) return std::nullopt;
    return false;
  }

  bool TamperWithContent(std::string_view type, std::string_view id,
                         std::int64_t version) override {
    // A connection of its own, as an attacker with access to the database would use. Type and
    // id are a test's own values ([A-Za-z0-9.-]), safe to quote.
    std::string sql = "UPDATE " + schema_ +
                      ".contents c SET sealed = set_byte(c.sealed, 30, get_byte(c.sealed, 30) # "
                      "1) FROM " +
                      schema_ + ".versions v, " + schema_ + ".resources r, " + schema_ +
                      ".resource_types t WHERE c.cid = v.cid AND c.content_id = v.content_id AND "
                      "v.rid = r.rid AND r.type_id = t.type_id AND t.name = '" +
                      std::string(type) + "' AND r.id = '" + std::string(id) +
                      "' AND v.version = " + std::to_string(version);
    return PgAdmin(dsn_, sql).empty();
  }

  std::optional<std::vector<std::string>> IntegrityProblems() override {
    auto problems = store_->CheckIntegrity();
    if (!problems) return std::vector<std::string>{problems.error().message()};
    return *problems;
  }

 private:
  std::unique_ptr<PostgresResourceStore> store_;
  std::string dsn_;
  std::string schema_;
};

Result<std::unique_ptr<BackendInstance>> OpenPostgres(const BackendEnv& env) {
  const char* dsn = std::getenv("TEST_PG_DSN");
  if (dsn == nullptr) {
    return Fail(ErrorCategory::kUnavailable, "test.no-postgres", "TEST_PG_DSN is not set");
  }
  static std::atomic<int> counter{0};
  static const unsigned salt = std::random_device{}();
  std::string schema = "chartroom_test_" + std::to_string(::getpid()) + "_" +
                       std::to_string(salt % 100000) + "_" + std::to_string(counter.fetch_add(1));
  PostgresResourceStore::Options options;
  options.dsn = dsn;
  options.schema = schema;
  options.index = env.index;
  options.audit_chain = TestAuditChain;
  options.reader_connections = 3;
  options.group_commit_window = std::chrono::microseconds(env.group_commit_window_us);
  core::SeededRandom key_random(20240301);
  crypto::SecretKey master = crypto::SecretKey::Generate(key_random);
  auto store = PostgresResourceStore::Open(options, *env.clock, *env.random, master);
  if (!store) {
    PgAdmin(dsn, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    return tl::unexpected(store.error());
  }
  return std::unique_ptr<BackendInstance>(
      std::make_unique<PostgresInstance>(std::move(*store), dsn, schema));
}

// The SQLite store behind the blob store, with the data of every attachment in blob files: the
// whole contract must hold through the decorator too.
class BlobInstance final : public BackendInstance {
 public:
  BlobInstance(std::unique_ptr<BackendInstance> inner, std::unique_ptr<blob::BlobStore> blobs,
               IndexFunction index)
      : inner_(std::move(inner)), dir_(blobs->dir()) {
    blob::BlobResourceStore::Options options;
    options.min_bytes = 1;
    options.index = std::move(index);
    store_ = std::make_unique<blob::BlobResourceStore>(
        inner_->store(), dynamic_cast<KeyProvider&>(inner_->store()), std::move(blobs), options);
  }

  ResourceStore& store() override { return *store_; }
  std::optional<std::uint64_t> Commits() override { return inner_->Commits(); }
  std::optional<bool> RawStorageContains(std::string_view needle) override {
    auto found = inner_->RawStorageContains(needle);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
      if (entry.is_regular_file() && FileContains(entry.path(), needle)) return true;
    }
    return found;
  }
  bool TamperWithContent(std::string_view type, std::string_view id,
                         std::int64_t version) override {
    return inner_->TamperWithContent(type, id, version);
  }
  std::optional<std::vector<std::string>> IntegrityProblems() override {
    return inner_->IntegrityProblems();
  }

 private:
  std::unique_ptr<BackendInstance> inner_;
  std::filesystem::path dir_;
  std::unique_ptr<blob::BlobResourceStore> store_;
};

Result<std::unique_ptr<BackendInstance>> OpenSqliteWithBlobs(const BackendEnv& env) {
  auto inner = OpenSqlite(env);
  if (!inner) return tl::unexpected(inner.error());
  auto blobs = blob::BlobStore::Open(env.dir / "blobs");
  if (!blobs) return tl::unexpected(blobs.error());
  return std::unique_ptr<BackendInstance>(
      std::make_unique<BlobInstance>(std::move(*inner), std::move(*blobs), env.index));
}

Result<std::unique_ptr<BackendInstance>> OpenPostgresWithBlobs(const BackendEnv& env) {
  auto inner = OpenPostgres(env);
  if (!inner) return tl::unexpected(inner.error());
  auto blobs = blob::BlobStore::Open(env.dir / "blobs");
  if (!blobs) return tl::unexpected(blobs.error());
  return std::unique_ptr<BackendInstance>(
      std::make_unique<BlobInstance>(std::move(*inner), std::move(*blobs), env.index));
}

}  // namespace

std::vector<Backend> AvailableBackends() {
  std::vector<Backend> backends;
  backends.push_back({"Sqlite", OpenSqlite});
  backends.push_back({"SqliteWithBlobs", OpenSqliteWithBlobs});
  // With TEST_PG_DSN set the PostgreSQL backend must run: an unreachable server fails its
  // tests (Open fails with kUnavailable) rather than skipping them.
  if (std::getenv("TEST_PG_DSN") != nullptr) {
    backends.push_back({"Postgres", OpenPostgres});
    backends.push_back({"PostgresWithBlobs", OpenPostgresWithBlobs});
  }
  return backends;
}

TempDir::TempDir() {
  path_ = std::filesystem::temp_directory_path() /
          ("chartroom-store-test-" + std::to_string(::getpid()) + "-" +
           std::to_string(temp_counter.fetch_add(1)));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace chartroom::store::test
