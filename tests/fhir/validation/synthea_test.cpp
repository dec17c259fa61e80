// Every Synthea resource we have must validate without errors: the bundled patient Bundle in
// tests/data/synthea/, and, when the shared data sets are present (CHARTROOM_SHARED_DATA_DIR), the
// bulk-data NDJSON files and the gzip-compressed transaction Bundles under synthea/. Warnings
// are allowed: the bulk NDJSON files carry conditional references (Practitioner?identifier=...),
// which only a transaction or batch resolves.

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <boost/json/monotonic_resource.hpp>

#include "fhir/json/gzip.hpp"
#include "fhir/validation/validator.hpp"

namespace chartroom::fhir {
namespace {

namespace fs = std::filesystem;

struct Tally {
  std::size_t files = 0;
  std::size_t resources = 0;
  std::size_t errors = 0;
  std::size_t warnings = 0;
  std::vector<std::string> failures;  // the first few, for the failure message

  void Add(const std::string& where, const OperationOutcome& outcome) {
    for (const Issue& issue : outcome.issues()) {
      if (issue.severity == IssueSeverity::kWarning) ++warnings;
      if (issue.severity != IssueSeverity::kError && issue.severity != IssueSeverity::kFatal) {
        continue;
      }
      ++errors;
      if (failures.size() < 20) {
        failures.push_back(where + ": " + issue.details_code + " at " + issue.expression + ": " +
                           issue.diagnostics);
      }
    }
  }

  std::string Summary() const {
    std::string s = std::to_string(files) + " files, " + std::to_string(resources) +
                    " resources, " + std::to_string(errors) + " errors, " +
                    std::to_string(warnings) + " warnings";
    for (const std::string& f : failures) s += "\n  " + f;
    return s;
  }
};

std::string ReadMaybeCompressed(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!json::IsGzip(data)) return data;
  Result<std::string> inflated = json::Gunzip(data);
  EXPECT_TRUE(inflated.has_value()) << path;
  return inflated ? std::move(*inflated) : std::string();
}

void ValidateBundleFile(const fs::path& path, Tally& tally) {
  const std::string text = ReadMaybeCompressed(path);
  boost::json::monotonic_resource storage;
  const ParsedDocument parsed = ParseAndValidate(text, &storage);
  ++tally.files;
  ++tally.resources;
  if (const boost::json::object* bundle = parsed.value.if_object(); bundle != nullptr) {
    if (const boost::json::value* entries = bundle->if_contains("entry");
        entries != nullptr && entries->is_array()) {
      tally.resources += entries->get_array().size();
    }
  }
  tally.Add(path.filename().string(), parsed.outcome);
}

void ValidateNdjsonFile(const fs::path& path, Tally& tally) {
  const std::string text = ReadMaybeCompressed(path);
  ++tally.files;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = std::string_view(text).substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    boost::json::monotonic_resource storage;
    const ParsedDocument parsed = ParseAndValidate(line, &storage);
    ++tally.resources;
    tally.Add(path.filename().string() + " line " + std::to_string(line_number), parsed.outcome);
  }
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Sorted, so that failures are reported in a stable order.
std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

fs::path SyntheaDir() { return fs::path(CHARTROOM_SHARED_DATA_DIR) / "synthea"; }

TEST(SyntheaTest, BundledPatientBundleHasNoErrors) {
  Tally tally;
  ValidateBundleFile(fs::path(CHARTROOM_SOURCE_DIR) / "tests/data/synthea/patient-bundle-1.json.gz",
                     tally);
  std::cout << "tests/data/synthea: " << tally.Summary() << "\n";
  EXPECT_GT(tally.resources, 100u);
  EXPECT_EQ(tally.errors, 0u) << tally.Summary();
}

TEST(SyntheaTest, BulkNdjsonResourcesHaveNoErrors) {
  if (!fs::is_directory(SyntheaDir())) {
    GTEST_SKIP() << "shared Synthea data not found at " << SyntheaDir()
                 << " (set CHARTROOM_SHARED_DATA_DIR)";
  }
  Tally tally;
  for (const fs::path& path : FilesUnder(SyntheaDir())) {
    const std::string name = path.filename().string();
    if (name == "log.ndjson") continue;  // the bulk-export log, not resources
    // Bulk-data output is named Type.000.ndjson, or Type.000 without an extension.
    const bool ndjson = EndsWith(name, ".ndjson") || EndsWith(name, ".ndjson.gz") ||
                        (name.size() > 4 && EndsWith(name, ".000"));
    if (ndjson) ValidateNdjsonFile(path, tally);
  }
  std::cout << "synthea NDJSON: " << tally.Summary() << "\n";
  EXPECT_GT(tally.files, 0u);
  EXPECT_GT(tally.resources, 10000u);
  EXPECT_EQ(tally.errors, 0u) << tally.Summary();
}

TEST(SyntheaTest, TransactionBundlesHaveNoErrors) {
  if (!fs::is_directory(SyntheaDir())) {
    GTEST_SKIP() << "shared Synthea data not found at " << SyntheaDir()
                 << " (set CHARTROOM_SHARED_DATA_DIR)";
  }
  Tally tally;
  for (const fs::path& path : FilesUnder(SyntheaDir())) {
    const std::string name = path.filename().string();
    if (EndsWith(name, ".json.gz") || EndsWith(name, ".json")) ValidateBundleFile(path, tally);
  }
  std::cout << "synthea Bundles: " << tally.Summary() << "\n";
  EXPECT_GT(tally.files, 90u);
  EXPECT_EQ(tally.errors, 0u) << tally.Summary();
  EXPECT_EQ(tally.warnings, 0u) << tally.Summary();
}

}  // namespace
}  // namespace chartroom::fhir
