// The import pipeline: FHIR resources from files (ingest/record_reader.hpp) into a
// ResourceStore, validated, in batches that commit whole or not at all.
//
//   reader (the calling thread)   opens each file, decompresses it, splits it into records and
//                                 hands them on in chunks of ImportOptions::batch_size;
//   workers (ImportOptions::workers threads)
//                                 parse and validate each record (fhir/validation/validator.hpp)
//                                 and prepare the valid ones (ResourceStore::Prepare: search
//                                 values, serialization); an invalid record is reported to the
//                                 listener and dropped from its chunk;
//   committer (one thread)        writes the chunks in reading order, one InTransaction each:
//                                 Transaction::Update for a resource with an id (update as
//                                 create, so references between files stay valid), Create for
//                                 one without.
//
// At most ImportOptions::chunks_in_flight chunks exist at once, so memory stays bounded whatever
// the input's size. Chunks commit in reading order, so a resource that appears twice ends at its
// last version. A store error stops the import: the chunks committed before it stay, the rest is
// not written, and ImportSummary::store_error says why. A file that cannot be opened, is not
// FHIR JSON, or breaks off (truncated or corrupt compression) is reported and counted; the
// records read before the break are imported, and the import goes on with the next file.
//
// Thread safety: one Run at a time per Importer. The listener is called from several threads at
// once (reader, workers, committer) and must be thread-safe. progress() may be read from any
// thread while Run runs.

#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "ingest/record_reader.hpp"
#include "store/resource_store.hpp"

namespace chartroom::ingest {

struct ImportOptions {
  // Threads that validate and prepare; 0: one per hardware thread.
  unsigned workers = 0;
  // Resources per store transaction (at most; a file's last chunk may be smaller).
  std::size_t batch_size = 2000;
  // Chunks read but not yet committed; 0: twice the workers, plus two.
  std::size_t chunks_in_flight = 0;
  RecordReaderOptions reader;
};

// A record that was not imported.
struct SkippedRecord {
  std::string file;      // as given to Run
  std::string position;  // FormatPosition: "12" (line) or "entry[3]"
  std::string resource;  // "Type/id", "Type" without an id, "-" when not even the type is known
  std::string reason;    // "code: message (at location)"
};

class ImportListener {
 public:
  virtual ~ImportListener() = default;
  // An invalid record, dropped before its batch was written.
  virtual void OnSkipped(const SkippedRecord& record) = 0;
  // A file that could not be read to its end; `error` says why and where.
  virtual void OnFileError(const std::string& file, const Error& error) = 0;
};

// Running totals, updated while Run works.
struct ImportProgress {
  std::atomic<std::uint64_t> files_started{0};
  std::atomic<std::uint64_t> records_read{0};
  std::atomic<std::uint64_t> written{0};  // committed
  std::atomic<std::uint64_t> skipped{0};
  std::atomic<std::uint64_t> bytes_read{0};  // of the files, as stored (compressed)
};

struct ImportSummary {
  std::uint64_t files = 0;         // given
  std::uint64_t files_failed = 0;  // not read to their end
  std::uint64_t records_read = 0;
  std::uint64_t written = 0;      // committed
  std::uint64_t skipped = 0;      // invalid, reported to the listener
  std::uint64_t not_written = 0;  // valid, but not committed because a store error stopped it
  std::optional<Error> store_error;
  std::chrono::steady_clock::duration elapsed{};
};

class Importer {
 public:
  Importer(store::ResourceStore& store, ImportOptions options, ImportListener& listener);

  // Imports `files` in the given order (ExpandInputs gives a stable one). Never fails as a
  // whole: problems are reported to the listener and in the summary.
  ImportSummary Run(const std::vector<std::filesystem::path>& files);

  const ImportProgress& progress() const { return progress_; }

 private:
  store::ResourceStore& store_;
  ImportOptions options_;
  ImportListener& listener_;
  ImportProgress progress_;
};

// The files to import for `inputs`: a file as itself, a directory walked recursively, its
// regular files in sorted path order (hidden files and directories, names starting with '.',
// left out). kNotFound "ingest.no-input" for an input that does not exist, kUnavailable
// "ingest.no-input" for one that cannot be listed.
[[nodiscard]] Result<std::vector<std::filesystem::path>> ExpandInput(
    const std::filesystem::path& input);

}  // namespace chartroom::ingest
