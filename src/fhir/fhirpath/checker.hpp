// Binds and checks a parsed FHIRPath tree against the FHIR R4 model (see checker.cpp).
// Pure functions; thread-safe.

#pragma once

#include <memory>
#include <string_view>

#include "core/error.hpp"
#include "fhir/fhirpath/ast.hpp"

namespace chartroom::fhir::fhirpath {

// Longest regular expression matches()/replaceMatches() accept, and the longest string they run
// one on (matching costs subject x pattern).
inline constexpr std::size_t kMaxRegexLength = 1000;
inline constexpr std::size_t kMaxRegexSubject = 10000;

// Binds function names and type specifiers in `root` and checks it; `context_type` is the FHIR
// type of $this at the root, or empty when unknown; `check_ordered_functions` rejects ordered
// functions on unordered results (CompileOptions). Fails with fhirpath.semantic.
Status CheckTree(Node& root, std::string_view context_type, bool check_ordered_functions);

// Resolves spec.name ("Patient", "FHIR.string", "System.Integer", "Integer") into spec.
// Fails with fhirpath.semantic for an unknown type.
Status ResolveTypeSpec(TypeSpec& spec);

// Compiles a FHIRPath regular expression (regex.hpp). Fails with fhirpath.semantic when it is not
// a valid or supported pattern.
Result<std::shared_ptr<const Regex>> CompileRegex(std::string_view pattern);

}  // namespace chartroom::fhir::fhirpath
