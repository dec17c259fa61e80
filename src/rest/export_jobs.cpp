// The jobs of rest/export.hpp: start, run, status, cancel, files and expiry.

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <string_view>
#include <unordered_set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/result_macros.hpp"
#include "crypto/aead.hpp"
#include "fhir/operation_outcome.hpp"
#include "rest/error_response.hpp"
#include "rest/export.hpp"
#include "rest/export_file.hpp"
#include "rest/router.hpp"

namespace chartroom::rest {

struct ExportManager::Job {
  std::string id;
  ExportRequest request;
  crypto::SecretKey key;
  std::filesystem::path dir;
  std::atomic<bool> cancelled{false};
  std::atomic<std::int64_t> exported{0};
  std::thread thread;
  // Guarded by the manager's mutex_:
  ExportState state = ExportState::kRunning;
  bool finished = false;  // Run() has returned (the thread may still need joining)
  core::Timestamp transaction_time;
  core::Timestamp expires;
  std::vector<ExportOutput> outputs;
  std::optional<Error> failure;
};

namespace {

constexpr auto kSweepInterval = std::chrono::seconds(5);

std::string_view LevelName(ExportLevel level) {
  switch (level) {
    case ExportLevel::kSystem:
      return "system";
    case ExportLevel::kPatient:
      return "patient";
    case ExportLevel::kGroup:
      return "group";
  }
  return "system";
}

std::string Hex(std::span<const std::byte> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::byte b : bytes) {
    const auto v = std::to_integer<unsigned>(b);
    out += kDigits[v >> 4];
    out += kDigits[v & 0xf];
  }
  return out;
}

// Removes everything inside `dir`, keeping `dir` itself.
void ClearDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code ignored;
    std::filesystem::remove_all(it->path(), ignored);
  }
}

