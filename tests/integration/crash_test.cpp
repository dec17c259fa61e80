// Reliability of the record store under crashes: `chartroom serve` is killed with SIGKILL again
// and again while several clients write single resources and transaction Bundles. After every
// restart each acknowledged write is there with its content, every transaction is visible
// whole or not at all, the database passes SQLite's integrity and foreign-key checks, and the
// audit trail holds exactly one entry for every version written (no acknowledged write lost its
// entry, no rolled-back one left one) and verifies intact.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "app/config.hpp"
#include "app/security.hpp"
#include "app/store_open.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "fhir/search/index_values.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"

namespace chartroom::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kSystem = "urn:chartroom:crash-test";
constexpr int kObservationsPerTransaction = 3;

// One write a client attempted; `acknowledged` when the server answered it with success.
struct Attempt {
  std::string key;
  bool transaction = false;
  bool acknowledged = false;
};

std::string Identifier(const std::string& key) {
  return R"("identifier":[{"system":")" + std::string(kSystem) + R"(","value":")" + key + R"("}])";
}

std::string PatientJson(const std::string& key, bool with_id) {
  return R"({"resourceType":"Patient",)" +
         (with_id ? R"("id":"crash-)" + key + R"(",)" : std::string()) + Identifier(key) +
         R"(,"birthDate":"1970-01-01","gender":"unknown"})";
}

std::string TransactionJson(const std::string& key) {
  std::string entries = R"({"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000001",)"
                        R"("resource":)" +
                        PatientJson(key, false) +
                        R"(,"request":{"method":"POST","url":"Patient"}})";
  for (int i = 0; i < kObservationsPerTransaction; ++i) {
    entries += R"(,{"resource":{"resourceType":"Observation","status":"final",)" + Identifier(key) +
               R"(,"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},)"
               R"("subject":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000001"},)"
               R"("valueQuantity":{"value":)" +
               std::to_string(60 + i) +
               R"(,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}},)"
               R"("request":{"method":"POST","url":"Observation"}})";
  }
  return R"({"resourceType":"Bundle","type":"transaction","entry":[)" + entries + "]}";
}

