#include "rest/query_params.hpp"

#include <cstdint>

#include "core/text.hpp"

namespace chartroom::rest {
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

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
