#include "fhir/json/strict_parser.hpp"

#include <charconv>
#include <exception>
#include <functional>
#include <memory>
#include <unordered_set>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value_stack.hpp>

namespace chartroom::fhir::json {
namespace {

using boost::json::error_code;

// Builds the DOM exactly like boost::json::parser (a value_stack fed by basic_parser) and, on the
// side, remembers the keys of every open object to find repeats. Keys of closed objects are
// dropped, so memory stays proportional to the keys along the current path.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  StrictHandler(unsigned char* temp, std::size_t temp_size) : st({}, temp, temp_size) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code&) {
    CountValue();
    Frame& frame = frames_.emplace_back();
    frame.is_object = true;
    frame.first_key = static_cast<std::uint32_t>(keys_.size());
    frame.key_text_start = key_text_.size();
    return true;
  }
  bool on_object_end(std::size_t n, error_code&) {
    Frame& frame = frames_.back();
    keys_.resize(frame.first_key);
    key_text_.resize(frame.key_text_start);
    frames_.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) {
    CountValue();
    frames_.emplace_back();
    return true;
  }
  bool on_array_end(std::size_t n, error_code&) {
    frames_.pop_back();
    st.push_array(n);
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    key_text_.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t n, error_code&) {
    st.push_key(s);
    key_text_.append(s.data(), s.size());
    AddKey(n);
    return true;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, error_code&) {
    CountValue();
    st.push_string(s);
    return true;
  }
  bool on_number_part(boost::json::string_view s, error_code&) {
    number_part_.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, boost::json::string_view s, error_code&) {
    CountValue();
    st.push_int64(i);
    char buffer[24];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, i);
    NoteNumber(s, std::string_view(buffer, static_cast<std::size_t>(r.ptr - buffer)));
    return true;
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view s, error_code&) {
    CountValue();
    st.push_uint64(u);
    char buffer[24];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, u);
    NoteNumber(s, std::string_view(buffer, static_cast<std::size_t>(r.ptr - buffer)));
    return true;
  }
  bool on_double(double d, boost::json::string_view s, error_code&) {
    CountValue();
    std::string_view text(s.data(), s.size());
    if (!number_part_.empty()) {
      number_part_.append(s.data(), s.size());
      text = number_part_;
    }
    // Boost.JSON 1.81 rounds long numbers imprecisely; from_chars rounds correctly, so the DOM
    // holds the double nearest to what was written (and the writer's check agrees with it).
    double value = d;
    if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc()) {
      value = d;  // out of range: Boost.JSON's value
    }
    st.push_double(value);
    if (!IsShortestForm(text, value)) numbers.push_back({ordinal_, std::string(text)});
    number_part_.clear();
    ++ordinal_;
    return true;
  }
  bool on_bool(bool b, error_code&) {
    CountValue();
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    CountValue();
    st.push_null();
    return true;
  }
  bool on_comment_part(boost::json::string_view, error_code&) { return true; }
  bool on_comment(boost::json::string_view, error_code&) { return true; }

  boost::json::value_stack st;
  std::vector<DuplicateKey> duplicates;
  NumberTexts numbers;

 private:
  // Records the text of an integer when it is not the one its value gives back ("-0").
  void NoteNumber(boost::json::string_view last_part, std::string_view canonical) {
    if (number_part_.empty()) {
      if (std::string_view(last_part.data(), last_part.size()) != canonical) {
        numbers.push_back({ordinal_, std::string(last_part)});
      }
    } else {
      number_part_.append(last_part.data(), last_part.size());
      if (number_part_ != canonical) numbers.push_back({ordinal_, number_part_});
      number_part_.clear();
    }
    ++ordinal_;
  }

  std::string number_part_;  // the text of a number split across write_some calls
  std::uint32_t ordinal_ = 0;

  struct KeyRef {
    std::size_t offset;
    std::size_t size;
  };

  // Hashing and equality of keys by their index in keys_, reading the text from key_text_ (which
  // may reallocate, so no string_view into it is kept).
  struct KeyHash {
    const StrictHandler* h;
    std::size_t operator()(std::uint32_t i) const {
      return std::hash<std::string_view>{}(h->KeyText(i));
    }
  };
  struct KeyEq {
    const StrictHandler* h;
    bool operator()(std::uint32_t a, std::uint32_t b) const {
      return h->KeyText(a) == h->KeyText(b);
    }
  };
  using KeySet = std::unordered_set<std::uint32_t, KeyHash, KeyEq>;

  struct Frame {
    bool is_object = false;
    std::uint32_t first_key = 0;      // objects: index of the first key in keys_
    std::size_t key_text_start = 0;   // objects: where its keys start in key_text_
    std::uint32_t current_key = 0;    // objects: index in keys_ of the member being parsed
    std::uint32_t count = 0;          // arrays: elements so far
    std::unique_ptr<KeySet> key_set;  // objects with many keys: index for repeat detection
  };

  // Objects with more keys than this get a hash index; smaller ones are scanned (FHIR objects
  // mostly have fewer than a dozen keys).
  static constexpr std::uint32_t kLinearScanLimit = 24;

  std::string_view KeyText(std::uint32_t i) const {
    return std::string_view(key_text_).substr(keys_[i].offset, keys_[i].size);
  }

  void CountValue() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().count;
  }

  void AddKey(std::size_t total_size) {
    Frame& frame = frames_.back();
    const auto index = static_cast<std::uint32_t>(keys_.size());
    keys_.push_back({key_text_.size() - total_size, total_size});
    frame.current_key = index;
    const std::uint32_t count = index - frame.first_key;
    bool repeated = false;
    if (frame.key_set) {
      repeated = !frame.key_set->insert(index).second;
    } else {
      const std::string_view key = KeyText(index);
      for (std::uint32_t i = frame.first_key; i < index && !repeated; ++i) {
        repeated = KeyText(i) == key;
      }
      if (!repeated && count >= kLinearScanLimit) {
        frame.key_set = std::make_unique<KeySet>(64, KeyHash{this}, KeyEq{this});
        for (std::uint32_t i = frame.first_key; i <= index; ++i) frame.key_set->insert(i);
      }
    }
    if (repeated) RecordDuplicate(index);
  }

  void RecordDuplicate(std::uint32_t key_index) {
    DuplicateKey dup;
    dup.key = std::string(KeyText(key_index));
    for (std::size_t f = 0; f + 1 < frames_.size(); ++f) {
      const Frame& frame = frames_[f];
      JsonPathStep& step = dup.object_path.emplace_back();
      if (frame.is_object) {
        step.key = std::string(KeyText(frame.current_key));
      } else {
        step.index = frame.count - 1;
      }
    }
    duplicates.push_back(std::move(dup));
  }

  std::vector<Frame> frames_;
  std::vector<KeyRef> keys_;
  std::string key_text_;
};

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

