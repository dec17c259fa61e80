// The SQLite store: open, the group-committing writer, the reader pool, and the write
// operations of a Transaction. Reads and searches live in queries.cpp.

#include "store/sqlite/sqlite_resource_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include <sqlite3.h>

#include "core/result_macros.hpp"
#include "store/common/connection_pool.hpp"
#include "store/common/record_ops.hpp"
#include "store/common/writer_queue.hpp"
#include "store/sqlite/db.hpp"
#include "store/sqlite/index_rows.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/store_internal.hpp"

namespace chartroom::store {

using sqlite::Connection;
using sqlite::CurrentRow;
using sqlite::IndexRows;
using sqlite::Stmt;
using SqlitePrepared = common::PreparedContent;

// Index rows a transaction buffers before it inserts them in key order (sqlite::RowBuffer).
constexpr std::size_t kMaxBufferedRows = 200000;

namespace {

// Connections that readers borrow; Acquire waits when all are in use.
using ReaderPool = common::ConnectionPool<Connection>;

// A read transaction: one WAL snapshot for every statement of an operation.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Connection& db) : db_(db) {}
  ~ReadSnapshot() {
    if (open_) (void)Run("COMMIT");
  }
  Status Begin() {
    CHARTROOM_RETURN_IF_ERROR(Run("BEGIN"));
    open_ = true;
    return Ok();
  }

 private:
  // From the connection's statement cache: parsing BEGIN and COMMIT on every read costs more than
  // the read's own lookup.
  Status Run(std::string_view sql) {
    CHARTROOM_ASSIGN_OR_RETURN(sqlite::Stmt stmt, db_.Prepare(sql));
    return stmt.Step().map([](bool) {});
  }

  Connection& db_;
  bool open_ = false;
};

std::string SqlPragmas(const SqliteResourceStore::Options& o, bool writer) {
  std::string sql;
  sql += "PRAGMA busy_timeout = " + std::to_string(o.busy_timeout.count()) + ";";
  sql += "PRAGMA cache_size = -" + std::to_string(o.page_cache_kib) + ";";
  sql += "PRAGMA mmap_size = " + std::to_string(o.mmap_bytes) + ";";
  sql += "PRAGMA temp_store = MEMORY;";
  if (writer) {
    sql += "PRAGMA journal_mode = WAL;";
    // FULL: a commit syncs the WAL, so an acknowledged write survives power loss. NORMAL would
    // only survive a crash of the process (https://www.sqlite.org/pragma.html#pragma_synchronous).
    sql += "PRAGMA synchronous = FULL;";
    sql += "PRAGMA foreign_keys = ON;";
    // Checkpoints run on their own thread (Impl::CheckpointLoop), not in the writer's commits.
    sql += "PRAGMA wal_autocheckpoint = 0;";
    sql += "PRAGMA journal_size_limit = 67108864;";
  }
  return sql;
}

}  // namespace

class SqliteResourceStore::Impl {
 public:
  Impl(const Options& options, core::Clock& clock, core::Random& random,
       const crypto::SecretKey& master)
      : options_(options),
        clock_(clock),
        random_(random),
        keyring_(master, options.key_cache_entries),
        limits_{options.default_page_size, options.max_page_size, options.max_included,
                options.max_include_iterations} {}

  ~Impl() { Stop(); }

  Status Start();
  void Stop();

  Status InTransaction(const std::function<Status(Transaction& tx)>& work);

  template <typename F>
  auto WithReader(F&& f) -> decltype(f(std::declval<Connection&>())) {
    if (deferred_waiting_.load()) {
      // A bulk load's index rows wait in the writer: they go in before this read.
      RequestFlush();
      CHARTROOM_RETURN_IF_ERROR(InTransaction([](Transaction&) { return Ok(); }));
    }
    ReaderPool::Lease lease = readers_.Acquire();
    ReadSnapshot snapshot(*lease);
    CHARTROOM_RETURN_IF_ERROR(snapshot.Begin());
    return f(*lease);
  }

  sqlite::StoreContext Context() {
    return {limits_, clock_, registry_, keyring_, common::Dialect::Sqlite()};
  }

  // Any thread: checks `resource`, extracts and encodes its index rows and serializes it.
  Result<PreparedResource> Prepare(boost::json::object resource,
                                   const fhir::json::NumberTexts& numbers);

  // Writer-thread operations (called by WriterTransaction).
  Result<ResourceVersion> Write(Connection& db, const SqlitePrepared& prepared,
                                std::string_view type, std::string id,
                                const std::optional<CurrentRow>& current, WriteMethod method,
                                sqlite::RowBuffer& buffer);
  Result<ResourceVersion> Remove(Connection& db, std::string_view type, std::string_view id,
                                 const CurrentRow& current, sqlite::RowBuffer& buffer);

