// `chartroom serve` as a process: it starts on a free port, serves, and shuts down gracefully on
// SIGTERM and SIGINT with exit code 0; a bad configuration exits 2 naming every problem.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace chartroom::test {
namespace {

namespace fs = std::filesystem;

class ServeCommandTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("serve-" + std::to_string(::getpid()) + "-" + std::to_string(GetParam()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_P(ServeCommandTest, ServesAndShutsDownGracefullyOnTheSignal) {
  Process server({"serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"},
                 {"CHARTROOM_LOG_LEVEL=info", "CHARTROOM_ACCESS_ENFORCE=off"});
  ASSERT_TRUE(server.WaitFor("listening on port", std::chrono::seconds(30))) << server.output();
  const std::uint16_t port = PortFrom(server.output());
  ASSERT_NE(port, 0);
  {
    HttpClient client(port);
    EXPECT_EQ(client.Get("/healthz").status, 200);
    EXPECT_EQ(client.Put("/fhir/Patient/s1", R"({"resourceType":"Patient","id":"s1"})").status,
              201);
  }
  ASSERT_EQ(::kill(server.pid(), GetParam()), 0);
  EXPECT_EQ(server.Wait(std::chrono::seconds(30)), 0) << server.output();
  EXPECT_NE(server.output().find("\"event\":\"stopped\""), std::string::npos) << server.output();
  // The key file is private, and the data is there for the next start.
  EXPECT_EQ(fs::status(dir_ / "master.key").permissions() & fs::perms::others_read,
            fs::perms::none);
  Process again({"serve", "--data", dir_.string(), "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(again.WaitFor("listening on port", std::chrono::seconds(30))) << again.output();
  HttpClient client(PortFrom(again.output()));
  // By default every FHIR request needs a bearer token; discovery and health do not.
  EXPECT_EQ(client.Get("/fhir/Patient/s1").status, 401);
  EXPECT_EQ(client.Get("/fhir/metadata").status, 200);
  EXPECT_EQ(client.Get("/healthz").status, 200);
  ::kill(again.pid(), SIGTERM);
  EXPECT_EQ(again.Wait(std::chrono::seconds(30)), 0);
}

INSTANTIATE_TEST_SUITE_P(Signals, ServeCommandTest, ::testing::Values(SIGTERM, SIGINT),
                         [](const ::testing::TestParamInfo<int>& signal) {
                           return std::string(signal.param == SIGTERM ? "SIGTERM" : "SIGINT");
                         });

TEST(ServeCommandConfigTest, ABadConfigurationExits2NamingEveryProblem) {
  Process server({"serve", "--listen", "nowhere"},
                 {"CHARTROOM_STORE_READER_CONNECTIONS=0", "CHARTROOM_LOG_LEVEL=loud"});
  EXPECT_EQ(server.Wait(std::chrono::seconds(30)), 2);
  for (const char* problem : {"store.reader_connections", "listen", "log.level"}) {
    EXPECT_NE(server.output().find(problem), std::string::npos) << server.output();
  }
  Process usage({"serve", "--bogus"});
  EXPECT_EQ(usage.Wait(std::chrono::seconds(30)), 2);
}

}  // namespace
}  // namespace chartroom::test
