// The configuration: defaults, the TOML file, CHARTROOM_* environment variables and
// command-line overrides, in that order; validation that lists every problem; and the proof that
// config/chartroom.example.toml and docs/config.md list every option with its real default.

#include "app/config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace chartroom::app {
namespace {

namespace fs = std::filesystem;

const fs::path kExampleFile = fs::path(CHARTROOM_SOURCE_DIR) / "config/chartroom.example.toml";
const fs::path kConfigDoc = fs::path(CHARTROOM_SOURCE_DIR) / "docs/config.md";

Environment NoEnvironment() {
  return [](std::string_view) { return std::optional<std::string>(); };
}

Environment FakeEnvironment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(std::string(name));
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

std::string ValueText(const OptionValue& value) {
  if (const auto* n = std::get_if<std::int64_t>(&value)) return std::to_string(*n);
  return "\"" + std::get<std::string>(value) + "\"";
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("config_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& text) {
    const fs::path path = dir_ / "chartroom.toml";
    std::ofstream(path) << text;
    return path;
  }

  fs::path dir_;
};

TEST_F(ConfigTest, TheExampleFileListsEveryOptionWithItsRealDefault) {
  auto values = ReadConfigFile(kExampleFile);
  ASSERT_TRUE(values.has_value()) << values.error().message();
  const Config defaults;
  for (const OptionSpec& spec : OptionSpecs()) {
    auto it = values->find(std::string(spec.name));
    ASSERT_NE(it, values->end()) << spec.name << " is missing from the example file";
    EXPECT_EQ(ValueText(it->second), ValueText(spec.get(defaults)))
        << spec.name << ": the example file and the code disagree on the default";
  }
  EXPECT_EQ(values->size(), OptionSpecs().size());
}

TEST_F(ConfigTest, TheDocumentationNamesEveryOptionAndItsEnvironmentVariable) {
  std::ifstream in(kConfigDoc);
  ASSERT_TRUE(in) << kConfigDoc;
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const OptionSpec& spec : OptionSpecs()) {
    const std::string key(spec.name.substr(spec.name.find('.') + 1));
    EXPECT_NE(doc.find("`" + key + "`"), std::string::npos) << spec.name << " is not documented";
    EXPECT_NE(doc.find(EnvironmentName(spec.name)), std::string::npos)
        << EnvironmentName(spec.name) << " is not documented";
  }
}

TEST_F(ConfigTest, LoadingTheExampleFileGivesTheDefaults) {
  auto loaded = LoadConfig(kExampleFile, NoEnvironment());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  const Config defaults;
  for (const OptionSpec& spec : OptionSpecs()) {
    EXPECT_EQ(ValueText(spec.get(*loaded)), ValueText(spec.get(defaults))) << spec.name;
  }
}

TEST_F(ConfigTest, EnvironmentNamesFollowTheOptionNames) {
  EXPECT_EQ(EnvironmentName("listen"), "CHARTROOM_LISTEN");
  EXPECT_EQ(EnvironmentName("data_dir"), "CHARTROOM_DATA_DIR");
  EXPECT_EQ(EnvironmentName("store.reader_connections"), "CHARTROOM_STORE_READER_CONNECTIONS");
}

TEST_F(ConfigTest, EachSourceOverridesTheOneBefore) {
  const fs::path file = Write(
      "listen = \"127.0.0.1:9000\"\n"
      "[store]\nreader_connections = 8\ndefault_page_size = 20\n"
      "[rest]\nmax_bundle_entries = 50\n");
  auto loaded = LoadConfig(file,
                           FakeEnvironment({{"CHARTROOM_STORE_READER_CONNECTIONS", "6"},
                                            {"CHARTROOM_DATA_DIR", "/var/lib/chartroom"}}),
                           {{"data_dir", "/srv/chartroom"}});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
  EXPECT_EQ(loaded->listen, "127.0.0.1:9000");              // file
  EXPECT_EQ(loaded->store.default_page_size, 20u);          // file
  EXPECT_EQ(loaded->store.reader_connections, 6);           // environment over file
  EXPECT_EQ(loaded->data_dir, fs::path("/srv/chartroom"));  // command line over environment
  EXPECT_EQ(loaded->rest.max_bundle_entries, 50u);
  EXPECT_EQ(loaded->server.idle_timeout, std::chrono::seconds(30));  // default
}

TEST_F(ConfigTest, EveryProblemIsListedAtOnce) {
  const fs::path file = Write(
      "listen = 8080\n"
      "[store]\nreader_connections = 0\nno_such_option = 1\n"
      "[log]\nlevel = \"chatty\"\n");
  auto loaded = LoadConfig(file, FakeEnvironment({{"CHARTROOM_REST_MAX_JSON_DEPTH", "deep"}}), {});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code(), "app.config");
  const std::string& message = loaded.error().message();
  EXPECT_NE(message.find("listen"), std::string::npos) << message;
  EXPECT_NE(message.find("store.no_such_option"), std::string::npos) << message;
  EXPECT_NE(message.find("rest.max_json_depth"), std::string::npos) << message;
}

TEST_F(ConfigTest, ValuesOutOfRangeAndCrossChecksAreAllReported) {
  auto loaded = LoadConfig(std::nullopt,
                           FakeEnvironment({{"CHARTROOM_STORE_READER_CONNECTIONS", "0"},
                                            {"CHARTROOM_SERVER_THREADS", "100000"}}),
                           {});
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().message().find("store.reader_connections"), std::string::npos);
  EXPECT_NE(loaded.error().message().find("server.threads"), std::string::npos);

  Config config;
  config.listen = "nowhere";
  config.server.tls_certificate_file = "cert.pem";
  config.store.default_page_size = 100;
  config.store.max_page_size = 10;
  config.log.level = "loud";
  EXPECT_EQ(ValidateConfig(config).size(), 4u);
}

TEST_F(ConfigTest, ATomlSyntaxErrorNamesItsLine) {
  const fs::path file = Write("[store]\nreader_connections = = 3\n");
  auto loaded = LoadConfig(file, NoEnvironment());
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().message().find("line 2"), std::string::npos) << loaded.error().message();
  auto missing = LoadConfig(dir_ / "absent.toml", NoEnvironment());
  EXPECT_FALSE(missing.has_value());
}

TEST_F(ConfigTest, ListenTakesIpv4Ipv6AndLocalhost) {
  EXPECT_EQ(ParseListen("127.0.0.1:8080"),
            std::make_pair(std::string("127.0.0.1"), std::uint16_t{8080}));
  EXPECT_EQ(ParseListen("[::1]:0"), std::make_pair(std::string("::1"), std::uint16_t{0}));
  EXPECT_EQ(ParseListen("localhost:80"),
            std::make_pair(std::string("127.0.0.1"), std::uint16_t{80}));
  EXPECT_FALSE(ParseListen("127.0.0.1"));
  EXPECT_FALSE(ParseListen("127.0.0.1:70000"));
  EXPECT_FALSE(ParseListen(":80"));
  EXPECT_FALSE(ParseListen("::1:80"));
}

}  // namespace
}  // namespace chartroom::app
