// chartroom import FILE|DIR... [--config FILE] [--data DIR] [--workers N] [--batch N]
//
// Loads FHIR R4 resources into the record store, opened as `chartroom serve` opens it
// (app/store_open.hpp; the same --config and --data). Inputs are NDJSON files and Bundle or
// resource JSON documents, each plain, gzip or zstd (told by content, not name); a DIR is walked
// recursively in sorted order. The pipeline is ingest/pipeline.hpp: every resource is validated
// before it is written, valid ones keep their ids (update as create), Bundle urn:uuid references
// become Type/id, and batches commit whole or not at all.
//
// After the import, the Patients it wrote are matched against every active patient (mpi::IntakeAll,
// the same intake as the server's): likely duplicates join the MPI worklist; `--no-match` skips
// it. A server running meanwhile learns of the imported patients at its next start.
//
// stderr: one line per skipped resource, `FILE:LINE: Type/id: reason` (for a Bundle entry,
// `FILE:entry[N]: ...`); one line per file that could not be read to its end, `FILE: reason`; a
// progress bar while stderr is a terminal (otherwise a plain progress line every 10 seconds);
// and a summary at the end.
//
// Exit code: 0 when every resource was imported; 1 when some were skipped as invalid (the rest
// was imported); 2 on usage errors or an invalid configuration; 3 when an input is unusable (it
// does not exist, cannot be read, is not JSON/NDJSON, is too large, or is truncated or corrupt;
// the other inputs were imported); 4 on a store error (the store cannot be opened, or a batch
// failed: what was committed before stays, the summary says how much). The highest applies.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "app/patient_index.hpp"
#include "app/store_open.hpp"
#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result_macros.hpp"
#include "ingest/pipeline.hpp"
#include "mpi/intake.hpp"

namespace chartroom::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: chartroom import FILE|DIR... [--config FILE] [--data DIR] [--workers N] [--batch N]\n"
    "                        [--no-match]\n"
    "  Loads FHIR R4 resources into the store: NDJSON (one resource a line), Bundles (their\n"
    "  entries) and single resources, each plain, gzip or zstd; a DIR is read recursively.\n"
    "  Every resource is validated first; invalid ones are reported and skipped.\n"
    "  --config FILE   a TOML configuration file (as for chartroom serve)\n"
    "  --data DIR      the data directory (default ./chartroom-data; CHARTROOM_DATA_DIR)\n"
    "  --workers N     threads that validate and prepare (default: one per core)\n"
    "  --batch N       resources per store transaction (default 2000)\n"
    "  --no-match      do not match the imported patients against the patient index\n"
    "  The imported patients are then matched against every patient in the store: likely\n"
    "  duplicates join the MPI worklist (nothing is merged).\n"
    "  Exit code: 0 all imported, 1 some resources skipped, 2 usage error, 3 unusable input,\n"
    "  4 store error.\n";

constexpr int kExitSkipped = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnusableInput = 3;
constexpr int kExitStoreError = 4;

// 1234567 -> "1,234,567".
std::string Grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Writes to stderr for the pipeline's threads and the progress thread; a message clears the
// progress bar first, and the next tick draws it again.
class Terminal final : public ingest::ImportListener {
 public:
  explicit Terminal(bool tty) : tty_(tty) {}

  void OnSkipped(const ingest::SkippedRecord& record) override {
    Print(record.file + ":" + record.position + ": " + record.resource + ": " + record.reason);
  }
  void OnFileError(const std::string& file, const Error& error) override {
    Print(file + ": " + error.message());
  }

  void Print(const std::string& line) {
    std::lock_guard lock(mutex_);
    if (tty_ && bar_shown_) std::fputs("\r\033[K", stderr);
    bar_shown_ = false;
    std::fprintf(stderr, "%s\n", line.c_str());
  }

  void Progress(const std::string& text) {
    std::lock_guard lock(mutex_);
    if (tty_) {
      std::fprintf(stderr, "\r\033[K%s", text.c_str());
      bar_shown_ = true;
    } else {
      std::fprintf(stderr, "%s\n", text.c_str());
    }
    std::fflush(stderr);
  }

