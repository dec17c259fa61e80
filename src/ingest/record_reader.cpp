#include "ingest/record_reader.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <utility>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/stream_parser.hpp>

#include "core/result_macros.hpp"
#include "fhir/json/strict_parser.hpp"
#include "fhir/json/writer.hpp"

namespace chartroom::ingest {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kUrnUuid = "urn:uuid:";

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// A valid FHIR id (https://hl7.org/fhir/R4/datatypes.html#id): [A-Za-z0-9\-\.]{1,64}.
bool IsFhirId(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

std::string_view StringMember(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// How the first line of a file reads as JSON.
enum class Probe : std::uint8_t { kInvalid, kComplete, kIncomplete };

Probe ProbeLine(std::string_view line, bool& is_bundle) {
  is_bundle = false;
  boost::json::monotonic_resource storage;
  boost::json::parse_options options;
  options.max_depth = 256;
  boost::json::stream_parser parser(&storage, options);
  boost::system::error_code ec;
  const std::size_t used = parser.write_some(line.data(), line.size(), ec);
  if (ec) return Probe::kInvalid;
  if (!parser.done()) return Probe::kIncomplete;
  if (!IsBlank(line.substr(used))) return Probe::kInvalid;
  const boost::json::value value = parser.release();
  is_bundle = value.is_object() && StringMember(value.get_object(), "resourceType") == "Bundle";
  return Probe::kComplete;
}

void Rewrite(boost::json::value& value,
             const std::map<std::string, std::string, std::less<>>& targets) {
  if (value.is_array()) {
    for (boost::json::value& item : value.get_array()) Rewrite(item, targets);
    return;
  }
  if (!value.is_object()) return;
  for (auto& member : value.get_object()) {
    if (member.key() == "reference" && member.value().is_string()) {
      const auto it = targets.find(std::string_view(member.value().get_string()));
      if (it != targets.end()) member.value() = it->second;
    } else {
      Rewrite(member.value(), targets);
    }
  }
}

}  // namespace

std::string_view InputFormatName(InputFormat format) {
  switch (format) {
    case InputFormat::kNdjson:
      return "ndjson";
    case InputFormat::kBundle:
      return "bundle";
    case InputFormat::kResource:
      return "resource";
    case InputFormat::kUnknown:
      break;
  }
  return "unknown";
}

std::string FormatPosition(const Record& record) {
  if (record.is_entry) return "entry[" + std::to_string(record.position) + "]";
  return std::to_string(record.position);
}

void RewriteReferences(boost::json::value& resource,
                       const std::map<std::string, std::string, std::less<>>& targets) {
  if (!targets.empty()) Rewrite(resource, targets);
}

struct RecordReader::BundleState {
  boost::json::monotonic_resource storage;
  boost::json::value document;
  boost::json::array* entries = nullptr;
  std::size_t next = 0;
  std::set<std::size_t> duplicate_entries;
  std::map<std::string, std::string, std::less<>> targets;
  // Per entry, the text of the numbers of its resource as written (fhir/json/writer.hpp), so
  // that 1.50 is handed on as 1.50.
  std::vector<fhir::json::NumberTexts> numbers;
};

RecordReader::RecordReader(std::unique_ptr<ByteReader> input, RecordReaderOptions options)
    : input_(std::move(input)),
      options_(options),
      block_(std::max<std::size_t>(options.block_bytes, 16)) {}

RecordReader::~RecordReader() = default;

Result<bool> RecordReader::Fill() {
  if (block_pos_ < block_size_) return true;
  if (eof_) return false;
  CHARTROOM_ASSIGN_OR_RETURN(block_size_, input_->Read(block_));
  block_pos_ = 0;
  if (block_size_ == 0) eof_ = true;
  return block_size_ > 0;
}

Result<bool> RecordReader::NextLine(std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  bool any = false;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) break;
    any = true;
    const char* begin = block_.data() + block_pos_;
    const std::size_t available = block_size_ - block_pos_;
    const void* newline = std::memchr(begin, '\n', available);
    const std::size_t take =
        newline != nullptr ? static_cast<std::size_t>(static_cast<const char*>(newline) - begin)
                           : available;
    if (!too_long) {
      if (line.size() + take > options_.max_line_bytes) {
        too_long = true;
        line.clear();
        line.shrink_to_fit();
      } else {
        line.append(begin, take);
      }
    }
    block_pos_ += take;
    if (newline != nullptr) {
      ++block_pos_;
      break;
    }
  }
  if (!any) return false;
  ++line_number_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line_number_ == 1 && line.starts_with(kBom)) line.erase(0, kBom.size());
  return true;
}

