#include "rest/query_params.hpp"

#include <cstdint>

#include "core/text.hpp"

namespace chartroom::rest {
Result<std::vector<QueryParam>> ParseQueryParams(std::string_view query) {
  std::vector<QueryParam> params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = core::PercentDecode(pair.substr(0, eq));
    auto value = core::PercentDecode(eq == std::string_view::npos ? std::string_view()
                                                                  : pair.substr(eq + 1));
    if (!name || !value) {
      return Fail(ErrorCategory::kInvalid, "rest.bad-encoding",
                  "the query string has a malformed percent-escape or invalid UTF-8");
    }
    params.push_back({std::move(*name), std::move(*value)});
  }
  return params;
}

}  // namespace chartroom::rest
