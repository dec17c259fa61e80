#include "rest/json_text.hpp"

namespace chartroom::rest {

void AppendJsonKey(std::string& out, std::string_view key, bool first) {
  if (!first) out += ',';
  AppendJsonString(out, key);
  out += ':';
}

}  // namespace chartroom::rest
