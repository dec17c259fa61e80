#include "ingest/pipeline.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include <boost/json/monotonic_resource.hpp>

#include "core/result_macros.hpp"
#include "fhir/json/strict_parser.hpp"
#include "fhir/validation/validator.hpp"

namespace chartroom::ingest {
namespace {

// A prepared resource and what is needed to write it again, or to say which it was.
struct Item {
  store::PreparedResource prepared;
  bool has_id = false;
  std::string text;   // the validated JSON, for a transaction the store runs a second time
  std::string where;  // "file:position Type/id"
};

struct Chunk {
  std::uint64_t sequence = 0;
  std::size_t file = 0;
  std::vector<Record> records;  // read, not yet prepared
  std::vector<Item> items;      // prepared
};

std::string Label(const boost::json::value& value) {
  if (!value.is_object()) return "-";
  const boost::json::object& object = value.get_object();
  const boost::json::value* type = object.if_contains("resourceType");
  if (type == nullptr || !type->is_string() || type->get_string().empty()) return "-";
  std::string label(type->get_string());
  const boost::json::value* id = object.if_contains("id");
  if (id != nullptr && id->is_string()) {
    label += '/';
    label += std::string_view(id->get_string());
  }
  return label;
}

// The first error of `outcome`, as "code: diagnostics at location".
std::string Reason(const fhir::OperationOutcome& outcome) {
  for (const fhir::Issue& issue : outcome.issues()) {
    if (issue.severity != fhir::IssueSeverity::kError &&
        issue.severity != fhir::IssueSeverity::kFatal) {
      continue;
    }
    std::string reason = issue.details_code + ": " + issue.diagnostics;
    if (!issue.expression.empty()) reason += " at " + issue.expression;
    if (issue.line && issue.column) {
      reason += " (line " + std::to_string(*issue.line) + ", column " +
                std::to_string(*issue.column) + ")";
    }
    const std::size_t more = outcome.ErrorCount() - 1;
    if (more > 0) reason += " (and " + std::to_string(more) + " more errors)";
    return reason;
  }
  return "invalid";
}

class Pipeline {
 public:
  Pipeline(store::ResourceStore& store, const ImportOptions& options, ImportListener& listener,
           ImportProgress& progress, const std::vector<std::filesystem::path>& files)
      : store_(store),
        options_(options),
        listener_(listener),
        progress_(progress),
        files_(files),
        names_(files.size()) {
    for (std::size_t i = 0; i < files.size(); ++i) names_[i] = files[i].string();
    workers_ =
        options.workers != 0 ? options.workers : std::max(1u, std::thread::hardware_concurrency());
    max_in_flight_ = options.chunks_in_flight != 0 ? options.chunks_in_flight : 2 * workers_ + 2;
    batch_size_ = std::max<std::size_t>(1, options.batch_size);
  }

  ImportSummary Go() {
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < workers_; ++i) threads.emplace_back([this] { WorkerLoop(); });
    std::thread committer([this] { CommitLoop(); });
    for (std::size_t i = 0; i < files_.size() && !Stopped(); ++i) ReadFile(i);
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    work_cv_.notify_all();
    ready_cv_.notify_all();
    for (std::thread& t : threads) t.join();
    committer.join();

    summary_.files = files_.size();
    summary_.records_read = progress_.records_read.load();
    summary_.written = progress_.written.load();
    summary_.skipped = progress_.skipped.load();
    summary_.not_written = summary_.records_read - summary_.written - summary_.skipped;
    summary_.elapsed = std::chrono::steady_clock::now() - start;
    return std::move(summary_);
  }

 private:
  bool Stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

  void FileError(std::size_t file, const Error& error) {
    ++summary_.files_failed;
    listener_.OnFileError(names_[file], error);
  }

