// Record store throughput and latency (SQLite, or PostgreSQL with CHARTROOM_STORE_BENCH_PG_DSN)
// on Synthea data, with every R4 search parameter indexed by
// the real extractor (fhir::search::IndexExtractor).
//
// Data: the resources of the Synthea transaction bundles in <shared data>/synthea
// (fhir-data-pipes HIV and MS-anonymizer bundles; urn:uuid references rewritten to Type/id, as a
// server stores a transaction), repeated with a copy suffix on every id and reference ("-c7") as
// often as needed: the same sizes, shapes and value distributions, more patients.
//
//   BM_Ingest/<batch>      Updates (PUT with ids) through InTransaction, `batch` resources per
//                          transaction, one caller that prepares each batch (ResourceStore::
//                          Prepare: extraction, serialization) before handing it to the writer;
//                          a fresh database per benchmark.
//   BM_IngestConcurrent    batch 1 from 8 threads: what group commit gives concurrent callers;
//                          batch 1000 from 2 threads: preparing overlaps writing.
//   BM_ReadById            Read of random resources of the populated database.
//   BM_SearchPatientByName Patient?family=<prefix>&_count=20
//   BM_SearchObservation   Observation?patient=<id>&code=<loinc>&date=ge<date>&_count=20
//   BM_SearchObservationSorted  Observation?patient=<id>&_sort=-date&_count=20
// The read and search benchmarks share one database of CHARTROOM_STORE_BENCH_RESOURCES
// resources (default 100000), built once before they run; p50_us and p99_us are per query.
// With CHARTROOM_STORE_BENCH_KEEP set, the databases stay in the temporary directory; with
// CHARTROOM_STORE_BENCH_PLANS set, each search benchmark prints its query plan first;
// CHARTROOM_STORE_BENCH_CACHE_KIB sets Options::page_cache_kib. With CHARTROOM_STORE_BENCH_PG_DSN
// (a libpq connection string) every benchmark runs on the PostgreSQL store instead, each database
// a fresh schema dropped at the end:
//   scripts/with-postgres.sh sh -c 'CHARTROOM_STORE_BENCH_PG_DSN="$TEST_PG_DSN"
//       build/release/bench/chartroom_store_bench --benchmark_filter=Ingest'   (one command line)
//
//   cmake --preset release && cmake --build --preset release --target chartroom_store_bench
//   build/release/bench/chartroom_store_bench
//   CHARTROOM_STORE_BENCH_RESOURCES=1000000 build/release/bench/chartroom_store_bench
//       --benchmark_filter='Read|Search'   (one command line)

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "fhir/json/gzip.hpp"
#include "fhir/search/index_values.hpp"
#include "store/postgres/postgres_resource_store.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::store {
namespace {

namespace bj = boost::json;
namespace fs = fhir::search;

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ResolveFullUrls(bj::value& node, const std::map<std::string, std::string>& local) {
  if (node.is_array()) {
    for (bj::value& element : node.as_array()) ResolveFullUrls(element, local);
  } else if (node.is_object()) {
    for (auto& [key, value] : node.as_object()) {
      if (key == "reference" && value.is_string()) {
        auto it = local.find(std::string(value.as_string()));
        if (it != local.end()) value = it->second;
      } else {
        ResolveFullUrls(value, local);
      }
    }
  }
}

// Appends `suffix` to the resource's id and to the id of every relative reference.
void Suffix(bj::value& node, const std::string& suffix, bool top) {
  if (node.is_array()) {
    for (bj::value& element : node.as_array()) Suffix(element, suffix, false);
  } else if (node.is_object()) {
    for (auto& [key, value] : node.as_object()) {
      if (value.is_string() && ((top && key == "id") || key == "reference")) {
        std::string s(value.as_string());
        if (key == "id" || (s.find('/') != std::string::npos && s.find(':') == std::string::npos)) {
          value = s + suffix;
        }
      } else if (!value.is_string()) {
        Suffix(value, suffix, false);
      }
    }
  }
}

struct Corpus {
  std::vector<bj::object> resources;  // the base set, ids unique
  std::vector<std::string> patient_ids;
  std::vector<std::string> families;  // normalized family-name prefixes (3 letters)
  struct ObsKey {
    std::string patient;
    std::string code;
    std::string date;  // an effective date at or before which the patient has the code
  };
  std::vector<ObsKey> observations;
  std::size_t bytes = 0;