class Server {
 public:
  explicit Server(const fs::path& dir)
      : process_({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0"},
                 {"CHARTROOM_LOG_LEVEL=warn"}) {
    if (!process_.WaitFor("listening on port", std::chrono::seconds(60))) {
      ADD_FAILURE() << "the server did not start: " << process_.output();
    }
    port_ = PortFrom(process_.output());
  }
  std::uint16_t port() const { return port_; }
  Process& process() { return process_; }

 private:
  Process process_;
  std::uint16_t port_ = 0;
};

// Clients write until the server dies under them; every attempt is recorded before it is sent.
// The store of `dir` with its access and audit parts, opened as the server opens them.
struct Secured {
  core::SystemClock clock;
  core::SystemRandom random;
  app::OpenedStore store;
  app::Security security;
};

std::unique_ptr<Secured> OpenSecured(const fs::path& dir) {
  app::Config config;
  config.data_dir = dir;
  auto secured = std::make_unique<Secured>();
  auto store = app::OpenStore(config, secured->clock, secured->random);
  EXPECT_TRUE(store.has_value()) << store.error().message();
  if (!store) return nullptr;
  secured->store = std::move(*store);
  auto security = app::OpenSecurity(config, secured->store, secured->clock, secured->random);
  EXPECT_TRUE(security.has_value()) << security.error().message();
  if (!security) return nullptr;
  secured->security = std::move(*security);
  return secured;
}

// A clinician's bearer token for the writers.
std::string WriterToken(const fs::path& dir) {
  auto secured = OpenSecured(dir);
  if (secured == nullptr) return "";
  access::Identity& identity = *secured->security.identity;
  EXPECT_TRUE(
      identity.AddUser("crash.writer", "a long synthetic passphrase", {access::Role::kClinician}));
  auto token = identity.IssueFor("crash.writer", "TREAT", std::chrono::hours(1));
  EXPECT_TRUE(token.has_value());
  return token ? "Bearer " + token->access_token : "";
}

// Every version in the store has exactly one create/update/delete entry in the audit trail, and
// the trail verifies.
void ExpectEveryWriteAudited(const fs::path& dir) {
  auto secured = OpenSecured(dir);
  ASSERT_NE(secured, nullptr);
  store::ResourceStore& store = *secured->store.store;
  auto verified = audit::VerifyLog(store, secured->security.verify_keys);
  ASSERT_TRUE(verified.has_value()) << verified.error().message();
  EXPECT_FALSE(verified->first_bad) << verified->first_bad->problem;
  std::multiset<std::string> audited;
  ASSERT_TRUE(audit::ForEachEvent(
      store, secured->security.audit_key, 1, [&](std::string_view, const audit::Event& e) {
        if (e.action == audit::Action::kCreate || e.action == audit::Action::kUpdate) {
          audited.insert(e.resources.begin(), e.resources.end());
        }
        return true;
      }));
  std::multiset<std::string> written;
  store::HistoryQuery query;
  query.count = 1000;
  for (;;) {
    auto page = store.History(query);
    ASSERT_TRUE(page.has_value());
    for (const auto& v : page->versions) {
      written.insert(v.type + "/" + v.id + "/_history/" + std::to_string(v.version));
    }
    if (!page->next_page) break;
    query.page_token = *page->next_page;
  }
  EXPECT_GT(written.size(), 0u);
  EXPECT_TRUE(audited == written) << audited.size() << " audited versions, " << written.size()
                                  << " written";
}

void Write(std::uint16_t port, const std::string& token, int round, int writer, std::mutex& mutex,
           std::vector<Attempt>& attempts) {
  try {
    HttpClient client(port);
    const Headers auth = {{"Authorization", token}};
    const Headers minimal = {{"Authorization", token}, {"Prefer", "return=minimal"}};
    for (int n = 0;; ++n) {
      Attempt attempt{
          "r" + std::to_string(round) + "w" + std::to_string(writer) + "n" + std::to_string(n),
          n % 2 == 1, false};
      std::size_t slot = 0;
      {
        std::lock_guard lock(mutex);
        attempts.push_back(attempt);
        slot = attempts.size() - 1;
      }
      const HttpResult result = attempt.transaction
                                    ? client.Post("/fhir", TransactionJson(attempt.key), minimal)
                                    : client.Put("/fhir/Patient/crash-" + attempt.key,
                                                 PatientJson(attempt.key, true), auth);
      const bool ok = attempt.transaction ? result.status == 200 : result.status == 201;
      if (!ok) {
        ADD_FAILURE() << "a write failed while the server was up: " << result.status << " "
                      << result.body;
        return;
      }
      std::lock_guard lock(mutex);
      attempts[slot].acknowledged = true;
    }
  } catch (const std::exception&) {
    // The server was killed: the connection is gone.
  }
}

std::int64_t Count(HttpClient& client, const std::string& token, std::string_view type,
                   const std::string& key) {
  const HttpResult result =
      client.Get("/fhir/" + std::string(type) + "?identifier=" + std::string(kSystem) + "|" + key +
                     "&_summary=count",
                 {{"Authorization", token}});
  EXPECT_EQ(result.status, 200) << result.body;
  const json::value body = result.json();
  const json::value* total = body.is_object() ? body.as_object().if_contains("total") : nullptr;
  return total != nullptr && total->is_int64() ? total->as_int64() : -1;
}

// Opens the store the server left in `dir` and runs SQLite's integrity and foreign-key checks.
std::unique_ptr<store::SqliteResourceStore> OpenStore(const fs::path& dir,
                                                      fhir::search::IndexExtractor& extractor) {
  static core::SystemClock clock;
  static core::SystemRandom system_random;
  auto master = crypto::LoadOrCreateKeyFile(dir / "master.key", system_random);
  EXPECT_TRUE(master.has_value());
  if (!master) return nullptr;
  store::SqliteResourceStore::Options options;
  options.path = dir / "chartroom.db";
  options.index = [&extractor](const json::value& resource) { return extractor.Extract(resource); };
  auto opened = store::SqliteResourceStore::Open(options, clock, system_random, *master);
  EXPECT_TRUE(opened.has_value()) << opened.error().message();
  return opened ? std::move(*opened) : nullptr;
}

void ExpectSoundDatabase(const fs::path& dir) {
  auto extractor = fhir::search::IndexExtractor::Create();
  ASSERT_TRUE(extractor.has_value());
  auto opened = OpenStore(dir, **extractor);
  ASSERT_NE(opened, nullptr);
  auto problems = opened->CheckIntegrity();
  ASSERT_TRUE(problems.has_value());
  EXPECT_TRUE(problems->empty()) << problems->front();
}

TEST(CrashTest, AcknowledgedWritesSurviveSigkillAndTransactionsAreAllOrNothing) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("crash-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  constexpr int kRounds = 5;
  constexpr int kWriters = 4;
  std::mt19937 random(20261126);
  std::mutex mutex;
  std::vector<Attempt> attempts;
  const std::string token = WriterToken(dir);
  ASSERT_FALSE(token.empty());

  for (int round = 0; round < kRounds; ++round) {
    Server server(dir);
    ASSERT_NE(server.port(), 0);
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back(Write, server.port(), std::cref(token), round, w, std::ref(mutex),
                           std::ref(attempts));
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 900)(random)));
    server.process().Kill();
    for (auto& t : writers) t.join();
  }

  std::size_t acknowledged = 0;
  std::size_t unacknowledged = 0;
  {
    Server server(dir);
    ASSERT_NE(server.port(), 0);
    HttpClient client(server.port());
    for (const Attempt& a : attempts) {
      (a.acknowledged ? acknowledged : unacknowledged) += 1;
      if (a.transaction) {
        const std::int64_t patients = Count(client, token, "Patient", a.key);
        const std::int64_t observations = Count(client, token, "Observation", a.key);
        const bool whole = patients == 1 && observations == kObservationsPerTransaction;
        const bool absent = patients == 0 && observations == 0;
        EXPECT_TRUE(whole || absent)
            << a.key << ": " << patients << " patients, " << observations << " observations";
        if (a.acknowledged) {
          EXPECT_TRUE(whole) << a.key << " was acknowledged";
        }
      } else {
        const HttpResult read =
            client.Get("/fhir/Patient/crash-" + a.key, {{"Authorization", token}});
        if (a.acknowledged || read.status == 200) {
          ASSERT_EQ(read.status, 200) << a.key << " was acknowledged";
          EXPECT_NE(read.body.find(a.key), std::string::npos) << read.body;
        } else {
          EXPECT_EQ(read.status, 404) << a.key;
        }
      }
    }
    ::kill(server.process().pid(), SIGTERM);
    EXPECT_EQ(server.process().Wait(std::chrono::seconds(60)), 0) << server.process().output();
  }
  // Each round acknowledged writes before it was killed.
  EXPECT_GE(acknowledged, static_cast<std::size_t>(kRounds * kWriters));
  std::cout << "[ crash    ] " << kRounds << " kills, " << acknowledged << " acknowledged and "
            << unacknowledged << " unacknowledged writes checked\n";

  ExpectSoundDatabase(dir);
  ExpectEveryWriteAudited(dir);
  fs::remove_all(dir);
}

