// FHIR search query parsing (https://hl7.org/fhir/R4/search.html) and the canonical query
// string. The query is split into name=value pairs, percent-decoded, and each name resolved
// against the model: result parameters (_sort, _count, _include ...) first, then `_has:` links,
// then a chain of reference parameters and the final parameter with its modifier; the value is
// split on unescaped commas (OR) and each part parsed for the final parameter's type.

#include "fhir/search/query.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

#include "core/result_macros.hpp"
#include "core/text.hpp"
#include "fhir/search/params.hpp"

namespace chartroom::fhir::search {
namespace {

// --- Errors --------------------------------------------------------------------------------

// A parameter name as it may appear in a message: printable ASCII, at most 64 characters.
// Values never appear in messages (they may hold PHI).
std::string SafeName(std::string_view name) {
  std::string out;
  for (const char c : name.substr(0, 64)) out += (c >= ' ' && c <= '~') ? c : '?';
  if (name.size() > 64) out += "...";
  return out;
}

tl::unexpected<Error> Bad(std::string_view code, std::string_view param, std::string_view what) {
  return Fail(ErrorCategory::kInvalid, "search." + std::string(code),
              (param.empty() ? std::string("a search parameter name")
                             : "search parameter '" + SafeName(param) + "'") +
                  ": " + std::string(what));
}

// --- Decoding ------------------------------------------------------------------------------

// Percent-decodes a query component ('+' is a space: application/x-www-form-urlencoded) and
// checks that the result is UTF-8 without control characters, which no search value needs and
// databases handle badly.
Result<std::string> Decode(std::string_view text, std::string_view param_for_errors) {
  Result<std::string> decoded = core::PercentDecode(text);
  if (!decoded) return Bad("bad-encoding", param_for_errors, decoded.error().message());
  std::string out = std::move(*decoded);
  for (const char c : out) {
    if ((static_cast<unsigned char>(c) < 0x20) || c == 0x7F) {
      return Bad("bad-encoding", param_for_errors, "contains a control character");
    }
  }
  return out;
}

// Splits on `separator` where it is not escaped by a backslash; the parts keep their escapes.
std::vector<std::string_view> SplitEscaped(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == separator) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

// Removes the escapes of search.html#escaping: \, \$ \| \\ stand for the character itself;
// a backslash before anything else is kept.
std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() &&
        (text[i + 1] == ',' || text[i + 1] == '$' || text[i + 1] == '|' || text[i + 1] == '\\')) {
      ++i;
    }
    out += text[i];
  }
  return out;
}

// --- Names ---------------------------------------------------------------------------------

constexpr std::array<std::pair<std::string_view, Modifier>, 11> kModifiers = {{
    {"missing", Modifier::kMissing},
    {"exact", Modifier::kExact},
    {"contains", Modifier::kContains},
    {"text", Modifier::kText},
    {"not", Modifier::kNot},
    {"above", Modifier::kAbove},
    {"below", Modifier::kBelow},
    {"in", Modifier::kIn},
    {"not-in", Modifier::kNotIn},
    {"of-type", Modifier::kOfType},
    {"identifier", Modifier::kIdentifier},
}};

std::string_view ModifierName(Modifier modifier) {
  for (const auto& [name, value] : kModifiers) {
    if (value == modifier) return name;
  }
  return "";
}

// search.html#modifiers, per parameter type.
bool ModifierApplies(Modifier modifier, SearchParamType type) {
  switch (modifier) {
    case Modifier::kNone:
    case Modifier::kMissing:
      return true;
    case Modifier::kExact:
      return type == SearchParamType::kString;
    case Modifier::kContains:
      return type == SearchParamType::kString || type == SearchParamType::kUri;
    case Modifier::kText:
    case Modifier::kNot:
    case Modifier::kIn:
    case Modifier::kNotIn:
    case Modifier::kOfType:
      return type == SearchParamType::kToken;
    case Modifier::kAbove:
    case Modifier::kBelow:
      return type == SearchParamType::kToken || type == SearchParamType::kUri;
    case Modifier::kIdentifier:
    case Modifier::kType:
      return type == SearchParamType::kReference;
  }
  return false;
}

constexpr std::array<std::pair<std::string_view, Prefix>, 9> kPrefixes = {{
    {"eq", Prefix::kEq},
    {"ne", Prefix::kNe},
    {"gt", Prefix::kGt},
    {"lt", Prefix::kLt},
    {"ge", Prefix::kGe},
    {"le", Prefix::kLe},
    {"sa", Prefix::kSa},
    {"eb", Prefix::kEb},
    {"ap", Prefix::kAp},
}};