  // Where the index rows of a written version go: `local` (the transaction's buffer, inserted
  // when its work succeeds) or, in a bulk load and for a new resource, deferred_.
  Status BufferRows(Connection& db, std::int64_t rid, const IndexRows& rows, bool new_resource,
                    sqlite::RowBuffer& local);
  // Inserts every buffered row, before something reads the index tables.
  Status FlushRows(Connection& db, sqlite::RowBuffer& local);

  Stats GetStats() {
    std::lock_guard lock(stats_mutex_);
    return stats_;
  }

  // The next group inserts a bulk load's waiting index rows before its work.
  void RequestFlush() { flush_requested_ = true; }

  Options options_;
  core::Clock& clock_;
  core::Random& random_;
  sqlite::Keyring keyring_;
  common::ReadLimits limits_;
  sqlite::Registry registry_;
  std::unique_ptr<Connection> writer_db_;
  ReaderPool readers_;

 private:
  using WorkItem = common::WriterQueue::Item;
  void RunGroup(std::vector<WorkItem*>& group);
  std::int64_t NextTimestamp();
  // Copies committed WAL frames into the database file whenever the WAL has grown past
  // Options::wal_autocheckpoint_pages, on a connection of its own, so that the writer never
  // stops for it (a PASSIVE checkpoint waits for nobody).
  void CheckpointLoop();
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);

  // Bulk load (Options::bulk_load): deferred_ holds the index rows of every resource from
  // pending_index.from_rid on. They go in when deferred_ outgrows Options::bulk_buffer_bytes,
  // when something in the writer reads the index tables, when a reader asks, and at Stop; after
  // a failed transaction deferred_ is read again from index_keys, so it always matches what the
  // database holds.
  Status FlushDeferred(Connection& db);
  Status ReloadDeferred(Connection& db);
  void AfterRollback(Connection& db);
  Status CommitDeferred();

  common::WriterQueue writer_;
  std::int64_t last_timestamp_ = 0;  // writer thread only

  sqlite::RowBuffer deferred_;    // writer thread only
  bool deferred_marked_ = false;  // writer thread only: pending_index has its row
  bool deferred_broken_ = false;  // writer thread only: deferred_ could not be read again
  std::atomic<bool> deferred_waiting_{false};  // rows may wait: readers have them inserted first
  std::atomic<bool> flush_requested_{false};   // the next group inserts waiting rows first

  std::unique_ptr<Connection> checkpoint_db_;
  std::thread checkpointer_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;

  std::mutex stats_mutex_;
  Stats stats_;
};

namespace {

Error TransactionClosed() {
  return Error(ErrorCategory::kInternal, "store.transaction-closed",
               "a Transaction was used after its work returned");
}

// The Transaction handed to one caller's work, on the writer thread.
class WriterTransaction final : public Transaction {
 public:
  WriterTransaction(SqliteResourceStore::Impl& store, Connection& db) : store_(store), db_(db) {}
  void Close() { open_ = false; }

  Result<ResourceVersion> Read(std::string_view type, std::string_view id) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    auto ctx = store_.Context();
    return sqlite::ReadCurrent(ctx, db_, true, type, id);
  }

