// chartroom coding check FILE.json [--config FILE] [--data DIR]
//
// Runs the coding edits (coding/edits.hpp) on FILE.json, the body POST /api/coding/check takes,
// and prints the same JSON it answers: {"edits": [...]}. The code sets are those the server
// reads (app/code_sets.hpp).
//
// Exit code: 0 the check ran (whatever it found); 2 usage error or a request that is not valid
// (the message says what); 4 the code sets could not be read.

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "app/code_sets.hpp"
#include "app/config.hpp"
#include "cli/commands.hpp"
#include "coding/edits.hpp"
#include "coding/load.hpp"

namespace chartroom::cli {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitCodeSets = 4;

constexpr std::string_view kUsage =
    "usage: chartroom coding check FILE.json [--config FILE] [--data DIR]\n"
    "  Runs the coding edits on FILE.json ({\"sex\", \"age_years\", \"discharge_date\",\n"
    "  \"diagnoses\": [{\"code\", \"poa\"}], \"procedures\": [{\"code\"}]}, the first diagnosis\n"
    "  principal) and prints {\"edits\": [{\"code\", \"severity\", \"target\", \"message\"}]}.\n"
    "  Exit code: 0 checked, 2 usage error or invalid request, 4 code sets unreadable.\n";

}  // namespace

int RunCoding(Args args) {
  std::optional<std::filesystem::path> config_file;
  std::map<std::string, std::string> overrides;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
    if (!arg.starts_with("--")) {
      positional.emplace_back(arg);
      continue;
    }
    if (i + 1 >= args.size() || (arg != "--config" && arg != "--data")) {
      std::fputs(kUsage.data(), stderr);
      return kExitUsage;
    }
    if (arg == "--config") {
      config_file = std::string(args[++i]);
    } else {
      overrides["data_dir"] = std::string(args[++i]);
    }
  }
  if (positional.size() != 2 || positional[0] != "check") {
    std::fputs(kUsage.data(), stderr);
    return kExitUsage;
  }
  std::ifstream in(positional[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "chartroom coding: cannot read %s\n", positional[1].c_str());
    return kExitUsage;
  }
  std::ostringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(text.str(), ec);
  if (ec) {
    std::fprintf(stderr, "chartroom coding: %s is not JSON: %s\n", positional[1].c_str(),
                 ec.message().c_str());
    return kExitUsage;
  }
  auto request = coding::ParseCheckRequest(body);
  if (!request) {
    std::fprintf(stderr, "chartroom coding: %s\n", request.error().message().c_str());
    return kExitUsage;
  }
  auto config = app::LoadConfig(config_file, app::ProcessEnvironment(), overrides);
  if (!config) {
    std::fprintf(stderr, "chartroom coding: %s\n", config.error().message().c_str());
    return kExitUsage;
  }
  auto catalog = coding::LoadCatalog(app::CodeSetDirs(*config));
  if (!catalog) {
    std::fprintf(stderr, "chartroom coding: the code sets cannot be read: %s\n",
                 catalog.error().message().c_str());
    return kExitCodeSets;
  }
  const auto edits = coding::Check(**catalog, *request);
  std::printf("%s\n", boost::json::serialize(coding::EditsToJson(edits)).c_str());
  return 0;
}

}  // namespace chartroom::cli