CommonParam CommonOf(std::string_view code) {
  static constexpr std::array<std::pair<std::string_view, CommonParam>, 9> kCommon = {{
      {"_id", CommonParam::kId},
      {"_lastUpdated", CommonParam::kLastUpdated},
      {"_tag", CommonParam::kTag},
      {"_profile", CommonParam::kProfile},
      {"_security", CommonParam::kSecurity},
      {"_text", CommonParam::kText},
      {"_content", CommonParam::kContent},
      {"_list", CommonParam::kList},
      {"_source", CommonParam::kSource},
  }};
  for (const auto& [name, value] : kCommon) {
    if (name == code) return value;
  }
  return CommonParam::kNone;
}

// The search parameter `code` of `type` ("" for the common ones), or nullptr. Parameters that
// cannot be searched here (_query: named queries) are unknown.
const SearchParamInfo* Lookup(std::string_view type, std::string_view code) {
  if (code == "_query") return nullptr;
  return FindSearchParam(type, code);
}

bool HasTarget(const SearchParamInfo& param, std::string_view type) {
  if (param.targets().empty()) return true;  // any type
  for (const StrRef target : param.targets()) {
    if (Str(target) == type || Str(target) == "Resource") return true;
  }
  return false;
}

// The single target of a reference parameter, or empty.
std::string_view SingleTarget(const SearchParamInfo& param) {
  if (param.targets().size() != 1 || Str(param.targets()[0]) == "Resource") return {};
  return Str(param.targets()[0]);
}

bool IsId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '.';
  });
}

bool IsAbsoluteUrl(std::string_view text) {
  return text.find("://") != std::string_view::npos || text.starts_with("urn:");
}

// --- Values --------------------------------------------------------------------------------

// The parameter a value belongs to, for parsing and messages.
struct ValueContext {
  std::string_view name;  // as written, for messages
  const SearchParamInfo* param;
  SearchParamType type;
  Modifier modifier;
  std::string_view type_modifier;
};

Result<Prefix> TakePrefix(std::string_view& text, std::string_view name) {
  if (text.size() >= 2 && text[0] >= 'a' && text[0] <= 'z' && text[1] >= 'a' && text[1] <= 'z') {
    for (const auto& [code, prefix] : kPrefixes) {
      if (text.substr(0, 2) == code) {
        text.remove_prefix(2);
        return prefix;
      }
    }
    return Bad("bad-prefix", name, "unknown prefix (eq ne gt lt ge le sa eb ap)");
  }
  return Prefix::kEq;
}

Result<DateRange> ParseDateValue(std::string text, std::string_view name) {
  // An unencoded '+' of a zone arrives as a space: 2020-01-01T10:00:00+05:00.
  if (const std::size_t t = text.find('T'); t != std::string::npos) {
    if (const std::size_t space = text.find(' ', t); space != std::string::npos) {
      text[space] = '+';
    }
  }
  const std::optional<DateTime> value =
      text.ends_with('T') ? std::nullopt : DateTime::ParseDateTime(text, /*fhir_strict=*/false);
  if (!value) return Bad("bad-value", name, "not a date, dateTime or instant");
  return DateRangeOf(*value);
}

Result<QueryValue> ParseValue(const ValueContext& context, std::string_view raw);

