// The PostgreSQL store: open, the group-committing writer, the reader pool, and the write
// operations of a Transaction. Reads and searches are the shared ones (common/read_ops.hpp).

#include "store/postgres/postgres_resource_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "core/result_macros.hpp"
#include "store/common/connection_pool.hpp"
#include "store/common/prepared.hpp"
#include "store/common/read_ops.hpp"
#include "store/common/record_ops.hpp"
#include "store/common/writer_queue.hpp"
#include "store/postgres/internal.hpp"
#include "store/postgres/pg.hpp"

namespace chartroom::store {

using common::CurrentRow;
using common::IndexRows;
using postgres::Connection;
using postgres::Stmt;

namespace {

// Row ids and content ids come from sequences that advance by this much (see 0001_initial.sql).
constexpr std::int64_t kIdBlock = 1000;
// Bytes of COPY data a transaction buffers before it sends them.
constexpr std::size_t kMaxBufferedBytes = 64u << 20;
// Ids looked up together when an update needs the current row of a resource (see LookUp).
constexpr std::size_t kLookupBatch = 2000;

// Connections that readers borrow; Acquire waits when all are in use.
using ReaderPool = common::ConnectionPool<Connection>;

// Rows waiting to be sent with COPY, by table, in COPY's text format.
class CopyBuffer {
 public:
  void Row(std::string_view table_and_columns, std::initializer_list<common::BindValue> values) {
    std::string& data = tables_[std::string(table_and_columns)];
    AppendRow(data, values.begin(), values.end());
  }
  void Row(const std::string& table_and_columns, const std::vector<common::BindValue>& values) {
    std::string& data = tables_[table_and_columns];
    AppendRow(data, values.begin(), values.end());
  }
  bool empty() const { return bytes_ == 0; }
  std::size_t bytes() const { return bytes_; }
  Status Flush(Connection& db) {
    if (bytes_ == 0) return Ok();
    // Tables in a fixed order (std::map), whatever order the rows came in.
    for (auto& [table, data] : tables_) {
      if (data.empty()) continue;
      CHARTROOM_RETURN_IF_ERROR(db.CopyIn(table, data));
      data.clear();
    }
    bytes_ = 0;
    return Ok();
  }

 private:
  template <typename It>
  void AppendRow(std::string& data, It begin, It end) {
    std::size_t before = data.size();
    for (It it = begin; it != end; ++it) {
      if (it != begin) data += '\t';
      postgres::AppendCopyField(data, *it);
    }
    data += '\n';
    bytes_ += data.size() - before;
  }
  std::map<std::string, std::string> tables_;
  std::size_t bytes_ = 0;
};

constexpr std::string_view kContentsCopy = "contents (cid, content_id, sealed)";
constexpr std::string_view kResourcesCopy =
    "resources (cid, rid, type_id, id, ref_hash, version, method, deleted, last_updated, "
    "content_id, params)";
constexpr std::string_view kVersionsCopy =
    "versions (cid, rid, version, type_id, last_updated, method, content_id)";
constexpr std::string_view kIndexKeysCopy = "index_keys (cid, rid, keys)";

// "idx_token (cid, rid, param, code, sys)", ... by IndexTable order.
const std::vector<std::string>& IndexCopyTargets() {
  static const std::vector<std::string> targets = [] {
    std::vector<std::string> v;
    const auto& names = common::IndexTableNames();
    for (std::size_t t = 0; t < names.size(); ++t) {
      std::string target = names[t] + " (cid, rid";
      for (const std::string& column :
           common::IndexTableColumns(static_cast<common::IndexTable>(t + 1))) {
        target += ", " + column;
      }
      v.push_back(target + ")");
    }
    return v;
  }();
  return targets;
}

Error TransactionClosed() {
  return Error(ErrorCategory::kInternal, "store.transaction-closed",
               "a Transaction was used after its work returned");
}

}  // namespace

class PostgresResourceStore::Impl {
 public:
  Impl(const Options& options, core::Clock& clock, core::Random& random,
       const crypto::SecretKey& master)
      : options_(options),
        clock_(clock),
        random_(random),
        keyring_(master, options.key_cache_entries),
        limits_{options.default_page_size, options.max_page_size, options.max_included,
                options.max_include_iterations},
        lock_key_(postgres::LockKey(options.schema)) {}

  ~Impl() { Stop(); }

