// Search-index extraction: the values every R4 SearchParameter takes on a resource, computed on
// write by evaluating the parameter's FHIRPath expression (https://hl7.org/fhir/R4/search.html)
// and normalized for matching. The store turns them into index rows; search compares query
// values with the same normalizations, so both sides live here.
//
// Thread safety: an IndexExtractor is immutable after construction (every expression compiled
// once) and may extract from any number of threads at once.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "fhir/model/model.hpp"

namespace chartroom::fhir::search {

// An instant range in microseconds since the Unix epoch, UTC, both ends inclusive. A date with
// partial precision is the range it covers (1974-12 -> [1974-12-01T00:00:00, 1974-12-31T23:59:59.999999]);
// an open Period end is the extreme of the representable range.
struct DateRange {
  std::int64_t low = 0;
  std::int64_t high = 0;
};
inline constexpr std::int64_t kMinInstant = -62135596800000000;  // 0001-01-01T00:00:00Z
inline constexpr std::int64_t kMaxInstant = 253402300799999999;  // 9999-12-31T23:59:59.999999Z

// token: Coding, CodeableConcept (one value per coding), Identifier (system|value), ContactPoint
// (value), code, boolean ("true"/"false"), id, string, uri.
struct TokenValue {
  std::string system;  // empty when the value has none
  std::string code;
  std::string text;  // display / CodeableConcept.text / Identifier.type text, for :text
  // Identifier.type coding "system|code" for :of-type, else empty.
  std::string of_type;
};

// string: each part of a HumanName / Address counts as its own value (R4 search.html#string).
struct StringValue {
  std::string normalized;  // NormalizeString(exact): for the default starts-with and :contains
  std::string exact;       // as written, for :exact
};

// number: the value with its implicit precision range (search.html#number).
struct NumberValue {
  double value = 0;
  double low = 0;
  double high = 0;
};

// quantity: Quantity, Money (code = currency), Age, Duration, SimpleQuantity ... The canonical
// form converts UCUM units to their base so that 1 kg matches 1000 g.
struct QuantityValue {
  double value = 0;
  double low = 0;  // implicit precision range of value
  double high = 0;
  std::string system;
  std::string code;
  std::string unit;
  double canonical_value = 0;  // == value when the unit cannot be canonicalized
  std::string canonical_code;  // UCUM base unit expression, or code
};

// reference: Reference, canonical or uri. Relative literal references are split into type and
// id; absolute and canonical URLs stay in `url`.
struct ReferenceValue {
  std::string type;  // "Patient" (from the reference or Reference.type), or empty
  std::string id;
  std::string url;        // absolute/canonical/urn reference when not a relative one
  std::string version;    // _history/{vid} or canonical |version
  std::string identifier_system;  // Reference.identifier, for :identifier
  std::string identifier_value;
};

struct UriValue {
  std::string uri;
};

// composite: the components' values, in the order of the parameter's components.
struct CompositeValue;

using IndexValue = std::variant<TokenValue, StringValue, DateRange, NumberValue, QuantityValue,
                                ReferenceValue, UriValue, std::shared_ptr<CompositeValue>>;

struct CompositeValue {
  std::vector<IndexValue> components;
};

// One value of one parameter.
struct IndexEntry {
  const SearchParamInfo* param;
  IndexValue value;
};

// Lower-cases and strips accents/punctuation the way string search compares (case- and
// accent-insensitive, R4 search.html#string): "Élodie-Ann" -> "elodie ann".
std::string NormalizeString(std::string_view text);

class IndexExtractor {
 public:
  // Compiles every R4 SearchParameter expression (except `_text`/`_content`, which search
  // handles separately). Fails with kInternal when a definition does not compile, which is a
  // bug in the tables, not bad input.
  static Result<std::unique_ptr<IndexExtractor>> Create();
  ~IndexExtractor();

  // The entries of every search parameter of `resource`'s type, in parameter order, plus the
  // common `_id`, `_lastUpdated`, `_tag`, `_profile`, `_security` from the resource itself.
  // `resource` must be a structurally valid resource. Fails only on evaluation errors of a
  // definition's expression (fhirpath.evaluation), which callers report as internal errors.
  Result<std::vector<IndexEntry>> Extract(const boost::json::value& resource) const;

 private:
  struct Impl;
  explicit IndexExtractor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chartroom::fhir::search
