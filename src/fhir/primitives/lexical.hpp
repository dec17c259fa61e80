// Lexical checks for the values of the FHIR R4 primitive types: is this JSON string (or the
// JSON text of a number or boolean) a well-formed `date`, `id`, `oid`, `positiveInt` ...? The
// rules are the regular expressions of the R4 specification
// (https://hl7.org/fhir/R4/datatypes.html#primitive, also fhir::FindType(name)->regex()), hand
// coded so that validation runs at memory speed, plus the constraints the prose of the
// specification adds to them:
//   * no value is empty (https://hl7.org/fhir/R4/json.html#primitive), so uri/url/canonical,
//     whose regex is \S*, need at least one character;
//   * control characters (below U+0020) other than tab, CR and LF appear in no value
//     (https://hl7.org/fhir/R4/datatypes.html#string);
//   * date, dateTime and instant name a real calendar day (no February 30, February 29 only in
//     leap years);
//   * integer is 32-bit signed, unsignedInt is 0..2147483647, positiveInt is 1..2147483647;
//   * base64Binary padding ('=') comes only at the end, at most two of it;
//   * xhtml (which has no regex) is a string whose content, leading and trailing whitespace
//     aside, starts with "<div" and ends with '>'. It is not parsed as XHTML here.
// Characters are bytes: the text is UTF-8 that the JSON parser has already validated, and every
// multi-byte character is neither whitespace nor a control character.
//
// Pure functions over static tables; thread-safe.

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace chartroom::fhir {

// The R4 primitive types with a lexical rule, by the spec's type name.
enum class PrimitiveType : std::uint8_t {
  kBase64Binary,
  kBoolean,
  kCanonical,
  kCode,
  kDate,
  kDateTime,
  kDecimal,
  kId,
  kInstant,
  kInteger,
  kMarkdown,
  kOid,
  kPositiveInt,
  kString,
  kTime,
  kUnsignedInt,
  kUri,
  kUrl,
  kUuid,
  kXhtml,
};

// The primitive type named `fhir_type` ("date", "positiveInt" ...; case-sensitive), or nullopt
// for a name that is not one of the R4 primitive types above.
std::optional<PrimitiveType> PrimitiveTypeByName(std::string_view fhir_type);

// The spec's name of `type`, e.g. "base64Binary".
std::string_view PrimitiveTypeName(PrimitiveType type);

// True when `text` is a lexically valid value of `type` (see the rules above). `text` is the
// JSON string value after unescaping, or the JSON text of a number or boolean ("1.50", "true").
bool MatchesLexicalForm(PrimitiveType type, std::string_view text);

// As above, with the type given by name; false when `fhir_type` is not an R4 primitive type
// name. Prefer the PrimitiveType overload in loops: it skips the name lookup.
bool MatchesLexicalForm(std::string_view fhir_type, std::string_view text);

}  // namespace chartroom::fhir