// Type/id of every resource of the NDJSON files, in reading order.
std::vector<std::pair<std::string, std::string>> ResourcesIn(const std::vector<fs::path>& files) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const json::object o = json::parse(line).as_object();
      out.emplace_back(std::string(o.at("resourceType").as_string()),
                       std::string(o.at("id").as_string()));
    }
  }
  return out;
}

TEST(CrashTest, AnImportKilledMidwayLeavesAPrefixOfWholeBatchesAndARerunCompletesIt) {
  const fs::path work =
      fs::path(::testing::TempDir()) / ("crash-import-" + std::to_string(::getpid()));
  fs::remove_all(work);
  const fs::path data = work / "data";
  {
    Process generate(
        {"generate", "--patients", "40", "--seed", "7", "--out", (work / "population").string()});
    ASSERT_EQ(generate.Wait(std::chrono::seconds(120)), 0) << generate.output();
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(work / "population")) {
    const fs::path& p = entry.path();
    if (p.extension() == ".ndjson" && p.filename() != "phi-spans.ndjson") files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  const auto resources = ResourcesIn(files);
  ASSERT_GT(resources.size(), 3000u);

  std::vector<std::string> args = {"import", "--data", data.string(), "--batch", "250"};
  for (const fs::path& f : files) args.push_back(f.string());
  std::mt19937 random(7);
  for (int round = 0; round < 3; ++round) {
    Process import(args, {"CHARTROOM_LOG_LEVEL=warn"});
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 1200)(random)));
    import.Kill();

    // What the killed imports committed is a prefix of the reading order: whole batches, in
    // order, and nothing after the first missing resource.
    ExpectSoundDatabase(data);
    auto extractor = fhir::search::IndexExtractor::Create();
    ASSERT_TRUE(extractor.has_value());
    auto opened = OpenStore(data, **extractor);
    ASSERT_NE(opened, nullptr);
    std::size_t present = 0;
    while (present < resources.size() &&
           opened->Read(resources[present].first, resources[present].second).has_value()) {
      ++present;
    }
    for (std::size_t i = present; i < resources.size(); ++i) {
      ASSERT_FALSE(opened->Read(resources[i].first, resources[i].second).has_value())
          << "resource " << i << " of " << resources.size() << " is present after a hole at "
          << present;
    }
    std::cout << "[ crash    ] import killed with " << present << " of " << resources.size()
              << " resources committed\n";
  }
  Process rerun(args, {"CHARTROOM_LOG_LEVEL=warn"});
  ASSERT_EQ(rerun.Wait(std::chrono::seconds(300)), 0) << rerun.output();
  ExpectSoundDatabase(data);
  auto extractor = fhir::search::IndexExtractor::Create();
  ASSERT_TRUE(extractor.has_value());
  auto opened = OpenStore(data, **extractor);
  ASSERT_NE(opened, nullptr);
  for (const auto& [type, id] : resources) {
    ASSERT_TRUE(opened->Read(type, id).has_value()) << type << "/" << id;
  }
  opened.reset();
  fs::remove_all(work);
}

}  // namespace
}  // namespace chartroom::test