  void ReadFile(std::size_t file) {
    progress_.files_started.fetch_add(1, std::memory_order_relaxed);
    auto raw = OpenFile(files_[file], &progress_.bytes_read);
    if (!raw) return FileError(file, raw.error());
    auto decoded = Decompress(std::move(*raw));
    if (!decoded) return FileError(file, decoded.error());
    RecordReader reader(std::move(*decoded), options_.reader);
    auto chunk = NewChunk(file);
    for (;;) {
      Record record;
      Result<bool> more = reader.Next(record);
      if (!more) {
        Submit(std::move(chunk));
        return FileError(file, more.error());
      }
      if (!*more) break;
      progress_.records_read.fetch_add(1, std::memory_order_relaxed);
      chunk->records.push_back(std::move(record));
      if (chunk->records.size() >= batch_size_) {
        if (!Submit(std::move(chunk))) return;
        chunk = NewChunk(file);
      }
    }
    Submit(std::move(chunk));
  }

  std::unique_ptr<Chunk> NewChunk(std::size_t file) {
    auto chunk = std::make_unique<Chunk>();
    chunk->file = file;
    chunk->records.reserve(std::min<std::size_t>(batch_size_, 4096));
    return chunk;
  }

  // Hands `chunk` to the workers once there is room; false when the import has stopped.
  bool Submit(std::unique_ptr<Chunk> chunk) {
    if (chunk->records.empty()) return true;
    std::unique_lock lock(mutex_);
    space_cv_.wait(lock, [&] { return in_flight_ < max_in_flight_ || stopped_; });
    if (stopped_) return false;
    chunk->sequence = submitted_++;
    ++in_flight_;
    work_.push_back(std::move(chunk));
    lock.unlock();
    work_cv_.notify_one();
    return true;
  }

  void WorkerLoop() {
    // One buffer serves every record of this worker; a fresh resource per record starts again at
    // its beginning (monotonic_resource::release() keeps growing its next block in Boost 1.81).
    std::vector<unsigned char> buffer(std::size_t{1} << 20);
    for (;;) {
      std::unique_ptr<Chunk> chunk;
      {
        std::unique_lock lock(mutex_);
        work_cv_.wait(lock, [&] { return !work_.empty() || closing_; });
        if (work_.empty()) return;
        chunk = std::move(work_.front());
        work_.pop_front();
      }
      if (!Stopped()) Prepare(*chunk, buffer);
      {
        std::lock_guard lock(mutex_);
        const std::uint64_t sequence = chunk->sequence;
        ready_.emplace(sequence, std::move(chunk));
      }
      ready_cv_.notify_all();
    }
  }

  void Skip(const Chunk& chunk, const Record& record, std::string resource, std::string reason) {
    progress_.skipped.fetch_add(1, std::memory_order_relaxed);
    listener_.OnSkipped(SkippedRecord{names_[chunk.file], FormatPosition(record),
                                      std::move(resource), std::move(reason)});
  }

  void Prepare(Chunk& chunk, std::vector<unsigned char>& buffer) {
    chunk.items.reserve(chunk.records.size());
    for (Record& record : chunk.records) {
      if (!record.problem.empty()) {
        Skip(chunk, record, "-", std::move(record.problem));
        continue;
      }
      boost::json::monotonic_resource storage(buffer.data(), buffer.size());
      fhir::ParsedDocument parsed = fhir::ParseAndValidate(record.json, &storage);
      std::string label = Label(parsed.value);
      if (parsed.outcome.HasErrors() || !parsed.value.is_object()) {
        Skip(chunk, record, std::move(label), Reason(parsed.outcome));
        continue;
      }
      boost::json::object& object = parsed.value.get_object();
      const boost::json::value* id = object.if_contains("id");
      const bool has_id = id != nullptr && id->is_string();
      Result<store::PreparedResource> prepared =
          store_.Prepare(std::move(object), std::move(parsed.numbers));
      if (!prepared) {
        Skip(chunk, record, std::move(label),
             prepared.error().code() + ": " + prepared.error().message());
        continue;
      }
      chunk.items.push_back(Item{std::move(*prepared), has_id, std::move(record.json),
                                 names_[chunk.file] + ":" + FormatPosition(record) + " " + label});
    }
    chunk.records.clear();
  }