void LineAndColumn(std::string_view text, std::uint64_t offset, std::uint32_t& line,
                   std::uint32_t& column) {
  std::uint64_t lines = 1;
  std::uint64_t columns = 1;
  const std::size_t end = offset < text.size() ? static_cast<std::size_t>(offset) : text.size();
  for (std::size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++lines;
      columns = 1;
    } else if ((c & 0xC0) != 0x80) {  // count code points, not UTF-8 continuation bytes
      ++columns;
    }
  }
  constexpr std::uint64_t kMax = 0xFFFFFFFF;
  line = static_cast<std::uint32_t>(lines < kMax ? lines : kMax);
  column = static_cast<std::uint32_t>(columns < kMax ? columns : kMax);
}

StrictJson ParseStrictJson(std::string_view text, boost::json::storage_ptr storage,
                           const StrictJsonOptions& options) {
  // Constructed with `storage`: assigning a value never changes the storage of its target, so
  // a default-constructed member would copy the whole DOM on assignment.
  StrictJson out{boost::json::value(storage), std::nullopt, {}, {}};
  std::size_t skipped = 0;
  if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) skipped = kByteOrderMark.size();
  const std::string_view body = text.substr(skipped);

  auto fail = [&](JsonSyntaxError::Kind kind, std::uint64_t offset, std::string message) {
    JsonSyntaxError error;
    error.kind = kind;
    error.offset = offset;
    error.message = std::move(message);
    LineAndColumn(text, offset, error.line, error.column);
    out.value = nullptr;
    out.duplicate_keys.clear();
    out.numbers.clear();
    out.syntax_error = std::move(error);
  };

  try {
    boost::json::parse_options parse_options;
    parse_options.max_depth = options.max_depth;
    unsigned char temp[4096];
    boost::json::basic_parser<StrictHandler> parser(parse_options, temp, sizeof temp);
    parser.handler().st.reset(storage);
    error_code ec;
    const std::size_t consumed = parser.write_some(false, body.data(), body.size(), ec);
    if (ec) {
      const bool too_deep = ec == boost::json::error::too_deep;
      fail(too_deep ? JsonSyntaxError::Kind::kTooDeep : JsonSyntaxError::Kind::kSyntax,
           skipped + consumed, ec.message());
      return out;
    }
    if (consumed < body.size()) {
      fail(JsonSyntaxError::Kind::kSyntax, skipped + consumed,
           "unexpected data after the JSON document");
      return out;
    }
    out.value = parser.handler().st.release();
    out.duplicate_keys = std::move(parser.handler().duplicates);
    out.numbers = std::move(parser.handler().numbers);
  } catch (const std::exception& e) {
    // Allocation failure or a size limit of Boost.JSON; the text itself is not quoted.
    fail(JsonSyntaxError::Kind::kSyntax, 0,
         std::string("the document could not be parsed: ") +
             (dynamic_cast<const std::bad_alloc*>(&e) != nullptr ? "out of memory"
                                                                 : "it exceeds a parser limit"));
  }
  return out;
}

}  // namespace chartroom::fhir::json
