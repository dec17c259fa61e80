#include "store/common/read_ops.hpp"

namespace chartroom::store::common {

std::int64_t MethodCode(WriteMethod method) {
  switch (method) {
    case WriteMethod::kCreate:
      return 0;
    case WriteMethod::kUpdate:
      return 1;
    case WriteMethod::kDelete:
      return 2;
  }
  return 1;
}

WriteMethod MethodFromCode(std::int64_t code) {
  return code == 0 ? WriteMethod::kCreate : code == 2 ? WriteMethod::kDelete : WriteMethod::kUpdate;
}

std::string ContentAad(std::string_view type, std::string_view id, std::int64_t version) {
  std::string aad;
  aad.reserve(type.size() + id.size() + 32);
  aad.append(type).append("/").append(id).append("/_history/").append(std::to_string(version));
  return aad;
}

}  // namespace chartroom::store::common
