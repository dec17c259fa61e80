// chartroom generate --patients N [--seed S] --out DIR [--duplicates FRACTION]
//                    [--reference-date YYYY-MM-DD] [--mrn-format PATTERN] [--patients-only]
//
// Writes a deterministic synthetic population (synth/generator.hpp, docs/synthetic-data.md) into
// DIR, which is created if needed: one NDJSON file per resource type plus duplicates.csv,
// not-duplicates.csv and phi-spans.ndjson. Existing files of those names are replaced. Prints a
// one-line JSON summary (lines per file) on stdout.
//
// Exit code: 0 on success; 1 when the output cannot be written; 2 on usage errors (bad or missing
// options).

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "cli/commands.hpp"
#include "core/error.hpp"
#include "synth/generator.hpp"

namespace chartroom::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: chartroom generate --patients N --out DIR [--seed S] [--duplicates FRACTION]\n"
    "                          [--reference-date YYYY-MM-DD] [--mrn-format PATTERN]\n"
    "                          [--patients-only]\n"
    "  Writes a deterministic synthetic FHIR R4 population as NDJSON files (one per resource\n"
    "  type) with ground truth: duplicates.csv, not-duplicates.csv, phi-spans.ndjson.\n"
    "  --duplicates    share of Patient records that are duplicate registrations (0.05)\n"
    "  --reference-date  the population's 'today' (2025-01-01)\n"
    "  --mrn-format    MRN pattern, '#' a digit and '@' a letter (each facility's own)\n"
    "  --patients-only the same patients without their clinical histories\n"
    "  Exit code: 0 done, 1 output not writable, 2 usage error.\n";

// Writes each generated file through a large stdio buffer.
class DirectorySink final : public synth::OutputSink {
 public:
  ~DirectorySink() override { Close(); }

  Status Open(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Fail(ErrorCategory::kUnavailable, "cli.unwritable-output",
                  "cannot create the output directory: " + ec.message());
    }
    for (std::size_t i = 0; i < synth::kOutputFileCount; ++i) {
      const std::filesystem::path path =
          dir / std::string(synth::FileName(static_cast<synth::OutputFile>(i)));
      files_[i] = std::fopen(path.c_str(), "wb");
      if (files_[i] == nullptr) {
        return Fail(ErrorCategory::kUnavailable, "cli.unwritable-output",
                    "cannot open " + path.filename().string() + ": " + std::strerror(errno));
      }
      std::setvbuf(files_[i], nullptr, _IOFBF, std::size_t{1} << 20);
    }
    return Ok();
  }

  Status Append(synth::OutputFile file, std::string_view bytes) override {
    std::FILE* f = files_[static_cast<std::size_t>(file)];
    if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      return Fail(
          ErrorCategory::kUnavailable, "cli.unwritable-output",
          "cannot write " + std::string(synth::FileName(file)) + ": " + std::strerror(errno));
    }
    return Ok();
  }

  Status Close() {
    Status status = Ok();
    for (std::FILE*& f : files_) {
      if (f != nullptr && std::fclose(f) != 0 && status) {
        status = Fail(ErrorCategory::kUnavailable, "cli.unwritable-output",
                      std::string("cannot finish writing: ") + std::strerror(errno));
      }
      f = nullptr;
    }
    return status;
  }

 private:
  std::array<std::FILE*, synth::kOutputFileCount> files_{};
};

bool ParseUnsigned(std::string_view text, std::uint64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool ParseFraction(std::string_view text, double& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

int UsageError(std::string_view message) {
  std::fprintf(stderr, "chartroom generate: %.*s\n%s", static_cast<int>(message.size()),
               message.data(), kUsage.data());
  return 2;
}

}  // namespace

int RunGenerate(Args args) {
  synth::GenerateOptions options;
  std::string out_dir;
  bool have_patients = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
    if (arg == "--patients-only") {
      options.charts = false;
      continue;
    }
    if (i + 1 >= args.size()) return UsageError(std::string(arg) + " needs a value");
    const std::string_view value = args[++i];
    if (arg == "--patients") {
      if (!ParseUnsigned(value, options.patients)) return UsageError("--patients takes a count");
      have_patients = true;
    } else if (arg == "--seed") {
      if (!ParseUnsigned(value, options.seed)) return UsageError("--seed takes an integer");
    } else if (arg == "--out") {
      out_dir = std::string(value);
    } else if (arg == "--duplicates") {
      if (!ParseFraction(value, options.duplicate_fraction)) {
        return UsageError("--duplicates takes a fraction such as 0.05");
      }
    } else if (arg == "--reference-date") {
      options.reference_date = std::string(value);
    } else if (arg == "--mrn-format") {
      options.mrn_format = std::string(value);
    } else {
      return UsageError("unknown option " + std::string(arg));
    }
  }
  if (!have_patients) return UsageError("--patients is required");
  if (out_dir.empty()) return UsageError("--out is required");

  DirectorySink sink;
  if (Status opened = sink.Open(out_dir); !opened) {
    std::fprintf(stderr, "chartroom generate: %s\n", opened.error().message().c_str());
    return 1;
  }
  Result<synth::GenerateSummary> summary = synth::Generate(options, sink);
  if (!summary) {
    std::fprintf(stderr, "chartroom generate: %s\n", summary.error().message().c_str());
    return summary.error().category() == ErrorCategory::kInvalid ? 2 : 1;
  }
  if (Status closed = sink.Close(); !closed) {
    std::fprintf(stderr, "chartroom generate: %s\n", closed.error().message().c_str());
    return 1;
  }
  std::string line = "{\"resources\":" + std::to_string(summary->resources);
  for (std::size_t i = 0; i < synth::kOutputFileCount; ++i) {
    line += ",\"";
    line += synth::FileName(static_cast<synth::OutputFile>(i));
    line += "\":" + std::to_string(summary->lines[i]);
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace chartroom::cli