Result<bool> RecordReader::Next(Record& out) {
  if (spent_) return false;
  Result<bool> result = [&]() -> Result<bool> {
    if (format_ == InputFormat::kUnknown) return Start(out);
    if (pending_) {
      out = std::move(*pending_);
      pending_.reset();
      return true;
    }
    switch (format_) {
      case InputFormat::kBundle:
        return NextEntry(out);
      case InputFormat::kResource:
      case InputFormat::kUnknown:
        return false;
      case InputFormat::kNdjson:
        break;
    }
    std::string line;
    bool too_long = false;
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(bool more, NextLine(line, too_long));
      if (!more) return false;
      if (!too_long && IsBlank(line)) continue;
      out = Record{};
      out.position = line_number_;
      if (too_long) {
        out.problem = "ingest.line-too-long: the line is longer than " +
                      std::to_string(options_.max_line_bytes) + " bytes";
      } else {
        out.json = std::move(line);
      }
      return true;
    }
  }();
  if (!result || !*result) spent_ = true;
  return result;
}

Result<bool> RecordReader::Start(Record& out) {
  std::string line;
  bool too_long = false;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(bool more, NextLine(line, too_long));
    if (!more) {
      format_ = InputFormat::kNdjson;  // empty: nothing to import
      return false;
    }
    if (too_long || !IsBlank(line)) break;
  }
  const std::uint64_t first_line = line_number_;
  out = Record{};
  out.position = first_line;
  if (too_long) {
    format_ = InputFormat::kNdjson;
    out.problem = "ingest.line-too-long: the line is longer than " +
                  std::to_string(options_.max_line_bytes) + " bytes";
    return true;
  }
  const std::size_t start = line.find_first_not_of(" \t\r");
  if (line[start] != '{') {
    return Fail(ErrorCategory::kInvalid, "ingest.not-json",
                "line " + std::to_string(first_line) +
                    " does not begin a JSON object: neither NDJSON nor a FHIR JSON document");
  }
  bool is_bundle = false;
  switch (ProbeLine(line, is_bundle)) {
    case Probe::kIncomplete: {
      // A document over several lines: read it whole (bounded).
      std::string text = std::move(line);
      text += '\n';
      for (;;) {
        CHARTROOM_ASSIGN_OR_RETURN(bool more, Fill());
        if (!more) break;
        if (text.size() + (block_size_ - block_pos_) > options_.max_document_bytes) {
          return Fail(ErrorCategory::kInvalid, "ingest.too-large",
                      "the JSON document is larger than " +
                          std::to_string(options_.max_document_bytes) +
                          " bytes (a Bundle is read whole; split it or use NDJSON)");
        }
        text.append(block_.data() + block_pos_, block_size_ - block_pos_);
        block_pos_ = block_size_;
      }
      CHARTROOM_ASSIGN_OR_RETURN(bool any, StartDocument(std::move(text), first_line));
      if (!any) return false;
      return Next(out);
    }
    case Probe::kComplete:
      if (is_bundle) {
        // One line holding a Bundle: a Bundle document, unless more records follow.
        std::string next;
        bool next_too_long = false;
        for (;;) {
          CHARTROOM_ASSIGN_OR_RETURN(bool more, NextLine(next, next_too_long));
          if (!more) {
            CHARTROOM_ASSIGN_OR_RETURN(bool any, StartDocument(std::move(line), first_line));
            if (!any) return false;
            return Next(out);
          }
          if (next_too_long || !IsBlank(next)) break;
        }
        Record second;
        second.position = line_number_;
        if (next_too_long) {
          second.problem = "ingest.line-too-long: the line is longer than " +
                           std::to_string(options_.max_line_bytes) + " bytes";
        } else {
          second.json = std::move(next);
        }
        pending_ = std::move(second);
      }
      break;
    case Probe::kInvalid:
      break;
  }
  format_ = InputFormat::kNdjson;
  out.json = std::move(line);
  return true;
}

