#include "app/app.hpp"

#include <cstdio>
#include <mutex>

#include "app/code_sets.hpp"
#include "app/patient_index.hpp"
#include "app/roi_settings.hpp"
#include "app/security.hpp"
#include "app/store_open.hpp"
#include "core/result_macros.hpp"
#include "fhir/search/index_values.hpp"
#include "http/server.hpp"
#include "mpi/follower.hpp"
#include "rest/api.hpp"
#include "rest/export.hpp"
#include "rest/log.hpp"

namespace chartroom::app {
namespace {

std::function<void(std::string_view)> StderrSink() {
  static std::mutex mutex;
  return [](std::string_view line) {
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  };
}

// The web console's files: config console.dir, else this source tree's web/dist.
std::filesystem::path ConsoleDir(const Config& config) {
  if (config.console.dir == "off") return {};
  if (!config.console.dir.empty()) return config.console.dir;
  return CHARTROOM_CONSOLE_DIR;
}

}  // namespace

struct App::Parts {
  core::SystemClock system_clock;
  core::SystemRandom system_random;
  core::Clock* clock = nullptr;
  core::Random* random = nullptr;
  std::unique_ptr<rest::Logger> app_logger;
  std::unique_ptr<rest::Logger> rest_logger;
  OpenedStore store;
  Security security;
  std::unique_ptr<mpi::Index> patient_index;
  std::unique_ptr<mpi::Follower> follower;  // uses the index: declared after it
  std::unique_ptr<coding::CatalogSource> code_sets;
  roi::Settings roi;
  std::unique_ptr<rest::ExportManager> exports;
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

  CHARTROOM_ASSIGN_OR_RETURN(p.store, OpenStore(config, *p.clock, *p.random));

  // Export files live under the data directory; leftovers of an earlier run are deleted.
  CHARTROOM_ASSIGN_OR_RETURN(
      p.exports, rest::ExportManager::Create(config.rest.bulk_export, config.data_dir / "exports",
                                             *p.store.store, *p.clock, *p.rest_logger));

  rest::AccessServices access;
  if (config.access.enforce == "on") {
    CHARTROOM_ASSIGN_OR_RETURN(p.security, OpenSecurity(config, p.store, *p.clock, *p.random));
    p.security.trail->Start();
    access.identity = p.security.identity.get();
    access.gate = p.security.gate.get();
    access.trail = p.security.trail.get();
    access.monitor = p.security.monitor.get();
    access.audit_key = p.security.audit_key;
  } else {
    p.app_logger->Log(
        rest::LogLevel::kWarn, "access-control-off",
        {{"detail", std::string_view("every caller is trusted (access.enforce=off)")}});
  }

  const core::Timestamp index_read = p.clock->Now();
  CHARTROOM_ASSIGN_OR_RETURN(p.patient_index, OpenPatientIndex(config, *p.store.store));
  p.app_logger->Log(rest::LogLevel::kInfo, "patient-index",
                    {{"patients", static_cast<std::int64_t>(p.patient_index->size())}});
  p.follower = std::make_unique<mpi::Follower>(*p.patient_index, *p.store.store, *p.clock,
                                               index_read, config.mpi.follow_interval);

  p.code_sets = std::make_unique<coding::CatalogSource>(CodeSetDirs(config));
  CHARTROOM_ASSIGN_OR_RETURN(p.roi, RoiSettings(config));

  const bool tls = !config.server.tls_certificate_file.empty();
  p.api = std::make_unique<rest::Api>(
      config.rest, rest::ApiDependencies{.store = *p.store.store,
                                         .clock = *p.clock,
                                         .logger = *p.rest_logger,
                                         .random = *p.random,
                                         .skipped_params = p.store.extractor->skipped(),
                                         .tls = tls,
                                         .store_metrics = p.store.metrics,
                                         .exports = p.exports.get(),
                                         .access = std::move(access),
                                         .patient_index = p.patient_index.get(),
                                         .code_sets = p.code_sets.get(),
                                         .roi = &p.roi,
                                         .console_dir = ConsoleDir(config)});

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
    p.exports.reset();  // cancels running export jobs and deletes every export file
    p.follower.reset();
    p.patient_index.reset();
    if (p.security.trail) p.security.trail->Stop();  // appends what is queued
    p.security = Security{};                         // it uses the store, which goes next
    p.store.store.reset();  // finishes queued transactions, closes the database
    p.app_logger->Log(rest::LogLevel::kInfo, "stopped", {});
  });
}

}  // namespace chartroom::app
