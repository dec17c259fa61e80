// Splitting a decoded byte stream (ingest/decoder.hpp) into FHIR resources, one Record each,
// with the position a person needs to find it again: the line of an NDJSON record, the entry
// index of a Bundle entry. Three shapes of input are recognised by their content:
//
//   * NDJSON (https://hl7.org/fhir/R4/nd-json.html): one resource per line, blank lines ignored.
//     Read line by line through a fixed-size buffer; a line longer than
//     RecordReaderOptions::max_line_bytes becomes a Record with a problem and is skipped.
//   * A Bundle (any type, one JSON document, pretty-printed or not): each entry's resource is one
//     Record. The document is read whole, up to RecordReaderOptions::max_document_bytes (more is
//     refused with kInvalid "ingest.too-large"). References to the `urn:uuid:`/`urn:oid:` fullUrl
//     of an entry of the same Bundle are rewritten to that entry's `Type/id` (as a server does
//     with a transaction, https://hl7.org/fhir/R4/http.html#trules), so that they resolve once
//     stored; an entry without an id whose fullUrl is `urn:uuid:X` gets the id X for the same
//     reason.
//   * A single resource that is not a Bundle, as one JSON document: one Record.
//
// A file whose first line is a complete JSON object is NDJSON, unless it is the only line and
// holds a Bundle (a compact Bundle document). Anything that does not start with `{` is not
// FHIR JSON: kInvalid "ingest.not-json".
//
// Records are not validated here (the pipeline does that on its workers); only what this reader
// must understand is checked: the Bundle document's syntax, and duplicate keys inside entries
// (which the parsed Bundle no longer shows, so they are reported as the entry's problem).
//
// Thread safety: one thread at a time. Ownership: owns the ByteReader it reads.

#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "ingest/decoder.hpp"

namespace chartroom::ingest {

enum class InputFormat : std::uint8_t { kUnknown, kNdjson, kBundle, kResource };

// "ndjson", "bundle", "resource" or "unknown".
std::string_view InputFormatName(InputFormat format);

struct Record {
  // One resource as JSON text (empty when `problem` is set).
  std::string json;
  // NDJSON and single resources: the 1-based line where the record starts. Bundles: the 0-based
  // index of the entry.
  std::uint64_t position = 0;
  bool is_entry = false;
  // Why the record cannot be imported, when the reader already knows (a line over the bound, an
  // entry without a resource, a duplicate key): "code: message".
  std::string problem;
};

// "12" for line 12, "entry[3]" for the entry at index 3.
std::string FormatPosition(const Record& record);

struct RecordReaderOptions {
  // The longest NDJSON line accepted.
  std::size_t max_line_bytes = std::size_t{64} << 20;
  // The largest Bundle or single-resource document accepted (it is held in memory whole, with
  // its parsed form: about three times this).
  std::size_t max_document_bytes = std::size_t{256} << 20;
  // Bytes asked of the ByteReader per read.
  std::size_t block_bytes = std::size_t{1} << 20;
};

class RecordReader {
 public:
  explicit RecordReader(std::unique_ptr<ByteReader> input, RecordReaderOptions options = {});
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // The next record into `out`: true, or false at the end of the input. Errors: those of the
  // ByteReader (a truncated or corrupt stream: the records before it were returned, a partial
  // last line is not), kInvalid "ingest.not-json" (not NDJSON or a JSON document; the message
  // has the line and column) and kInvalid "ingest.too-large". After an error the reader is spent.
  [[nodiscard]] Result<bool> Next(Record& out);

  // What the input turned out to be; kUnknown before the first Next.
  InputFormat format() const { return format_; }

 private:
  // The next line (without its end) into `line`; false at the end of the input. A line over the
  // bound is returned cut to empty with `too_long` set, its bytes skipped.
  Result<bool> NextLine(std::string& line, bool& too_long);
  Result<bool> Fill();
  Result<bool> Start(Record& out);
  Result<bool> StartDocument(std::string first_lines, std::uint64_t first_line);
  Result<bool> NextEntry(Record& out);

  std::unique_ptr<ByteReader> input_;
  RecordReaderOptions options_;
  InputFormat format_ = InputFormat::kUnknown;
  bool spent_ = false;

  std::vector<char> block_;
  std::size_t block_pos_ = 0;
  std::size_t block_size_ = 0;
  bool eof_ = false;
  std::uint64_t line_number_ = 0;  // of the last line returned by NextLine

  // NDJSON: a record read ahead while telling the format.
  std::optional<Record> pending_;

  // Bundle: the parsed entries, handed out one by one.
  struct BundleState;
  std::unique_ptr<BundleState> bundle_;
};

// Rewrites every `reference` member (at any depth of `resource`) whose value is a key of
// `targets` to the mapped value. Used for Bundle fullUrls; exposed for tests and other loaders.
void RewriteReferences(boost::json::value& resource,
                       const std::map<std::string, std::string, std::less<>>& targets);

}  // namespace chartroom::ingest
