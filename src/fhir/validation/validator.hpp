// Structural validation of FHIR R4 JSON resources and Bundles against the R4 model
// (fhir/model/model.hpp). It checks what the definitions and the JSON format say, without
// terminology servers or profiles:
//
//   * resourceType: present, a string, a concrete R4 resource type;
//   * elements: every JSON property is an element of its type (choice names such as valueQuantity
//     included), at most one type of a choice element, `_name` only beside primitive elements;
//   * JSON kinds: arrays exactly for elements with max > 1; objects for complex types; booleans,
//     integers (within range), numbers and strings for the primitive types;
//   * primitive values: the lexical form of their type (fhir/primitives/lexical.hpp);
//   * cardinality: min and max of every element;
//   * required bindings: code, Coding and CodeableConcept values (at least one coding of a
//     CodeableConcept) must be in the value set, when its codes can be enumerated;
//   * resources inside resources: contained resources, Bundle.entry.resource,
//     Parameters.parameter.resource and every other element of type Resource are validated as
//     their own resourceType; contained resources follow dom-2 to dom-5 and every local
//     reference `#id` must name one (ref-1);
//   * references: Reference.reference is a relative `Type/id[/_history/vid]`, an absolute URL, a
//     `urn:uuid:` or `urn:oid:`, or a local `#id`; conditional references (`Type?query`) only in
//     a transaction or batch Bundle; the referenced type must be one of the element's targets
//     when it can be told (from the reference, or from the fullUrl of a Bundle entry);
//   * FHIR JSON rules (https://hl7.org/fhir/R4/json.html): no empty objects, arrays or strings,
//     no null except in primitive arrays aligned with their `_name` array, `_name` objects hold
//     only id and extension, resourceType only on resources, no duplicate keys.
//
// Every problem becomes one OperationOutcome issue, in document order (the issues of a missing
// required element come at the end of the object that lacks it). Each issue carries a stable
// details code (src/fhir/validation/README.md lists them) and a FHIRPath `expression`:
//
//   * array elements are indexed: Patient.name[0].given[1];
//   * a choice element is named by its JSON name: Observation.valueQuantity.value;
//   * a resource inside a resource is selected with ofType():
//     Bundle.entry[3].resource.ofType(Observation).code, Patient.contained[0].ofType(Organization);
//   * `_name` issues are located at the primitive they extend:
//   Patient.name[0].given[1].extension[0]
//   * a JSON key that is not an element is named as written (backquoted when it is not a simple
//     identifier).
//
// Diagnostics name elements and types only; values are never echoed (they may be PHI).
//
// Thread safety: pure functions over immutable model tables; call them from any thread.

#pragma once

#include <cstddef>
#include <string_view>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "fhir/json/writer.hpp"
#include "fhir/operation_outcome.hpp"

namespace chartroom::fhir {

struct ValidationOptions {
  // Documents nested deeper than this (objects and arrays) are rejected with
  // fhir.json-too-deep. Bounds the recursion of the validator and of everything downstream.
  std::size_t max_depth = 128;
};

// Validates one resource (any resource type, including Bundle). The returned outcome holds only
// findings: empty means valid. It never fails: what it cannot check (an unknown resourceType) is
// itself a finding.
OperationOutcome Validate(const boost::json::value& resource,
                          const ValidationOptions& options = {});

// The result of ParseAndValidate: the parsed document (null when the text is not JSON) and the
// findings, which include JSON syntax errors (fhir.json-syntax, with line and column) and
// duplicate keys (fhir.duplicate-key).
struct ParsedDocument {
  boost::json::value value;
  OperationOutcome outcome;
  // The text of numbers their value would not give back (json/writer.hpp), for storing the
  // document as written.
  json::NumberTexts numbers;
};

// Parses `json_text` strictly (fhir/json/strict_parser.hpp) and validates it. Invalid input is
// not a failure of this function but its finding, so it returns an outcome rather than a
// Result. The DOM is allocated from `storage` (default: the default resource); pass a
// boost::json::monotonic_resource, reused per document, for speed.
ParsedDocument ParseAndValidate(std::string_view json_text, boost::json::storage_ptr storage = {},
                                const ValidationOptions& options = {});

}  // namespace chartroom::fhir
