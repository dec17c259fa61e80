// The cost of access control and audit (docs/benchmarks.md, "Access control and audit"):
//
//   build/release/bench/chartroom_access_bench --benchmark_enable_random_interleaving=true
//   AUDIT_ENTRIES=10000000 build/release/bench/chartroom_access_bench --benchmark_filter=Verify
//
// ReadById/<mode>: GET /fhir/Patient/[id] through rest::Api::Handle (routing, the store read, the
// reply; no sockets), on a SQLite store of 20,000 synthetic patients, from 2 threads, in three
// modes in the same run: `trusted` (no access control), `access` (token, policy decision and
// masking, no audit) and `audited` (the same plus the audit trail, batched appends). Random
// interleaving spreads the machine's drift over the three alike.
// HttpReadById/<mode>: the same three modes behind the real HTTP server (2 I/O threads), each
// loaded for 8 s by bench/http's chartroom_http_load (64 connections) over the same 2,000
// patient ids; requests/s as the counter `reads_per_second`.
// Both report `cpu_us_per_read`: this process's CPU time (every thread) per read served.
// TrailAppend: events recorded and appended by the trail into the store, sealed and chained.
// VerifyStoredLog: audit::VerifyLog over AUDIT_ENTRIES (default 1,000,000) stored entries of one
// event each.

#include <benchmark/benchmark.h>

#include <unistd.h>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/security.hpp"
#include "app/store_open.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "http/server.hpp"
#include "rest/api.hpp"
#include "rest/log.hpp"

namespace {

using namespace chartroom;
namespace fs = std::filesystem;

constexpr int kPatients = 20000;

struct World {
  fs::path dir;
  app::Config config;
  core::SystemClock clock;
  core::SystemRandom random;
  app::OpenedStore store;
  app::Security security;
  std::unique_ptr<rest::Logger> logger;
  std::unique_ptr<rest::Api> trusted, access, audited;
  std::string token;
  std::vector<std::string> targets;

