// libFuzzer target: arbitrary bytes through ParseAndValidate, then the outcome through ToJson.
// Whatever the input, this must not crash, leak, hang or trip a sanitizer, and the outcome must
// be consistent: a document that does not parse has exactly one issue and no DOM.
//
//   cmake --preset fuzz && cmake --build --preset fuzz --target chartroom_validate_fuzz
//   build/fuzz/tests/fuzz/chartroom_validate_fuzz tests/fuzz/corpus/validate -max_total_time=300

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include "fhir/validation/validator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  boost::json::monotonic_resource storage;
  const chartroom::fhir::ParsedDocument parsed = chartroom::fhir::ParseAndValidate(text, &storage);
  for (const chartroom::fhir::Issue& issue : parsed.outcome.issues()) {
    if (issue.details_code.empty() || issue.diagnostics.empty()) std::abort();
  }
  if (parsed.value.is_null() && !parsed.outcome.HasErrors()) std::abort();
  // Validating the DOM again gives the same findings, less the parse-only ones (duplicate keys).
  if (!parsed.value.is_null()) {
    const chartroom::fhir::OperationOutcome again = chartroom::fhir::Validate(parsed.value);
    if (again.issues().size() > parsed.outcome.issues().size()) std::abort();
  }
  const std::string json = boost::json::serialize(chartroom::fhir::ToJson(parsed.outcome));
  if (json.empty()) std::abort();
  return 0;
}
