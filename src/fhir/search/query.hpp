// A parsed FHIR search (https://hl7.org/fhir/R4/search.html): which parameters, with which
// modifiers, prefixes and values, plus the result parameters (_sort, _count, _include ...).
// Parsing checks everything the model can tell — unknown parameters, modifiers that do not
// apply to the parameter's type, malformed values — so the store only translates a valid
// query into SQL.
//
// Value types; ParseSearchQuery is pure and thread-safe. README.md beside this file lists the
// value forms, limits and normalizations.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "fhir/model/model.hpp"
#include "fhir/search/index_values.hpp"

namespace chartroom::fhir::search {

// Limits of one query; beyond them parsing fails with search.too-complex (or, for _count, the
// count is capped).
inline constexpr std::uint32_t kMaxCount = 1000;            // _count above this is read as this
inline constexpr std::size_t kMaxChainDepth = 3;            // reference hops in one chain
inline constexpr std::size_t kMaxHasDepth = 3;              // nested _has
inline constexpr std::size_t kMaxParameters = 100;          // name=value pairs in a query
inline constexpr std::size_t kMaxValuesPerCriterion = 100;  // comma-separated values (OR)
inline constexpr std::size_t kMaxSortKeys = 8;

// The parameter carrying the opaque continuation token of next/previous links.
inline constexpr std::string_view kPageTokenParameter = "_page";

// search.html#prefix
enum class Prefix : std::uint8_t { kEq, kNe, kGt, kLt, kGe, kLe, kSa, kEb, kAp };

// search.html#modifiers
enum class Modifier : std::uint8_t {
  kNone,
  kMissing,     // value is "true" / "false"
  kExact,       // string
  kContains,    // string, uri
  kText,        // token: search the display text (Coding.display, CodeableConcept.text)
  kNot,         // token
  kAbove,       // uri, token (subsumption not supported beyond uri paths)
  kBelow,       // uri, token
  kIn,          // token: code in a value set
  kNotIn,       // token
  kOfType,      // token on Identifier: type-system|type-code|value
  kIdentifier,  // reference: by the target's identifier
  kType,        // reference: Reference:Patient=123; the type is in Criterion::type_modifier
};

// One value of a criterion (the parts of a comma-separated list are OR-ed). Only the member for
// the parameter's type (and modifier) is set:
//   :missing                      missing
//   number                        prefix, number (value and the precision range written)
//   date                          prefix, date (the range the value covers; no zone = UTC)
//   quantity                      prefix, quantity (system/code empty when not given; canonical
//                                 form when the system is UCUM or absent)
//   string                        string (NormalizeString of the value; as given for :exact)
//   token                         token (system|code), token_has_system_separator;
//                                 :text -> token.text and string (normalized);
//                                 :of-type -> token.of_type "type-system|type-code", token.code;
//                                 :in/:not-in -> uri (the value set)
//   reference                     reference (type/id, url/version, or identifier_* for
//                                 :identifier)
//   uri                           uri
//   composite                     composite, one QueryValue per component
//   special (near), _list         raw only (_list also reference List/id when it is an id)
struct QueryValue {
  Prefix prefix = Prefix::kEq;
  // As received, percent-decoded, with its prefix and its \, \$ \| \\ escapes: what the
  // canonical query string writes back. Never put in error messages (it may hold PHI).
  std::string raw;
  std::optional<bool> missing;              // :missing=true/false
  std::optional<TokenValue> token;          // system may be absent (code only) or "" (|code)
  bool token_has_system_separator = false;  // "sys|code" or "|code" vs "code"
  std::optional<DateRange> date;            // the range the query value covers
  std::optional<NumberValue> number;
  std::optional<QuantityValue> quantity;  // system/code empty when not given
  std::optional<ReferenceValue> reference;
  std::optional<std::string> string;                 // normalized unless :exact
  std::optional<std::string> uri;                    // uri parameters; token :in/:not-in value set
  std::optional<std::vector<QueryValue>> composite;  // one per component
};

// The special search parameters every resource supports (search.html#all).
enum class CommonParam : std::uint8_t {
  kNone,  // a SearchParameter from the model
  kId,
  kLastUpdated,
  kTag,
  kProfile,
  kSecurity,
  kText,
  kContent,
  kList,
  kHas,  // not set on criteria: a _has criterion is the one whose `has` is non-empty
  kSource,
};

// A chain step: `subject:Patient.name=x` -> {param subject, target type Patient}, then name.
struct ChainLink {
  const SearchParamInfo* param = nullptr;
  std::string target_type;  // from :Type, or the only target of the parameter
};

// `_has:Observation:patient:code=1234` -> {type Observation, reference param patient}, then the
// criterion `code=1234` evaluated on Observation. Nesting (_has:...:_has:...) is allowed.
struct HasLink {
  std::string type;
  const SearchParamInfo* reference_param = nullptr;
};

// One `name[:modifier]=value[,value...]` of the query. Criteria are AND-ed, values OR-ed.
struct Criterion {
  // Which common parameter the final parameter is, if any. `param` is set for every parameter
  // the model defines (all but _list), common or not.
  CommonParam common = CommonParam::kNone;
  const SearchParamInfo* param = nullptr;  // the final parameter (after chain/_has links)
  SearchParamType type = SearchParamType::kToken;
  std::vector<HasLink> has;      // evaluated first, outermost first
  std::vector<ChainLink> chain;  // then the chain, left to right
  Modifier modifier = Modifier::kNone;
  std::string type_modifier;  // for Modifier::kType
  std::vector<QueryValue> values;
};

struct Include {
  bool reverse = false;                    // _revinclude
  bool iterate = false;                    // :iterate (R4 also accepts :recurse)
  std::string source_type;                 // "*" for _include=*
  const SearchParamInfo* param = nullptr;  // nullptr for "*" and "Type:*"
  std::string target_type;                 // optional third part
};

struct SortKey {
  CommonParam common = CommonParam::kNone;  // kId, kLastUpdated ... when sorting by one
  const SearchParamInfo* param = nullptr;
  bool descending = false;
};

enum class TotalMode : std::uint8_t { kNone, kEstimate, kAccurate };
enum class SummaryMode : std::uint8_t { kFalse, kTrue, kText, kData, kCount };

// How to treat parameters the server does not know (Prefer: handling=, search.html#errors).
enum class Handling : std::uint8_t { kLenient, kStrict };

struct SearchQuery {
  std::string type;                // resource type; empty for a system-wide search
  std::vector<std::string> types;  // _type of a system search, in the order given
  std::vector<Criterion> criteria;
  std::vector<Include> includes;
  std::vector<SortKey> sort;
  std::optional<std::uint32_t> count;  // _count
  TotalMode total = TotalMode::kNone;
  SummaryMode summary = SummaryMode::kFalse;
  std::vector<std::string> elements;      // _elements
  std::optional<std::string> page_token;  // _page: opaque continuation of a next/previous link
  // Parameters ignored under lenient handling, to report back (the self link leaves them out).
  std::vector<std::string> ignored;
};

// Parses `query` (the URL query string after '?', still percent-encoded; '+' is a space) for
// `type` ("" for system search, which takes only the common parameters and _type). Repeated
// parameters are AND-ed, comma-separated values OR-ed; a parameter with an empty value is
// ignored. _format and _pretty are accepted and left to the HTTP layer. Fails with kInvalid and
// a stable code; the message names the parameter but never repeats its value:
//   search.unknown-type       `type` is not a concrete resource type
//   search.unknown-parameter  a parameter the type does not have (strict handling only; lenient
//                             handling lists it in `ignored`), also inside chains and _has
//   search.bad-encoding       malformed percent-encoding, invalid UTF-8, control characters
//   search.bad-modifier       a modifier that does not apply to the parameter's type
//   search.bad-value          a value that does not parse for the parameter's type
//   search.bad-prefix         an unknown prefix on a number, date or quantity
//   search.bad-chain          a chain or _has link that is not a reference to the next type,
//                             or whose target type is ambiguous
//   search.bad-include        a malformed _include/_revinclude
//   search.bad-sort           a _sort key that is not a parameter of the type
//   search.bad-count          _count that is not a non-negative integer
//   search.too-complex        beyond the limits above
Result<SearchQuery> ParseSearchQuery(std::string_view type, std::string_view query,
                                     Handling handling);

// The canonical query string of `query` (for self links): criteria and includes sorted, then
// _type, _sort, _count, _total, _summary, _elements; percent-encoded; chains written with their
// target type (subject:Patient.name); without page tokens and ignored parameters. Parsing it
// again gives the same query.
std::string CanonicalQueryString(const SearchQuery& query);

}  // namespace chartroom::fhir::search
