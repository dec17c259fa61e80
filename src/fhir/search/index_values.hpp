// Search-index extraction: the values every R4 SearchParameter takes on a resource, computed on
// write by evaluating the parameter's FHIRPath expression (https://hl7.org/fhir/R4/search.html)
// and normalized for matching. The store turns them into index rows; search compares query
// values with the same normalizations, so both sides live here (README.md beside this file
// lists every normalization and limit).
//
// Thread safety: an IndexExtractor is immutable after construction (every expression compiled
// once) and may extract from any number of threads at once. The free functions are pure.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "fhir/model/model.hpp"
#include "fhir/primitives/decimal.hpp"
#include "fhir/primitives/temporal.hpp"

namespace chartroom::fhir::search {

// The UCUM code system, whose units quantity search canonicalizes.
inline constexpr std::string_view kUcumSystem = "http://unitsofmeasure.org";
// The system given to Money amounts, whose code is the ISO 4217 currency.
inline constexpr std::string_view kCurrencySystem = "urn:iso:std:iso:4217";

// An instant range in microseconds since the Unix epoch, UTC, both ends inclusive. A date with
// partial precision is the range it covers (1974-12 -> [1974-12-01T00:00:00,
// 1974-12-31T23:59:59.999999]); an open Period end is the extreme of the representable range. A
// value without a zone (a date, or a query value written without one) is taken to be in UTC.
struct DateRange {
  std::int64_t low = 0;
  std::int64_t high = 0;
  bool operator==(const DateRange&) const = default;
};
inline constexpr std::int64_t kMinInstant = -62135596800000000;  // 0001-01-01T00:00:00Z
inline constexpr std::int64_t kMaxInstant = 253402300799999999;  // 9999-12-31T23:59:59.999999Z

// token: Coding, CodeableConcept (one value per coding), Identifier (system|value), ContactPoint
// (value), code, boolean ("true"/"false"), id, string, uri.
struct TokenValue {
  std::string system;  // empty when the value has none
  std::string code;
  // For :text: Coding.display; for a coding of a CodeableConcept its text when it has one, else
  // the coding's display (a CodeableConcept with text but no coding gives one value with only
  // text); Identifier.type.text.
  std::string text;
  // Identifier.type's first coding "system|code" for :of-type, else empty.
  std::string of_type;
  bool operator==(const TokenValue&) const = default;
};

// string: each part of a HumanName / Address counts as its own value (R4 search.html#string).
struct StringValue {
  std::string normalized;  // NormalizeString(exact): for the default starts-with and :contains
  std::string exact;       // as written, for :exact
  bool operator==(const StringValue&) const = default;
};

// number: the value with its implicit precision range (search.html#number): value ± half a unit
// in the last digit written, so 100 -> [99.5, 100.5] and 0.10 -> [0.095, 0.105].
struct NumberValue {
  double value = 0;
  double low = 0;
  double high = 0;
  bool operator==(const NumberValue&) const = default;
};

// quantity: Quantity, Money (code = currency), Age, Duration, SimpleQuantity ... The canonical
// form converts UCUM units to their base so that 1 kg matches 1000 g (fhir::Canonicalize).
struct QuantityValue {
  double value = 0;
  double low = 0;  // implicit precision range of value, as for NumberValue
  double high = 0;
  std::string system;
  std::string code;
  std::string unit;
  double canonical_value = 0;  // == value when the unit cannot be canonicalized
  std::string canonical_code;  // UCUM base unit expression ("g.m-3"), or code
  bool operator==(const QuantityValue&) const = default;
};

// reference: Reference, canonical or uri. Relative literal references are split into type and
// id; absolute and canonical URLs stay in `url`.
struct ReferenceValue {
  // "Patient" (from the reference, from Reference.type, or for an absolute RESTful URL
  // .../Patient/123 from its last two segments), or empty.
  std::string type;
  std::string id;  // only for relative references "Patient/123"
  // Absolute URL (without a /_history/ suffix), urn:uuid:/urn:oid:, canonical URL (without
  // |version), or "#id" for a contained resource; empty for a relative reference.
  std::string url;
  std::string version;            // _history/{vid} or canonical |version
  std::string identifier_system;  // Reference.identifier, for :identifier
  std::string identifier_value;
  bool operator==(const ReferenceValue&) const = default;
};

struct UriValue {
  std::string uri;
  bool operator==(const UriValue&) const = default;
};

// composite: the components' values, in the order of the parameter's components.
struct CompositeValue;

using IndexValue = std::variant<TokenValue, StringValue, DateRange, NumberValue, QuantityValue,
                                ReferenceValue, UriValue, std::shared_ptr<CompositeValue>>;

struct CompositeValue {
  std::vector<IndexValue> components;
};

// Deep equality: composites compare by their components, not by pointer.
bool SameValue(const IndexValue& a, const IndexValue& b);

// One value of one parameter.
struct IndexEntry {
  const SearchParamInfo* param;
  IndexValue value;
};

// Lower-cases and strips accents/punctuation the way string search compares (case- and
// accent-insensitive, R4 search.html#string): "Élodie-Ann" -> "elodie ann". ASCII letters are
// lower-cased; the letters of Latin-1 Supplement and Latin Extended-A lose their accents by a
// table (ß -> ss, Æ -> ae, Ł -> l ...); combining accents (U+0300-U+036F) are dropped; every
// run of other ASCII characters, Latin-1 symbols and white space becomes one space, trimmed at
// both ends. Other characters (Greek, CJK ...) and invalid UTF-8 bytes are kept unchanged.
std::string NormalizeString(std::string_view text);

// The instants `value` covers at its precision, in UTC (a value without a zone is taken to be
// in UTC), clamped to [kMinInstant, kMaxInstant].
DateRange DateRangeOf(const DateTime& value);

// A number in FHIR/search syntax (-?digits(.digits)?([eE][+-]?digits)?) with its implicit
// precision range: 100 -> [99.5, 100.5], 1.5e2 -> [145, 155]. nullopt when malformed.
std::optional<NumberValue> ParseNumber(std::string_view text);
// The same for an exact decimal, whose scale is its precision (1.50 -> [1.495, 1.505]).
NumberValue NumberOf(const Decimal& value);

// A quantity value with its precision range and canonical form. The unit is canonicalized when
// `system` is UCUM or empty (search.html#quantity: a code without a system is matched as
// written, and as UCUM where it parses as one).
QuantityValue MakeQuantityValue(const Decimal& value, std::string_view system,
                                std::string_view code, std::string_view unit);

// A literal reference as written in Reference.reference or a reference search value:
// "Patient/123" -> {type Patient, id 123}; "Patient/123/_history/2" adds version 2;
// "http://x/fhir/Patient/123" -> {type Patient, url http://x/fhir/Patient/123};
// "urn:uuid:..." -> {url}; "#p1" -> {url "#p1"}. A relative reference must be Type/id with a
// known resource type and a valid id; nullopt for an empty or otherwise malformed reference.
std::optional<ReferenceValue> ParseReference(std::string_view reference);

// A SearchParameter the extractor does not index, and why.
struct SkippedParam {
  const SearchParamInfo* param;
  std::string reason;
};

class IndexExtractor {
 public:
  // Compiles every R4 SearchParameter expression (except `_text`/`_content`, which search
  // handles separately). Fails with kInternal when a definition does not compile, which is a
  // bug in the tables, not bad input. Parameters it cannot index by design (special ones such
  // as Location `near`, those without an expression) are listed by skipped().
  static Result<std::unique_ptr<IndexExtractor>> Create();
  ~IndexExtractor();

  // The entries of every search parameter of `resource`'s type, in parameter order (the order
  // of AllSearchParams()), including the common `_id`, `_lastUpdated`, `_tag`, `_profile`,
  // `_security` and `_source` from the resource itself. Equal values of one parameter are
  // given once. `resource` must be a structurally valid resource. Fails with kInvalid
  // "search.bad-resource" when it is not an object with a known resourceType, and otherwise
  // only on evaluation errors of a definition's expression (fhirpath.evaluation), which
  // callers report as internal errors.
  Result<std::vector<IndexEntry>> Extract(const boost::json::value& resource) const;

  // The Patient whose compartment holds `resource`: its own id for a Patient, else the first
  // Patient referenced through one of its type's patient compartment parameters, in the
  // definition's order (as the store files it); nullopt for none. Evaluates only those
  // parameters. Errors as Extract.
  Result<std::optional<std::string>> CompartmentPatient(const boost::json::value& resource) const;

  // The parameters that Extract never fills, with the reason.
  std::span<const SkippedParam> skipped() const;

 private:
  struct Impl;
  explicit IndexExtractor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chartroom::fhir::search
