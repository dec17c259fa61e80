// The audit log's chain: appending (hashing) and verifying entries with their checkpoints.
//
//   build/release/bench/chartroom_audit_bench
//
// Entries are 330-byte JSON events (the size of an AuditEvent summary row), sealed every 1,024
// entries. The goal (docs/benchmarks.md) is verification at 1M entries/s or more.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "audit/chain.hpp"

namespace {

using chartroom::audit::ChainVerifier;
using chartroom::audit::Checkpoint;
using chartroom::audit::Hash;
using chartroom::audit::StoredEntry;

std::string Event(std::int64_t n) {
  std::string body = R"({"type":"rest","action":"R","recorded":"2026-11-26T09:00:00.000Z",)"
                     R"("agent":{"who":"user-)" +
                     std::to_string(n % 97) +
                     R"(","role":"him_technician","purpose":"HOPERAT","network":"10.0.0.7"},)"
                     R"("entity":[{"what":"Patient/)" +
                     std::to_string(n) + R"(","patient":")" + std::to_string(n) + R"("}],)";
  body += R"("outcome":"0","request":"GET /fhir/Patient/)" + std::to_string(n) + R"("})";
  body.resize(330, ' ');
  return body;
}

struct Log {
  std::vector<StoredEntry> entries;
  std::vector<Checkpoint> checkpoints;
  chartroom::audit::VerifyKeys keys;
};

const Log& TheLog() {
  static const Log log = [] {
    Log l;
    chartroom::core::SeededRandom random(1);
    const auto key = chartroom::crypto::SigningKey::Generate(random);
    l.keys.emplace("k", key.public_key());
    Hash previous{};
    constexpr std::int64_t kEntries = 1 << 20;
    l.entries.reserve(kEntries);
    for (std::int64_t n = 1; n <= kEntries; ++n) {
      l.entries.push_back(chartroom::audit::MakeEntry(previous, n, Event(n)));
      previous = l.entries.back().chain;
    }
    for (std::size_t at = 0; at < l.entries.size(); at += 1024) {
      l.checkpoints.push_back(chartroom::audit::Seal(std::span(l.entries).subspan(at, 1024),
                                                     chartroom::core::Timestamp{}, key, "k"));
    }
    return l;
  }();
  return log;
}

void BM_AppendEntry(benchmark::State& state) {
  const std::string body = Event(42);
  Hash previous{};
  std::int64_t n = 0;
  for (auto _ : state) {
    StoredEntry e = chartroom::audit::MakeEntry(previous, ++n, body);
    previous = e.chain;
    benchmark::DoNotOptimize(previous);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AppendEntry);

void BM_VerifyLog(benchmark::State& state) {
  const Log& log = TheLog();
  for (auto _ : state) {
    ChainVerifier verifier(log.keys, log.checkpoints);
    for (const StoredEntry& e : log.entries) verifier.Add(e);
    auto result = verifier.Finish();
    if (result.first_bad) state.SkipWithError("the log did not verify");
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(log.entries.size()));
}
BENCHMARK(BM_VerifyLog)->Unit(benchmark::kMillisecond);

}  // namespace