  Result<ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                      std::int64_t version) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    auto ctx = store_.Context();
    return sqlite::ReadVersionOf(ctx, db_, true, type, id, version);
  }

  Result<ResourceVersion> Create(boost::json::object resource) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_ASSIGN_OR_RETURN(PreparedResource prepared, store_.Prepare(std::move(resource), {}));
    return Create(std::move(prepared));
  }

  Result<ResourceVersion> Create(PreparedResource resource) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_ASSIGN_OR_RETURN(const SqlitePrepared* prepared,
                               common::OwnPrepared(resource, &store_));
    const std::string& type = resource.type();
    // A v4 UUID practically never repeats; the check keeps the store right if one ever does.
    for (;;) {
      std::string id = store_.random_.Uuid();
      CHARTROOM_ASSIGN_OR_RETURN(auto existing,
                                 sqlite::FindCurrent(db_, store_.registry_, type, id, false));
      if (!existing) {
        return store_.Write(db_, *prepared, type, std::move(id), std::nullopt, WriteMethod::kCreate,
                            buffer_);
      }
    }
  }

  Result<ResourceVersion> Update(boost::json::object resource,
                                 std::optional<std::int64_t> expected_version) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_ASSIGN_OR_RETURN(PreparedResource prepared, store_.Prepare(std::move(resource), {}));
    return Update(std::move(prepared), expected_version);
  }

  Result<ResourceVersion> Update(PreparedResource resource,
                                 std::optional<std::int64_t> expected_version) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_ASSIGN_OR_RETURN(const SqlitePrepared* prepared,
                               common::OwnPrepared(resource, &store_));
    const std::string& type = resource.type();
    const std::string& id = resource.id();
    if (!common::ValidId(id)) {
      return Fail(ErrorCategory::kInvalid, "store.bad-resource",
                  "an update needs a resource with a valid id");
    }
    CHARTROOM_ASSIGN_OR_RETURN(auto current,
                               sqlite::FindCurrent(db_, store_.registry_, type, id, true));
    if (expected_version && (current ? current->version : 0) != *expected_version) {
      return Fail(ErrorCategory::kPrecondition, "store.version-conflict",
                  type + "/" + id + " is not at version " + std::to_string(*expected_version));
    }
    return store_.Write(db_, *prepared, type, id, current, WriteMethod::kUpdate, buffer_);
  }

  Result<ResourceVersion> Delete(std::string_view type, std::string_view id,
                                 std::optional<std::int64_t> expected_version) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_ASSIGN_OR_RETURN(auto current,
                               sqlite::FindCurrent(db_, store_.registry_, type, id, true));
    if (expected_version && (current ? current->version : 0) != *expected_version) {
      return Fail(ErrorCategory::kPrecondition, "store.version-conflict",
                  std::string(type) + "/" + std::string(id) + " is not at version " +
                      std::to_string(*expected_version));
    }
    if (!current) {
      return Fail(ErrorCategory::kNotFound, "store.not-found",
                  std::string(type) + "/" + std::string(id) + " does not exist");
    }
    if (current->deleted) {
      return ResourceVersion{std::string(type),    std::string(id),
                             current->version,     sqlite::FromMicros(current->last_updated),
                             WriteMethod::kDelete, {}};
    }
    return store_.Remove(db_, type, id, *current, buffer_);
  }

  Result<SearchPage> Search(const fhir::search::SearchQuery& query) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_RETURN_IF_ERROR(store_.FlushRows(db_, buffer_));
    auto ctx = store_.Context();
    return sqlite::RunSearch(ctx, db_, true, query);
  }
  Result<std::optional<Record>> GetRecord(std::string_view kind, std::string_view key) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    return common::GetRecord(db_, kind, key);
  }
  Result<std::vector<Record>> ListRecords(std::string_view kind, std::string_view after,
                                          std::size_t limit) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    return common::ListRecords(db_, kind, after, limit);
  }
  Status PutRecord(std::string_view kind, std::string_view key, std::string_view value) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    return common::PutRecord(db_, kind, key, value);
  }
  Status DeleteRecord(std::string_view kind, std::string_view key) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    return common::DeleteRecord(db_, kind, key);
  }
  Result<std::int64_t> AppendAudit(std::span<const std::string> bodies) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    return common::AppendAudit(db_, store_.options_.audit_chain, bodies);
  }

  // Inserts the index rows still buffered; called when the work has succeeded.
  Status Finish() { return buffer_.Flush(db_); }

  // KeyProvider::CompartmentKey inside this transaction.
  Result<crypto::SecretKey> Key(const SqliteResourceStore::Impl* store,
                                std::optional<std::string_view> patient_id) {
    if (store != &store_) {
      return Fail(ErrorCategory::kInternal, "store.foreign-transaction",
                  "the transaction belongs to another store");
    }
    if (!open_) return tl::unexpected(TransactionClosed());
    sqlite::SqliteCompartments compartments(db_);
    CHARTROOM_ASSIGN_OR_RETURN(sqlite::CompartmentKey key,
                               store_.keyring_.ForWrite(compartments, patient_id, store_.random_,
                                                        sqlite::ToMicros(store_.clock_.Now())));
    return key.key;
  }

 private:
  SqliteResourceStore::Impl& store_;
  Connection& db_;
  bool open_ = true;
  sqlite::RowBuffer buffer_;
};

}  // namespace

std::int64_t SqliteResourceStore::Impl::NextTimestamp() {
  std::int64_t now = sqlite::ToMicros(clock_.Now());
  last_timestamp_ = std::max(now, last_timestamp_ + 1);
  return last_timestamp_;
}

Status SqliteResourceStore::Impl::BufferRows(Connection& db, std::int64_t rid,
                                             const IndexRows& rows, bool new_resource,
                                             sqlite::RowBuffer& local) {
  // Only new resources wait: their rids are above every other (rowids grow), which keeps
  // "from pending_index.from_rid on" exact.
  if (!options_.bulk_load || !new_resource) {
    local.Add(rid, rows);
    return local.size() >= kMaxBufferedRows ? local.Flush(db) : Ok();
  }
  if (!deferred_marked_) {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt mark,
                               db.Prepare("INSERT INTO pending_index (from_rid) VALUES (?)"));
    mark.Bind(1, rid);
    CHARTROOM_RETURN_IF_ERROR(mark.Run());
    deferred_marked_ = true;
    deferred_waiting_ = true;
  }
  deferred_.Add(rid, rows);
  return deferred_.bytes() >= options_.bulk_buffer_bytes ? FlushDeferred(db) : Ok();
}