  Status Start();
  void Stop();

  Status InTransaction(const std::function<Status(Transaction& tx)>& work);

  template <typename F>
  auto WithReader(F&& f) -> decltype(f(std::declval<Connection&>())) {
    ReaderPool::Lease lease = readers_.Acquire();
    Connection& db = *lease;
    if (!db.Healthy()) CHARTROOM_RETURN_IF_ERROR(db.Reconnect());
    CHARTROOM_RETURN_IF_ERROR(db.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    auto result = f(db);
    (void)db.Exec(result ? "COMMIT" : "ROLLBACK");
    return result;
  }

  common::StoreContext Context() {
    return {limits_, clock_, registry_, keyring_, common::Dialect::Postgres()};
  }

  Result<PreparedResource> Prepare(boost::json::object resource,
                                   const fhir::json::NumberTexts& numbers) {
    auto prepared = common::PrepareResource(std::move(resource), numbers, options_.index,
                                            options_.label, registry_, this);
    if (prepared && !prepared->id().empty() && common::ValidId(prepared->id())) {
      std::lock_guard lock(recent_mutex_);
      recent_.emplace_back(prepared->type(), prepared->id());
      if (recent_.size() > kMaxRecent) recent_.pop_front();
    }
    return prepared;
  }

  // Takes up to `n` of the ids most recently prepared (and probably about to be written), for a
  // batched lookup.
  std::vector<std::pair<std::string, std::string>> TakeRecent(std::size_t n) {
    std::lock_guard lock(recent_mutex_);
    std::vector<std::pair<std::string, std::string>> out;
    while (!recent_.empty() && out.size() < n) {
      out.push_back(std::move(recent_.front()));
      recent_.pop_front();
    }
    return out;
  }

  // Writer thread.
  std::int64_t NextTimestamp() {
    std::int64_t now = common::ToMicros(clock_.Now());
    last_timestamp_ = std::max(now, last_timestamp_ + 1);
    return last_timestamp_;
  }
  Result<std::int64_t> NextId(Connection& db, std::string_view sequence, std::int64_t& next,
                              std::int64_t& end) {
    if (next >= end) {
      CHARTROOM_ASSIGN_OR_RETURN(auto start,
                                 db.QueryInt("SELECT nextval('" + std::string(sequence) + "')"));
      next = start.value_or(1);
      end = next + kIdBlock;
    }
    return next++;
  }
  Result<std::int64_t> NextRid(Connection& db) {
    return NextId(db, "rid_blocks", rid_next_, rid_end_);
  }
  Result<std::int64_t> NextContentId(Connection& db) {
    return NextId(db, "content_blocks", content_next_, content_end_);
  }

  Stats GetStats() {
    std::lock_guard lock(stats_mutex_);
    return stats_;
  }

  Options options_;
  core::Clock& clock_;
  core::Random& random_;
  common::Keyring keyring_;
  common::ReadLimits limits_;
  common::Registry registry_;
  const std::int64_t lock_key_;
  std::unique_ptr<Connection> writer_db_;
  ReaderPool readers_;

 private:
  using WorkItem = common::WriterQueue::Item;
  void RunGroup(std::vector<WorkItem*>& group);
  // One attempt at a group: true when it should run again (its commit hit a serialization
  // failure). `results` receives each item's outcome.
  bool TryGroup(std::vector<WorkItem*>& group, std::vector<Status>& results, bool last_attempt);

  common::WriterQueue writer_;
  std::int64_t last_timestamp_ = 0;  // writer thread only
  std::int64_t rid_next_ = 0, rid_end_ = 0;
  std::int64_t content_next_ = 0, content_end_ = 0;

  std::mutex stats_mutex_;
  Stats stats_;

  static constexpr std::size_t kMaxRecent = 20000;
  std::mutex recent_mutex_;
  std::deque<std::pair<std::string, std::string>> recent_;
};

namespace {

// The Transaction handed to one caller's work, on the writer thread. New rows wait in a COPY
// buffer until something reads the tables (a read or search in the transaction, an update of a
// resource whose rows are still buffered) or the work ends.
class WriterTransaction final : public Transaction {
 public:
  WriterTransaction(PostgresResourceStore::Impl& store, Connection& db) : store_(store), db_(db) {}
  void Close() { open_ = false; }

