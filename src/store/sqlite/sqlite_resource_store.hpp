// The embedded ResourceStore: one SQLite database file in WAL mode (docs/storage.md describes
// the schema, the index design and the durability argument).
//
// Writes: one writer thread owns the only read-write connection. InTransaction queues its work;
// the writer runs the work of every caller waiting at that moment (up to
// Options::max_batch_transactions) in one SQLite transaction, each caller's work in its own
// SAVEPOINT so that a failing caller rolls back only its own part, commits once (one fsync for
// the whole group: synchronous=FULL), and only then wakes the callers. A caller returns success
// only once its commit is durable.
// Reads: a pool of read-only connections, each read in its own WAL snapshot; readers never block
// the writer and the writer never blocks them.
// Content is sealed (crypto::Seal) with the data key of the resource's patient compartment (see
// Keyring), the associated data binding "Type/id/_history/version".
//
// Thread safety: every method may be called from any thread. The Clock must be thread-safe; the
// Random is used only by Open and the writer thread, so a SeededRandom is fine.

#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "store/key_provider.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store {

class SqliteResourceStore final : public ResourceStore, public KeyProvider {
 public:
  struct Options {
    // The database file; its directory is created when missing, the file with mode 0600.
    std::filesystem::path path = "data/chartroom.db";
    // Search values of written resources (required; see IndexFunction).
    IndexFunction index;
    // Labels added to written resources before they are indexed (optional; see LabelFunction).
    LabelFunction label;
    // Chains audit entries (optional; without it AppendAudit fails, see AuditChainFunction).
    AuditChainFunction audit_chain;
    // Read-only connections for Read/Search/History/...; concurrent reads beyond this wait.
    int reader_connections = 4;
    // How long the writer waits for more callers after the first one before it begins a group.
    // 0: no wait; groups still form from the callers that queue while a commit is syncing,
    // which is where group commit pays, without delaying a lone writer.
    std::chrono::microseconds group_commit_window{0};
    // Most callers' work items committed together.
    int max_batch_transactions = 256;
    // How long a connection waits for a lock held by another process before kBusy.
    std::chrono::milliseconds busy_timeout{5000};
    // Page cache per connection, in KiB (SQLite's cache_size).
    std::int64_t page_cache_kib = 64 * 1024;
    // Bytes of the file each connection maps read-only (SQLite's mmap_size); 0 disables.
    std::int64_t mmap_bytes = 256LL << 20;
    // Bound of the WAL, in pages. From a quarter of it a background thread copies committed
    // pages into the database file (PASSIVE checkpoints, which block neither the writer nor
    // readers); at the bound the writer finishes the checkpoint between two commits so that
    // the WAL can start over.
    std::int64_t wal_autocheckpoint_pages = 10000;
    // Unwrapped data keys kept in memory.
    std::size_t key_cache_entries = 100000;
    // Search page size when the query sets no _count, and the largest allowed.
    std::uint32_t default_page_size = 50;
    std::uint32_t max_page_size = 1000;
    // Bounds of _include/_revinclude: resources added per page, and :iterate rounds.
    std::size_t max_included = 1000;
    int max_include_iterations = 4;
    // Bulk load, for a caller that has the database to itself (`chartroom import` holding the
    // data directory's exclusive lock): the index rows of new resources wait in memory across
    // transactions, up to bulk_buffer_bytes, and go into the index tables in one sorted run.
    // The resources themselves commit as usual; pending_index records that rows wait, so that
    // the next open inserts them after a crash. Reads in this process insert waiting rows first.
    bool bulk_load = false;
    std::size_t bulk_buffer_bytes = std::size_t{256} << 20;
  };

  // Counters since open, for monitoring and tests.
  struct Stats {
    std::uint64_t transactions_committed = 0;  // InTransaction calls that committed
    std::uint64_t transactions_failed = 0;     // InTransaction calls that returned an error
    std::uint64_t commits = 0;                 // SQLite commits (one per group)
    std::uint64_t largest_group = 0;           // most work items in one commit
  };

  // Opens (creating if needed) the database at options.path, applies pending schema migrations
  // and starts the writer. `master_key` unwraps the data keys. Fails with kInvalid
  // ("store.bad-options") for unusable options, kUnavailable ("store.open", "store.sqlite") when
  // the file cannot be opened, kUnsupported ("store.schema-too-new") when a newer Chartroom wrote
  // the database, and kUnavailable ("store.key-unwrap") when the master key is not the one the
  // database was created with.
  [[nodiscard]] static Result<std::unique_ptr<SqliteResourceStore>> Open(
      const Options& options, core::Clock& clock, core::Random& random,
      const crypto::SecretKey& master_key);

  // Finishes queued transactions, stops the writer and closes every connection.
  ~SqliteResourceStore() override;

  [[nodiscard]] Status InTransaction(const std::function<Status(Transaction& tx)>& work) override;
  [[nodiscard]] Result<PreparedResource> Prepare(boost::json::object resource,
                                                 fhir::json::NumberTexts numbers = {}) override;
  [[nodiscard]] Result<ResourceVersion> Read(std::string_view type, std::string_view id) override;
  [[nodiscard]] Result<ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                                    std::int64_t version) override;
  [[nodiscard]] Result<SearchPage> Search(const fhir::search::SearchQuery& query) override;
  [[nodiscard]] Result<HistoryPage> History(const HistoryQuery& query) override;
  [[nodiscard]] Result<std::vector<ResourceVersion>> Everything(
      std::string_view patient_id, const std::vector<std::string>& types,
      std::optional<core::Timestamp> since) override;
  [[nodiscard]] Status ForEachCurrent(
      const std::vector<std::string>& types, std::optional<core::Timestamp> since,
      const std::function<bool(const ResourceVersion&)>& sink) override;
  [[nodiscard]] Result<std::vector<Record>> ListRecords(std::string_view kind,
                                                        std::string_view after,
                                                        std::size_t limit) override;
  [[nodiscard]] Result<std::vector<AuditEntry>> ReadAudit(std::int64_t from,
                                                          std::size_t limit) override;

  // KeyProvider: the data keys this store seals content with (table compartments).
  [[nodiscard]] Result<crypto::SecretKey> CompartmentKey(std::optional<std::string_view> patient_id,
                                                         Transaction* open) override;

  Stats GetStats() const;

  // PRAGMA integrity_check and foreign_key_check, and the index rows of every resource present
  // (a bulk load's waiting rows are inserted first): the problems found, empty when the database
  // is sound.
  [[nodiscard]] Result<std::vector<std::string>> CheckIntegrity();

  // The query plan SQLite chooses for the page query of `query` (EXPLAIN QUERY PLAN detail
  // lines, e.g. "SEARCH t USING PRIMARY KEY (param=? AND code=?)"), for tests and operators.
  [[nodiscard]] Result<std::vector<std::string>> ExplainSearch(
      const fhir::search::SearchQuery& query);

  // The schema version of the open database.
  static std::int64_t SchemaVersion();

  // The implementation (sqlite_resource_store.cpp); named here so that the file's helpers can
  // refer to it.
  class Impl;

 private:
  explicit SqliteResourceStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chartroom::store