Status SqliteResourceStore::Impl::FlushRows(Connection& db, sqlite::RowBuffer& local) {
  CHARTROOM_RETURN_IF_ERROR(local.Flush(db));
  return FlushDeferred(db);
}

Status SqliteResourceStore::Impl::FlushDeferred(Connection& db) {
  if (!deferred_marked_) return Ok();
  CHARTROOM_RETURN_IF_ERROR(deferred_.Flush(db));
  CHARTROOM_RETURN_IF_ERROR(db.Exec("DELETE FROM pending_index"));
  deferred_marked_ = false;
  return Ok();
}

Status SqliteResourceStore::Impl::ReloadDeferred(Connection& db) {
  deferred_.Clear();
  deferred_marked_ = false;
  CHARTROOM_ASSIGN_OR_RETURN(auto from, db.QueryInt("SELECT min(from_rid) FROM pending_index"));
  if (!from) return Ok();
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt keys, db.Prepare("SELECT rid, keys FROM index_keys WHERE rid >= ? ORDER BY rid"));
  keys.Bind(1, *from);
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(bool more, keys.Step());
    if (!more) break;
    CHARTROOM_ASSIGN_OR_RETURN(IndexRows rows, IndexRows::Decode(keys.BlobView(1)));
    deferred_.Add(keys.Int(0), rows);
  }
  deferred_marked_ = true;
  return Ok();
}

void SqliteResourceStore::Impl::AfterRollback(Connection& db) {
  if (!options_.bulk_load || deferred_broken_) return;
  if (!ReloadDeferred(db)) {
    // pending_index keeps the rows recoverable: the next open inserts them.
    deferred_broken_ = true;
    deferred_.Clear();
  }
}

Status SqliteResourceStore::Impl::CommitDeferred() {
  Connection& db = *writer_db_;
  if (!deferred_marked_) return Ok();
  CHARTROOM_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status flushed = FlushDeferred(db);
  if (flushed) flushed = db.Exec("COMMIT");
  if (!flushed) {
    (void)db.Exec("ROLLBACK");
    return flushed;
  }
  deferred_waiting_ = false;
  return Ok();
}

Result<PreparedResource> SqliteResourceStore::Impl::Prepare(
    boost::json::object resource, const fhir::json::NumberTexts& numbers) {
  return common::PrepareResource(std::move(resource), numbers, options_.index, options_.label,
                                 registry_, this);
}