Result<void> ParseTyped(const ValueContext& context, std::string_view text, QueryValue& out) {
  const std::string_view name = context.name;
  switch (context.type) {
    case SearchParamType::kNumber: {
      CHARTROOM_ASSIGN_OR_RETURN(out.prefix, TakePrefix(text, name));
      out.number = ParseNumber(Unescape(text));
      if (!out.number) return Bad("bad-value", name, "not a number");
      return {};
    }
    case SearchParamType::kDate: {
      CHARTROOM_ASSIGN_OR_RETURN(out.prefix, TakePrefix(text, name));
      CHARTROOM_ASSIGN_OR_RETURN(out.date, ParseDateValue(Unescape(text), name));
      return {};
    }
    case SearchParamType::kQuantity: {
      CHARTROOM_ASSIGN_OR_RETURN(out.prefix, TakePrefix(text, name));
      const std::vector<std::string_view> parts = SplitEscaped(text, '|');
      if (parts.size() != 1 && parts.size() != 3) {
        return Bad("bad-value", name, "not a quantity (number|system|code)");
      }
      const std::string number_text = Unescape(parts[0]);
      const std::optional<NumberValue> number = ParseNumber(number_text);
      const std::optional<Decimal> decimal = Decimal::Parse(number_text, /*lenient=*/true);
      if (!number || !decimal) return Bad("bad-value", name, "the quantity has no valid number");
      const std::string system = parts.size() == 3 ? Unescape(parts[1]) : std::string();
      const std::string code = parts.size() == 3 ? Unescape(parts[2]) : std::string();
      out.quantity = MakeQuantityValue(*decimal, system, code, "");
      out.quantity->low = number->low;  // the precision written, exponent included
      out.quantity->high = number->high;
      return {};
    }
    case SearchParamType::kString: {
      const std::string value = Unescape(text);
      out.string = context.modifier == Modifier::kExact ? value : NormalizeString(value);
      if (out.string->empty()) return Bad("bad-value", name, "the value has no letter or digit");
      return {};
    }
    case SearchParamType::kToken: {
      if (context.modifier == Modifier::kText) {
        const std::string value = Unescape(text);
        out.string = NormalizeString(value);
        out.token = TokenValue{"", "", value, ""};
        if (out.string->empty()) return Bad("bad-value", name, "the text has no letter or digit");
        return {};
      }
      if (context.modifier == Modifier::kIn || context.modifier == Modifier::kNotIn) {
        out.uri = Unescape(text);
        return {};
      }
      const std::vector<std::string_view> parts = SplitEscaped(text, '|');
      if (context.modifier == Modifier::kOfType) {
        if (parts.size() != 3 || parts[1].empty() || parts[2].empty()) {
          return Bad("bad-value", name, ":of-type takes type-system|type-code|value");
        }
        out.token =
            TokenValue{"", Unescape(parts[2]), "", Unescape(parts[0]) + "|" + Unescape(parts[1])};
        return {};
      }
      if (parts.size() > 2) return Bad("bad-value", name, "a token has at most one '|'");
      if (parts.size() == 1) {
        out.token = TokenValue{"", Unescape(parts[0]), "", ""};
      } else {
        out.token_has_system_separator = true;
        out.token = TokenValue{Unescape(parts[0]), Unescape(parts[1]), "", ""};
        if (out.token->system.empty() && out.token->code.empty()) {
          return Bad("bad-value", name, "the token has neither system nor code");
        }
      }
      return {};
    }
    case SearchParamType::kReference: {
      if (context.modifier == Modifier::kIdentifier) {
        const std::vector<std::string_view> parts = SplitEscaped(text, '|');
        if (parts.size() > 2 || Unescape(parts.back()).empty()) {
          return Bad("bad-value", name, ":identifier takes system|value or value");
        }
        ReferenceValue reference;
        if (parts.size() == 2) reference.identifier_system = Unescape(parts[0]);
        reference.identifier_value = Unescape(parts.back());
        out.reference = std::move(reference);
        return {};
      }
      const std::string value = Unescape(text);
      if (IsAbsoluteUrl(value)) {
        out.reference = ParseReference(value);
        if (!out.reference) return Bad("bad-value", name, "not a reference URL");
        return {};
      }
      if (value.find('/') == std::string::npos) {
        // A bare id: of the :Type given, of the parameter's only target, or of any type.
        if (!IsId(value)) return Bad("bad-value", name, "not a resource id");
        ReferenceValue reference;
        reference.type = std::string(
            !context.type_modifier.empty()
                ? context.type_modifier
                : (context.param != nullptr ? SingleTarget(*context.param) : std::string_view()));
        reference.id = value;
        out.reference = std::move(reference);
        return {};
      }
      out.reference = ParseReference(value);
      if (!out.reference || out.reference->id.empty()) {
        return Bad("bad-value", name, "not a reference (Type/id)");
      }
      if (!context.type_modifier.empty() && out.reference->type != context.type_modifier) {
        return Bad("bad-value", name, "the reference's type differs from the :type modifier");
      }
      if (context.param != nullptr && !HasTarget(*context.param, out.reference->type)) {
        return Bad("bad-value", name, "the reference's type is not a target of the parameter");
      }
      return {};
    }
    case SearchParamType::kUri: {
      out.uri = Unescape(text);
      return {};
    }
    case SearchParamType::kComposite: {
      const std::vector<Component> components = ComponentsOf(*context.param);
      const std::vector<std::string_view> parts = SplitEscaped(text, '$');
      if (parts.size() != components.size()) {
        return Bad("bad-value", name,
                   "a composite value has " + std::to_string(components.size()) +
                       " parts separated by '$'");
      }
      std::vector<QueryValue> values;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (components[i].definition == nullptr) {
          return Bad("bad-value", name, "a component of the parameter is not defined");
        }
        const ValueContext component{name, components[i].definition, components[i].definition->type,
                                     Modifier::kNone, ""};
        CHARTROOM_ASSIGN_OR_RETURN(QueryValue value, ParseValue(component, parts[i]));
        values.push_back(std::move(value));
      }
      out.composite = std::move(values);
      return {};
    }
    case SearchParamType::kSpecial:
      return {};  // kept as raw (Location near: latitude|longitude|distance|units)
  }
  return {};
}

