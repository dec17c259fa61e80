// libFuzzer target: parses arbitrary (type, query) pairs as FHIR searches. The input's first
// line is the resource type ("" for a system search), the rest the raw query string; both
// handlings are tried. A query that parses must print as a canonical query string that parses
// again, under strict handling, to the same canonical string. Any crash, hang, leak, sanitizer
// report or broken round trip is a bug; errors returned as Result are fine. The normalizations
// shared with index extraction run on the raw text as well.
// Seeds: tests/fuzz/corpus/search_query/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fhir/search/index_values.hpp"
#include "fhir/search/query.hpp"

namespace search = chartroom::fhir::search;

namespace {

void Check(bool condition, const char* what, std::string_view detail) {
  if (condition) return;
  std::fprintf(stderr, "search_query_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view type = newline == std::string_view::npos ? "" : input.substr(0, newline);
  const std::string_view query =
      newline == std::string_view::npos ? input : input.substr(newline + 1);

  for (const search::Handling handling : {search::Handling::kStrict, search::Handling::kLenient}) {
    const chartroom::Result<search::SearchQuery> parsed =
        search::ParseSearchQuery(type, query, handling);
    if (!parsed) {
      Check(parsed.error().code().starts_with("search."), "error code", parsed.error().code());
      continue;
    }
    const std::string canonical = search::CanonicalQueryString(*parsed);
    const chartroom::Result<search::SearchQuery> again =
        search::ParseSearchQuery(type, canonical, search::Handling::kStrict);
    Check(again.has_value(), "canonical form does not parse", canonical);
    Check(search::CanonicalQueryString(*again) == canonical, "canonical form is not stable",
          canonical);
  }

  (void)search::NormalizeString(query);
  (void)search::ParseNumber(query);
  (void)search::ParseReference(query);
  return 0;
}