  Result<ResourceVersion> Read(std::string_view type, std::string_view id) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_RETURN_IF_ERROR(Flush());
    auto ctx = store_.Context();
    return common::ReadCurrent(ctx, db_, true, type, id);
  }

  Result<ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                      std::int64_t version) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_RETURN_IF_ERROR(Flush());
    auto ctx = store_.Context();
    return common::ReadVersionOf(ctx, db_, true, type, id, version);
  }

  Result<ResourceVersion> Create(boost::json::object resource) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_ASSIGN_OR_RETURN(PreparedResource prepared, store_.Prepare(std::move(resource), {}));
    return Create(std::move(prepared));
  }

  Result<ResourceVersion> Create(PreparedResource resource) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_ASSIGN_OR_RETURN(const common::PreparedContent* prepared,
                               common::OwnPrepared(resource, &store_));
    const std::string& type = resource.type();
    // A v4 UUID practically never repeats; the check keeps the store right if one ever does.
    for (;;) {
      std::string id = store_.random_.Uuid();
      CHARTROOM_ASSIGN_OR_RETURN(auto existing, Find(type, id, false));
      if (!existing) {
        return Write(*prepared, type, std::move(id), std::nullopt, WriteMethod::kCreate);
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
    CHARTROOM_ASSIGN_OR_RETURN(const common::PreparedContent* prepared,
                               common::OwnPrepared(resource, &store_));
    const std::string& type = resource.type();
    const std::string& id = resource.id();
    if (!common::ValidId(id)) {
      return Fail(ErrorCategory::kInvalid, "store.bad-resource",
                  "an update needs a resource with a valid id");
    }
    CHARTROOM_ASSIGN_OR_RETURN(auto current, Find(type, id, true));
    if (expected_version && (current ? current->version : 0) != *expected_version) {
      return Fail(ErrorCategory::kPrecondition, "store.version-conflict",
                  type + "/" + id + " is not at version " + std::to_string(*expected_version));
    }
    return Write(*prepared, type, id, current, WriteMethod::kUpdate);
  }

  Result<ResourceVersion> Delete(std::string_view type, std::string_view id,
                                 std::optional<std::int64_t> expected_version) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_ASSIGN_OR_RETURN(auto current, Find(type, id, true));
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
                             current->version,     common::FromMicros(current->last_updated),
                             WriteMethod::kDelete, {}};
    }
    return Remove(type, id, *current);
  }

  Result<SearchPage> Search(const fhir::search::SearchQuery& query) override {
    if (!open_) return tl::unexpected(TransactionClosed());
    CHARTROOM_RETURN_IF_ERROR(Flush());
    auto ctx = store_.Context();
    return common::RunSearch(ctx, db_, true, query);
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

  // Sends the rows still buffered; called when the work has succeeded.
  Status Finish() { return Flush(); }

  // KeyProvider::CompartmentKey inside this transaction: a new compartment's key row is written
  // by it, and kept only if it commits.
  Result<crypto::SecretKey> Key(const PostgresResourceStore::Impl* store,
                                std::optional<std::string_view> patient_id) {
    if (store != &store_) {
      return Fail(ErrorCategory::kInternal, "store.foreign-transaction",
                  "the transaction belongs to another store");
    }
    if (!open_) return tl::unexpected(TransactionClosed());
    postgres::PgCompartments compartments(db_);
    CHARTROOM_ASSIGN_OR_RETURN(common::CompartmentKey key,
                               store_.keyring_.ForWrite(compartments, patient_id, store_.random_,
                                                        common::ToMicros(store_.clock_.Now())));
    return key.key;
  }

 private:
  struct Known {
    CurrentRow row;
    bool buffered = false;  // its rows may still be in the COPY buffer
  };

  static std::string Key(std::string_view type, std::string_view id) {
    std::string key(type);
    key += '/';
    key += id;
    return key;
  }

  Status Flush() {
    CHARTROOM_RETURN_IF_ERROR(buffer_.Flush(db_));
    for (auto& [key, known] : known_) known.buffered = false;
    return Ok();
  }

  // The current row of type/id as this transaction left it, else as stored.
  Result<std::optional<CurrentRow>> Find(std::string_view type, std::string_view id,
                                         bool with_index_keys) {
    std::string key = Key(type, id);
    auto it = known_.find(key);
    if (it != known_.end()) {
      if (it->second.buffered) CHARTROOM_RETURN_IF_ERROR(Flush());
      return std::optional<CurrentRow>(it->second.row);
    }
    if (!with_index_keys) {
      return common::FindCurrent(db_, store_.registry_, type, id, false,
                                 common::Dialect::Postgres());
    }
    auto looked = looked_up_.find(key);
    if (looked == looked_up_.end()) {
      CHARTROOM_RETURN_IF_ERROR(LookUp(type, id));
      looked = looked_up_.find(key);
    }
    return looked->second;
  }

  // Looks up type/id together with the resources prepared lately (a bulk load prepares its batch
  // before it writes it), so that a batch of updates costs one round trip, not one each. The
  // answers stay valid for this work item: the writer holds the advisory lock, so no other
  // writer changes the table, and what this work item changes is in known_, which is asked first.
  Status LookUp(std::string_view type, std::string_view id) {
    std::vector<std::pair<std::string, std::string>> wanted = store_.TakeRecent(kLookupBatch);
    wanted.emplace_back(type, id);
    std::string hashes = "{";
    std::vector<std::string> keys;
    for (const auto& [t, i] : wanted) {
      std::string key = Key(t, i);
      if (known_.count(key) != 0 || looked_up_.count(key) != 0) continue;
      if (!store_.registry_.TypeId(t)) continue;
      if (hashes.size() > 1) hashes += ',';
      hashes += std::to_string(common::ReferenceTarget(t, i));
      keys.push_back(std::move(key));
    }
    hashes += '}';
    for (const std::string& key : keys) looked_up_.emplace(key, std::nullopt);
    looked_up_.emplace(Key(type, id), std::nullopt);  // also when its type is unknown
    if (keys.empty()) return Ok();
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt select,
        db_.Prepare("SELECT r.rid, r.version, r.method, r.deleted, r.last_updated, r.cid, "
                    "r.content_id, k.keys, r.type_id, r.id FROM resources AS r LEFT JOIN "
                    "index_keys AS k ON k.cid = r.cid AND k.rid = r.rid WHERE r.ref_hash = "
                    "ANY(?::bigint[])"));
    select.Bind(1, hashes);
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      std::string_view name = store_.registry_.TypeName(select.Int(8));
      auto entry = looked_up_.find(Key(name, select.Text(9)));
      if (entry == looked_up_.end()) continue;  // another resource with the same hash
      CurrentRow current;
      current.rid = select.Int(0);
      current.type_id = select.Int(8);
      current.version = select.Int(1);
      current.method = common::MethodFromCode(select.Int(2));
      current.deleted = select.Int(3) != 0;
      current.last_updated = select.Int(4);
      current.cid = select.Int(5);
      if (!select.IsNull(6)) current.content_id = select.Int(6);
      if (!select.IsNull(7)) current.index_keys = std::string(select.BlobView(7));
      entry->second = std::move(current);
    }
    return Ok();
  }

  // Deletes the index rows and index_keys row of the version `current` describes.
  Status DropIndexRows(const CurrentRow& current) {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt drop_keys,
                               db_.Prepare("DELETE FROM index_keys WHERE cid = ? AND rid = ?"));
    drop_keys.Bind(1, current.cid).Bind(2, current.rid);
    CHARTROOM_RETURN_IF_ERROR(drop_keys.Run());
    if (current.index_keys.empty()) return Ok();
    CHARTROOM_ASSIGN_OR_RETURN(IndexRows old_rows, IndexRows::Decode(current.index_keys));
    std::set<std::uint8_t> tables;
    for (const std::string& row : old_rows.rows()) {
      if (!row.empty()) tables.insert(static_cast<std::uint8_t>(row[0]));
    }
    const auto& names = common::IndexTableNames();
    for (std::uint8_t tag : tables) {
      if (tag < 1 || tag > names.size()) {
        return Fail(ErrorCategory::kInternal, "store.corrupt", "an index key has an unknown table");
      }
      CHARTROOM_ASSIGN_OR_RETURN(
          Stmt drop, db_.Prepare("DELETE FROM " + names[tag - 1u] + " WHERE cid = ? AND rid = ?"));
      drop.Bind(1, current.cid).Bind(2, current.rid);
      CHARTROOM_RETURN_IF_ERROR(drop.Run());
    }
    return Ok();
  }

  Status BufferIndexRows(std::int64_t cid, std::int64_t rid, const IndexRows& rows) {
    std::vector<common::BindValue> values;
    for (const std::string& row : rows.rows()) {
      CHARTROOM_ASSIGN_OR_RETURN(common::DecodedRow decoded, common::DecodeRow(row));
      values.clear();
      values.emplace_back(cid);
      values.emplace_back(rid);
      values.insert(values.end(), decoded.values.begin(), decoded.values.end());
      buffer_.Row(IndexCopyTargets()[static_cast<std::size_t>(decoded.table) - 1], values);
    }
    return Ok();
  }

  Result<ResourceVersion> Write(const common::PreparedContent& prepared, std::string_view type,
                                std::string id, std::optional<CurrentRow> current,
                                WriteMethod method) {
    if (current && known_.count(Key(type, id)) != 0 && known_[Key(type, id)].buffered) {
      CHARTROOM_RETURN_IF_ERROR(Flush());
    }
    std::int64_t version = current ? current->version + 1 : 1;
    std::int64_t now = store_.NextTimestamp();
    std::string json = common::StoredJson(prepared, type, id, version, common::FromMicros(now));
    std::optional<std::string> patient =
        type == "Patient" ? std::optional<std::string>(id) : prepared.patient;
    postgres::PgCompartments compartments(db_);
    CHARTROOM_ASSIGN_OR_RETURN(
        common::CompartmentKey key,
        store_.keyring_.ForWrite(compartments,
                                 patient ? std::optional<std::string_view>(*patient) : std::nullopt,
                                 store_.random_, now));
    std::string sealed =
        crypto::Seal(key.key, json, common::ContentAad(type, id, version), store_.random_);
    CHARTROOM_ASSIGN_OR_RETURN(std::int64_t content_id, store_.NextContentId(db_));
    buffer_.Row(kContentsCopy, {key.cid, content_id, common::Blob{std::move(sealed)}});

    const IndexRows& rows = prepared.rows;
    std::int64_t type_id = *store_.registry_.TypeId(type);
    std::int64_t method_code = common::MethodCode(method);
    std::int64_t rid;
    if (current) {
      rid = current->rid;
      CHARTROOM_RETURN_IF_ERROR(DropIndexRows(*current));
      if (current->cid == key.cid) {
        CHARTROOM_ASSIGN_OR_RETURN(
            Stmt update,
            db_.Prepare("UPDATE resources SET version = ?, method = ?, deleted = 0, "
                        "last_updated = ?, content_id = ?, params = ? WHERE cid = ? AND rid = ?"));
        update.Bind(1, version)
            .Bind(2, method_code)
            .Bind(3, now)
            .Bind(4, content_id)
            .Bind(5, rows.PresentParams())
            .Bind(6, key.cid)
            .Bind(7, rid);
        CHARTROOM_RETURN_IF_ERROR(update.Run());
      } else {
        // The resource moves to another compartment: its row moves with it, keeping its rid.
        CHARTROOM_ASSIGN_OR_RETURN(Stmt drop,
                                   db_.Prepare("DELETE FROM resources WHERE cid = ? AND rid = ?"));
        drop.Bind(1, current->cid).Bind(2, rid);
        CHARTROOM_RETURN_IF_ERROR(drop.Run());
        current.reset();
      }
    } else {
      CHARTROOM_ASSIGN_OR_RETURN(rid, store_.NextRid(db_));
    }
    if (!current) {
      buffer_.Row(kResourcesCopy,
                  {key.cid, rid, type_id, std::string(id), common::ReferenceTarget(type, id),
                   version, method_code, std::int64_t{0}, now, content_id, rows.PresentParams()});
    }
    buffer_.Row(kVersionsCopy, {key.cid, rid, version, type_id, now, method_code, content_id});
    std::string index_keys = rows.Encode();
    buffer_.Row(kIndexKeysCopy, {key.cid, rid, common::Blob{index_keys}});
    CHARTROOM_RETURN_IF_ERROR(BufferIndexRows(key.cid, rid, rows));
    if (buffer_.bytes() >= kMaxBufferedBytes) CHARTROOM_RETURN_IF_ERROR(Flush());

    CurrentRow row;
    row.rid = rid;
    row.type_id = type_id;
    row.version = version;
    row.method = method;
    row.deleted = false;
    row.last_updated = now;
    row.cid = key.cid;
    row.content_id = content_id;
    row.index_keys = std::move(index_keys);
    known_[Key(type, id)] = Known{std::move(row), !buffer_.empty()};
    return ResourceVersion{std::string(type),       std::move(id), version,
                           common::FromMicros(now), method,        std::move(json)};
  }

  Result<ResourceVersion> Remove(std::string_view type, std::string_view id,
                                 const CurrentRow& current) {
    std::int64_t version = current.version + 1;
    std::int64_t now = store_.NextTimestamp();
    std::int64_t method = common::MethodCode(WriteMethod::kDelete);
    CHARTROOM_ASSIGN_OR_RETURN(
        Stmt update,
        db_.Prepare("UPDATE resources SET version = ?, method = ?, deleted = 1, last_updated = ?, "
                    "content_id = NULL, params = NULL WHERE cid = ? AND rid = ?"));
    update.Bind(1, version).Bind(2, method).Bind(3, now).Bind(4, current.cid).Bind(5, current.rid);
    CHARTROOM_RETURN_IF_ERROR(update.Run());
    CHARTROOM_RETURN_IF_ERROR(DropIndexRows(current));
    buffer_.Row(kVersionsCopy,
                {current.cid, current.rid, version, current.type_id, now, method, nullptr});
    CurrentRow row = current;
    row.version = version;
    row.method = WriteMethod::kDelete;
    row.deleted = true;
    row.last_updated = now;
    row.content_id.reset();
    row.index_keys.clear();
    known_[Key(type, id)] = Known{std::move(row), true};
    return ResourceVersion{std::string(type),       std::string(id),      version,
                           common::FromMicros(now), WriteMethod::kDelete, {}};
  }

  PostgresResourceStore::Impl& store_;
  Connection& db_;
  bool open_ = true;
  CopyBuffer buffer_;
  std::unordered_map<std::string, Known> known_;
  // Current rows looked up in this work item (nullopt: absent); known_ overrides them.
  std::unordered_map<std::string, std::optional<CurrentRow>> looked_up_;
};

}  // namespace