Result<QueryValue> ParseValue(const ValueContext& context, std::string_view raw) {
  QueryValue out;
  out.raw = std::string(raw);
  if (raw.empty()) return Bad("bad-value", context.name, "an empty value in a list");
  if (context.modifier == Modifier::kMissing) {
    if (raw != "true" && raw != "false") {
      return Bad("bad-value", context.name, ":missing takes true or false");
    }
    out.missing = raw == "true";
    return out;
  }
  CHARTROOM_RETURN_IF_ERROR(ParseTyped(context, raw, out));
  return out;
}

// --- The parser ----------------------------------------------------------------------------

// What a name resolved to; `unknown` when it names no parameter (strict: error; lenient:
// ignored).
struct Resolved {
  Criterion criterion;
  bool unknown = false;
};

class Parser {
 public:
  Parser(std::string_view type, Handling handling) : handling_(handling) {
    query_.type = std::string(type);
  }

  Result<SearchQuery> Parse(std::string_view text) {
    std::size_t count = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find('&', start);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view pair = text.substr(start, end - start);
      start = end + 1;
      if (pair.empty()) continue;
      if (++count > kMaxParameters) {
        return Fail(ErrorCategory::kInvalid, "search.too-complex",
                    "the query has more than " + std::to_string(kMaxParameters) + " parameters");
      }
      const std::size_t equals = pair.find('=');
      CHARTROOM_ASSIGN_OR_RETURN(const std::string name, Decode(pair.substr(0, equals), ""));
      if (name.empty()) {
        return Fail(ErrorCategory::kInvalid, "search.unknown-parameter",
                    "a query parameter has no name");
      }
      CHARTROOM_ASSIGN_OR_RETURN(
          const std::string value,
          Decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1),
                 name));
      CHARTROOM_RETURN_IF_ERROR(ParseParameter(name, value));
    }
    return std::move(query_);
  }

 private:
  Status Unknown(std::string_view name) {
    if (handling_ == Handling::kStrict) {
      return Bad("unknown-parameter", name,
                 query_.type.empty() ? "not a parameter of a system search"
                                     : "not a search parameter of " + query_.type);
    }
    query_.ignored.emplace_back(name);
    return Ok();
  }

  Status ParseParameter(const std::string& name, const std::string& value) {
    const std::size_t colon = name.find(':');
    const std::string_view base = std::string_view(name).substr(0, colon);
    const std::string_view modifier =
        colon == std::string::npos ? std::string_view() : std::string_view(name).substr(colon + 1);
    if (base == "_format" || base == "_pretty") return Ok();  // the HTTP layer's business
    if (value.empty()) return Ok();                           // search.html: ignored
    if (base == "_include" || base == "_revinclude") return ParseInclude(name, modifier, value);
    if (base == "_sort" || base == "_count" || base == "_total" || base == "_summary" ||
        base == "_elements" || base == kPageTokenParameter || base == "_type") {
      if (!modifier.empty()) return Bad("bad-modifier", name, "takes no modifier");
      if (base == "_sort") return ParseSort(name, value);
      if (base == "_count") return ParseCount(name, value);
      if (base == "_total") return ParseTotal(name, value);
      if (base == "_summary") return ParseSummary(name, value);
      if (base == "_elements") return ParseElements(name, value);
      if (base == "_type") return ParseTypes(name, value);
      return ParsePageToken(name, value);
    }
    CHARTROOM_ASSIGN_OR_RETURN(Resolved resolved, Resolve(query_.type, name, name, 0));
    if (resolved.unknown) return Unknown(name);
    Criterion& criterion = resolved.criterion;
    if (criterion.param != nullptr && !criterion.param->multiple_and) {
      for (const Criterion& other : query_.criteria) {
        if (other.param == criterion.param && other.chain.empty() && other.has.empty() &&
            criterion.chain.empty() && criterion.has.empty()) {
          return Bad("bad-value", name, "the parameter may be given only once");
        }
      }
    }
    const std::vector<std::string_view> parts = SplitEscaped(value, ',');
    if (parts.size() > kMaxValuesPerCriterion) {
      return Bad("too-complex", name,
                 "more than " + std::to_string(kMaxValuesPerCriterion) + " values");
    }
    if (parts.size() > 1 && criterion.param != nullptr && !criterion.param->multiple_or &&
        criterion.modifier != Modifier::kMissing) {
      return Bad("bad-value", name, "the parameter takes a single value");
    }
    const ValueContext context{name, criterion.param, criterion.type, criterion.modifier,
                               criterion.type_modifier};
    for (const std::string_view part : parts) {
      CHARTROOM_ASSIGN_OR_RETURN(QueryValue parsed, ParseValue(context, part));
      if (criterion.common == CommonParam::kList && !parsed.missing) {
        // _list=id: the members of List/id ($current-... functional lists stay raw).
        if (IsId(parsed.raw)) {
          ReferenceValue list;
          list.type = "List";
          list.id = parsed.raw;
          parsed.reference = std::move(list);
        }
      }
      criterion.values.push_back(std::move(parsed));
    }
    query_.criteria.push_back(std::move(criterion));
    return Ok();
  }

  // Resolves `name` (after any _has prefix and chain already consumed) on `type`.
  Result<Resolved> Resolve(std::string_view type, std::string_view name, std::string_view full_name,
                           std::size_t has_depth) {
    if (name.starts_with("_has:")) return ResolveHas(type, name, full_name, has_depth);
    Resolved out;
    // Chain links are separated by '.', each `code[:Type]`; the last is `code[:modifier]`.
    std::string_view current_type = type;
    std::string_view rest = name;
    for (std::size_t dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
      if (out.criterion.chain.size() == kMaxChainDepth) {
        return Bad("too-complex", full_name,
                   "chains are limited to " + std::to_string(kMaxChainDepth) + " links");
      }
      const std::string_view link = rest.substr(0, dot);
      rest = rest.substr(dot + 1);
      const std::size_t colon = link.find(':');
      const std::string_view code = link.substr(0, colon);
      const SearchParamInfo* param = Lookup(current_type, code);
      if (param == nullptr) {
        out.unknown = true;
        return out;
      }
      if (param->type != SearchParamType::kReference) {
        return Bad("bad-chain", full_name, "a chained parameter must be a reference");
      }
      std::string_view target;
      if (colon != std::string_view::npos) {
        target = link.substr(colon + 1);
        if (FindResourceType(target) == nullptr || !HasTarget(*param, target)) {
          return Bad("bad-chain", full_name, "the chain's :Type is not a target of the reference");
        }
      } else {
        // The target is the only one that has the next parameter.
        const std::string_view next_code = rest.substr(0, rest.find_first_of(".:"));
        for (const StrRef candidate : param->targets()) {
          if (Lookup(Str(candidate), next_code) == nullptr) continue;
          if (!target.empty()) {
            return Bad("bad-chain", full_name,
                       "the chain's target type is ambiguous; name it (param:Type.next)");
          }
          target = Str(candidate);
        }
        if (target.empty()) {
          out.unknown = true;
          return out;
        }
      }
      out.criterion.chain.push_back(ChainLink{param, std::string(target)});
      current_type = target;
    }
    const std::size_t colon = rest.find(':');
    const std::string_view code = rest.substr(0, colon);
    const SearchParamInfo* param = Lookup(current_type, code);
    const CommonParam common = CommonOf(code);
    if (param == nullptr && common != CommonParam::kList) {
      out.unknown = true;
      return out;
    }
    if (common == CommonParam::kList && !(out.criterion.chain.empty() && has_depth == 0)) {
      out.unknown = true;  // _list applies to the resources searched, not to chained ones
      return out;
    }
    out.criterion.param = param;
    out.criterion.common = common;
    out.criterion.type = param != nullptr ? param->type : SearchParamType::kSpecial;
    if (colon != std::string_view::npos) {
      const std::string_view modifier = rest.substr(colon + 1);
      CHARTROOM_RETURN_IF_ERROR(ApplyModifier(out.criterion, modifier, full_name));
    }
    return out;
  }

  Status ApplyModifier(Criterion& criterion, std::string_view modifier,
                       std::string_view full_name) {
    Modifier parsed = Modifier::kNone;
    for (const auto& [name, value] : kModifiers) {
      if (name == modifier) parsed = value;
    }
    if (parsed == Modifier::kNone) {
      if (FindResourceType(modifier) == nullptr) {
        return Bad("bad-modifier", full_name, "unknown modifier");
      }
      parsed = Modifier::kType;
      if (criterion.type == SearchParamType::kReference && criterion.param != nullptr &&
          !HasTarget(*criterion.param, modifier)) {
        return Bad("bad-modifier", full_name, "the :Type is not a target of the reference");
      }
      criterion.type_modifier = std::string(modifier);
    }
    if (!ModifierApplies(parsed, criterion.type) ||
        (criterion.common == CommonParam::kList && parsed != Modifier::kMissing)) {
      return Bad("bad-modifier", full_name, "the modifier does not apply to this parameter");
    }
    criterion.modifier = parsed;
    return Ok();
  }

  // _has:Type:reference-param:rest, where rest is a parameter of Type (or another _has).
  Result<Resolved> ResolveHas(std::string_view type, std::string_view name,
                              std::string_view full_name, std::size_t has_depth) {
    if (type.empty()) return Bad("bad-chain", full_name, "_has needs a resource type to search");
    if (has_depth == kMaxHasDepth) {
      return Bad("too-complex", full_name,
                 "_has is limited to " + std::to_string(kMaxHasDepth) + " levels");
    }
    std::string_view rest = name.substr(5);
    const std::size_t first = rest.find(':');
    const std::size_t second = first == std::string_view::npos ? first : rest.find(':', first + 1);
    if (second == std::string_view::npos) {
      return Bad("bad-chain", full_name, "_has takes _has:Type:reference:parameter");
    }
    const std::string_view has_type = rest.substr(0, first);
    const std::string_view reference_code = rest.substr(first + 1, second - first - 1);
    if (FindResourceType(has_type) == nullptr) {
      return Bad("bad-chain", full_name, "_has names an unknown resource type");
    }
    const SearchParamInfo* reference = Lookup(has_type, reference_code);
    if (reference == nullptr) {
      Resolved unknown;
      unknown.unknown = true;
      return unknown;
    }
    if (reference->type != SearchParamType::kReference || !HasTarget(*reference, type)) {
      return Bad("bad-chain", full_name,
                 "the _has parameter is not a reference to " + std::string(type));
    }
    CHARTROOM_ASSIGN_OR_RETURN(
        Resolved inner, Resolve(has_type, rest.substr(second + 1), full_name, has_depth + 1));
    if (!inner.unknown) {
      inner.criterion.has.insert(inner.criterion.has.begin(),
                                 HasLink{std::string(has_type), reference});
    }
    return inner;
  }

  Status ParseInclude(std::string_view name, std::string_view modifier, std::string_view value) {
    Include include;
    include.reverse = name.starts_with("_revinclude");
    if (modifier == "iterate" || modifier == "recurse") {
      include.iterate = true;
    } else if (!modifier.empty()) {
      return Bad("bad-include", name, "the only modifiers are :iterate and :recurse");
    }
    if (query_.includes.size() == 32) return Bad("too-complex", name, "more than 32 includes");
    if (value == "*") {
      include.source_type = "*";
      query_.includes.push_back(std::move(include));
      return Ok();
    }
    const std::vector<std::string_view> parts = SplitEscaped(value, ':');
    if (parts.size() < 2 || parts.size() > 3) {
      return Bad("bad-include", name, "takes Type:parameter[:targetType] or *");
    }
    if (FindResourceType(parts[0]) == nullptr) {
      return Bad("bad-include", name, "the source is not a resource type");
    }
    include.source_type = std::string(parts[0]);
    if (parts[1] != "*") {
      include.param = Lookup(parts[0], parts[1]);
      if (include.param == nullptr || include.param->type != SearchParamType::kReference) {
        return Bad("bad-include", name, "not a reference parameter of the source type");
      }
    } else if (parts.size() == 3) {
      return Bad("bad-include", name, "Type:* takes no target type");
    }
    if (parts.size() == 3) {
      if (FindResourceType(parts[2]) == nullptr || !HasTarget(*include.param, parts[2])) {
        return Bad("bad-include", name, "the target type is not a target of the parameter");
      }
      include.target_type = std::string(parts[2]);
    }
    if (!include.iterate && !query_.type.empty()) {
      // Without :iterate, includes start from the matches (search.html#include).
      if (!include.reverse && include.source_type != query_.type) {
        return Bad("bad-include", name, "the source type is not the type searched");
      }
      if (include.reverse &&
          ((include.param != nullptr && !HasTarget(*include.param, query_.type)) ||
           (!include.target_type.empty() && include.target_type != query_.type))) {
        return Bad("bad-include", name, "the parameter does not refer to the type searched");
      }
    }
    query_.includes.push_back(std::move(include));
    return Ok();
  }

  Status ParseSort(std::string_view name, std::string_view value) {
    if (!query_.sort.empty()) return Bad("bad-sort", name, "given more than once");
    for (std::string_view key : SplitEscaped(value, ',')) {
      if (query_.sort.size() == kMaxSortKeys) {
        return Bad("bad-sort", name, "more than " + std::to_string(kMaxSortKeys) + " keys");
      }
      SortKey sort;
      if (key.starts_with('-')) {
        sort.descending = true;
        key.remove_prefix(1);
      }
      sort.param = Lookup(query_.type, key);
      if (sort.param == nullptr || sort.param->type == SearchParamType::kComposite ||
          sort.param->type == SearchParamType::kSpecial || sort.param->expression().empty()) {
        return Bad("bad-sort", name, "a sort key is not a sortable parameter of the type");
      }
      sort.common = CommonOf(key);
      query_.sort.push_back(sort);
    }
    return Ok();
  }

  Status ParseCount(std::string_view name, std::string_view value) {
    if (query_.count) return Bad("bad-count", name, "given more than once");
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Bad("bad-count", name, "not a non-negative integer");
    }
    std::uint64_t count = kMaxCount;  // when the digits overflow
    std::from_chars(value.data(), value.data() + value.size(), count);
    query_.count = static_cast<std::uint32_t>(std::min<std::uint64_t>(count, kMaxCount));
    return Ok();
  }

  Status ParseTotal(std::string_view name, std::string_view value) {
    if (seen_total_) return Bad("bad-value", name, "given more than once");
    seen_total_ = true;
    if (value == "none") {
      query_.total = TotalMode::kNone;
    } else if (value == "estimate") {
      query_.total = TotalMode::kEstimate;
    } else if (value == "accurate") {
      query_.total = TotalMode::kAccurate;
    } else {
      return Bad("bad-value", name, "takes none, estimate or accurate");
    }
    return Ok();
  }

  Status ParseSummary(std::string_view name, std::string_view value) {
    if (seen_summary_) return Bad("bad-value", name, "given more than once");
    seen_summary_ = true;
    constexpr std::array<std::pair<std::string_view, SummaryMode>, 5> kModes = {{
        {"false", SummaryMode::kFalse},
        {"true", SummaryMode::kTrue},
        {"text", SummaryMode::kText},
        {"data", SummaryMode::kData},
        {"count", SummaryMode::kCount},
    }};
    for (const auto& [text, mode] : kModes) {
      if (value == text) {
        query_.summary = mode;
        return Ok();
      }
    }
    return Bad("bad-value", name, "takes true, false, text, data or count");
  }

  Status ParseElements(std::string_view name, std::string_view value) {
    if (!query_.elements.empty()) return Bad("bad-value", name, "given more than once");
    const TypeInfo* type = query_.type.empty() ? nullptr : FindResourceType(query_.type);
    for (const std::string_view element : SplitEscaped(value, ',')) {
      const bool identifier = !element.empty() && element.size() <= 64 &&
                              std::isalpha(static_cast<unsigned char>(element[0])) != 0 &&
                              std::all_of(element.begin(), element.end(), [](char c) {
                                return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                              });
      if (!identifier || (type != nullptr && type->FindElement(element) == nullptr &&
                          type->FindProperty(element) == nullptr)) {
        return Bad("bad-value", name, "an element is not an element of the type");
      }
      if (query_.elements.size() == kMaxValuesPerCriterion) {
        return Bad("too-complex", name, "too many elements");
      }
      query_.elements.emplace_back(element);
    }
    return Ok();
  }

  Status ParseTypes(std::string_view name, std::string_view value) {
    if (!query_.type.empty()) return Unknown(name);  // only a system search takes _type
    if (!query_.types.empty()) return Bad("bad-value", name, "given more than once");
    for (const std::string_view type : SplitEscaped(value, ',')) {
      if (FindResourceType(type) == nullptr) {
        return Bad("bad-value", name, "a type is not a resource type");
      }
      if (query_.types.size() == kMaxValuesPerCriterion) {
        return Bad("too-complex", name, "too many types");
      }
      query_.types.emplace_back(type);
    }
    return Ok();
  }

  Status ParsePageToken(std::string_view name, std::string_view value) {
    if (query_.page_token) return Bad("bad-value", name, "given more than once");
    const bool valid = value.size() <= 1024 && std::all_of(value.begin(), value.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' ||
                                c == '_' || c == '.' || c == '~';
                       });
    if (!valid) return Bad("bad-value", name, "not a page token");
    query_.page_token = std::string(value);
    return Ok();
  }

  Handling handling_;
  SearchQuery query_;
  bool seen_total_ = false;
  bool seen_summary_ = false;
};