  // Resource i of the endless corpus: copy i / size of the base set.
  bj::object Get(std::size_t i) const {
    const bj::object& base = resources[i % resources.size()];
    std::size_t copy = i / resources.size();
    bj::value v(base);
    if (copy > 0) Suffix(v, "-c" + std::to_string(copy), true);
    return std::move(v.as_object());
  }
};

void AddBundle(Corpus& c, const std::filesystem::path& path) {
  auto text = fhir::json::Gunzip(ReadFile(path));
  if (!text) return;
  c.bytes += text->size();
  bj::value bundle = bj::parse(*text);
  std::map<std::string, std::string> local;
  for (const bj::value& entry : bundle.at("entry").as_array()) {
    const bj::object& r = entry.at("resource").as_object();
    local[std::string(entry.at("fullUrl").as_string())] =
        std::string(r.at("resourceType").as_string()) + "/" + std::string(r.at("id").as_string());
  }
  ResolveFullUrls(bundle, local);
  for (bj::value& entry : bundle.at("entry").as_array()) {
    c.resources.push_back(std::move(entry.at("resource").as_object()));
  }
}

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus;
    std::filesystem::path shared(CHARTROOM_SHARED_DATA_DIR);
    std::vector<std::filesystem::path> files;
    for (const char* dir :
         {"synthea/fhir-data-pipes-synthea-hiv-bundles", "synthea/ms-anonymizer-r4-bundles"}) {
      if (!std::filesystem::is_directory(shared / dir)) continue;
      for (const auto& e : std::filesystem::directory_iterator(shared / dir)) {
        if (e.path().string().ends_with(".json.gz")) files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) AddBundle(*c, f);
    // Ids must be unique across bundles for the copies to be.
    std::map<std::string, int> seen;
    std::vector<bj::object> unique;
    for (auto& r : c->resources) {
      std::string key =
          std::string(r.at("resourceType").as_string()) + "/" + std::string(r.at("id").as_string());
      if (seen[key]++ == 0) unique.push_back(std::move(r));
    }
    c->resources = std::move(unique);
    for (const bj::object& r : c->resources) {
      std::string_view type = r.at("resourceType").as_string();
      if (type == "Patient") {
        c->patient_ids.emplace_back(r.at("id").as_string());
        if (const auto* names = r.if_contains("name"); names != nullptr && names->is_array()) {
          for (const auto& n : names->as_array()) {
            if (const auto* f = n.as_object().if_contains("family"); f != nullptr) {
              std::string norm = fs::NormalizeString(f->as_string());
              if (norm.size() >= 3) c->families.push_back(norm.substr(0, 3));
            }
          }
        }
      } else if (type == "Observation") {
        const auto* subject = r.if_contains("subject");
        const auto* code = r.if_contains("code");
        const auto* date = r.if_contains("effectiveDateTime");
        if (subject == nullptr || code == nullptr || date == nullptr) continue;
        const auto& coding = code->at("coding").as_array();
        if (coding.empty()) continue;
        std::string ref(subject->at("reference").as_string());
        if (!ref.starts_with("Patient/")) continue;
        c->observations.push_back({ref.substr(8), std::string(coding[0].at("code").as_string()),
                                   std::string(date->as_string()).substr(0, 10)});
      }
    }
    return c;
  }();
  return *corpus;
}

struct OpenStore {
  std::filesystem::path dir;
  core::SystemClock clock;
  core::SystemRandom random;
  std::unique_ptr<fs::IndexExtractor> extractor;
  std::unique_ptr<ResourceStore> store;
  SqliteResourceStore* sqlite = nullptr;
  PostgresResourceStore* postgres = nullptr;
  std::string schema;