void RemoveAll(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

// A thread that runs the sealing and writing of one job's files while the job's own thread
// reads the store: the two overlap, and writes that wait for the disk do not stall the reading.
// Tasks run in submission order (so the chunks of a file stay in order); the queue is bounded,
// so at most kMaxQueued chunks wait in memory. The first failing task's error sticks: later
// tasks are skipped and Submit and Drain return it.
class WritePipeline {
 public:
  WritePipeline() : thread_([this] { Loop(); }) {}
  ~WritePipeline() { (void)Drain(); }
  WritePipeline(const WritePipeline&) = delete;
  WritePipeline& operator=(const WritePipeline&) = delete;

  Status Submit(std::function<Status()> task) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return queue_.size() < kMaxQueued; });
    if (!status_) return status_;
    queue_.push_back(std::move(task));
    work_.notify_one();
    return Ok();
  }

  // Runs what is queued, stops the thread; the first error, if any.
  Status Drain() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_one();
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  static constexpr std::size_t kMaxQueued = 8;

  void Loop() {
    for (;;) {
      std::function<Status()> task;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
        space_.notify_one();
        if (!status_) continue;
      }
      Status done = task();
      if (!done) {
        std::lock_guard lock(mutex_);
        status_ = done;
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable space_;
  std::deque<std::function<Status()>> queue_;
  bool stopping_ = false;
  Status status_ = Ok();
  std::thread thread_;
};

// The NDJSON files of one job: one open file per resource type (and one for errors), each
// closed and followed by the next before it would pass `max_bytes`. Lines are gathered here, on
// the job's thread, and handed to the WritePipeline a chunk at a time.
class OutputSet {
 public:
  OutputSet(const std::filesystem::path& dir, const std::string& job_id,
            const crypto::SecretKey& key, std::size_t max_bytes, core::Random& random)
      : dir_(dir), job_id_(job_id), key_(key), max_bytes_(max_bytes), random_(random) {}

  // Appends one resource (compact JSON, one line) to the current file of `type`.
  Status Add(std::string_view type, std::string_view json) {
    if (last_ == nullptr || last_->output.type != type) {
      auto it = open_.find(type);
      if (it == open_.end()) {
        it = open_.emplace(std::string(type), Current{}).first;
        it->second.output.type = std::string(type);
      }
      last_ = &it->second;
    }
    return Append(*last_, json, "");
  }

  // Appends an OperationOutcome to the error files.
  Status AddError(const fhir::OperationOutcome& outcome) {
    errors_.output.type = "OperationOutcome";
    errors_.output.error = true;
    return Append(errors_, boost::json::serialize(fhir::ToJson(outcome)), "errors");
  }

  // Closes every file; the manifest's outputs, sorted by type and file, errors last.
  Result<std::vector<ExportOutput>> Finish() {
    for (auto& [type, current] : open_) CHARTROOM_RETURN_IF_ERROR(Close(current));
    CHARTROOM_RETURN_IF_ERROR(Close(errors_));
    CHARTROOM_RETURN_IF_ERROR(pipeline_.Drain());
    std::stable_sort(done_.begin(), done_.end(), [](const Sorted& a, const Sorted& b) {
      if (a.output.error != b.output.error) return !a.output.error;
      if (a.output.type != b.output.type) return a.output.type < b.output.type;
      return a.index < b.index;
    });
    std::vector<ExportOutput> outputs;
    outputs.reserve(done_.size());
    for (Sorted& s : done_) outputs.push_back(std::move(s.output));
    return outputs;
  }

 private:
  struct Current {
    // Used by the pipeline's thread only, once created; shared with the tasks that write it.
    std::shared_ptr<SealedFileWriter> writer;
    std::string pending;      // lines not yet handed to the pipeline
    std::uint64_t bytes = 0;  // of the current file, pending included
    ExportOutput output;
    int index = 0;
  };
  struct Sorted {
    ExportOutput output;
    int index;
  };

  Status Append(Current& current, std::string_view json, std::string_view prefix) {
    if (current.writer && current.output.count > 0 &&
        current.bytes + json.size() + 1 > max_bytes_) {
      CHARTROOM_RETURN_IF_ERROR(Close(current));
    }
    if (!current.writer) {
      ++current.index;
      current.output.name = std::string(prefix.empty() ? current.output.type : prefix) + "-" +
                            std::to_string(current.index) + ".ndjson";
      current.output.count = 0;
      current.bytes = 0;
      CHARTROOM_ASSIGN_OR_RETURN(
          SealedFileWriter writer,
          SealedFileWriter::Create(dir_ / (current.output.name + ".sealed"), key_,
                                   job_id_ + "/" + current.output.name, random_));
      current.writer = std::make_shared<SealedFileWriter>(std::move(writer));
      current.pending.reserve(kSealedChunkBytes + 64 * 1024);
    }
    current.pending.append(json);
    current.pending += '\n';
    current.bytes += json.size() + 1;
    ++current.output.count;
    if (current.pending.size() >= kSealedChunkBytes) return Hand(current);
    return Ok();
  }

  // Hands the pending lines of `current` to the pipeline.
  Status Hand(Current& current) {
    if (current.pending.empty()) return Ok();
    std::string chunk;
    chunk.reserve(kSealedChunkBytes + 64 * 1024);
    chunk.swap(current.pending);
    return pipeline_.Submit(
        [writer = current.writer, text = std::move(chunk)] { return writer->Append(text); });
  }

  Status Close(Current& current) {
    if (!current.writer) return Ok();
    CHARTROOM_RETURN_IF_ERROR(Hand(current));
    CHARTROOM_RETURN_IF_ERROR(
        pipeline_.Submit([writer = std::move(current.writer)] { return writer->Finish(); }));
    current.writer.reset();
    done_.push_back(Sorted{current.output, current.index});
    return Ok();
  }

  const std::filesystem::path& dir_;
  const std::string& job_id_;
  const crypto::SecretKey& key_;
  std::size_t max_bytes_;
  core::Random& random_;
  std::map<std::string, Current, std::less<>> open_;
  Current* last_ = nullptr;  // the file of the type written last: exports run type by type
  Current errors_;
  std::vector<Sorted> done_;
  // Declared last: destroyed (drained and joined) first, while what its tasks use still lives.
  WritePipeline pipeline_;
};

fhir::OperationOutcome Outcome(fhir::IssueSeverity severity, fhir::IssueType type, std::string code,
                               std::string diagnostics) {
  fhir::OperationOutcome outcome;
  outcome.AddIssue(MakeIssue(severity, type, std::move(code), std::move(diagnostics)));
  return outcome;
}

// The patient id of a Group member's entity reference ("Patient/1", "[base]/Patient/1",
// "Patient/1/_history/2"); nullopt when it is not a literal Patient reference.
std::optional<std::string> MemberPatientId(std::string_view reference) {
  std::size_t history = reference.find("/_history/");
  if (history != std::string_view::npos) reference = reference.substr(0, history);
  const std::size_t slash = reference.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view id = reference.substr(slash + 1);
  std::string_view type = reference.substr(0, slash);
  const std::size_t type_slash = type.rfind('/');
  if (type_slash != std::string_view::npos) type = type.substr(type_slash + 1);
  if (type != "Patient" || !IsValidId(id)) return std::nullopt;
  return std::string(id);
}

}  // namespace

