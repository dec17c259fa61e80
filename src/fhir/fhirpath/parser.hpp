// The FHIRPath N1 lexer and parser (grammar: https://hl7.org/fhirpath/N1/grammar.html). Builds
// the raw tree of ast.hpp; names are bound and checked later (checker.cpp). Nesting is limited
// (kMaxDepth) so hostile input cannot exhaust the stack.
//
// Pure function; thread-safe.

#pragma once

#include <memory>
#include <string_view>

#include "core/error.hpp"
#include "fhir/fhirpath/ast.hpp"

namespace chartroom::fhir::fhirpath {

inline constexpr int kMaxDepth = 128;

// Parses `text` into a tree. Fails with fhirpath.syntax.
Result<std::unique_ptr<Node>> Parse(std::string_view text);

// Builds a fhirpath.syntax / fhirpath.semantic / fhirpath.evaluation error.
tl::unexpected<Error> SyntaxError(std::string message);
tl::unexpected<Error> SemanticError(std::string message);
tl::unexpected<Error> EvaluationError(std::string message);

}  // namespace chartroom::fhir::fhirpath