Status PostgresResourceStore::Impl::Start() {
  CHARTROOM_ASSIGN_OR_RETURN(writer_db_, Connection::Open(options_.dsn, options_.schema, true));
  // An acknowledged commit is durable on the server, whatever the server's default.
  CHARTROOM_RETURN_IF_ERROR(writer_db_->Exec("SET synchronous_commit = on"));
  CHARTROOM_RETURN_IF_ERROR(
      postgres::Migrate(*writer_db_, lock_key_, common::ToMicros(clock_.Now())));
  CHARTROOM_ASSIGN_OR_RETURN(registry_, postgres::LoadRegistry(*writer_db_, lock_key_));

  // The system compartment; unwrapping it proves the master key is the database's.
  CHARTROOM_RETURN_IF_ERROR(writer_db_->Exec("BEGIN"));
  {
    CHARTROOM_ASSIGN_OR_RETURN(Stmt lock, writer_db_->Prepare("SELECT pg_advisory_xact_lock(?)"));
    lock.Bind(1, lock_key_);
    if (auto locked = lock.Run(); !locked) {
      (void)writer_db_->Exec("ROLLBACK");
      return locked;
    }
  }
  postgres::PgCompartments compartments(*writer_db_);
  auto system =
      keyring_.ForWrite(compartments, std::nullopt, random_, common::ToMicros(clock_.Now()));
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

  for (int i = 0; i < options_.reader_connections; ++i) {
    CHARTROOM_ASSIGN_OR_RETURN(auto reader, Connection::Open(options_.dsn, options_.schema, false));
    readers_.Add(std::move(reader));
  }
  writer_.Start(static_cast<std::size_t>(options_.max_batch_transactions),
                options_.group_commit_window,
                [this](std::vector<WorkItem*>& group) { RunGroup(group); });
  return Ok();
}