Result<std::unique_ptr<ExportManager>> ExportManager::Create(const ExportOptions& options,
                                                             std::filesystem::path directory,
                                                             store::ResourceStore& store,
                                                             core::Clock& clock, Logger& logger) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec || ::chmod(directory.c_str(), 0700) != 0) {
    return Fail(ErrorCategory::kUnavailable, "rest.export-dir",
                "cannot create the export directory " + directory.string());
  }
  // Files of an earlier process: their keys died with it, so they can never be served.
  ClearDirectory(directory);
  return std::unique_ptr<ExportManager>(
      new ExportManager(options, std::move(directory), store, clock, logger));
}

ExportManager::ExportManager(const ExportOptions& options, std::filesystem::path directory,
                             store::ResourceStore& store, core::Clock& clock, Logger& logger)
    : options_(options),
      directory_(std::move(directory)),
      store_(store),
      clock_(clock),
      logger_(logger) {
  sweeper_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, kSweepInterval);
      if (stopping_) break;
      std::vector<std::shared_ptr<Job>> to_join;
      std::vector<std::filesystem::path> to_remove;
      SweepLocked(to_join, to_remove);
      lock.unlock();
      Finish(to_join, to_remove);
      lock.lock();
    }
  });
}

ExportManager::~ExportManager() {
  std::vector<std::shared_ptr<Job>> threads;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto& job : threads_) job->cancelled = true;
    threads = threads_;
  }
  wake_.notify_all();
  sweeper_.join();
  for (auto& job : threads) {
    if (job->thread.joinable()) job->thread.join();
  }
  ClearDirectory(directory_);
}

Result<std::string> ExportManager::Start(ExportRequest request) {
  Sweep();
  std::lock_guard lock(mutex_);
  if (stopping_) {
    return Fail(ErrorCategory::kUnavailable, "rest.export-stopping", "the server is stopping");
  }
  if (running_ >= options_.max_jobs) {
    return Fail(ErrorCategory::kBusy, "rest.export-busy",
                "the most export jobs allowed at once (" + std::to_string(options_.max_jobs) +
                    ") are running; retry later");
  }
  auto job = std::make_shared<Job>();
  std::array<std::byte, 16> id_bytes;
  random_.Fill(id_bytes);
  job->id = Hex(id_bytes);
  job->key = crypto::SecretKey::Generate(random_);
  job->dir = directory_ / job->id;
  job->request = std::move(request);
  // mkdir(2) with 0700: the umask can only take bits away.
  if (::mkdir(job->dir.c_str(), 0700) != 0) {
    return Fail(ErrorCategory::kUnavailable, "rest.export-io",
                "cannot create a directory in the export directory");
  }
  ++running_;
  jobs_.emplace(job->id, job);
  threads_.push_back(job);
  job->thread = std::thread([this, raw = job.get()] { Run(*raw); });
  return job->id;
}

void ExportManager::Run(Job& job) {
  const auto started = std::chrono::steady_clock::now();
  Result<std::vector<ExportOutput>> result = [&]() -> Result<std::vector<ExportOutput>> {
    try {
      return Export(job);
    } catch (const std::exception& e) {
      return Fail(ErrorCategory::kInternal, "rest.exception",
                  std::string("unexpected exception in an export job: ") + e.what());
    }
  }();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (job.request.finished) {
    job.request.finished(result.has_value(), job.exported.load(std::memory_order_relaxed));
  }
  bool remove = false;
  std::string_view outcome;
  {
    std::lock_guard lock(mutex_);
    job.finished = true;
    --running_;
    if (job.cancelled) {
      remove = true;  // Cancel() took it out of jobs_ and left the files to this thread
      outcome = "cancelled";
    } else {
      job.expires = clock_.Now() + options_.expiry;
      if (result) {
        job.state = ExportState::kDone;
        job.outputs = std::move(*result);
        outcome = "done";
      } else {
        job.state = ExportState::kFailed;
        job.failure = result.error();
        remove = true;  // a failed job's partial files are of no use
        outcome = "failed";
      }
    }
  }
  if (remove) RemoveAll(job.dir);
  wake_.notify_all();  // the sweeper joins this thread
  const LogLevel level = outcome == "failed" ? LogLevel::kError : LogLevel::kInfo;
  if (logger_.Enabled(level)) {
    logger_.Log(level, "export",
                {{"level", LevelName(job.request.level)},
                 {"state", outcome},
                 {"code", result ? std::string_view() : std::string_view(result.error().code())},
                 {"resources", job.exported.load()},
                 {"duration_ms", static_cast<std::int64_t>(elapsed.count())}});
  }
}