  void ClearProgress() {
    std::lock_guard lock(mutex_);
    if (tty_ && bar_shown_) std::fputs("\r\033[K", stderr);
    bar_shown_ = false;
  }

 private:
  bool tty_;
  std::mutex mutex_;
  bool bar_shown_ = false;
};

std::string ProgressText(const ingest::ImportProgress& p, std::size_t files,
                         std::uint64_t total_bytes, std::chrono::steady_clock::duration elapsed,
                         bool bar) {
  const std::uint64_t bytes = p.bytes_read.load();
  const std::uint64_t written = p.written.load();
  const double seconds = std::max(Seconds(elapsed), 1e-3);
  // Reading runs ahead of writing by up to the pipeline's depth, so the share of bytes read is
  // scaled by the share of the records read that are done (written or skipped).
  const std::uint64_t read = p.records_read.load();
  const double done = read == 0 ? 0.0 : double(written + p.skipped.load()) / double(read);
  const double fraction =
      total_bytes == 0
          ? 0.0
          : std::min(1.0, static_cast<double>(bytes) / double(total_bytes)) * std::min(1.0, done);
  std::string text;
  if (bar) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth);
    text += '[' + std::string(static_cast<std::size_t>(filled), '#') +
            std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] ";
  }
  char percent[16];
  std::snprintf(percent, sizeof percent, "%3.0f%%", fraction * 100);
  text += percent;
  text += " files " + Grouped(p.files_started.load()) + "/" + Grouped(files) + ", " +
          Grouped(read) + " read, " + Grouped(written) + " written, " + Grouped(p.skipped.load()) +
          " skipped, " + Grouped(static_cast<std::uint64_t>(double(written) / seconds)) +
          " res/s, " + Megabytes(bytes) + " of " + Megabytes(total_bytes);
  return text;
}

// Matches the Patients written at or after `since` against the patient index; prints what it did.
Status MatchImported(const app::Config& config, core::Clock& clock, core::Random& random,
                     core::Timestamp since, Terminal& terminal) {
  const auto start = std::chrono::steady_clock::now();
  CHARTROOM_ASSIGN_OR_RETURN(auto opened, app::OpenStore(config, clock, random));
  std::vector<std::string> ids;
  CHARTROOM_RETURN_IF_ERROR(
      opened.store->ForEachCurrent({"Patient"}, since, [&](const store::ResourceVersion& v) {
        ids.push_back(v.id);
        return true;
      }));
  if (ids.empty()) return Ok();
  CHARTROOM_ASSIGN_OR_RETURN(auto index, app::OpenPatientIndex(config, *opened.store));
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  CHARTROOM_ASSIGN_OR_RETURN(std::size_t pairs,
                             mpi::IntakeAll(*index, *opened.store, ids, clock.Now(), threads));
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f s",
                Seconds(std::chrono::steady_clock::now() - start));
  terminal.Print("chartroom import: " + Grouped(ids.size()) + " patients matched against " +
                 Grouped(index->size()) + ", " + Grouped(pairs) +
                 " likely duplicate pairs on the MPI worklist, in " + seconds);
  return Ok();
}

bool ParseCount(std::string_view text, std::size_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out > 0;
}

}  // namespace

