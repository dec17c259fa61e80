#include "app/app.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <mutex>

#include "core/result_macros.hpp"
#include "crypto/aead.hpp"
#include "fhir/search/index_values.hpp"
#include "http/server.hpp"
#include "rest/api.hpp"
#include "rest/log.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::app {
namespace {

constexpr std::string_view kDatabaseFile = "chartroom.db";
constexpr std::string_view kKeyFile = "master.key";

std::function<void(std::string_view)> StderrSink() {
  static std::mutex mutex;
  return [](std::string_view line) {
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  };
}

// Store figures for /metrics (Prometheus text): its transaction counters and the size on disk.
void StoreMetrics(store::SqliteResourceStore& store, const std::filesystem::path& database,
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

struct App::Parts {
  core::SystemClock system_clock;
  core::SystemRandom system_random;
  core::Clock* clock = nullptr;
  core::Random* random = nullptr;
  std::unique_ptr<rest::Logger> app_logger;
  std::unique_ptr<rest::Logger> rest_logger;
  std::unique_ptr<fhir::search::IndexExtractor> extractor;
  std::unique_ptr<store::SqliteResourceStore> store;
  std::unique_ptr<rest::Api> api;
  std::unique_ptr<http::Server> server;
  std::once_flag stopped;
};

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Start(const Config& config, Seams seams) {
  if (auto problems = ValidateConfig(config); !problems.empty()) {
    return Fail(ErrorCategory::kInvalid, "app.config", problems.front());
  }
  auto parts = std::make_unique<Parts>();
  Parts& p = *parts;
  p.clock = seams.clock != nullptr ? seams.clock : &p.system_clock;
  p.random = seams.random != nullptr ? seams.random : &p.system_random;
  auto sink = seams.log_sink ? seams.log_sink : StderrSink();
  rest::LogLevel level = rest::LogLevel::kInfo;
  (void)rest::ParseLogLevel(config.log.level, level);  // validated above
  p.app_logger = std::make_unique<rest::Logger>("app", level, *p.clock, sink);
  p.rest_logger = std::make_unique<rest::Logger>("rest", level, *p.clock, sink);

  // The data directory holds the key file and the database: private to the server's user.
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) {
    return Fail(ErrorCategory::kUnavailable, "app.data-dir",
                "cannot create the data directory: " + ec.message());
  }
  ::chmod(config.data_dir.c_str(), 0700);
  CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey master,
                             crypto::LoadOrCreateKeyFile(config.data_dir / kKeyFile, *p.random));

  CHARTROOM_ASSIGN_OR_RETURN(p.extractor, fhir::search::IndexExtractor::Create());
  store::SqliteResourceStore::Options store_options = config.store;
  store_options.path = config.data_dir / kDatabaseFile;
  const fhir::search::IndexExtractor* extractor = p.extractor.get();
  store_options.index = [extractor](const boost::json::value& resource) {
    return extractor->Extract(resource);
  };
  CHARTROOM_ASSIGN_OR_RETURN(
      p.store, store::SqliteResourceStore::Open(store_options, *p.clock, *p.random, master));

  const bool tls = !config.server.tls_certificate_file.empty();
  store::SqliteResourceStore* store = p.store.get();
  const std::filesystem::path database = store_options.path;
  p.api = std::make_unique<rest::Api>(
      config.rest, rest::ApiDependencies{.store = *p.store,
                                         .clock = *p.clock,
                                         .logger = *p.rest_logger,
                                         .random = *p.random,
                                         .skipped_params = p.extractor->skipped(),
                                         .tls = tls,
                                         .store_metrics = [store, database](std::string& out) {
                                           StoreMetrics(*store, database, out);
                                         }});

  http::ServerOptions server_options = config.server;
  const auto listen = ParseListen(config.listen);  // validated above
  server_options.host = listen->first;
  server_options.port = listen->second;
  // Bodies up to twice the REST limit reach the API, which answers those over the limit with
  // an OperationOutcome; larger ones are refused by the HTTP layer without being read.
  server_options.max_body_bytes = 2 * config.rest.max_body_bytes;
  rest::Api* api = p.api.get();
  CHARTROOM_ASSIGN_OR_RETURN(
      p.server, http::Server::Start(server_options, [api](const http::Request& request) {
        return api->Handle(request);
      }));
  p.app_logger->Log(
      rest::LogLevel::kInfo, "started",
      {{"port", std::int64_t{p.server->port()}}, {"tls", std::string_view(tls ? "on" : "off")}});
  return std::unique_ptr<App>(new App(std::move(parts)));
}

std::uint16_t App::port() const { return parts_->server ? parts_->server->port() : 0; }

void App::Stop() {
  if (!parts_) return;
  std::call_once(parts_->stopped, [this] {
    Parts& p = *parts_;
    p.app_logger->Log(rest::LogLevel::kInfo, "stopping", {});
    if (p.server) p.server->Stop();  // finishes the requests in flight
    p.server.reset();
    p.api.reset();
    p.store.reset();  // finishes queued transactions, closes the database
    p.app_logger->Log(rest::LogLevel::kInfo, "stopped", {});
  });
}

}  // namespace chartroom::app
