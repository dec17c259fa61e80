// A value bound to a placeholder of a backend's SQL statement, or read back from a result column:
// null, a 64-bit integer, a double, text or a blob. Shared by the query builder
// (store/common/search_sql.hpp), page tokens and both backends.
//
// Thread safety: plain values.

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

namespace chartroom::store::common {

struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};
using BindValue = std::variant<std::nullptr_t, std::int64_t, double, std::string, Blob>;

}  // namespace chartroom::store::common