Result<ResourceVersion> SqliteResourceStore::Impl::Write(
    Connection& db, const SqlitePrepared& prepared, std::string_view type, std::string id,
    const std::optional<CurrentRow>& current, WriteMethod method, sqlite::RowBuffer& buffer) {
  std::int64_t version = current ? current->version + 1 : 1;
  std::int64_t now = NextTimestamp();
  const IndexRows& rows = prepared.rows;

  std::string json = common::StoredJson(prepared, type, id, version, sqlite::FromMicros(now));

  std::optional<std::string> patient =
      type == "Patient" ? std::optional<std::string>(id) : prepared.patient;
  sqlite::SqliteCompartments compartments(db);
  CHARTROOM_ASSIGN_OR_RETURN(
      sqlite::CompartmentKey key,
      keyring_.ForWrite(compartments,
                        patient ? std::optional<std::string_view>(*patient) : std::nullopt, random_,
                        now));
  std::string sealed = crypto::Seal(key.key, json, sqlite::ContentAad(type, id, version), random_);

  CHARTROOM_ASSIGN_OR_RETURN(Stmt insert_content,
                             db.Prepare("INSERT OR ROLLBACK INTO contents (sealed) VALUES (?)"));
  insert_content.BindBlob(1, sealed);
  CHARTROOM_RETURN_IF_ERROR(insert_content.Run());
  std::int64_t content_id = db.LastInsertRowid();

  std::string index_keys = rows.Encode();
  std::int64_t rid;
  std::int64_t type_id = *registry_.TypeId(type);
  if (current) {
    rid = current->rid;
    CHARTROOM_ASSIGN_OR_RETURN(Stmt update,
                               db.Prepare("UPDATE OR ROLLBACK resources SET version = ?, method = "
                                          "?, deleted = 0, last_updated = ?, "
                                          "cid = ?, content_id = ?, params = ? WHERE rid = ?"));
    update.Bind(1, version)
        .Bind(2, sqlite::MethodCode(method))
        .Bind(3, now)
        .Bind(4, key.cid)
        .Bind(5, content_id)
        .Bind(6, rows.PresentParams())
        .Bind(7, rid);
    CHARTROOM_RETURN_IF_ERROR(update.Run());
  } else {
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt insert,
        db.Prepare(
            "INSERT OR ROLLBACK INTO resources (type_id, id, ref_hash, version, method, deleted, "
            "last_updated, cid, content_id, params) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, "
            "?)"));
    insert.Bind(1, type_id)
        .Bind(2, id)
        .Bind(3, sqlite::ReferenceTarget(type, id))
        .Bind(4, version)
        .Bind(5, sqlite::MethodCode(method))
        .Bind(6, now)
        .Bind(7, key.cid)
        .Bind(8, content_id)
        .Bind(9, rows.PresentParams());
    CHARTROOM_RETURN_IF_ERROR(insert.Run());
    rid = db.LastInsertRowid();
  }
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt insert_version,
      db.Prepare(
          "INSERT OR ROLLBACK INTO versions (rid, version, type_id, last_updated, method, cid, "
          "content_id) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  insert_version.Bind(1, rid)
      .Bind(2, version)
      .Bind(3, type_id)
      .Bind(4, now)
      .Bind(5, sqlite::MethodCode(method))
      .Bind(6, key.cid)
      .Bind(7, content_id);
  CHARTROOM_RETURN_IF_ERROR(insert_version.Run());
  if (current) {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt drop_keys, db.Prepare("DELETE FROM index_keys WHERE rid = ?"));
    drop_keys.Bind(1, rid);
    CHARTROOM_RETURN_IF_ERROR(drop_keys.Run());
  }
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt save_keys, db.Prepare("INSERT OR ROLLBACK INTO index_keys (rid, keys) VALUES (?, ?)"));
  save_keys.Bind(1, rid).BindBlob(2, index_keys);
  CHARTROOM_RETURN_IF_ERROR(save_keys.Run());

  if (current && !current->index_keys.empty()) {
    // An update replaces only what changed; the buffers go first, as they may hold the rows of
    // this resource's previous version.
    CHARTROOM_RETURN_IF_ERROR(FlushRows(db, buffer));
    CHARTROOM_ASSIGN_OR_RETURN(IndexRows old_rows, IndexRows::Decode(current->index_keys));
    CHARTROOM_RETURN_IF_ERROR(sqlite::ApplyRowDiff(db, rid, old_rows, rows));
  } else {
    CHARTROOM_RETURN_IF_ERROR(BufferRows(db, rid, rows, !current, buffer));
  }

  return ResourceVersion{std::string(type),       std::move(id), version,
                         sqlite::FromMicros(now), method,        std::move(json)};
}

Result<ResourceVersion> SqliteResourceStore::Impl::Remove(Connection& db, std::string_view type,
                                                          std::string_view id,
                                                          const CurrentRow& current,
                                                          sqlite::RowBuffer& buffer) {
  CHARTROOM_RETURN_IF_ERROR(FlushRows(db, buffer));
  std::int64_t version = current.version + 1;
  std::int64_t now = NextTimestamp();
  std::int64_t method = sqlite::MethodCode(WriteMethod::kDelete);
  CHARTROOM_ASSIGN_OR_RETURN(Stmt update,
                             db.Prepare("UPDATE OR ROLLBACK resources SET version = ?, method = ?, "
                                        "deleted = 1, last_updated = ?, "
                                        "content_id = NULL, params = NULL WHERE rid = ?"));
  update.Bind(1, version).Bind(2, method).Bind(3, now).Bind(4, current.rid);
  CHARTROOM_RETURN_IF_ERROR(update.Run());
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt insert_version,
      db.Prepare(
          "INSERT OR ROLLBACK INTO versions (rid, version, type_id, last_updated, method, cid, "
          "content_id) VALUES (?, ?, ?, ?, ?, ?, NULL)"));
  insert_version.Bind(1, current.rid)
      .Bind(2, version)
      .Bind(3, current.type_id)
      .Bind(4, now)
      .Bind(5, method)
      .Bind(6, current.cid);
  CHARTROOM_RETURN_IF_ERROR(insert_version.Run());
  CHARTROOM_ASSIGN_OR_RETURN(Stmt drop_keys, db.Prepare("DELETE FROM index_keys WHERE rid = ?"));
  drop_keys.Bind(1, current.rid);
  CHARTROOM_RETURN_IF_ERROR(drop_keys.Run());
  IndexRows old_rows;
  if (!current.index_keys.empty()) {
    CHARTROOM_ASSIGN_OR_RETURN(old_rows, IndexRows::Decode(current.index_keys));
  }
  CHARTROOM_RETURN_IF_ERROR(sqlite::ApplyRowDiff(db, current.rid, old_rows, IndexRows()));
  return ResourceVersion{std::string(type),       std::string(id),      version,
                         sqlite::FromMicros(now), WriteMethod::kDelete, {}};
}

