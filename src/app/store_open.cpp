#include "app/store_open.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string_view>

#include "access/labels.hpp"
#include "audit/chain.hpp"
#include "core/result_macros.hpp"
#include "crypto/aead.hpp"
#include "store/blob/blob_resource_store.hpp"
#include "store/postgres/postgres_resource_store.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::app {
namespace {

constexpr std::string_view kDatabaseFile = "chartroom.db";
constexpr std::string_view kKeyFile = "master.key";
constexpr std::string_view kBlobDir = "blobs";
constexpr std::string_view kLockFile = "chartroom.lock";

// Locks the data directory: exclusively when asked and no other process holds it (then
// *exclusive is true), else shared. kBusy when another process holds it exclusively.
Result<DataDirLock> LockDataDir(const std::filesystem::path& dir, bool want_exclusive,
                                bool* exclusive) {
  const std::filesystem::path path = dir / kLockFile;
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(ErrorCategory::kUnavailable, "app.data-dir",
                "cannot open the data directory's lock file");
  }
  DataDirLock lock(fd);
  *exclusive = want_exclusive && ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  if (!*exclusive && ::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    return Fail(ErrorCategory::kBusy, "app.data-dir-busy",
                "a bulk import holds the data directory; try again when it has finished");
  }
  return lock;
}

void Counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t value) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n# TYPE " + std::string(name) +
         " counter\n" + std::string(name) + " " + std::to_string(value) + "\n";
}

void Gauge(std::string& out, std::string_view name, std::string_view help, std::int64_t value) {
  out += "# HELP " + std::string(name) + " " + std::string(help) + "\n# TYPE " + std::string(name) +
         " gauge\n" + std::string(name) + " " + std::to_string(value) + "\n";
}

// Store figures for /metrics (Prometheus text): its transaction counters and the size on disk.
void SqliteMetrics(store::SqliteResourceStore& store, const std::filesystem::path& database,
                   std::string& out) {
  const store::SqliteResourceStore::Stats stats = store.GetStats();
  Counter(out, "chartroom_store_transactions_committed_total", "Store transactions that committed.",
          stats.transactions_committed);
  Counter(out, "chartroom_store_transactions_failed_total", "Store transactions that failed.",
          stats.transactions_failed);
  Counter(out, "chartroom_store_commits_total", "SQLite commits (one per group of transactions).",
          stats.commits);
  std::uintmax_t bytes = 0;
  for (const std::string suffix : {"", "-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(database.string() + suffix, ec);
    if (!ec) bytes += size;
  }
  out +=
      "# HELP chartroom_store_database_bytes Size of the database and its write-ahead log.\n"
      "# TYPE chartroom_store_database_bytes gauge\n"
      "chartroom_store_database_bytes " +
      std::to_string(bytes) + "\n";
}

// The same counters for the PostgreSQL store, its retries, and the size of its tables on the
// server (-1 when the server does not answer).
void PostgresMetrics(store::PostgresResourceStore& store, std::string& out) {
  const store::PostgresResourceStore::Stats stats = store.GetStats();
  Counter(out, "chartroom_store_transactions_committed_total", "Store transactions that committed.",
          stats.transactions_committed);
  Counter(out, "chartroom_store_transactions_failed_total", "Store transactions that failed.",
          stats.transactions_failed);
  Counter(out, "chartroom_store_commits_total",
          "PostgreSQL commits (one per group of transactions).", stats.commits);
  Counter(out, "chartroom_store_retries_total",
          "Groups of transactions run again after a serialization failure.", stats.retries);
  auto bytes = store.DatabaseBytes();
  Gauge(out, "chartroom_store_database_bytes", "Size of the store's tables and indexes.",
        bytes ? *bytes : -1);
}

// Puts the blob store in front of a backend: attachments go to sealed blob files in the data
// directory (on either backend), under the backend's compartment keys.
Result<OpenedStore> WithBlobs(OpenedStore opened, const Config& config, store::ResourceStore& inner,
                              store::KeyProvider& keys, std::unique_ptr<store::ResourceStore> owned,
                              const store::IndexFunction& index) {
  CHARTROOM_ASSIGN_OR_RETURN(std::unique_ptr<store::blob::BlobStore> blobs,
                             store::blob::BlobStore::Open(config.data_dir / kBlobDir));
  store::blob::BlobResourceStore::Options blob_options = config.blobs;
  blob_options.index = index;
  opened.store = std::make_unique<store::blob::BlobResourceStore>(
      inner, keys, std::move(blobs), std::move(blob_options), std::move(owned));
  return opened;
}

}  // namespace