  explicit OpenStore(const std::string& name) {
    dir = std::filesystem::temp_directory_path() /
          ("chartroom-store-bench-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir);
    extractor = std::move(*fs::IndexExtractor::Create());
    if (const char* dsn = std::getenv("CHARTROOM_STORE_BENCH_PG_DSN")) {
      OpenPostgres(dsn, name);
      return;
    }
    SqliteResourceStore::Options options;
    options.path = dir / "chartroom.db";
    if (const char* kib = std::getenv("CHARTROOM_STORE_BENCH_CACHE_KIB")) {
      options.page_cache_kib = std::strtoll(kib, nullptr, 10);
    }
    fs::IndexExtractor* ex = extractor.get();
    options.index = [ex](const bj::value& v) { return ex->Extract(v); };
    core::SeededRandom key_random(1);
    auto opened =
        SqliteResourceStore::Open(options, clock, random, crypto::SecretKey::Generate(key_random));
    if (!opened) {
      std::fprintf(stderr, "store: %s\n", opened.error().message().c_str());
      std::abort();
    }
    sqlite = opened->get();
    store = std::move(*opened);
  }
  void OpenPostgres(const char* dsn, const std::string& name) {
    PostgresResourceStore::Options options;
    options.dsn = dsn;
    schema = "chartroom_bench_" + std::to_string(::getpid()) + "_";
    for (char c : name) schema += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
    options.schema = schema;
    fs::IndexExtractor* ex = extractor.get();
    options.index = [ex](const bj::value& v) { return ex->Extract(v); };
    core::SeededRandom key_random(1);
    auto opened = PostgresResourceStore::Open(options, clock, random,
                                              crypto::SecretKey::Generate(key_random));
    if (!opened) {
      std::fprintf(stderr, "store: %s\n", opened.error().message().c_str());
      std::abort();
    }
    postgres = opened->get();
    store = std::move(*opened);
  }
  ~OpenStore() {
    store.reset();
    if (std::getenv("CHARTROOM_STORE_BENCH_KEEP") != nullptr) return;
    std::filesystem::remove_all(dir);
    if (!schema.empty()) {
      std::string command = std::string("psql -q \"") +
                            std::getenv("CHARTROOM_STORE_BENCH_PG_DSN") + "\" -c 'DROP SCHEMA " +
                            schema + " CASCADE' >/dev/null 2>&1";
      if (std::system(command.c_str()) != 0)
        std::fprintf(stderr, "could not drop %s\n", schema.c_str());
    }
  }
  std::uint64_t Commits() const {
    return sqlite != nullptr ? sqlite->GetStats().commits : postgres->GetStats().commits;
  }
  std::uint64_t Committed() const {
    return sqlite != nullptr ? sqlite->GetStats().transactions_committed
                             : postgres->GetStats().transactions_committed;
  }

  // Prepares the batch on the calling thread (as an import or a transaction bundle would, in
  // its request thread), then writes it in one transaction.
  Status Write(std::size_t first, std::size_t count) {
    const Corpus& corpus = GetCorpus();
    std::vector<PreparedResource> batch;
    batch.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      auto prepared = store->Prepare(corpus.Get(first + i));
      if (!prepared) return tl::unexpected(prepared.error());
      batch.push_back(std::move(*prepared));
    }
    return store->InTransaction([&](Transaction& tx) -> Status {
      for (PreparedResource& r : batch) {
        auto written = tx.Update(std::move(r), std::nullopt);
        if (!written) return tl::unexpected(written.error());
      }
      return Ok();
    });
  }
};

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void BM_Ingest(benchmark::State& state) {
  const Corpus& corpus = GetCorpus();
  auto batch = static_cast<std::size_t>(state.range(0));
  OpenStore db("ingest-" + std::to_string(batch));
  std::size_t next = 0;
  double cpu0 = ProcessCpuSeconds();
  for (auto _ : state) {
    Status s = db.Write(next, batch);
    if (!s) state.SkipWithError(s.error().message().c_str());
    next += batch;
  }
  // CPU of every thread of the process (writer, checkpointer, this one preparing the batch),
  // which, unlike the rate, does not depend on what else the machine runs.
  state.counters["cpu_us_per_res"] = (ProcessCpuSeconds() - cpu0) * 1e6 / static_cast<double>(next);
  state.SetItemsProcessed(static_cast<std::int64_t>(next));
  state.counters["corpus_resources"] = static_cast<double>(corpus.resources.size());
  state.counters["commits"] = static_cast<double>(db.Commits());
}
BENCHMARK(BM_Ingest)
    ->Arg(1)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