Status SqliteResourceStore::Impl::Start() {
  // Create the file private to its owner before SQLite does (its WAL and shm files follow the
  // main file's permissions).
  std::error_code ec;
  if (options_.path.has_parent_path()) {
    std::filesystem::create_directories(options_.path.parent_path(), ec);
    if (ec) {
      return Fail(ErrorCategory::kUnavailable, "store.open",
                  "cannot create the database directory: " + ec.message());
    }
  }
  int fd = ::open(options_.path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCategory::kUnavailable, "store.open", "cannot create the database file");
  }
  ::close(fd);

  CHARTROOM_ASSIGN_OR_RETURN(
      writer_db_, Connection::Open(options_.path.string(), Connection::Mode::kReadWrite));
  CHARTROOM_RETURN_IF_ERROR(writer_db_->Exec(SqlPragmas(options_, true)));
  CHARTROOM_RETURN_IF_ERROR(sqlite::Migrate(*writer_db_, sqlite::ToMicros(clock_.Now())));
  CHARTROOM_ASSIGN_OR_RETURN(registry_, sqlite::LoadRegistry(*writer_db_));
  // Index rows a stopped bulk load left waiting: a bulk load keeps them waiting, any other open
  // inserts them now.
  CHARTROOM_RETURN_IF_ERROR(ReloadDeferred(*writer_db_));
  if (!options_.bulk_load) CHARTROOM_RETURN_IF_ERROR(CommitDeferred());
  deferred_waiting_ = deferred_marked_;

  // The system compartment; unwrapping it proves the master key is the database's.
  CHARTROOM_RETURN_IF_ERROR(writer_db_->Exec("BEGIN IMMEDIATE"));
  sqlite::SqliteCompartments compartments(*writer_db_);
  auto system =
      keyring_.ForWrite(compartments, std::nullopt, random_, sqlite::ToMicros(clock_.Now()));
  if (!system) {
    (void)writer_db_->Exec("ROLLBACK");
    keyring_.Discard();
    return tl::unexpected(system.error());
  }
  if (auto commit = writer_db_->Exec("COMMIT"); !commit) {
    keyring_.Discard();
    return commit;
  }
  keyring_.Publish();

  CHARTROOM_ASSIGN_OR_RETURN(auto last,
                             writer_db_->QueryInt("SELECT max(last_updated) FROM versions"));
  last_timestamp_ = last.value_or(0);

  for (int i = 0; i < options_.reader_connections; ++i) {
    CHARTROOM_ASSIGN_OR_RETURN(
        auto reader, Connection::Open(options_.path.string(), Connection::Mode::kReadOnly));
    CHARTROOM_RETURN_IF_ERROR(reader->Exec(SqlPragmas(options_, false)));
    readers_.Add(std::move(reader));
  }
  CHARTROOM_ASSIGN_OR_RETURN(
      checkpoint_db_, Connection::Open(options_.path.string(), Connection::Mode::kReadWrite));
  CHARTROOM_RETURN_IF_ERROR(checkpoint_db_->Exec(SqlPragmas(options_, true)));
  sqlite3_wal_hook(writer_db_->handle(), &Impl::OnWalCommit, this);
  checkpointer_ = std::thread([this] { CheckpointLoop(); });
  writer_.Start(static_cast<std::size_t>(options_.max_batch_transactions),
                options_.group_commit_window,
                [this](std::vector<WorkItem*>& group) { RunGroup(group); });
  return Ok();
}

int SqliteResourceStore::Impl::OnWalCommit(void* self, sqlite3* db, const char*, int pages) {
  auto* impl = static_cast<Impl*>(self);
  std::int64_t limit = impl->options_.wal_autocheckpoint_pages;
  if (pages >= limit) {
    // The background checkpoints cannot finish while commits keep appending frames, and only a
    // finished one lets the next commit restart the WAL. So past the limit the writer completes
    // the checkpoint itself, between commits; the frames the background thread already copied
    // are not copied again.
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= limit / 4) {
    {
      std::lock_guard lock(impl->checkpoint_mutex_);
      impl->checkpoint_wanted_ = true;
    }
    impl->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteResourceStore::Impl::CheckpointLoop() {
  for (;;) {
    {
      std::unique_lock lock(checkpoint_mutex_);
      checkpoint_cv_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_stop_; });
      if (checkpoint_stop_) return;
      checkpoint_wanted_ = false;
    }
    // Failures (a busy reader, an I/O error) leave the frames in the WAL for the next attempt;
    // the WAL keeps them durable either way.
    sqlite3_wal_checkpoint_v2(checkpoint_db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                              nullptr);
  }
}