DataDirLock& DataDirLock::operator=(DataDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

Result<OpenedStore> OpenStore(const Config& config, core::Clock& clock, core::Random& random,
                              StoreUse use) {
  // The data directory holds the key file and the database: private to the server's user.
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Fail(ErrorCategory::kUnavailable, "app.data-dir",
                "cannot create the data directory: " + ec.message());
  }
  ::chmod(config.data_dir.c_str(), 0700);
  OpenedStore opened;
  bool exclusive = false;
  CHARTROOM_ASSIGN_OR_RETURN(
      opened.lock,
      LockDataDir(config.data_dir, use == StoreUse::kBulkLoad && config.store_backend != "postgres",
                  &exclusive));
  CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey master,
                             crypto::LoadOrCreateKeyFile(config.data_dir / kKeyFile, random));

  CHARTROOM_ASSIGN_OR_RETURN(opened.extractor, fhir::search::IndexExtractor::Create());
  const fhir::search::IndexExtractor* extractor = opened.extractor.get();
  store::IndexFunction index = [extractor](const boost::json::value& resource) {
    return extractor->Extract(resource);
  };
  // Sensitivity and confidentiality labels from codes, on every write (docs/access.md).
  store::LabelFunction label = [](boost::json::object& resource) {
    access::ApplyLabels(resource, access::DefaultLabelRules());
  };
  // Audit entries are chained as audit/chain.hpp defines (docs/audit.md).
  store::AuditChainFunction audit_chain = audit::StoreChain;
  if (config.store_backend == "postgres") {
    store::PostgresResourceStore::Options options;
    options.dsn = config.postgres.dsn;
    options.schema = config.postgres.schema;
    options.index = index;
    options.label = label;
    options.audit_chain = audit_chain;
    options.reader_connections = config.postgres.connections;
    options.max_retries = config.postgres.max_retries;
    options.group_commit_window = config.store.group_commit_window;
    options.max_batch_transactions = config.store.max_batch_transactions;
    options.key_cache_entries = config.store.key_cache_entries;
    options.default_page_size = config.store.default_page_size;
    options.max_page_size = config.store.max_page_size;
    options.max_included = config.store.max_included;
    options.max_include_iterations = config.store.max_include_iterations;
    CHARTROOM_ASSIGN_OR_RETURN(std::unique_ptr<store::PostgresResourceStore> postgres,
                               store::PostgresResourceStore::Open(options, clock, random, master));
    store::PostgresResourceStore* raw = postgres.get();
    opened.metrics = [raw](std::string& out) { PostgresMetrics(*raw, out); };
    return WithBlobs(std::move(opened), config, *raw, *raw, std::move(postgres), index);
  }
  store::SqliteResourceStore::Options options = config.store;
  options.path = config.data_dir / kDatabaseFile;
  options.index = index;
  options.label = label;
  options.audit_chain = audit_chain;
  options.bulk_load = exclusive;
  opened.bulk_load = exclusive;
  CHARTROOM_ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteResourceStore> sqlite,
                             store::SqliteResourceStore::Open(options, clock, random, master));
  store::SqliteResourceStore* raw = sqlite.get();
  opened.metrics = [raw, database = options.path](std::string& out) {
    SqliteMetrics(*raw, database, out);
  };
  return WithBlobs(std::move(opened), config, *raw, *raw, std::move(sqlite), index);
}

}  // namespace chartroom::app