void PostgresResourceStore::Impl::Stop() { writer_.Stop(); }

Status PostgresResourceStore::Impl::InTransaction(
    const std::function<Status(Transaction& tx)>& work) {
  return writer_.Submit(work);
}

void PostgresResourceStore::Impl::RunGroup(std::vector<WorkItem*>& group) {
  std::vector<Status> results;
  int attempts = std::max(1, options_.max_retries + 1);
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (!TryGroup(group, results, attempt + 1 == attempts)) break;
    std::lock_guard lock(stats_mutex_);
    ++stats_.retries;
  }
  std::size_t committed = 0;
  for (const Status& s : results) committed += s ? 1u : 0u;
  {
    // Counted before the callers wake, so that a caller sees its own transaction in the stats.
    std::lock_guard lock(stats_mutex_);
    stats_.transactions_failed += results.size() - committed;
    if (committed > 0) {
      stats_.transactions_committed += committed;
      stats_.commits += 1;
      stats_.largest_group = std::max<std::uint64_t>(stats_.largest_group, committed);
    }
  }
  for (std::size_t i = 0; i < group.size(); ++i) group[i]->done.set_value(std::move(results[i]));
}

bool PostgresResourceStore::Impl::TryGroup(std::vector<WorkItem*>& group,
                                           std::vector<Status>& results, bool last_attempt) {
  Connection& db = *writer_db_;
  results.assign(group.size(), Ok());
  auto fail_all = [&](const Error& error) {
    for (Status& s : results) s = tl::unexpected(error);
  };
  if (!db.Healthy()) {
    if (auto reconnected = db.Reconnect(); !reconnected) {
      fail_all(reconnected.error());
      return false;
    }
    (void)db.Exec("SET synchronous_commit = on");
  }
  std::int64_t saved_timestamp = last_timestamp_;
  auto begin = [&]() -> Status {
    CHARTROOM_RETURN_IF_ERROR(db.Exec("BEGIN"));
    // Writers of every process take turns, and each continues the timestamps of the last. The
    // maximum is read by a statement of its own: in READ COMMITTED each statement sees what was
    // committed when it started, so it must start after the lock is held.
    CHARTROOM_ASSIGN_OR_RETURN(Stmt lock, db.Prepare("SELECT pg_advisory_xact_lock(?)"));
    lock.Bind(1, lock_key_);
    CHARTROOM_RETURN_IF_ERROR(lock.Run());
    CHARTROOM_ASSIGN_OR_RETURN(auto last, db.QueryInt("SELECT max(last_updated) FROM versions"));
    if (last) last_timestamp_ = std::max(last_timestamp_, *last);
    return Ok();
  };
  if (auto started = begin(); !started) {
    (void)db.Exec("ROLLBACK");
    fail_all(started.error());
    return false;
  }
  std::size_t succeeded = 0;
  for (std::size_t i = 0; i < group.size(); ++i) {
    std::size_t mark = keyring_.Mark();
    if (auto sp = db.Exec("SAVEPOINT work"); !sp) {
      results[i] = sp;
      if (!db.Healthy()) break;
      continue;
    }
    WriterTransaction tx(*this, db);
    Status status;
    try {
      status = (*group[i]->work)(tx);
      if (status) status = tx.Finish();
    } catch (const std::exception& e) {
      status = Fail(ErrorCategory::kInternal, "store.work-threw",
                    std::string("a transaction's work threw: ") + e.what());
    } catch (...) {
      status = Fail(ErrorCategory::kInternal, "store.work-threw", "a transaction's work threw");
    }
    tx.Close();
    if (!db.Healthy()) {
      // The connection is gone, and with it the transaction: nothing of this group survives.
      Error error = status ? Error(ErrorCategory::kUnavailable, "store.unavailable",
                                   "the connection to PostgreSQL was lost")
                           : status.error();
      keyring_.Discard();
      last_timestamp_ = saved_timestamp;
      fail_all(error);
      return false;
    }
    if (status) {
      if (auto release = db.Exec("RELEASE work"); release) {
        ++succeeded;
        continue;
      } else {
        status = release;
      }
    }
    (void)db.Exec("ROLLBACK TO work");
    (void)db.Exec("RELEASE work");
    keyring_.RollbackTo(mark);
    results[i] = status;
  }
  if (succeeded == 0) {
    (void)db.Exec("ROLLBACK");
    keyring_.Discard();
    return false;
  }
  if (auto commit = db.Exec("COMMIT"); !commit) {
    (void)db.Exec("ROLLBACK");
    keyring_.Discard();
    last_timestamp_ = saved_timestamp;
    if (commit.error().category() == ErrorCategory::kBusy && !last_attempt) return true;
    for (Status& s : results) {
      if (s) s = commit;
    }
    return false;
  }
  keyring_.Publish();
  return false;
}

