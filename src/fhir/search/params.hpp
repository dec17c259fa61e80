// What fhir/search needs to know about SearchParameter definitions beyond the model tables:
// which parameters apply to a resource type, the branches of a multi-base expression, the
// components of a composite parameter (with the known errors of the R4 definitions corrected),
// and lookup by canonical URL. Used by fhir/search (index extraction and query parsing) and by
// the store's search compiler (SingleValued).
//
// Pure functions over the static model tables; thread-safe.

#pragma once

#include <string_view>
#include <vector>

#include "fhir/model/model.hpp"

namespace chartroom::fhir::search {

// True when `param` applies to resources of `type`: one of its bases is `type` or a type that
// `type` specializes (Resource, DomainResource).
bool AppliesTo(const SearchParamInfo& param, const TypeInfo& type);

// The SearchParameter with canonical `url`; nullptr if none.
const SearchParamInfo* FindSearchParamByUrl(std::string_view url);

// The operands of the top-level `|` operators of a FHIRPath expression, trimmed:
// "Patient.name | Person.name" -> {"Patient.name", "Person.name"}. The `|` inside parentheses,
// string literals and delimited identifiers does not split.
std::vector<std::string_view> SplitUnion(std::string_view expression);

// True when `param` has at most one value in any resource of `type`: the branches of its
// expression for `type` name one path of elements of at most one value each, maybe with a type
// cast at the end ("Encounter.period"; "Condition.onset.as(dateTime) |
// Condition.onset.as(Period)"). False whenever the expression is anything else (a filter, a
// function, a repeating element).
bool SingleValued(const SearchParamInfo& param, const TypeInfo& type);

struct Component {
  const SearchParamInfo* definition;  // the component's own parameter (its type), or nullptr
  std::string_view expression;        // evaluated on each item the composite selects
};

// The components of a composite parameter in order. R4 lists the definitions of
// DocumentReference `relationship` in the wrong order (relatesto for `code`, relation for
// `target`); they are given here in the order of the expressions.
std::vector<Component> ComponentsOf(const SearchParamInfo& composite);

}  // namespace chartroom::fhir::search