// --- Canonical form ------------------------------------------------------------------------

// RFC 3986 query characters that need no encoding and read well in a link; everything else,
// including '|' '&' '=' '+' '#' '%' '\' and space, is percent-encoded.
void AppendEncoded(std::string& out, std::string_view text) {
  static constexpr std::string_view kKeep = "-._~:/,$@!*'();";
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 ||
        kKeep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
}

std::string CriterionName(const Criterion& criterion) {
  std::string name;
  for (const HasLink& link : criterion.has) {
    name += "_has:" + link.type + ":" + std::string(link.reference_param->code()) + ":";
  }
  for (const ChainLink& link : criterion.chain) {
    name += std::string(link.param->code()) + ":" + link.target_type + ".";
  }
  name += criterion.param != nullptr ? std::string(criterion.param->code()) : "_list";
  if (criterion.modifier == Modifier::kType) {
    name += ":" + criterion.type_modifier;
  } else if (criterion.modifier != Modifier::kNone) {
    name += ":" + std::string(ModifierName(criterion.modifier));
  }
  return name;
}

std::string Pair(std::string_view name, std::string_view value) {
  std::string out;
  AppendEncoded(out, name);
  out += '=';
  AppendEncoded(out, value);
  return out;
}

}  // namespace

Result<SearchQuery> ParseSearchQuery(std::string_view type, std::string_view query,
                                     Handling handling) {
  if (!type.empty() && FindResourceType(type) == nullptr) {
    return Fail(ErrorCategory::kInvalid, "search.unknown-type",
                "'" + SafeName(type) + "' is not a resource type");
  }
  return Parser(type, handling).Parse(query);
}