// ---- PostgresResourceStore ---------------------------------------------------------------------

PostgresResourceStore::PostgresResourceStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresResourceStore::~PostgresResourceStore() = default;

Result<crypto::SecretKey> PostgresResourceStore::CompartmentKey(
    std::optional<std::string_view> patient_id, Transaction* open) {
  return common::BackendCompartmentKey<WriterTransaction>(*impl_, patient_id, open);
}

Result<std::unique_ptr<PostgresResourceStore>> PostgresResourceStore::Open(
    const Options& options, core::Clock& clock, core::Random& random,
    const crypto::SecretKey& master_key) {
  if (!options.index) {
    return Fail(ErrorCategory::kInvalid, "store.bad-options", "Options::index is required");
  }
  if (options.reader_connections < 1 || options.max_batch_transactions < 1 ||
      options.default_page_size < 1 || options.max_page_size < options.default_page_size ||
      options.max_retries < 0 || options.dsn.empty()) {
    return Fail(ErrorCategory::kInvalid, "store.bad-options", "the store options are out of range");
  }
  auto impl = std::make_unique<Impl>(options, clock, random, master_key);
  CHARTROOM_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<PostgresResourceStore>(new PostgresResourceStore(std::move(impl)));
}

Status PostgresResourceStore::InTransaction(const std::function<Status(Transaction& tx)>& work) {
  return impl_->InTransaction(work);
}