int RunImport(Args args) {
  std::optional<std::filesystem::path> config_file;
  std::map<std::string, std::string> overrides;
  std::vector<std::string> inputs;
  ingest::ImportOptions options;
  bool match = true;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
    if (!arg.starts_with("--")) {
      inputs.emplace_back(arg);
      continue;
    }
    if (arg == "--no-match") {
      match = false;
      continue;
    }
    const bool takes_value =
        arg == "--config" || arg == "--data" || arg == "--workers" || arg == "--batch";
    if (!takes_value || i + 1 >= args.size()) {
      std::fputs(kUsage.data(), stderr);
      return kExitUsage;
    }
    const std::string_view value = args[++i];
    std::size_t count = 0;
    if (arg == "--config") {
      config_file = std::string(value);
    } else if (arg == "--data") {
      overrides["data_dir"] = std::string(value);
    } else if (!ParseCount(value, count) || count > 1000000) {
      std::fprintf(stderr, "chartroom import: %.*s needs a positive number\n",
                   static_cast<int>(arg.size()), arg.data());
      return kExitUsage;
    } else if (arg == "--workers") {
      options.workers = static_cast<unsigned>(std::min<std::size_t>(count, 256));
    } else {
      options.batch_size = count;
    }
  }
  if (inputs.empty()) {
    std::fputs(kUsage.data(), stderr);
    return kExitUsage;
  }
  auto config = app::LoadConfig(config_file, app::ProcessEnvironment(), overrides);
  if (!config) {
    std::fprintf(stderr, "chartroom import: %s\n", config.error().message().c_str());
    return kExitUsage;
  }

  const bool tty = ::isatty(STDERR_FILENO) == 1;
  Terminal terminal(tty);
  bool unusable = false;
  std::vector<std::filesystem::path> files;
  for (const std::string& input : inputs) {
    auto expanded = ingest::ExpandInput(input);
    if (!expanded) {
      terminal.Print(expanded.error().message());
      unusable = true;
      continue;
    }
    files.insert(files.end(), expanded->begin(), expanded->end());
  }
  std::uint64_t total_bytes = 0;
  for (const auto& file : files) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (!ec) total_bytes += size;
  }

  core::SystemClock clock;
  core::SystemRandom random;
  auto opened = app::OpenStore(*config, clock, random, app::StoreUse::kBulkLoad);
  if (!opened) {
    std::fprintf(stderr, "chartroom import: cannot open the store (%s): %s\n",
                 opened.error().code().c_str(), opened.error().message().c_str());
    return kExitStoreError;
  }

  ingest::Importer importer(*opened->store, options, terminal);
  const auto start = std::chrono::steady_clock::now();
  const core::Timestamp started_at = clock.Now();
  std::mutex progress_mutex;
  std::condition_variable progress_cv;
  bool finished = false;
  std::thread progress([&] {
    const auto interval = tty ? std::chrono::milliseconds(200) : std::chrono::milliseconds(10000);
    std::unique_lock lock(progress_mutex);
    while (!progress_cv.wait_for(lock, interval, [&] { return finished; })) {
      terminal.Progress(ProgressText(importer.progress(), files.size(), total_bytes,
                                     std::chrono::steady_clock::now() - start, tty));
    }
  });
  const ingest::ImportSummary summary = importer.Run(files);
  {
    std::lock_guard lock(progress_mutex);
    finished = true;
  }
  progress_cv.notify_all();
  progress.join();
  terminal.ClearProgress();
  // Finishes the writer (and a bulk load's waiting index rows) before the summary is printed; the
  // time it takes counts.
  opened->store.reset();
  const double seconds = std::max(Seconds(std::chrono::steady_clock::now() - start), 1e-6);
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.2f s (%s resources/s)", seconds,
                Grouped(static_cast<std::uint64_t>(double(summary.written) / seconds)).c_str());
  std::string line = "chartroom import: " + Grouped(summary.files) + " files";
  if (summary.files_failed > 0) line += " (" + Grouped(summary.files_failed) + " unreadable)";
  line += ", " + Grouped(summary.records_read) + " resources read, " + Grouped(summary.written) +
          " written, " + Grouped(summary.skipped) + " skipped";
  if (summary.not_written > 0) line += ", " + Grouped(summary.not_written) + " not written";
  line += " in " + std::string(rate);
  if (summary.store_error) {
    terminal.Print("chartroom import: store error (" + summary.store_error->code() +
                   "): " + summary.store_error->message() + "; the import stopped after " +
                   Grouped(summary.written) + " resources were committed");
  }
  terminal.Print(line);

  if (summary.store_error) return kExitStoreError;
  if (match && summary.written > 0) {
    { auto done = std::move(*opened); }  // a bulk load's exclusive lock is let go first
    if (Status matched = MatchImported(*config, clock, random, started_at, terminal); !matched) {
      terminal.Print("chartroom import: matching the imported patients failed (" +
                     matched.error().code() + "): " + matched.error().message() +
                     "; the import itself is complete");
      return kExitStoreError;
    }
  }
  if (unusable || summary.files_failed > 0) return kExitUnusableInput;
  if (summary.skipped > 0) return kExitSkipped;
  return 0;
}

}  // namespace chartroom::cli