std::string CanonicalQueryString(const SearchQuery& query) {
  std::vector<std::string> pairs;
  for (const Criterion& criterion : query.criteria) {
    std::string values;
    for (const QueryValue& value : criterion.values) {
      if (!values.empty()) values += ',';
      values += value.raw;
    }
    pairs.push_back(Pair(CriterionName(criterion), values));
  }
  for (const Include& include : query.includes) {
    std::string name = include.reverse ? "_revinclude" : "_include";
    if (include.iterate) name += ":iterate";
    std::string value = include.source_type;
    if (include.source_type != "*") {
      value += ":" + (include.param != nullptr ? std::string(include.param->code()) : "*");
      if (!include.target_type.empty()) value += ":" + include.target_type;
    }
    pairs.push_back(Pair(name, value));
  }
  std::sort(pairs.begin(), pairs.end());
  auto join = [](const auto& items, auto&& to_string) {
    std::string out;
    for (const auto& item : items) {
      if (!out.empty()) out += ',';
      out += to_string(item);
    }
    return out;
  };
  if (!query.types.empty()) {
    pairs.push_back(Pair("_type", join(query.types, [](const std::string& t) { return t; })));
  }
  if (!query.sort.empty()) {
    pairs.push_back(Pair("_sort", join(query.sort, [](const SortKey& key) {
                           return (key.descending ? "-" : "") + std::string(key.param->code());
                         })));
  }
  if (query.count) pairs.push_back(Pair("_count", std::to_string(*query.count)));
  if (query.total != TotalMode::kNone) {
    pairs.push_back(Pair("_total", query.total == TotalMode::kEstimate ? "estimate" : "accurate"));
  }
  if (query.summary != SummaryMode::kFalse) {
    constexpr std::array<std::string_view, 5> kSummary = {"false", "true", "text", "data", "count"};
    pairs.push_back(Pair("_summary", kSummary[static_cast<std::size_t>(query.summary)]));
  }
  if (!query.elements.empty()) {
    pairs.push_back(
        Pair("_elements", join(query.elements, [](const std::string& e) { return e; })));
  }
  std::string out;
  for (const std::string& pair : pairs) {
    if (!out.empty()) out += '&';
    out += pair;
  }
  return out;
}

}  // namespace chartroom::fhir::search