Result<bool> RecordReader::StartDocument(std::string text, std::uint64_t first_line) {
  auto state = std::make_unique<BundleState>();
  fhir::json::StrictJson parsed = fhir::json::ParseStrictJson(text, &state->storage);
  if (parsed.syntax_error) {
    return Fail(ErrorCategory::kInvalid, "ingest.not-json",
                "not JSON at line " + std::to_string(parsed.syntax_error->line + first_line - 1) +
                    ", column " + std::to_string(parsed.syntax_error->column) + ": " +
                    parsed.syntax_error->message);
  }
  if (!parsed.value.is_object()) {
    return Fail(ErrorCategory::kInvalid, "ingest.not-json", "the document is not a JSON object");
  }
  if (StringMember(parsed.value.get_object(), "resourceType") != "Bundle") {
    // One resource: the worker parses and validates its text like an NDJSON line.
    format_ = InputFormat::kResource;
    Record record;
    record.position = first_line;
    record.json = std::move(text);
    pending_ = std::move(record);
    return true;
  }
  format_ = InputFormat::kBundle;
  state->document = std::move(parsed.value);
  for (const fhir::json::DuplicateKey& duplicate : parsed.duplicate_keys) {
    const auto& path = duplicate.object_path;
    if (path.size() >= 3 && path[0].key == "entry" && path[1].index && path[2].key == "resource") {
      state->duplicate_entries.insert(*path[1].index);
    }
  }
  boost::json::value* entries = state->document.get_object().if_contains("entry");
  if (entries != nullptr && entries->is_array()) {
    state->entries = &entries->get_array();
    for (boost::json::value& entry : *state->entries) {
      if (!entry.is_object()) continue;
      boost::json::value* resource = entry.get_object().if_contains("resource");
      if (resource == nullptr || !resource->is_object()) continue;
      const std::string_view full_url = StringMember(entry.get_object(), "fullUrl");
      if (!full_url.starts_with("urn:")) continue;
      boost::json::object& object = resource->get_object();
      // A copy: adding the id below may move the members, and short strings live inside them.
      const std::string type(StringMember(object, "resourceType"));
      std::string id(StringMember(object, "id"));
      if (id.empty() && full_url.starts_with(kUrnUuid) &&
          IsFhirId(full_url.substr(kUrnUuid.size())) && object.if_contains("id") == nullptr) {
        id = std::string(full_url.substr(kUrnUuid.size()));
        object["id"] = id;
      }
      if (type.empty() || id.empty()) continue;
      state->targets.emplace(std::string(full_url), type + "/" + id);
    }
    // Ids added above are strings: the numbers keep their places in document order.
    std::vector<const boost::json::value*> parts;
    parts.reserve(state->entries->size());
    for (const boost::json::value& entry : *state->entries) {
      const boost::json::value* resource =
          entry.is_object() ? entry.get_object().if_contains("resource") : nullptr;
      parts.push_back(resource != nullptr && resource->is_object() ? resource : nullptr);
    }
    if (!parsed.numbers.empty()) {
      state->numbers = fhir::json::NumbersWithin(state->document, parts, parsed.numbers);
    }
  }
  bundle_ = std::move(state);
  return true;
}

Result<bool> RecordReader::NextEntry(Record& out) {
  BundleState& state = *bundle_;
  if (state.entries == nullptr || state.next >= state.entries->size()) return false;
  const std::size_t index = state.next++;
  out = Record{};
  out.position = index;
  out.is_entry = true;
  boost::json::value& entry = (*state.entries)[index];
  boost::json::value* resource =
      entry.is_object() ? entry.get_object().if_contains("resource") : nullptr;
  if (resource == nullptr || !resource->is_object()) {
    out.problem = "ingest.entry-without-resource: the entry has no resource";
  } else if (state.duplicate_entries.contains(index)) {
    out.problem = "fhir.duplicate-key: a key is repeated in one JSON object of the resource";
  } else {
    RewriteReferences(*resource, state.targets);
    out.json = index < state.numbers.size() ? fhir::json::Serialize(*resource, state.numbers[index])
                                            : fhir::json::Serialize(*resource);
  }
  return true;
}

}  // namespace chartroom::ingest