Result<PreparedResource> PostgresResourceStore::Prepare(boost::json::object resource,
                                                        fhir::json::NumberTexts numbers) {
  return impl_->Prepare(std::move(resource), numbers);
}

Result<ResourceVersion> PostgresResourceStore::Read(std::string_view type, std::string_view id) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return common::ReadCurrent(ctx, db, false, type, id);
  });
}

Result<ResourceVersion> PostgresResourceStore::ReadVersion(std::string_view type,
                                                           std::string_view id,
                                                           std::int64_t version) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return common::ReadVersionOf(ctx, db, false, type, id, version);
  });
}

Result<SearchPage> PostgresResourceStore::Search(const fhir::search::SearchQuery& query) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return common::RunSearch(ctx, db, false, query);
  });
}

Result<HistoryPage> PostgresResourceStore::History(const HistoryQuery& query) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return common::RunHistory(ctx, db, query);
  });
}

Result<std::vector<ResourceVersion>> PostgresResourceStore::Everything(
    std::string_view patient_id, const std::vector<std::string>& types,
    std::optional<core::Timestamp> since) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return common::RunEverything(ctx, db, patient_id, types, since);
  });
}

Status PostgresResourceStore::ForEachCurrent(
    const std::vector<std::string>& types, std::optional<core::Timestamp> since,
    const std::function<bool(const ResourceVersion&)>& sink) {
  return impl_->WithReader([&](Connection& db) {
    auto ctx = impl_->Context();
    return common::RunForEachCurrent(ctx, db, types, since, sink);
  });
}

