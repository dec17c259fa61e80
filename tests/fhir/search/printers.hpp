// GoogleTest printers for the search value types, so failed expectations show the values.

#pragma once

#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>

#include "fhir/search/index_values.hpp"

namespace chartroom::fhir::search {

inline std::string Describe(const IndexValue& value);

inline void PrintTo(const TokenValue& v, std::ostream* os) {
  *os << "Token{" << v.system << "|" << v.code << ", text=" << v.text << ", of_type=" << v.of_type
      << "}";
}
inline void PrintTo(const StringValue& v, std::ostream* os) {
  *os << "String{" << v.normalized << ", exact=" << v.exact << "}";
}
inline void PrintTo(const DateRange& v, std::ostream* os) {
  *os << "Date{" << v.low << ", " << v.high << "}";
}
inline void PrintTo(const NumberValue& v, std::ostream* os) {
  *os << "Number{" << v.value << " [" << v.low << ", " << v.high << "]}";
}
inline void PrintTo(const QuantityValue& v, std::ostream* os) {
  *os << "Quantity{" << v.value << " [" << v.low << ", " << v.high << "] " << v.system << "|"
      << v.code << " unit=" << v.unit << " canonical=" << v.canonical_value << " "
      << v.canonical_code << "}";
}
inline void PrintTo(const ReferenceValue& v, std::ostream* os) {
  *os << "Reference{type=" << v.type << " id=" << v.id << " url=" << v.url
      << " version=" << v.version << " identifier=" << v.identifier_system << "|"
      << v.identifier_value << "}";
}
inline void PrintTo(const UriValue& v, std::ostream* os) { *os << "Uri{" << v.uri << "}"; }

inline std::string Describe(const IndexValue& value) {
  std::ostringstream os;
  std::visit(
      [&os](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::shared_ptr<CompositeValue>>) {
          os << "Composite{";
          for (const IndexValue& component : v->components) os << Describe(component) << "; ";
          os << "}";
        } else {
          PrintTo(v, &os);
        }
      },
      value);
  return os.str();
}

}  // namespace chartroom::fhir::search
