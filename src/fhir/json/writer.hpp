// Writing a Boost.JSON DOM back to JSON text without changing the numbers a client wrote.
// Boost.JSON reads every non-integer number as a double, so the FHIR decimal 1.50 becomes 1.5
// and 100000000000000000001 becomes 1e20; its serializer then writes them as 1.5E0 and 1E20.
// FHIR decimals carry their precision (https://hl7.org/fhir/R4/json.html: "the number of
// decimal places ... must be preserved"), and a legal health record must read back as written.
//
// The strict parser (strict_parser.hpp) therefore records, beside the DOM, the text of every
// number whose value alone would not reproduce it (NumberTexts, keyed by the number's ordinal in
// document order). JsonWriter writes a DOM in document order, counting numbers as it goes, and
// writes a number's recorded text when the ordinal matches and the text still denotes the same
// value; any other number is written in its shortest round-trip form (1.5, 1e+20). So a document
// the server edits in place (id, meta, a rewritten reference) keeps every number as written.
// After an edit that adds or removes numbers (JSON Patch), the writer resynchronizes: a text at
// the expected position that no longer denotes the value, or one passed unused, is matched to a
// nearby number of the same value. A recorded text is never written for a different value; at
// worst an edited document writes a number in its shortest form, or takes the trailing zeros of
// an equal number next to it.
//
// Thread safety: NumberTexts are values; a JsonWriter belongs to one thread.

#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace chartroom::fhir::json {

// The text of one number of a document, as written, and its position among the document's
// numbers (0 for the first number in document order).
struct NumberText {
  std::uint32_t ordinal = 0;
  std::string text;
  bool operator==(const NumberText&) const = default;
};

// Sorted by ordinal; only numbers whose shortest round-trip form differs from their text.
using NumberTexts = std::vector<NumberText>;

// Writes values as JSON text, numbers as recorded.
class JsonWriter {
 public:
  explicit JsonWriter(std::span<const NumberText> numbers = {}) : numbers_(numbers) {}

  // Appends `value` to `out` (no insignificant whitespace).
  void Write(const boost::json::value& value, std::string& out);
  // Moves past the numbers of `value` without writing it (a member left out of the output).
  void Skip(const boost::json::value& value);

 private:
  void WriteNumber(const boost::json::value& value, std::string& out);

  std::span<const NumberText> numbers_;
  std::size_t next_ = 0;       // first entry of numbers_ not yet used or passed
  std::uint32_t ordinal_ = 0;  // ordinal of the next number in the document written
  std::int64_t delta_ = 0;     // recorded ordinal minus written ordinal, after edits
};

// `value` as JSON text, numbers as recorded in `numbers`.
std::string Serialize(const boost::json::value& value, std::span<const NumberText> numbers = {});

// Appends `text` as a JSON string literal (quotes, escapes of '"', '\\' and control characters).
void AppendJsonString(std::string& out, std::string_view text);

// Appends the shortest text that reads back as `d` (std::to_chars); JSON-valid for finite values.
void AppendShortestDouble(double d, std::string& out);

// Whether `text` (a JSON number) is the text AppendShortestDouble writes for the double it
// denotes; numbers for which this is false are the ones a parser must record.
bool IsShortestForm(std::string_view text, double d);

// For each of `parts` (values inside `root`, e.g. the resources of a Bundle's entries, none
// inside another), the entries of `numbers` (recorded for the document `root`) that fall inside
// it, renumbered from 0 as if the part were a document of its own; empty for a part not inside
// `root`. One walk over `root`.
std::vector<NumberTexts> NumbersWithin(const boost::json::value& root,
                                       std::span<const boost::json::value* const> parts,
                                       std::span<const NumberText> numbers);

}  // namespace chartroom::fhir::json