Result<std::vector<Record>> PostgresResourceStore::ListRecords(std::string_view kind,
                                                               std::string_view after,
                                                               std::size_t limit) {
  return impl_->WithReader(
      [&](Connection& db) { return common::ListRecords(db, kind, after, limit); });
}

Result<std::vector<AuditEntry>> PostgresResourceStore::ReadAudit(std::int64_t from,
                                                                 std::size_t limit) {
  return impl_->WithReader([&](Connection& db) { return common::ReadAudit(db, from, limit); });
}

PostgresResourceStore::Stats PostgresResourceStore::GetStats() const { return impl_->GetStats(); }

Result<std::vector<std::string>> PostgresResourceStore::CheckIntegrity() {
  return impl_->WithReader([&](Connection& db) -> Result<std::vector<std::string>> {
    return postgres::CheckIntegrity(db);
  });
}

Result<std::int64_t> PostgresResourceStore::DatabaseBytes() {
  return impl_->WithReader([&](Connection& db) -> Result<std::int64_t> {
    CHARTROOM_ASSIGN_OR_RETURN(
        auto bytes,
        db.QueryInt("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM "
                    "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                    "n.nspname = current_schema() AND c.relkind = 'r'"));
    return bytes.value_or(0);
  });
}

std::int64_t PostgresResourceStore::SchemaVersion() { return postgres::LatestSchemaVersion(); }

}  // namespace chartroom::store
