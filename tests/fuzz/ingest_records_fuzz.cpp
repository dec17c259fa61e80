// libFuzzer target: arbitrary bytes through the import reader (ingest/decoder.hpp and
// ingest/record_reader.hpp): compression detection, gzip and zstd streams, NDJSON line splitting,
// the NDJSON/Bundle decision, Bundle entries and urn:uuid rewriting. Whatever the input, this must
// not crash, leak, hang or trip a sanitizer; every record carries either JSON or a problem; NDJSON
// lines come in increasing order and Bundle entries in index order; the bounds hold.
//
//   cmake --preset fuzz && cmake --build --preset fuzz --target chartroom_ingest_records_fuzz
//   build/fuzz/tests/fuzz/chartroom_ingest_records_fuzz tests/fuzz/corpus/ingest_records
//       -max_total_time=300   (one command line)

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string_view>

#include "ingest/decoder.hpp"
#include "ingest/record_reader.hpp"

namespace {

// Ends the decoded stream after a few megabytes, so that a small compressed input that expands
// enormously (a decompression bomb, legal input for the reader) does not time the fuzzer out.
class Capped final : public chartroom::ingest::ByteReader {
 public:
  explicit Capped(std::unique_ptr<ByteReader> inner) : inner_(std::move(inner)) {}
  chartroom::Result<std::size_t> Read(std::span<char> out) override {
    if (left_ == 0) return std::size_t{0};
    auto n = inner_->Read(out.first(std::min(out.size(), left_)));
    if (n) left_ -= *n;
    return n;
  }

 private:
  std::unique_ptr<ByteReader> inner_;
  std::size_t left_ = std::size_t{8} << 20;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chartroom::ingest;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto decoded = Decompress(ReadMemory(bytes));
  if (!decoded) std::abort();  // reading memory cannot fail
  RecordReaderOptions options;
  options.max_line_bytes = 4096;
  options.max_document_bytes = std::size_t{1} << 20;
  options.block_bytes = 64;  // lines and documents across many reads
  RecordReader reader(std::make_unique<Capped>(std::move(*decoded)), options);
  std::uint64_t last_position = 0;
  bool first = true;
  for (int i = 0; i < 100000; ++i) {
    Record record;
    auto more = reader.Next(record);
    if (!more || !*more) break;
    if (record.json.empty() == record.problem.empty()) std::abort();
    if (record.json.size() > options.max_document_bytes) std::abort();
    if (reader.format() == InputFormat::kNdjson && record.json.size() > options.max_line_bytes) {
      std::abort();
    }
    if (!first && record.position <= last_position) std::abort();
    first = false;
    last_position = record.position;
  }
  return 0;
}
