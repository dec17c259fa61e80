// Api is Chartroom's FHIR R4 REST API (https://hl7.org/fhir/R4/http.html) and the server's
// operational endpoints, as one http::Handler: it routes a request, negotiates the format (JSON
// only), reads and validates the body, runs the interaction against the store, and answers with
// FHIR JSON, the ETag/Last-Modified/Location headers, and an X-Request-Id that the log lines of
// the request carry too. Every failure is an OperationOutcome with the status of
// rest/error_response.cpp; bad input never produces a 5xx. docs/api/ documents the endpoints.
//
//   GET  /healthz        200 when the store answers, else 503
//   GET  /metrics        Prometheus text: requests by route template and status, latencies
//   /fhir/...            the FHIR interactions (dispatch.cpp lists them)
//   /fhir/$export, /fhir/Patient/$export, /fhir/Group/[id]/$export, /fhir/$export-status/[job],
//   /fhir/$export-file/[job]/[file]   Bulk Data export (export_http.cpp, export.hpp)
//
// Ownership: the Api borrows the store, clock, logger and export manager, which must outlive it.
// Thread safety: Handle() may be called from any number of threads at once.

#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>

#include "coding/load.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "fhir/search/index_values.hpp"
#include "http/server.hpp"
#include "rest/access_http.hpp"
#include "rest/export.hpp"
#include "rest/log.hpp"
#include "rest/metrics.hpp"
#include "rest/options.hpp"
#include "roi/service.hpp"
#include "store/resource_store.hpp"

namespace chartroom::mpi {
class Index;
}  // namespace chartroom::mpi

namespace chartroom::rest {

struct ApiDependencies {
  store::ResourceStore& store;
  core::Clock& clock;
  Logger& logger;
  // Seeds the request-id prefix only (a request id is prefix-counter).
  core::Random& random;
  // The parameters the store's index extractor does not fill (IndexExtractor::skipped()): the
  // CapabilityStatement leaves them out.
  std::span<const fhir::search::SkippedParam> skipped_params;
  // Whether the server speaks TLS: the scheme of the base URL derived from Host.
  bool tls = false;
  // Appends the store's own metrics (Prometheus text) to /metrics; may be empty.
  std::function<void(std::string& out)> store_metrics;
  // Bulk Data export jobs ($export); null: export is off (422 rest.export-unavailable).
  ExportManager* exports = nullptr;
  // Identity, access decisions and audit; unset: every caller is trusted (see AccessServices).
  AccessServices access;
  // The patient index (Patient/$match, matching on intake); null: not running.
  mpi::Index* patient_index = nullptr;
  // The code sets behind /api/coding and /api/codes; null: those answer 404.
  coding::CatalogSource* code_sets = nullptr;
  // Release of information's deadlines, fees and letterhead; null: /api/roi answers 404.
  const roi::Settings* roi = nullptr;
  // The web console's built files (rest/console.hpp), served at /; empty: not served.
  std::filesystem::path console_dir{};
};

class Api {
 public:
  Api(const Options& options, ApiDependencies dependencies);

  // Answers one request; never throws.
  http::Response Handle(const http::Request& request);

  const Metrics& metrics() const { return metrics_; }

  struct Guarded;

 private:
  struct Outcome;
  std::string NextRequestId();

  Options options_;
  ApiDependencies deps_;
  std::string capability_statement_;
  std::string request_id_prefix_;
  std::atomic<std::uint64_t> request_counter_{0};
  Metrics metrics_;
};

}  // namespace chartroom::rest