Result<std::vector<ExportOutput>> ExportManager::Export(Job& job) {
  const ExportRequest& request = job.request;
  {
    std::lock_guard lock(mutex_);
    job.transaction_time = clock_.Now();
  }
  OutputSet out(job.dir, job.id, job.key, options_.max_file_bytes, random_);
  if (!request.ignored.empty()) {
    fhir::OperationOutcome outcome;
    for (const std::string& name : request.ignored) {
      outcome.AddIssue(MakeIssue(fhir::IssueSeverity::kWarning, fhir::IssueType::kNotSupported,
                                 "rest.ignored-parameter",
                                 "the parameter " + name + " is not supported and was ignored"));
    }
    CHARTROOM_RETURN_IF_ERROR(out.AddError(outcome));
  }

  chartroom::Status written = Ok();
  const auto sink = [&](const store::ResourceVersion& v) {
    if (job.cancelled.load(std::memory_order_relaxed)) return false;
    if (request.filter) {
      auto shown = request.filter(v);
      if (!shown) {
        written = tl::unexpected(shown.error());
        return false;
      }
      if (!*shown) return true;
      written = out.Add(v.type, **shown);
    } else {
      written = out.Add(v.type, v.json);
    }
    if (!written) return false;
    job.exported.fetch_add(1, std::memory_order_relaxed);
    return true;
  };

  if (request.level == ExportLevel::kSystem) {
    CHARTROOM_RETURN_IF_ERROR(store_.ForEachCurrent(request.types, request.since, sink));
    CHARTROOM_RETURN_IF_ERROR(written);
    return out.Finish();
  }

  // Patient and Group level: the compartment of each patient, one after another.
  std::vector<std::string> patients;
  if (request.level == ExportLevel::kPatient) {
    CHARTROOM_RETURN_IF_ERROR(
        store_.ForEachCurrent({"Patient"}, std::nullopt, [&](const store::ResourceVersion& v) {
          patients.push_back(v.id);
          return !job.cancelled.load(std::memory_order_relaxed);
        }));
  } else {
    CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion group,
                               store_.Read("Group", request.group_id));
    boost::json::value parsed = boost::json::parse(group.json);
    const boost::json::value* members = parsed.as_object().if_contains("member");
    std::unordered_set<std::string> listed;
    if (members != nullptr && members->is_array()) {
      std::size_t index = 0;
      for (const boost::json::value& member : members->get_array()) {
        const boost::json::value* reference =
            member.is_object() && member.get_object().contains("entity") &&
                    member.at("entity").is_object()
                ? member.at("entity").get_object().if_contains("reference")
                : nullptr;
        std::optional<std::string> id;
        if (reference != nullptr && reference->is_string()) {
          id = MemberPatientId(reference->get_string());
        }
        if (!id) {
          CHARTROOM_RETURN_IF_ERROR(out.AddError(
              Outcome(fhir::IssueSeverity::kWarning, fhir::IssueType::kNotSupported,
                      "rest.export-member-skipped",
                      "Group/" + request.group_id + " member " + std::to_string(index) +
                          " is not a literal Patient reference and was skipped")));
        } else if (listed.insert(*id).second) {
          patients.push_back(std::move(*id));
        }
        ++index;
      }
    }
  }

  std::unordered_set<std::string> seen;  // type/id: a resource may be in several compartments
  std::string key;
  for (const std::string& patient : patients) {
    if (job.cancelled.load(std::memory_order_relaxed)) break;
    auto versions = store_.Everything(patient, request.types, request.since);
    if (!versions) {
      const ErrorCategory category = versions.error().category();
      if (category != ErrorCategory::kNotFound && category != ErrorCategory::kGone) {
        return tl::unexpected(versions.error());
      }
      // A Group member that does not exist (or no longer does): the export goes on.
      CHARTROOM_RETURN_IF_ERROR(out.AddError(Outcome(
          fhir::IssueSeverity::kError,
          category == ErrorCategory::kGone ? fhir::IssueType::kDeleted : fhir::IssueType::kNotFound,
          versions.error().code(),
          "Patient/" + patient +
              (category == ErrorCategory::kGone ? " is deleted" : " does not exist") +
              "; its compartment was not exported")));
      continue;
    }
    for (const store::ResourceVersion& v : *versions) {
      key.assign(v.type);
      key += '/';
      key += v.id;
      if (!seen.insert(key).second) continue;
      if (!sink(v)) break;
    }
    CHARTROOM_RETURN_IF_ERROR(written);
  }
  return out.Finish();
}