void SqliteResourceStore::Impl::Stop() {
  writer_.Stop();
  // Left waiting on failure: pending_index has the next open insert them.
  if (writer_db_ && !deferred_broken_) (void)CommitDeferred();
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stop_ = true;
  }
  checkpoint_cv_.notify_one();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (writer_db_) (void)writer_db_->Exec("PRAGMA optimize");
}

Status SqliteResourceStore::Impl::InTransaction(
    const std::function<Status(Transaction& tx)>& work) {
  return writer_.Submit(work);
}

void SqliteResourceStore::Impl::RunGroup(std::vector<WorkItem*>& group) {
  Connection& db = *writer_db_;
  // Counted before the caller wakes, so that a caller sees its own transaction in the stats.
  auto finish = [&](WorkItem* item, Status status) {
    if (!status) {
      std::lock_guard lock(stats_mutex_);
      ++stats_.transactions_failed;
    }
    item->done.set_value(std::move(status));
  };
  if (deferred_broken_) {
    for (WorkItem* item : group) {
      finish(item, Fail(ErrorCategory::kUnavailable, "store.bulk-load-failed",
                        "the bulk load's waiting index rows could not be read again; reopen the "
                        "store to insert them"));
    }
    return;
  }
  if (auto begin = db.Exec("BEGIN IMMEDIATE"); !begin) {
    for (WorkItem* item : group) finish(item, begin);
    return;
  }
  if (flush_requested_.exchange(false)) {
    if (auto flushed = FlushDeferred(db); !flushed) {
      (void)db.Exec("ROLLBACK");
      AfterRollback(db);
      for (WorkItem* item : group) finish(item, flushed);
      return;
    }
  }
  std::vector<WorkItem*> succeeded;
  std::size_t next = 0;
  for (; next < group.size(); ++next) {
    WorkItem* item = group[next];
    std::size_t mark = keyring_.Mark();
    if (auto sp = db.Exec("SAVEPOINT work"); !sp) {
      finish(item, sp);
      continue;
    }
    WriterTransaction tx(*this, db);
    Status status;
    try {
      status = (*item->work)(tx);
      if (status) status = tx.Finish();
    } catch (const std::exception& e) {
      status = Fail(ErrorCategory::kInternal, "store.work-threw",
                    std::string("a transaction's work threw: ") + e.what());
    } catch (...) {
      status = Fail(ErrorCategory::kInternal, "store.work-threw", "a transaction's work threw");
    }
    tx.Close();
    if (!db.InTransaction()) {
      // SQLite rolled the whole transaction back (I/O error, disk full): nothing of this group
      // survives, so every caller learns it failed.
      keyring_.Discard();
      AfterRollback(db);
      Error error = status ? Error(ErrorCategory::kUnavailable, "store.aborted",
                                   "the database aborted the transaction")
                           : status.error();
      finish(item, tl::unexpected(error));
      for (WorkItem* s : succeeded) finish(s, tl::unexpected(error));
      for (std::size_t i = next + 1; i < group.size(); ++i) finish(group[i], tl::unexpected(error));
      return;
    }
    if (status) {
      if (auto release = db.Exec("RELEASE work"); release) {
        succeeded.push_back(item);
        continue;
      } else {
        status = release;
      }
    }
    (void)db.Exec("ROLLBACK TO work");
    (void)db.Exec("RELEASE work");
    keyring_.RollbackTo(mark);
    AfterRollback(db);
    finish(item, status);
  }
  if (succeeded.empty()) {
    (void)db.Exec("ROLLBACK");
    keyring_.Discard();
    AfterRollback(db);
  } else if (auto commit = db.Exec("COMMIT"); !commit) {
    (void)db.Exec("ROLLBACK");
    keyring_.Discard();
    AfterRollback(db);
    for (WorkItem* item : succeeded) finish(item, commit);
    succeeded.clear();
  } else {
    keyring_.Publish();
    if (!deferred_marked_) deferred_waiting_ = false;
  }
  {
    std::lock_guard lock(stats_mutex_);
    if (!succeeded.empty()) {
      stats_.transactions_committed += succeeded.size();
      stats_.commits += 1;
      stats_.largest_group = std::max<std::uint64_t>(stats_.largest_group, succeeded.size());
    }
  }
  for (WorkItem* item : succeeded) item->done.set_value(Ok());
}

