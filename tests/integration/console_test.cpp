// The web console's files served at / beside the API: files, the single-page app's routes,
// security headers, caching, and paths that must not reach the file system.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

namespace fs = std::filesystem;

TEST(ConsoleTest, ServesTheAppItsFilesAndItsRoutesWithSecurityHeaders) {
  const fs::path dir =
      fs::temp_directory_path() / ("chartroom-console-" + std::to_string(::getpid()));
  fs::create_directories(dir / "assets");
  std::ofstream(dir / "index.html") << "<!doctype html><title>Chartroom</title>";
  std::ofstream(dir / "assets" / "index-abc.js") << "console.log(1)";
  const fs::path outside = dir.string() + "-outside";
  fs::create_directories(outside);
  std::ofstream(outside / "x") << "SECRET";
  TestServer server([&](app::Config& c) { c.console.dir = dir.string(); });
  HttpClient client = server.Client();

  const HttpResult index = client.Get("/");
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_EQ(index.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(index.header("Cache-Control"), "no-store");
  EXPECT_NE(index.header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(index.header("Content-Security-Policy").find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(index.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(index.header("X-Frame-Options"), "DENY");

  const HttpResult script = client.Get("/assets/index-abc.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.body, "console.log(1)");
  EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(script.header("Cache-Control").find("immutable"), std::string::npos);

  // A route of the app is the app; a missing file is not.
  EXPECT_EQ(client.Get("/patients/p1").body, index.body);
  EXPECT_EQ(client.Get("/assets/missing.js").status, 404);
  // Nothing outside the directory: ".." is refused, an encoded one is just a name.
  const std::string up = "/../" + outside.filename().string() + "/x";
  EXPECT_EQ(client.Get(up).status, 404);
  EXPECT_NE(client.Get("/%2e%2e/" + outside.filename().string() + "/x").body, "SECRET");
  EXPECT_EQ(client.Post("/", "x").status, 405);
  // The API keeps its own answers.
  EXPECT_EQ(IssueCode(client.Get("/api/nothing").json()), "rest.unknown-route");
  EXPECT_EQ(client.Get("/fhir/metadata").status, 200);
  fs::remove_all(dir);
  fs::remove_all(outside);
}

TEST(ConsoleTest, SaysSoWhenTheConsoleIsNotBuilt) {
  TestServer server([](app::Config& c) { c.console.dir = "/nonexistent/console"; });
  const HttpResult r = server.Client().Get("/");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("not built"), std::string::npos);
}

}  // namespace
}  // namespace chartroom::test
