// Strict JSON parsing for FHIR documents. Boost.JSON's own parser keeps one value of a repeated
// object key and drops the other silently; FHIR JSON forbids duplicate keys
// (https://hl7.org/fhir/R4/json.html), so this parser builds the same DOM while recording every
// duplicate, and reports a syntax error with its line and column rather than a byte count.
// Everything else follows RFC 8259: UTF-8 is checked, comments and trailing commas are errors,
// and a leading UTF-8 byte order mark is ignored (RFC 8259 section 8.1 allows that).
//
// Ownership: the returned DOM is allocated from the storage_ptr the caller passes (pass a
// boost::json::monotonic_resource for a read-only document: it is several times faster).
// Thread safety: a pure function; concurrent calls are independent.

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "fhir/json/writer.hpp"

namespace chartroom::fhir::json {

// One step from a JSON value to one of its children: an object key, or an array index.
struct JsonPathStep {
  std::string key;  // when index is empty
  std::optional<std::uint32_t> index;
};

struct DuplicateKey {
  // The steps from the root to the object that repeats `key`.
  std::vector<JsonPathStep> object_path;
  std::string key;
};

struct JsonSyntaxError {
  enum class Kind : std::uint8_t {
    kSyntax,   // not JSON, or not UTF-8
    kTooDeep,  // nested deeper than StrictJsonOptions::max_depth
  };
  Kind kind = Kind::kSyntax;
  std::uint64_t offset = 0;  // bytes from the start of the text
  std::uint32_t line = 1;    // 1-based
  std::uint32_t column = 1;  // 1-based, in characters (UTF-8 code points) from the line start
  // The parser's description, e.g. "expected comma"; never quotes the input.
  std::string message;
};

struct StrictJsonOptions {
  // Objects and arrays nested deeper than this are rejected; bounds the recursion of everything
  // that walks the DOM afterwards. FHIR resources rarely nest beyond 20 levels.
  std::size_t max_depth = 128;
};

struct StrictJson {
  boost::json::value value;  // null when `syntax_error` is set
  std::optional<JsonSyntaxError> syntax_error;
  // In document order. The DOM holds the last value of a duplicated key (Boost.JSON's rule), at
  // the position of its first occurrence.
  std::vector<DuplicateKey> duplicate_keys;
  // The text of the numbers whose value alone would not give it back (1.50, 1e2, 20-digit
  // integers), for JsonWriter (writer.hpp): written back, the document keeps them as written.
  NumberTexts numbers;
};

// Parses `text`. Never throws; a failure to allocate is reported as a syntax error whose message
// says so.
StrictJson ParseStrictJson(std::string_view text, boost::json::storage_ptr storage = {},
                           const StrictJsonOptions& options = {});

// 1-based line and column (in UTF-8 code points) of byte `offset` in `text`.
void LineAndColumn(std::string_view text, std::uint64_t offset, std::uint32_t& line,
                   std::uint32_t& column);

}  // namespace chartroom::fhir::json
