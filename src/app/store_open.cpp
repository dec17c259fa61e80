#include "app/store_open.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <string_view>

#include "core/result_macros.hpp"
#include "crypto/aead.hpp"
#include "store/blob/blob_resource_store.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::app {
namespace {

constexpr std::string_view kDatabaseFile = "chartroom.db";
constexpr std::string_view kKeyFile = "master.key";
constexpr std::string_view kBlobDir = "blobs";

// Store figures for /metrics (Prometheus text): its transaction counters and the size on disk.
void SqliteMetrics(store::SqliteResourceStore& store, const std::filesystem::path& database,
                   std::string& out) {
  const store::SqliteResourceStore::Stats stats = store.GetStats();
  auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
    out += "# HELP " + std::string(name) + " " + std::string(help) + "\n# TYPE " +
           std::string(name) + " counter\n" + std::string(name) + " " + std::to_string(value) +
           "\n";
  };
  counter("chartroom_store_transactions_committed_total", "Store transactions that committed.",
          stats.transactions_committed);
  counter("chartroom_store_transactions_failed_total", "Store transactions that failed.",
          stats.transactions_failed);
  counter("chartroom_store_commits_total", "SQLite commits (one per group of transactions).",
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

}  // namespace

Result<OpenedStore> OpenStore(const Config& config, core::Clock& clock, core::Random& random) {
  // The data directory holds the key file and the database: private to the server's user.
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Fail(ErrorCategory::kUnavailable, "app.data-dir",
                "cannot create the data directory: " + ec.message());
  }
  ::chmod(config.data_dir.c_str(), 0700);
  CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey master,
                             crypto::LoadOrCreateKeyFile(config.data_dir / kKeyFile, random));

  OpenedStore opened;
  CHARTROOM_ASSIGN_OR_RETURN(opened.extractor, fhir::search::IndexExtractor::Create());
  store::SqliteResourceStore::Options options = config.store;
  options.path = config.data_dir / kDatabaseFile;
  const fhir::search::IndexExtractor* extractor = opened.extractor.get();
  options.index = [extractor](const boost::json::value& resource) {
    return extractor->Extract(resource);
  };
  CHARTROOM_ASSIGN_OR_RETURN(std::unique_ptr<store::SqliteResourceStore> sqlite,
                             store::SqliteResourceStore::Open(options, clock, random, master));
  store::SqliteResourceStore* raw = sqlite.get();
  opened.metrics = [raw, database = options.path](std::string& out) {
    SqliteMetrics(*raw, database, out);
  };
  // Attachments go to sealed blob files beside the database, under the same compartment keys.
  CHARTROOM_ASSIGN_OR_RETURN(std::unique_ptr<store::blob::BlobStore> blobs,
                             store::blob::BlobStore::Open(config.data_dir / kBlobDir));
  store::blob::BlobResourceStore::Options blob_options = config.blobs;
  blob_options.index = options.index;
  opened.store = std::make_unique<store::blob::BlobResourceStore>(
      *raw, *raw, std::move(blobs), std::move(blob_options), std::move(sqlite));
  return opened;
}

}  // namespace chartroom::app
