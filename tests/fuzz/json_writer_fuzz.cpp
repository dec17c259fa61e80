// Fuzzes the strict parser's number record and the JSON writer (fhir/json/writer.hpp): on any
// bytes that parse, the written text parses to the same DOM, and writing is a fixed point (the
// numbers recorded from the written text write it again unchanged).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fhir/json/strict_parser.hpp"
#include "fhir/json/writer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fj = chartroom::fhir::json;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const fj::StrictJson parsed = fj::ParseStrictJson(text);
  if (parsed.syntax_error || !parsed.duplicate_keys.empty()) return 0;
  const std::string written = fj::Serialize(parsed.value, parsed.numbers);
  const fj::StrictJson again = fj::ParseStrictJson(written);
  if (again.syntax_error || again.value != parsed.value) std::abort();
  if (fj::Serialize(again.value, again.numbers) != written) std::abort();
  return 0;
}
