// A parsed FHIR search (https://hl7.org/fhir/R4/search.html): which parameters, with which
// modifiers, prefixes and values, plus the result parameters (_sort, _count, _include ...).
// Parsing checks everything the model can tell — unknown parameters, modifiers that do not
// apply to the parameter's type, malformed values — so the store only translates a valid
// query into SQL.
//
// Value types; ParseSearchQuery is pure and thread-safe.

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

// search.html#prefix
enum class Prefix : std::uint8_t { kEq, kNe, kGt, kLt, kGe, kLe, kSa, kEb, kAp };

// search.html#modifiers
enum class Modifier : std::uint8_t {
  kNone,
  kMissing,     // value is "true" / "false"
  kExact,       // string
  kContains,    // string, uri
  kText,        // token, reference: search the display text
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
// the parameter's type is set.
struct QueryValue {
  Prefix prefix = Prefix::kEq;
  std::string raw;  // as received, percent-decoded, for error messages and :missing
  std::optional<TokenValue> token;          // system may be absent (code only) or "" (|code)
  bool token_has_system_separator = false;  // "sys|code" or "|code" vs "code"
  std::optional<DateRange> date;            // the range the query value covers
  std::optional<NumberValue> number;
  std::optional<QuantityValue> quantity;    // system/code empty when not given
  std::optional<ReferenceValue> reference;
  std::optional<std::string> string;        // normalized unless :exact
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
  kHas,
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
  CommonParam common = CommonParam::kNone;
  const SearchParamInfo* param = nullptr;  // the final parameter (after chain/_has links)
  SearchParamType type = SearchParamType::kToken;
  std::vector<HasLink> has;       // evaluated first, outermost first
  std::vector<ChainLink> chain;   // then the chain, left to right
  Modifier modifier = Modifier::kNone;
  std::string type_modifier;  // for Modifier::kType
  std::vector<QueryValue> values;
};

struct Include {
  bool reverse = false;  // _revinclude
  bool iterate = false;  // :iterate (R4 also accepts :recurse)
  std::string source_type;  // "*" for _include=*
  const SearchParamInfo* param = nullptr;  // nullptr for "*"
  std::string target_type;  // optional third part
};

struct SortKey {
  CommonParam common = CommonParam::kNone;  // kId / kLastUpdated allowed
  const SearchParamInfo* param = nullptr;
  bool descending = false;
};

enum class TotalMode : std::uint8_t { kNone, kEstimate, kAccurate };
enum class SummaryMode : std::uint8_t { kFalse, kTrue, kText, kData, kCount };

// How to treat parameters the server does not know (Prefer: handling=, search.html#errors).
enum class Handling : std::uint8_t { kLenient, kStrict };

struct SearchQuery {
  std::string type;  // resource type; empty for a system-wide search
  std::vector<Criterion> criteria;
  std::vector<Include> includes;
  std::vector<SortKey> sort;
  std::optional<std::uint32_t> count;  // _count
  TotalMode total = TotalMode::kNone;
  SummaryMode summary = SummaryMode::kFalse;
  std::vector<std::string> elements;  // _elements
  std::optional<std::string> page_token;  // opaque continuation from a next/previous link
  // Parameters ignored under lenient handling, to report back (the self link leaves them out).
  std::vector<std::string> ignored;
};

// Parses `query` (the URL query string, still percent-encoded) for `type` ("" for system
// search). Fails with kInvalid and a stable code: search.unknown-parameter (strict handling
// only), search.bad-modifier, search.bad-value, search.bad-prefix, search.bad-chain,
// search.bad-include, search.bad-sort, search.bad-count, search.too-complex (limits on
// chain depth and value counts).
Result<SearchQuery> ParseSearchQuery(std::string_view type, std::string_view query,
                                     Handling handling);

// The canonical query string of `query` (for self links): parameters in a stable order,
// percent-encoded, without page tokens.
std::string CanonicalQueryString(const SearchQuery& query);

}  // namespace chartroom::fhir::search
