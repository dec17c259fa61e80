// Edits of JSON *text* that keep every value exactly as the client wrote it. Boost.JSON reads
// numbers as doubles, so a DOM written back out turns the FHIR decimal 1.50 into 1.5 and changes
// what was recorded (FHIR decimals carry their precision: https://hl7.org/fhir/R4/json.html).
// The record store keeps the client's text instead and changes only what it must — the id and
// meta of a resource — with these functions.
//
// Every function takes text that is already known to be valid JSON (it has been parsed); given
// anything else the result is unspecified but memory-safe. Pure functions; thread-safe.

#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace chartroom::fhir::json {

// `valid_json` without insignificant whitespace. Strings and numbers are copied byte for byte.
std::string Minify(std::string_view valid_json);

// A top-level member to set: its name and its value as JSON text (e.g. "\"p1\"" or "{...}").
struct MemberText {
  std::string_view name;
  std::string_view json;
};

// `object_text` (a JSON object) with each of `members` set: a member already present has its
// value replaced in place (every occurrence, should the text repeat the key); a missing one is inserted after
// "resourceType" when that comes first, else at the start, in the order given. Other members
// and all whitespace outside the replaced values are unchanged.
std::string SetMembers(std::string_view object_text, std::span<const MemberText> members);

}  // namespace chartroom::fhir::json
