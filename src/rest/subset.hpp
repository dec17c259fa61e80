// _summary and _elements (https://hl7.org/fhir/R4/search.html#summary and #elements): the
// reduced views of a resource a client may ask for on read and search. A reduced resource is
// marked with the SUBSETTED tag (meta.tag, system v3-ObservationValue) so that nobody mistakes
// it for the whole record.
//
// Pure functions; thread-safe.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "fhir/search/query.hpp"

namespace chartroom::rest {

struct Subsetting {
  fhir::search::SummaryMode summary = fhir::search::SummaryMode::kFalse;
  std::vector<std::string> elements;  // element names (stems) or JSON property names

  // True when a returned resource must be reduced.
  bool active() const {
    return !elements.empty() || summary == fhir::search::SummaryMode::kTrue ||
           summary == fhir::search::SummaryMode::kText ||
           summary == fhir::search::SummaryMode::kData;
  }
};

// The _summary (true, false, text, data) and _elements of a read's query string. _format and
// _pretty are the HTTP layer's; other parameters are ignored under lenient handling and refused
// under strict handling (kInvalid "rest.unknown-parameter"). kInvalid "rest.bad-parameter" for
// a bad value or an element the type does not have.
Result<Subsetting> ParseReadParameters(std::string_view type, std::string_view query,
                                       fhir::search::Handling handling);

// Reduces `resource` in place:
//   _summary=true   the elements marked isSummary, looking into backbone elements;
//   _summary=text   id, meta, text and the top-level mandatory elements;
//   _summary=data   everything but text;
//   _elements=a,b   the named top-level elements, plus id, meta and the mandatory ones.
// resourceType, id and meta always stay; meta gets the SUBSETTED tag.
void ApplySubsetting(boost::json::object& resource, const Subsetting& subsetting);

// The same on JSON text (a stored resource): parses, reduces, serializes.
std::string SubsetJson(std::string_view json, const Subsetting& subsetting);

}  // namespace chartroom::rest