std::shared_ptr<ExportManager::Job> ExportManager::Find(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  return it == jobs_.end() ? nullptr : it->second;
}

namespace {
tl::unexpected<Error> JobNotFound() {
  return Fail(ErrorCategory::kNotFound, "rest.export-job-not-found",
              "there is no export job at this URL: it never existed, was cancelled or expired");
}
}  // namespace

Result<ExportStatus> ExportManager::Status(const std::string& job_id) {
  Sweep();
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(job_id);
  if (it == jobs_.end()) return JobNotFound();
  const Job& job = *it->second;
  ExportStatus status;
  status.state = job.state;
  status.exported = job.exported.load();
  status.transaction_time = job.transaction_time;
  status.expires = job.expires;
  status.request_url = job.request.request_url;
  status.base_url = job.request.base_url;
  status.outputs = job.outputs;
  status.failure = job.failure;
  return status;
}

chartroom::Status ExportManager::Cancel(const std::string& job_id) {
  Sweep();
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return JobNotFound();
    job = it->second;
    jobs_.erase(it);
    job->cancelled = true;
    if (!job->finished) return Ok();  // Run() deletes the files when it stops
  }
  RemoveAll(job->dir);
  return Ok();
}

Result<std::string> ExportManager::ReadFile(const std::string& job_id, const std::string& name,
                                            std::string& type) {
  Sweep();
  std::shared_ptr<Job> job;
  {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(job_id);
    if (it == jobs_.end() || it->second->state != ExportState::kDone) return JobNotFound();
    job = it->second;
    const auto output = std::find_if(job->outputs.begin(), job->outputs.end(),
                                     [&](const ExportOutput& o) { return o.name == name; });
    if (output == job->outputs.end()) {
      return Fail(ErrorCategory::kNotFound, "rest.export-file-not-found",
                  "the export job has no file of this name");
    }
    type = output->type;
  }
  // The job (and its key) stays alive through `job` while the file is read.
  return ReadSealedFile(job->dir / (name + ".sealed"), job->key, job->id + "/" + name);
}

void ExportManager::SweepLocked(std::vector<std::shared_ptr<Job>>& to_join,
                                std::vector<std::filesystem::path>& to_remove) {
  const core::Timestamp now = clock_.Now();
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    const Job& job = *it->second;
    if (job.state != ExportState::kRunning && now >= job.expires) {
      to_remove.push_back(job.dir);
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = threads_.begin(); it != threads_.end();) {
    if ((*it)->finished) {
      to_join.push_back(std::move(*it));
      it = threads_.erase(it);
    } else {
      ++it;
    }
  }
}

void ExportManager::Finish(std::vector<std::shared_ptr<Job>>& to_join,
                           std::vector<std::filesystem::path>& to_remove) {
  for (auto& job : to_join) {
    if (job->thread.joinable()) job->thread.join();
  }
  for (const auto& dir : to_remove) RemoveAll(dir);
}

void ExportManager::Sweep() {
  std::vector<std::shared_ptr<Job>> to_join;
  std::vector<std::filesystem::path> to_remove;
  {
    std::lock_guard lock(mutex_);
    SweepLocked(to_join, to_remove);
  }
  Finish(to_join, to_remove);
}

}  // namespace chartroom::rest
