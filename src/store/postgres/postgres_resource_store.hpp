// The server ResourceStore: PostgreSQL through libpq (docs/storage.md, "The PostgreSQL store",
// describes the schema, how it distributes by patient, and the durability argument).
//
// Writes: one writer thread owns the read-write connection. InTransaction queues its work; the
// writer runs the work of every caller waiting at that moment (up to
// Options::max_batch_transactions) in one PostgreSQL transaction, each caller's work in its own
// SAVEPOINT so that a failing caller rolls back only its own part, commits once
// (synchronous_commit = on: the commit is durable when it returns) and only then wakes the
// callers. A transaction-scoped advisory lock serializes the writers of every Chartroom process
// on one database, so last_updated increases strictly in commit order across processes too; a
// commit that fails with a serialization failure or deadlock is retried (the work runs again).
// New rows are buffered per caller and sent with COPY; row ids come from sequences in blocks.
// Reads: a pool of connections, each read in its own REPEATABLE READ READ ONLY transaction (one
// snapshot per operation). The SQL of reads and searches is shared with the SQLite store
// (store/common/read_ops.hpp, search_sql.hpp).
// Content is sealed (crypto::Seal) with the data key of the resource's patient compartment (see
// common::Keyring), the associated data binding "Type/id/_history/version".
//
// Thread safety: every method may be called from any thread. The Clock must be thread-safe; the
// Random is used only by Open and the writer thread, so a SeededRandom is fine.

#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "store/key_provider.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store {

class PostgresResourceStore final : public ResourceStore, public KeyProvider {
 public:
  struct Options {
    // libpq connection string ("host=/run/postgresql dbname=chartroom" or a postgresql:// URI).
    std::string dsn;
    // The schema holding the tables, created when missing; "" for the server's search_path.
    std::string schema;
    // Search values of written resources (required; see IndexFunction).
    IndexFunction index;
    // Labels added to written resources before they are indexed (optional; see LabelFunction).
    LabelFunction label;
    // Chains audit entries (optional; without it AppendAudit fails, see AuditChainFunction).
    AuditChainFunction audit_chain;
    // Connections for Read/Search/History/...; concurrent reads beyond this wait.
    int reader_connections = 4;
    // How long the writer waits for more callers after the first one before it begins a group.
    std::chrono::microseconds group_commit_window{0};
    // Most callers' work items committed together.
    int max_batch_transactions = 256;
    // How often a group whose commit failed with a serialization failure or deadlock is run
    // again before its callers get kBusy.
    int max_retries = 3;
    // Unwrapped data keys kept in memory.
    std::size_t key_cache_entries = 100000;
    // Search page size when the query sets no _count, and the largest allowed.
    std::uint32_t default_page_size = 50;
    std::uint32_t max_page_size = 1000;
    // Bounds of _include/_revinclude: resources added per page, and :iterate rounds.
    std::size_t max_included = 1000;
    int max_include_iterations = 4;
  };

  // Counters since open, for monitoring and tests.
  struct Stats {
    std::uint64_t transactions_committed = 0;  // InTransaction calls that committed
    std::uint64_t transactions_failed = 0;     // InTransaction calls that returned an error
    std::uint64_t commits = 0;                 // PostgreSQL commits (one per group)
    std::uint64_t largest_group = 0;           // most work items in one commit
    std::uint64_t retries = 0;                 // groups run again after a serialization failure
  };

  // Connects, applies pending schema migrations (under an advisory lock, so that processes
  // opening one database together do not race) and starts the writer. `master_key` unwraps the
  // data keys. Fails with kInvalid ("store.bad-options") for unusable options, kUnavailable
  // ("store.unavailable") when the server cannot be reached, kUnsupported
  // ("store.schema-too-new") when a newer Chartroom wrote the database, and kUnavailable
  // ("store.key-unwrap") when the master key is not the one the database was created with.
  [[nodiscard]] static Result<std::unique_ptr<PostgresResourceStore>> Open(
      const Options& options, core::Clock& clock, core::Random& random,
      const crypto::SecretKey& master_key);

  // Finishes queued transactions, stops the writer and closes every connection.
  ~PostgresResourceStore() override;

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

  Stats GetStats() const;

  // KeyProvider: the data keys this store seals content with (table compartments), for the blob
  // store layered over it.
  [[nodiscard]] Result<crypto::SecretKey> CompartmentKey(std::optional<std::string_view> patient_id,
                                                         Transaction* open) override;

  // Consistency checks of the stored rows (every resource has its current version and content,
  // no index row outlives its resource's current version, ...): the problems found, empty when
  // the database is sound.
  [[nodiscard]] Result<std::vector<std::string>> CheckIntegrity();

  // Bytes the store's tables and indexes take on the server.
  [[nodiscard]] Result<std::int64_t> DatabaseBytes();

  // The schema version this build writes.
  static std::int64_t SchemaVersion();

  class Impl;

 private:
  explicit PostgresResourceStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chartroom::store