  void CommitLoop() {
    for (;;) {
      std::unique_ptr<Chunk> chunk;
      {
        std::unique_lock lock(mutex_);
        ready_cv_.wait(lock, [&] {
          return ready_.contains(next_commit_) || (closing_ && next_commit_ == submitted_);
        });
        auto it = ready_.find(next_commit_);
        if (it == ready_.end()) return;
        chunk = std::move(it->second);
        ready_.erase(it);
        ++next_commit_;
      }
      if (!Stopped() && !chunk->items.empty()) Commit(*chunk);
      {
        std::lock_guard lock(mutex_);
        --in_flight_;
      }
      space_cv_.notify_all();
    }
  }

  void Commit(Chunk& chunk) {
    bool first_attempt = true;
    const Status status = store_.InTransaction([&](store::Transaction& tx) -> Status {
      // A backend may run the work again (a serialization failure); the prepared resources are
      // spent by then, so a second run writes from the text.
      const bool again = !first_attempt;
      first_attempt = false;
      for (Item& item : chunk.items) {
        Result<store::ResourceVersion> written = [&]() -> Result<store::ResourceVersion> {
          if (!again) {
            if (item.has_id) return tx.Update(std::move(item.prepared), std::nullopt);
            return tx.Create(std::move(item.prepared));
          }
          fhir::json::StrictJson parsed = fhir::json::ParseStrictJson(item.text);
          if (parsed.syntax_error || !parsed.value.is_object()) {
            return Fail(ErrorCategory::kInternal, "ingest.reparse", "cannot parse it again");
          }
          CHARTROOM_ASSIGN_OR_RETURN(
              store::PreparedResource prepared,
              store_.Prepare(std::move(parsed.value.get_object()), std::move(parsed.numbers)));
          if (item.has_id) return tx.Update(std::move(prepared), std::nullopt);
          return tx.Create(std::move(prepared));
        }();
        if (!written) {
          return Fail(written.error().category(), written.error().code(),
                      item.where + ": " + written.error().message());
        }
      }
      return Ok();
    });
    if (status) {
      progress_.written.fetch_add(chunk.items.size(), std::memory_order_relaxed);
      return;
    }
    std::lock_guard lock(mutex_);
    if (!summary_.store_error) summary_.store_error = status.error();
    stopped_ = true;
    space_cv_.notify_all();
  }

  store::ResourceStore& store_;
  const ImportOptions& options_;
  ImportListener& listener_;
  ImportProgress& progress_;
  const std::vector<std::filesystem::path>& files_;
  std::vector<std::string> names_;
  unsigned workers_ = 1;
  std::size_t max_in_flight_ = 4;
  std::size_t batch_size_ = 1000;
  ImportSummary summary_;

  std::mutex mutex_;
  std::condition_variable work_cv_;   // work_ gained a chunk, or closing_
  std::condition_variable ready_cv_;  // ready_ gained a chunk, or closing_
  std::condition_variable space_cv_;  // in_flight_ fell, or stopped_
  std::deque<std::unique_ptr<Chunk>> work_;
  std::map<std::uint64_t, std::unique_ptr<Chunk>> ready_;
  std::size_t in_flight_ = 0;
  std::uint64_t submitted_ = 0;
  std::uint64_t next_commit_ = 0;
  bool closing_ = false;  // the reader has submitted everything
  bool stopped_ = false;  // a store error: write nothing more
};

}  // namespace

Importer::Importer(store::ResourceStore& store, ImportOptions options, ImportListener& listener)
    : store_(store), options_(std::move(options)), listener_(listener) {}

ImportSummary Importer::Run(const std::vector<std::filesystem::path>& files) {
  progress_.files_started = 0;
  progress_.records_read = 0;
  progress_.written = 0;
  progress_.skipped = 0;
  progress_.bytes_read = 0;
  Pipeline pipeline(store_, options_, listener_, progress_, files);
  return pipeline.Go();
}

Result<std::vector<std::filesystem::path>> ExpandInput(const std::filesystem::path& input) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(input, ec);
  if (!fs::exists(status)) {
    return Fail(ErrorCategory::kNotFound, "ingest.no-input",
                input.string() + ": no such file or directory");
  }
  if (!fs::is_directory(status)) return std::vector<fs::path>{input};
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(input, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with('.')) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) {
    return Fail(ErrorCategory::kUnavailable, "ingest.no-input",
                input.string() + ": cannot list the directory: " + ec.message());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace chartroom::ingest