// ---- SqliteResourceStore ----------------------------------------------------------------------

SqliteResourceStore::SqliteResourceStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteResourceStore::~SqliteResourceStore() = default;

Result<std::unique_ptr<SqliteResourceStore>> SqliteResourceStore::Open(
    const Options& options, core::Clock& clock, core::Random& random,
    const crypto::SecretKey& master_key) {
  if (!options.index) {
    return Fail(ErrorCategory::kInvalid, "store.bad-options", "Options::index is required");
  }
  if (options.reader_connections < 1 || options.max_batch_transactions < 1 ||
      options.default_page_size < 1 || options.max_page_size < options.default_page_size ||
      options.path.empty()) {
    return Fail(ErrorCategory::kInvalid, "store.bad-options", "the store options are out of range");
  }
  auto impl = std::make_unique<Impl>(options, clock, random, master_key);
  CHARTROOM_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<SqliteResourceStore>(new SqliteResourceStore(std::move(impl)));
}

Status SqliteResourceStore::InTransaction(const std::function<Status(Transaction& tx)>& work) {
  return impl_->InTransaction(work);
}

Result<ResourceVersion> SqliteResourceStore::Read(std::string_view type, std::string_view id) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return sqlite::ReadCurrent(ctx, db, false, type, id);
  });
}

Result<ResourceVersion> SqliteResourceStore::ReadVersion(std::string_view type, std::string_view id,
                                                         std::int64_t version) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return sqlite::ReadVersionOf(ctx, db, false, type, id, version);
  });
}

Result<SearchPage> SqliteResourceStore::Search(const fhir::search::SearchQuery& query) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return sqlite::RunSearch(ctx, db, false, query);
  });
}

Result<HistoryPage> SqliteResourceStore::History(const HistoryQuery& query) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return sqlite::RunHistory(ctx, db, query);
  });
}

Result<std::vector<ResourceVersion>> SqliteResourceStore::Everything(
    std::string_view patient_id, const std::vector<std::string>& types,
    std::optional<core::Timestamp> since) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return sqlite::RunEverything(ctx, db, patient_id, types, since);
  });
}

Status SqliteResourceStore::ForEachCurrent(
    const std::vector<std::string>& types, std::optional<core::Timestamp> since,
    const std::function<bool(const ResourceVersion&)>& sink) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return sqlite::RunForEachCurrent(ctx, db, types, since, sink);
  });
}

Result<std::vector<Record>> SqliteResourceStore::ListRecords(std::string_view kind,
                                                             std::string_view after,
                                                             std::size_t limit) {
  return impl_->WithReader(
      [&](Connection& db) { return common::ListRecords(db, kind, after, limit); });
}

Result<std::vector<AuditEntry>> SqliteResourceStore::ReadAudit(std::int64_t from,
                                                               std::size_t limit) {
  return impl_->WithReader([&](Connection& db) { return common::ReadAudit(db, from, limit); });
}

Result<PreparedResource> SqliteResourceStore::Prepare(boost::json::object resource,
                                                      fhir::json::NumberTexts numbers) {
  return impl_->Prepare(std::move(resource), numbers);
}

Result<std::vector<std::string>> SqliteResourceStore::ExplainSearch(
    const fhir::search::SearchQuery& query) {
  return impl_->WithReader([&](Connection& db) -> Result<std::vector<std::string>> {
    auto ctx = impl_->Context();
    std::vector<std::string> plan;
    CHARTROOM_RETURN_IF_ERROR(sqlite::RunSearch(ctx, db, false, query, &plan));
    return plan;
  });
}

SqliteResourceStore::Stats SqliteResourceStore::GetStats() const { return impl_->GetStats(); }

Result<crypto::SecretKey> SqliteResourceStore::CompartmentKey(
    std::optional<std::string_view> patient_id, Transaction* open) {
  return common::BackendCompartmentKey<WriterTransaction>(*impl_, patient_id, open);
}

Result<std::vector<std::string>> SqliteResourceStore::CheckIntegrity() {
  // On the writer connection, in the writer's turn: foreign_key_check needs the schema's
  // foreign keys, and a check must not race a commit.
  Result<std::vector<std::string>> problems = std::vector<std::string>{};
  impl_->RequestFlush();
  Status status = impl_->InTransaction([&](Transaction&) -> Status {
    problems = sqlite::CheckIntegrity(*impl_->writer_db_);
    return Ok();
  });
  if (!status) return tl::unexpected(status.error());
  return problems;
}

std::int64_t SqliteResourceStore::SchemaVersion() { return sqlite::LatestSchemaVersion(); }

}  // namespace chartroom::store
