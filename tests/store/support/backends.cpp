#include "support/backends.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>

#include "crypto/aead.hpp"
#include "store/blob/blob_resource_store.hpp"
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

Result<std::unique_ptr<BackendInstance>> OpenSqlite(const BackendEnv& env) {
  SqliteResourceStore::Options options;
  options.path = env.dir / "chartroom.db";
  options.index = env.index;
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

}  // namespace

std::vector<Backend> AvailableBackends() {
  std::vector<Backend> backends;
  backends.push_back({"Sqlite", OpenSqlite});
  backends.push_back({"SqliteWithBlobs", OpenSqliteWithBlobs});
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
