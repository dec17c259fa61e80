// Fuzzes the JSON text edits (fhir/json/text.hpp): memory-safe on any bytes, and on any JSON
// object the edited text parses and holds the members that were set.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "fhir/json/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<chartroom::fhir::json::MemberText> members = {
      {"id", "\"f1\""}, {"meta", "{\"versionId\":\"2\"}"}};
  const std::string minified = chartroom::fhir::json::Minify(text);
  const std::string edited = chartroom::fhir::json::SetMembers(text, members);

  boost::system::error_code ec;
  boost::json::value original = boost::json::parse(text, ec);
  if (ec || !original.is_object()) return 0;
  if (boost::json::parse(minified) != original) std::abort();
  boost::json::value result = boost::json::parse(edited, ec);
  if (ec || !result.is_object()) std::abort();
  if (result.as_object().at("id") != "f1") std::abort();
  if (result.as_object().at("meta").at("versionId") != "2") std::abort();
  return 0;
}
