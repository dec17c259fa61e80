// libFuzzer target: compiles arbitrary bytes as a FHIRPath expression and evaluates every
// expression that compiles against a small fixed Patient, then renders the result as JSON.
// Any crash, hang, leak or sanitizer report is a bug; errors returned as Result are fine.
// Seeds: tests/fuzz/corpus/fhirpath/ (expressions drawn from the R4 suite).

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/fhirpath/fhirpath.hpp"

namespace {

namespace json = boost::json;
namespace fp = chartroom::fhir::fhirpath;

// Synthetic data only.
const json::value& Resource() {
  static const json::value* resource = new json::value(json::parse(R"({
    "resourceType": "Patient", "id": "f1", "active": true, "gender": "other",
    "birthDate": "1990-02-03",
    "_birthDate": {"extension": [{"url": "http://example.org/t", "valueTime": "10:00:00"}]},
    "name": [{"use": "official", "family": "Fuzz", "given": ["A", null, "C"],
              "_given": [null, {"extension": [{"url": "http://example.org/x", "valueString": "B"}]}, null]}],
    "telecom": [{"system": "phone", "value": "555-0100", "use": "home"}],
    "contained": [{"resourceType": "Observation", "id": "o1", "status": "final",
                   "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                   "valueQuantity": {"value": 72.5, "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"},
                   "subject": {"reference": "#"}}],
    "extension": [{"url": "http://example.org/q", "valueQuantity": {"value": 1.5, "code": "kg"}},
                  {"url": "http://example.org/d", "valueDecimal": 3.14159}],
    "generalPractitioner": [{"reference": "#o1"}]
  })"));
  return *resource;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 2048) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto expr = fp::Expression::Compile(text);
  if (!expr) return 0;
  fp::EvaluationInput input;
  input.resource = &Resource();
  input.now.year = 2024;
  input.now.month = 2;
  input.now.day = 29;
  input.now.precision = chartroom::fhir::TemporalPrecision::kMillisecond;
  input.now.tz_offset_minutes = 60;
  input.max_work = 2'000'000;  // keeps every input well inside libFuzzer's timeout
  auto result = expr->Evaluate(input);
  if (result) {
    json::value rendered = result->ToJson();
    (void)rendered;
  }
  return 0;
}
