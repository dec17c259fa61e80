// `chartroom serve` with store.backend = postgres keeps its records in PostgreSQL: a create, a
// read and a search over HTTP, also after a restart. TEST_PG_DSN names the server
// (scripts/with-postgres.sh, which `make test` runs ctest through, starts one); without it the
// test skips.

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace chartroom::test {
namespace {

namespace fs = std::filesystem;

TEST(ServePostgresTest, ServesCreateReadAndSearchFromPostgres) {
  const char* dsn = std::getenv("TEST_PG_DSN");
  if (dsn == nullptr) GTEST_SKIP() << "TEST_PG_DSN is not set (make test sets it)";
  const fs::path dir = fs::path(::testing::TempDir()) / ("serve-pg-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string schema = "chartroom_serve_test_" + std::to_string(::getpid());
  const std::vector<std::string> env = {"CHARTROOM_STORE_BACKEND=postgres",
                                        std::string("CHARTROOM_POSTGRES_DSN=") + dsn,
                                        "CHARTROOM_POSTGRES_SCHEMA=" + schema,
                                        "CHARTROOM_LOG_LEVEL=info", "CHARTROOM_ACCESS_ENFORCE=off"};
  std::string id;
  {
    Process server({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0"}, env);
    ASSERT_TRUE(server.WaitFor("listening on port", std::chrono::seconds(60))) << server.output();
    HttpClient client(PortFrom(server.output()));
    const HttpResult created = client.Post(
        "/fhir/Patient", R"({"resourceType":"Patient","name":[{"family":"Pgtestperson"}]})");
    ASSERT_EQ(created.status, 201) << created.body;
    const boost::json::value body = created.json();
    ASSERT_TRUE(body.is_object() && body.as_object().contains("id")) << created.body;
    id = std::string(body.at("id").as_string());
    const HttpResult read = client.Get("/fhir/Patient/" + id);
    EXPECT_EQ(read.status, 200);
    EXPECT_NE(read.body.find("Pgtestperson"), std::string::npos) << read.body;
    const HttpResult found = client.Get("/fhir/Patient?family=pgtest");
    EXPECT_EQ(found.status, 200);
    EXPECT_NE(found.body.find(id), std::string::npos) << found.body;
    const HttpResult metrics = client.Get("/metrics");
    EXPECT_NE(metrics.body.find("chartroom_store_commits_total 1"), std::string::npos)
        << metrics.body;
    ::kill(server.pid(), SIGTERM);
    EXPECT_EQ(server.Wait(std::chrono::seconds(30)), 0) << server.output();
  }
  {
    Process again({"serve", "--data", dir.string(), "--listen", "127.0.0.1:0"}, env);
    ASSERT_TRUE(again.WaitFor("listening on port", std::chrono::seconds(60))) << again.output();
    HttpClient client(PortFrom(again.output()));
    EXPECT_EQ(client.Get("/fhir/Patient/" + id).status, 200);
    ::kill(again.pid(), SIGTERM);
    EXPECT_EQ(again.Wait(std::chrono::seconds(30)), 0);
  }
  // The records live in the server; the data directory holds the master key only.
  EXPECT_FALSE(fs::exists(dir / "chartroom.db"));
  EXPECT_TRUE(fs::exists(dir / "master.key"));
  PGconn* conn = PQconnectdb(dsn);
  if (PQstatus(conn) == CONNECTION_OK) {
    PQclear(PQexec(conn, ("DROP SCHEMA IF EXISTS " + schema + " CASCADE").c_str()));
  }
  PQfinish(conn);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace chartroom::test