OpenStore* concurrent_store = nullptr;
std::atomic<std::size_t> concurrent_next{0};

void BM_IngestConcurrent(benchmark::State& state) {
  auto batch = static_cast<std::size_t>(state.range(0));
  if (state.thread_index() == 0) {
    concurrent_store = new OpenStore("concurrent");
    concurrent_next = 0;
  }
  double cpu0 = ProcessCpuSeconds();
  for (auto _ : state) {
    // The setup of thread 0 happens before any thread's first iteration (benchmark's barrier).
    Status s = concurrent_store->Write(concurrent_next.fetch_add(batch), batch);
    if (!s) state.SkipWithError(s.error().message().c_str());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
  if (state.thread_index() == 0) {
    state.counters["cpu_us_per_res"] =
        (ProcessCpuSeconds() - cpu0) * 1e6 / static_cast<double>(concurrent_next.load());
  }
  if (state.thread_index() == 0) {
    state.counters["per_commit"] =
        static_cast<double>(concurrent_store->Committed()) /
        static_cast<double>(std::max<std::uint64_t>(1, concurrent_store->Commits()));
    delete concurrent_store;
    concurrent_store = nullptr;
  }
}
// Batch 1 from 8 callers: group commit. Batch 1000 from 2 callers: one prepares while the
// writer writes the other's batch.
BENCHMARK(BM_IngestConcurrent)->Arg(1)->Threads(8)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_IngestConcurrent)->Arg(1000)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// ---- the populated database -------------------------------------------------------------------

std::size_t PopulationSize() {
  const char* env = std::getenv("CHARTROOM_STORE_BENCH_RESOURCES");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 100000;
}

OpenStore& Populated() {
  // Destroyed at exit, which removes the database.
  static std::unique_ptr<OpenStore> db = [] {
    auto d = std::make_unique<OpenStore>("populated");
    std::size_t n = PopulationSize();
    auto start = std::chrono::steady_clock::now();
    auto lap = start;
    for (std::size_t i = 0; i < n; i += 1000) {
      Status s = d->Write(i, std::min<std::size_t>(1000, n - i));
      if (!s) {
        std::fprintf(stderr, "populate: %s\n", s.error().message().c_str());
        std::abort();
      }
      if ((i + 1000) % 50000 == 0) {
        auto now = std::chrono::steady_clock::now();
        std::fprintf(stderr, "populate: %zu resources, last 50000 at %.0f res/s\n", i + 1000,
                     50000 / std::chrono::duration<double>(now - lap).count());
        lap = now;
      }
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "populated %zu resources in %.1f s (%.0f res/s)\n", n, secs,
                 static_cast<double>(n) / secs);
    return d;
  }();
  return *db;
}

// Copies of the corpus in the populated database.
std::size_t Copies() {
  return std::max<std::size_t>(1, PopulationSize() / GetCorpus().resources.size());
}

std::string CopyId(const std::string& id, std::size_t copy) {
  return copy == 0 ? id : id + "-c" + std::to_string(copy);
}

template <typename F>
void Latencies(benchmark::State& state, F&& one) {
  std::vector<double> micros;
  std::mt19937_64 rng(7);
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    one(rng);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  }
  state.counters["resources"] = static_cast<double>(PopulationSize());
}

void PrintPlan(const char* name, const fs::SearchQuery& q) {
  if (std::getenv("CHARTROOM_STORE_BENCH_PLANS") == nullptr || Populated().sqlite == nullptr) {
    return;
  }
  auto plan = Populated().sqlite->ExplainSearch(q);
  std::fprintf(stderr, "plan of %s:\n", name);
  if (plan) {
    for (const std::string& line : *plan) std::fprintf(stderr, "  %s\n", line.c_str());
  }
}

