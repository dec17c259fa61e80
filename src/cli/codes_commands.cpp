// chartroom codes import KIND EFFECTIVE FILE [--config FILE] [--data DIR]
// chartroom codes list [--config FILE] [--data DIR]
//
// import: reads FILE (plain or gzip) as a release of KIND (icd10cm-order, icd10cm-tabular,
// icd10cm-index, icd10pcs-order, icd10pcs-tables, mce, poa-exempt, hcpcs, cpt) effective from
// EFFECTIVE (YYYY-MM-DD); when it reads without error, copies it into data_dir/codes and lists it
// in that directory's releases.tsv, so that every server and command on this data directory reads
// it from their next start (coding/load.hpp). list: every release file read, with its date and
// entries.
//
// Exit code: 0 done; 2 usage error; 3 FILE unreadable or not of KIND (nothing is kept); 4 the
// data directory cannot be written.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/code_sets.hpp"
#include "app/config.hpp"
#include "cli/commands.hpp"
#include "coding/load.hpp"

namespace chartroom::cli {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitBadFile = 3;
constexpr int kExitWrite = 4;

constexpr std::string_view kUsage =
    "usage: chartroom codes import KIND EFFECTIVE FILE [--config FILE] [--data DIR]\n"
    "       chartroom codes list [--config FILE] [--data DIR]\n"
    "  import: load an official code set release file (plain or gzip) effective from EFFECTIVE\n"
    "  (YYYY-MM-DD); KIND is icd10cm-order, icd10cm-tabular, icd10cm-index, icd10pcs-order,\n"
    "  icd10pcs-tables, mce, poa-exempt, hcpcs or cpt (a licensed CPT export: code<TAB>title per\n"
    "  line).\n"
    "  list: the release files read, oldest first.\n"
    "  Exit code: 0 done, 2 usage error, 3 unreadable or wrong file, 4 cannot write.\n";

int Usage() {
  std::fputs(kUsage.data(), stderr);
  return kExitUsage;
}

}  // namespace

int RunCodes(Args args) {
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
    } else if (i + 1 < args.size() && arg == "--config") {
      config_file = std::string(args[++i]);
    } else if (i + 1 < args.size() && arg == "--data") {
      overrides["data_dir"] = std::string(args[++i]);
    } else {
      return Usage();
    }
  }
  auto config = app::LoadConfig(config_file, app::ProcessEnvironment(), overrides);
  if (!config) {
    std::fprintf(stderr, "chartroom codes: %s\n", config.error().message().c_str());
    return kExitUsage;
  }
  const auto dirs = app::CodeSetDirs(*config);
  if (positional.size() == 1 && positional[0] == "list") {
    auto catalog = coding::LoadCatalog(dirs);
    if (!catalog) {
      std::fprintf(stderr, "chartroom codes: %s\n", catalog.error().message().c_str());
      return kExitBadFile;
    }
    for (const coding::ReleaseInfo& r : (*catalog)->releases()) {
      std::printf("%s\t%s\t%zu\t%s\n", coding::FormatDate(r.effective).c_str(), r.system.c_str(),
                  r.entries, r.name.c_str());
    }
    return 0;
  }
  if (positional.size() != 4 || positional[0] != "import") return Usage();
  const auto kind = coding::ParseFileKind(positional[1]);
  const auto effective = coding::ParseDate(positional[2]);
  if (!kind || !effective) return Usage();
  const std::filesystem::path file = positional[3];
  auto text = coding::ReadReleaseText(file);
  if (!text) {
    std::fprintf(stderr, "chartroom codes: %s\n", text.error().message().c_str());
    return kExitBadFile;
  }
  coding::Catalog check;
  if (Status read = coding::ReadRelease(*kind, *text, *effective, check, file.filename().string());
      !read) {
    std::fprintf(stderr, "chartroom codes: not a %s file: %s\n", positional[1].c_str(),
                 read.error().message().c_str());
    return kExitBadFile;
  }
  const std::filesystem::path dir = dirs.back();  // data_dir/codes
  const std::string name = positional[1] + "-" + positional[2] + "-" + file.filename().string();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::copy_file(file, dir / name, std::filesystem::copy_options::overwrite_existing,
                             ec);
  if (ec) {
    std::fprintf(stderr, "chartroom codes: cannot copy into %s: %s\n", dir.string().c_str(),
                 ec.message().c_str());
    return kExitWrite;
  }
  std::ofstream manifest(dir / "releases.tsv", std::ios::app);
  manifest << positional[1] << '\t' << positional[2] << '\t' << name << '\n';
  if (!manifest.flush()) {
    std::fprintf(stderr, "chartroom codes: cannot write %s\n",
                 (dir / "releases.tsv").string().c_str());
    return kExitWrite;
  }
  std::size_t entries = 0;
  for (const coding::ReleaseInfo& r : check.releases()) entries += r.entries;
  std::printf(
      "chartroom codes: %s %s imported (%zu entries); servers read it at their next "
      "start\n",
      positional[1].c_str(), positional[2].c_str(), entries);
  return 0;
}

}  // namespace chartroom::cli