  World() {
    dir = fs::temp_directory_path() / ("chartroom-access-bench-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    config.data_dir = dir;
    store = std::move(*app::OpenStore(config, clock, random));
    security = std::move(*app::OpenSecurity(config, store, clock, random));
    (void)security.identity->AddUser("bench.doc", "synthetic bench passphrase",
                                     {access::Role::kClinician});
    token = "Bearer " +
            security.identity->IssueFor("bench.doc", "TREAT", std::chrono::hours(4))->access_token;
    // Patients in batches of 1,000.
    for (int batch = 0; batch < kPatients / 1000; ++batch) {
      (void)store.store->InTransaction([&](store::Transaction& tx) -> Status {
        for (int i = 0; i < 1000; ++i) {
          const std::string id = "p" + std::to_string(batch * 1000 + i);
          boost::json::object p{
              {"resourceType", "Patient"},
              {"id", id},
              {"gender", i % 2 ? "female" : "male"},
              {"birthDate", "1970-01-01"},
              {"name", boost::json::array{{{"family", "Benchperson"}, {"given", {"Syn"}}}}}};
          if (auto written = tx.Update(std::move(p), std::nullopt); !written) {
            return tl::unexpected(written.error());
          }
        }
        return Ok();
      });
    }
    for (int i = 0; i < kPatients; ++i) targets.push_back("/fhir/Patient/p" + std::to_string(i));
    logger = std::make_unique<rest::Logger>("rest", rest::LogLevel::kOff, clock,
                                            [](std::string_view) {});
    auto make = [&](rest::AccessServices services) {
      return std::make_unique<rest::Api>(
          config.rest, rest::ApiDependencies{.store = *store.store,
                                             .clock = clock,
                                             .logger = *logger,
                                             .random = random,
                                             .skipped_params = store.extractor->skipped(),
                                             .store_metrics = {},
                                             .exports = nullptr,
                                             .access = std::move(services)});
    };
    trusted = make({});
    access = make({security.identity.get(), security.gate.get(), nullptr, nullptr, std::nullopt});
    security.trail->Start();
    audited = make({security.identity.get(), security.gate.get(), security.trail.get(), nullptr,
                    security.audit_key});
  }
  ~World() {
    trusted.reset();
    access.reset();
    audited.reset();
    security = app::Security{};
    store = app::OpenedStore{};
    fs::remove_all(dir);
  }
};

World& TheWorld() {
  static World world;
  return world;
}

double ProcessCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Reads patients by id through `api`, each thread from its own place in the list. Besides the
// rate, `cpu_us_per_read`: the whole process's CPU time (all threads, the trail's included) per
// read, which a noisy neighbour disturbs much less than the wall-clock rate. `flush` runs after
// the reads, inside that measurement.
void ReadById(benchmark::State& state, rest::Api& api, bool with_token,
              const std::function<void()>& flush = {}) {
  World& w = TheWorld();
  http::Request request;
  request.method = "GET";
  request.headers = {{"Host", "localhost"}};
  if (with_token) request.headers.push_back({"Authorization", w.token});
  request.remote_address = "127.0.0.1";
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  std::int64_t failed = 0;
  const double cpu_before = ProcessCpuSeconds();
  for (auto _ : state) {
    request.target = w.targets[i++ % w.targets.size()];
    failed += api.Handle(request).status != 200;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["non_200"] = static_cast<double>(failed);
  // The loop's end waits for every thread, so thread 0 sees all of their reads done.
  if (state.thread_index() == 0) {
    if (flush) flush();
    const double reads = static_cast<double>(state.iterations() * state.threads());
    state.counters["cpu_us_per_read"] = (ProcessCpuSeconds() - cpu_before) * 1e6 / reads;
  }
}

void BM_ReadById_Trusted(benchmark::State& state) { ReadById(state, *TheWorld().trusted, false); }
void BM_ReadById_Access(benchmark::State& state) { ReadById(state, *TheWorld().access, true); }
void BM_ReadById_Audited(benchmark::State& state) {
  // The appends the reads queued count too: the last batch is flushed inside the measurement.
  ReadById(state, *TheWorld().audited, true, [] { (void)TheWorld().security.trail->Flush(); });
}

// Run with --benchmark_enable_random_interleaving=true so that machine noise falls on all three
// alike.
BENCHMARK(BM_ReadById_Trusted)->Threads(2)->UseRealTime()->MinTime(3)->Repetitions(3);
BENCHMARK(BM_ReadById_Access)->Threads(2)->UseRealTime()->MinTime(3)->Repetitions(3);
BENCHMARK(BM_ReadById_Audited)->Threads(2)->UseRealTime()->MinTime(3)->Repetitions(3);

struct HttpLoad {
  double reads_per_second = 0;  // as chartroom_http_load measured it
  double cpu_us_per_read = 0;   // this process's (the server's) CPU time per request it served
};

// Serves `api` over HTTP and loads it with chartroom_http_load.
HttpLoad LoadOverHttp(rest::Api& api, bool with_token, const std::function<void()>& flush = {}) {
  World& w = TheWorld();
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  std::atomic<std::int64_t> served{0};
  auto server = http::Server::Start(options, [&api, &served](const http::Request& request) {
    served.fetch_add(1, std::memory_order_relaxed);
    return api.Handle(request);
  });
  if (!server) return {};
  const fs::path paths = w.dir / "paths.txt";
  {
    std::ofstream out(paths);
    for (std::size_t i = 0; i < 2000; ++i) out << w.targets[(i * 7) % w.targets.size()] << '\n';
  }
  char self[4096] = {};
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  const fs::path load =
      fs::path(std::string(self, n > 0 ? static_cast<std::size_t>(n) : 0)).parent_path() / "http" /
      "chartroom_http_load";
  std::string command = load.string() + " --port " + std::to_string((*server)->port()) +
                        " --connections 64 --duration 8 --warmup 1 --paths " + paths.string();
  if (with_token) command += " --header 'Authorization: " + w.token + "'";
  const double cpu_before = ProcessCpuSeconds();
  std::FILE* pipe = ::popen(command.c_str(), "r");
  std::string output;
  char buffer[512];
  while (pipe != nullptr && std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  if (pipe != nullptr) ::pclose(pipe);
  (*server)->Stop();
  if (flush) flush();
  HttpLoad result;
  const double cpu = ProcessCpuSeconds() - cpu_before;
  if (served.load() > 0) result.cpu_us_per_read = cpu * 1e6 / static_cast<double>(served.load());
  const std::size_t at = output.find("\"requests_per_second\":");
  if (at != std::string::npos) result.reads_per_second = std::atof(output.c_str() + at + 22);
  return result;
}

void HttpReads(benchmark::State& state, rest::Api& api, bool with_token,
               const std::function<void()>& flush = {}) {
  HttpLoad load;
  for (auto _ : state) load = LoadOverHttp(api, with_token, flush);
  if (load.reads_per_second <= 0) {
    state.SkipWithError("chartroom_http_load did not run (build bench/http first)");
  }
  state.counters["reads_per_second"] = load.reads_per_second;
  state.counters["cpu_us_per_read"] = load.cpu_us_per_read;
}
void BM_HttpReadById_Trusted(benchmark::State& state) {
  HttpReads(state, *TheWorld().trusted, false);
}
void BM_HttpReadById_Access(benchmark::State& state) { HttpReads(state, *TheWorld().access, true); }
void BM_HttpReadById_Audited(benchmark::State& state) {
  HttpReads(state, *TheWorld().audited, true, [] { (void)TheWorld().security.trail->Flush(); });
}
BENCHMARK(BM_HttpReadById_Trusted)->Iterations(1)->Repetitions(2)->UseRealTime();
BENCHMARK(BM_HttpReadById_Access)->Iterations(1)->Repetitions(2)->UseRealTime();
BENCHMARK(BM_HttpReadById_Audited)->Iterations(1)->Repetitions(2)->UseRealTime();

void BM_TrailAppend(benchmark::State& state) {
  World& w = TheWorld();
  audit::Event event;
  event.action = audit::Action::kRead;
  event.user = "bench.doc";
  event.roles = {"clinician"};
  event.purpose = "TREAT";
  event.client_address = "10.0.0.7";
  event.request_id = "0123456789abcdef-1";
  constexpr int kBatch = 4096;
  for (auto _ : state) {
    for (int i = 0; i < kBatch; ++i) {
      event.time = w.clock.Now();
      event.patients = {"p" + std::to_string(i)};
      event.resources = {"Patient/p" + std::to_string(i)};
      w.security.trail->Record(event);
    }
    if (auto flushed = w.security.trail->Flush(); !flushed) state.SkipWithError("flush failed");
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_TrailAppend)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_VerifyStoredLog(benchmark::State& state) {
  const char* env = std::getenv("AUDIT_ENTRIES");
  const std::int64_t wanted = env != nullptr ? std::atoll(env) : 1000000;
  World& w = TheWorld();
  audit::Event event;
  event.action = audit::Action::kRead;
  event.user = "bench.doc";
  event.purpose = "TREAT";
  // One event per entry, so that the figure is per entry of the size a write's entry has (queued
  // reads share entries, 256 to one).
  audit::TrailOptions single;
  single.events_per_entry = 1;
  single.key_id = "bench";
  const crypto::SigningKey signing = crypto::SigningKey::Generate(w.random);
  audit::VerifyKeys keys = w.security.verify_keys;
  keys.emplace("bench", signing.public_key());
  audit::Trail trail(*w.store.store, w.clock, w.random, w.security.audit_key, signing, single);
  for (;;) {
    auto checkpoints = audit::LoadCheckpoints(*w.store.store);
    const std::int64_t have = checkpoints && !checkpoints->empty() ? checkpoints->back().last : 0;
    if (have >= wanted) break;
    for (int i = 0; i < 50000; ++i) {
      event.time = w.clock.Now();
      event.patients = {"p" + std::to_string(i % kPatients)};
      trail.Record(event);
    }
    if (!trail.Flush()) {
      state.SkipWithError("append failed");
      return;
    }
  }
  std::int64_t entries = 0;
  for (auto _ : state) {
    auto result = audit::VerifyLog(*w.store.store, keys);
    if (!result || result->first_bad) state.SkipWithError("the log does not verify");
    entries = result ? result->entries : 0;
  }
  state.SetItemsProcessed(state.iterations() * entries);
  state.counters["entries"] = static_cast<double>(entries);
}
BENCHMARK(BM_VerifyStoredLog)->UseRealTime()->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