void BM_ReadById(benchmark::State& state) {
  OpenStore& db = Populated();
  const Corpus& corpus = GetCorpus();
  std::size_t n = std::min(PopulationSize(), corpus.resources.size() * Copies());
  Latencies(state, [&](std::mt19937_64& rng) {
    std::size_t i = rng() % n;
    const bj::object& base = corpus.resources[i % corpus.resources.size()];
    std::string id = CopyId(std::string(base.at("id").as_string()), i / corpus.resources.size());
    auto read = db.store->Read(base.at("resourceType").as_string(), id);
    if (!read) state.SkipWithError(read.error().message().c_str());
    benchmark::DoNotOptimize(read);
  });
}
BENCHMARK(BM_ReadById)->Unit(benchmark::kMicrosecond);

fs::Criterion Crit(std::string_view type, std::string_view code, fs::QueryValue value) {
  fs::Criterion c;
  c.param = fhir::FindSearchParam(type, code);
  c.type = c.param->type;
  c.values.push_back(std::move(value));
  return c;
}

void BM_SearchPatientByName(benchmark::State& state) {
  OpenStore& db = Populated();
  const Corpus& corpus = GetCorpus();
  double matches = 0;
  Latencies(state, [&](std::mt19937_64& rng) {
    fs::SearchQuery q;
    q.type = "Patient";
    fs::QueryValue v;
    v.string = corpus.families[rng() % corpus.families.size()];
    q.criteria.push_back(Crit("Patient", "family", v));
    q.count = 20;
    static bool planned = false;
    if (!planned) {
      planned = true;
      PrintPlan("BM_SearchPatientByName", q);
    }
    auto page = db.store->Search(q);
    if (!page) state.SkipWithError(page.error().message().c_str());
    matches += static_cast<double>(page->matches.size());
  });
  state.counters["matches"] = matches / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SearchPatientByName)->Unit(benchmark::kMicrosecond);

void BM_SearchObservation(benchmark::State& state) {
  OpenStore& db = Populated();
  const Corpus& corpus = GetCorpus();
  std::size_t copies = Copies();
  double matches = 0;
  Latencies(state, [&](std::mt19937_64& rng) {
    const auto& key = corpus.observations[rng() % corpus.observations.size()];
    fs::SearchQuery q;
    q.type = "Observation";
    fs::QueryValue patient;
    patient.reference =
        fs::ReferenceValue{"Patient", CopyId(key.patient, rng() % copies), "", "", "", ""};
    fs::QueryValue code;
    code.token = fs::TokenValue{"http://loinc.org", key.code, "", ""};
    code.token_has_system_separator = true;
    fs::QueryValue date;
    date.prefix = fs::Prefix::kGe;
    date.date = fs::DateRangeOf(*fhir::DateTime::ParseDate(key.date));
    q.criteria = {Crit("Observation", "patient", patient), Crit("Observation", "code", code),
                  Crit("Observation", "date", date)};
    q.count = 20;
    static bool planned = false;
    if (!planned) {
      planned = true;
      PrintPlan("BM_SearchObservation", q);
    }
    auto page = db.store->Search(q);
    if (!page) state.SkipWithError(page.error().message().c_str());
    matches += static_cast<double>(page->matches.size());
  });
  state.counters["matches"] = matches / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SearchObservation)->Unit(benchmark::kMicrosecond);

void BM_SearchObservationSorted(benchmark::State& state) {
  OpenStore& db = Populated();
  const Corpus& corpus = GetCorpus();
  std::size_t copies = Copies();
  double matches = 0;
  Latencies(state, [&](std::mt19937_64& rng) {
    fs::SearchQuery q;
    q.type = "Observation";
    fs::QueryValue patient;
    patient.reference = fs::ReferenceValue{
        "Patient", CopyId(corpus.patient_ids[rng() % corpus.patient_ids.size()], rng() % copies),
        "",        "",
        "",        ""};
    q.criteria = {Crit("Observation", "patient", patient)};
    fs::SortKey key;
    key.param = fhir::FindSearchParam("Observation", "date");
    key.descending = true;
    q.sort = {key};
    q.count = 20;
    static bool planned = false;
    if (!planned) {
      planned = true;
      PrintPlan("BM_SearchObservationSorted", q);
    }
    auto page = db.store->Search(q);
    if (!page) state.SkipWithError(page.error().message().c_str());
    matches += static_cast<double>(page->matches.size());
  });
  state.counters["matches"] = matches / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SearchObservationSorted)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace chartroom::store
