// Bulk Data export (FHIR Bulk Data Access STU2, https://hl7.org/fhir/uv/bulkdata/STU2/export.html):
// the jobs behind $export. A kick-off (rest/export_http.cpp) becomes an ExportRequest; Start()
// runs it on a background thread of its own, which reads the store through
// store::ResourceStore only (ForEachCurrent for a system export; Patient/[id]/$everything per
// patient for the Patient and Group levels) and writes one or more NDJSON files per resource
// type, each closed before it would pass ExportOptions::max_file_bytes. Sealing and writing run
// on a second thread of the job, so that the disk and the store are busy at the same time.
//
// Files hold PHI and are sealed at rest (rest/export_file.hpp) under a key made for the job and
// held only in memory. Jobs therefore do not survive a restart: Create() deletes whatever an
// earlier process left in the export directory, and the destructor deletes the files of every
// job. The directory is mode 0700, files 0600. A finished job and its files are deleted
// ExportOptions::expiry after it completes (Sweep(), run by every call and by a sweeper thread
// every few seconds); a cancelled job at once.
//
// Job ids (the status and file URLs) and keys come from the operating system's CSPRNG: a job id
// is a 128-bit unguessable capability. Nothing of a record (ids, content) is logged.
//
// Ownership: ExportManager borrows the store, clock and logger, which must outlive it; it owns
// its job threads and joins them on destruction (cancelling those still running).
// Thread safety: every public method may be called from any thread.

#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "rest/log.hpp"
#include "rest/options.hpp"
#include "store/resource_store.hpp"

namespace chartroom::rest {

// Which resources an export covers (export.html#endpoint---system-level-export and on).
enum class ExportLevel : std::uint8_t {
  kSystem,   // [base]/$export: every current resource
  kPatient,  // [base]/Patient/$export: the compartments of every patient
  kGroup,    // [base]/Group/[id]/$export: the compartments of the Group's member patients
};

struct ExportRequest {
  ExportLevel level = ExportLevel::kSystem;
  std::string group_id;                  // kGroup only
  std::vector<std::string> types;        // _type; empty: every type
  std::optional<core::Timestamp> since;  // _since: resources last updated at or after
  std::string request_url;               // the kick-off URL, echoed in the manifest
  std::string base_url;                  // the FHIR base the file URLs are built on
  // Parameters that lenient handling ignored; reported as warnings in the manifest's error.
  std::vector<std::string> ignored;
  // Access control: what the caller may receive of a resource (nullopt: left out, the JSON to
  // write otherwise); unset: everything as stored. Called on the job's reading thread.
  std::function<Result<std::optional<std::string>>(const store::ResourceVersion&)> filter;
  // Called once when the job ends, with whether it succeeded and how many resources it wrote.
  std::function<void(bool ok, std::int64_t exported)> finished;
};

// One file of a finished job's manifest.
struct ExportOutput {
  std::string type;  // resource type of every line
  std::string name;  // "Patient-1.ndjson": the last segment of its URL
  std::int64_t count = 0;
  bool error = false;  // an OperationOutcome file of the manifest's "error" list
};

enum class ExportState : std::uint8_t { kRunning, kDone, kFailed };

// What a status request sees.
struct ExportStatus {
  ExportState state = ExportState::kRunning;
  std::int64_t exported = 0;  // resources written so far
  core::Timestamp transaction_time;
  core::Timestamp expires;  // kDone and kFailed: when the job and its files will be deleted
  std::string request_url;
  std::string base_url;
  std::vector<ExportOutput> outputs;  // kDone: sorted by type and name, errors last
  std::optional<Error> failure;       // kFailed: why
};

class ExportManager {
 public:
  // Makes `directory` (mode 0700, parents as needed) and deletes everything in it: files of jobs
  // of an earlier process, whose keys are gone. kUnavailable ("rest.export-dir") when it cannot.
  [[nodiscard]] static Result<std::unique_ptr<ExportManager>> Create(
      const ExportOptions& options, std::filesystem::path directory, store::ResourceStore& store,
      core::Clock& clock, Logger& logger);
  ~ExportManager();  // cancels running jobs, joins them, deletes every job's files
  ExportManager(const ExportManager&) = delete;
  ExportManager& operator=(const ExportManager&) = delete;

  // Starts a job; its id. kBusy ("rest.export-busy") when ExportOptions::max_jobs are running.
  [[nodiscard]] Result<std::string> Start(ExportRequest request);
  // kNotFound ("rest.export-job-not-found") for an id that is unknown, expired or cancelled.
  [[nodiscard]] Result<ExportStatus> Status(const std::string& job_id);
  // Cancels the job (stopping it if it runs) and deletes its files. kNotFound as Status().
  [[nodiscard]] chartroom::Status Cancel(const std::string& job_id);
  // The plaintext NDJSON of one output file of a finished job; `type` is set to its resource
  // type. kNotFound ("rest.export-job-not-found", "rest.export-file-not-found"); errors of
  // ReadSealedFile.
  [[nodiscard]] Result<std::string> ReadFile(const std::string& job_id, const std::string& name,
                                             std::string& type);
  // Deletes jobs whose expiry has passed (by the injected clock) and joins finished threads.
  void Sweep();

  // The job directory; for tests that look at what lies on disk.
  const std::filesystem::path& directory() const { return directory_; }

 private:
  struct Job;
  ExportManager(const ExportOptions& options, std::filesystem::path directory,
                store::ResourceStore& store, core::Clock& clock, Logger& logger);
  void Run(Job& job);
  Result<std::vector<ExportOutput>> Export(Job& job);
  // Under mutex_: takes expired jobs out of jobs_ (their directories into `to_remove`) and
  // finished threads out of threads_ (into `to_join`), for the caller to finish unlocked.
  void SweepLocked(std::vector<std::shared_ptr<Job>>& to_join,
                   std::vector<std::filesystem::path>& to_remove);
  void Finish(std::vector<std::shared_ptr<Job>>& to_join,
              std::vector<std::filesystem::path>& to_remove);
  std::shared_ptr<Job> Find(const std::string& job_id);

  ExportOptions options_;
  std::filesystem::path directory_;
  store::ResourceStore& store_;
  core::Clock& clock_;
  Logger& logger_;
  core::SystemRandom random_;  // thread-safe

  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;  // visible jobs, by id; guarded by mutex_
  std::vector<std::shared_ptr<Job>> threads_;         // jobs whose thread is not joined; guarded
  std::uint32_t running_ = 0;                         // threads not yet finished; guarded by mutex_
  bool stopping_ = false;                             // guarded by mutex_
  std::thread sweeper_;
};

}  // namespace chartroom::rest
