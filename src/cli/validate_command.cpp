// chartroom validate FILE...
//
// Validates FHIR R4 JSON resources and Bundles (fhir/validation/validator.hpp) and prints one
// OperationOutcome per file on stdout, as one compact JSON document per line, in argument order.
// `-` reads stdin. Compressed input (gzip, e.g. .json.gz) is recognised by its magic bytes. A file
// whose name ends in .ndjson (or .ndjson.gz) holds one resource per line: its OperationOutcome
// gathers the issues of every line, each issue's location naming the line.
//
// Exit code: 0 when no file has an error (warnings do not count); 1 when any file has an error,
// a JSON syntax error included; 2 on usage errors or when any file cannot be read. A file that
// cannot be read gets a message on stderr and no line on stdout; the other files are still
// validated.

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "fhir/json/gzip.hpp"
#include "fhir/operation_outcome.hpp"
#include "fhir/validation/validator.hpp"

namespace chartroom::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: chartroom validate FILE...\n"
    "  Validates FHIR R4 JSON resources or Bundles; prints one OperationOutcome per file.\n"
    "  FILE may be '-' (stdin), gzip-compressed, or NDJSON (*.ndjson, one resource a line).\n"
    "  Exit code: 0 valid, 1 any error found, 2 usage error or unreadable file.\n";

Result<std::string> ReadInput(std::string_view name) {
  std::string data;
  if (name == "-") {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) {
      return Fail(ErrorCategory::kUnavailable, "cli.unreadable-input", "cannot read stdin");
    }
  } else {
    std::error_code ec;
    if (std::filesystem::is_directory(std::filesystem::path(name), ec)) {
      return Fail(ErrorCategory::kInvalid, "cli.unreadable-input",
                  "cannot read " + std::string(name) + ": it is a directory");
    }
    std::ifstream in{std::string(name), std::ios::binary};
    if (!in) {
      return Fail(ErrorCategory::kNotFound, "cli.unreadable-input",
                  "cannot open " + std::string(name) + ": " + std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
      return Fail(ErrorCategory::kUnavailable, "cli.unreadable-input",
                  "cannot read " + std::string(name));
    }
    data = std::move(buffer).str();
  }
  if (fhir::json::IsGzip(data)) {
    Result<std::string> inflated = fhir::json::Gunzip(data);
    if (!inflated) {
      return Fail(ErrorCategory::kInvalid, inflated.error().code(),
                  std::string(name) + ": " + inflated.error().message());
    }
    return inflated;
  }
  return data;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsNdjson(std::string_view name) {
  return EndsWith(name, ".ndjson") || EndsWith(name, ".ndjson.gz");
}

fhir::OperationOutcome ValidateDocument(std::string_view text) {
  boost::json::monotonic_resource storage;
  return fhir::ParseAndValidate(text, &storage).outcome;
}

// Each line is one resource; blank lines are skipped. An issue's location is its line.
fhir::OperationOutcome ValidateNdjson(std::string_view text) {
  fhir::OperationOutcome outcome;
  // One buffer serves every line; a fresh resource per line starts again at its beginning.
  // (monotonic_resource::release() in Boost 1.81 keeps doubling its next block size, so reusing
  // one resource across many documents eventually fails to allocate.)
  std::vector<unsigned char> buffer(std::size_t{1} << 20);
  std::uint32_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    boost::json::monotonic_resource storage(buffer.data(), buffer.size());
    fhir::ParsedDocument parsed = fhir::ParseAndValidate(line, &storage);
    for (fhir::Issue issue : parsed.outcome.issues()) {
      // A syntax error's column stays meaningful within its line.
      issue.line = line_number;
      outcome.AddIssue(std::move(issue));
    }
  }
  return outcome;
}

}  // namespace

int RunValidate(Args args) {
  if (args.empty()) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }
  for (std::string_view arg : args) {
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
  }
  bool any_error = false;
  bool any_unreadable = false;
  for (std::string_view name : args) {
    Result<std::string> text = ReadInput(name);
    if (!text) {
      std::fprintf(stderr, "chartroom validate: %s\n", text.error().message().c_str());
      any_unreadable = true;
      continue;
    }
    const fhir::OperationOutcome outcome =
        IsNdjson(name) ? ValidateNdjson(*text) : ValidateDocument(*text);
    any_error = any_error || outcome.HasErrors();
    const std::string line = boost::json::serialize(fhir::ToJson(outcome)) + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  std::fflush(stdout);
  if (any_unreadable) return 2;
  return any_error ? 1 : 0;
}

}  // namespace chartroom::cli
