#include "fhir/search/params.hpp"

#include <string>
#include <unordered_map>

namespace chartroom::fhir::search {

bool AppliesTo(const SearchParamInfo& param, const TypeInfo& type) {
  for (const StrRef base : param.bases()) {
    const TypeInfo* base_type = FindType(Str(base));
    if (base_type != nullptr && IsA(type, *base_type)) return true;
  }
  return false;
}

const SearchParamInfo* FindSearchParamByUrl(std::string_view url) {
  static const auto* const kByUrl = [] {
    auto* map = new std::unordered_map<std::string_view, const SearchParamInfo*>();
    for (const SearchParamInfo& param : AllSearchParams()) map->emplace(param.url(), &param);
    return map;
  }();
  const auto it = kByUrl->find(url);
  return it == kByUrl->end() ? nullptr : it->second;
}

std::vector<std::string_view> SplitUnion(std::string_view expression) {
  auto trimmed = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
      s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
      s.remove_suffix(1);
    }
    return s;
  };
  std::vector<std::string_view> out;
  int depth = 0;
  char quote = 0;  // ' or ` while inside a literal
  std::size_t start = 0;
  for (std::size_t i = 0; i < expression.size(); ++i) {
    const char c = expression[i];
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '`') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (c == '|' && depth == 0) {
      out.push_back(trimmed(expression.substr(start, i - start)));
      start = i + 1;
    }
  }
  out.push_back(trimmed(expression.substr(start)));
  return out;
}

std::vector<Component> ComponentsOf(const SearchParamInfo& composite) {
  const std::span<const StrRef> pairs = composite.components();
  std::vector<Component> out;
  out.reserve(pairs.size() / 2);
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    out.push_back(Component{FindSearchParamByUrl(Str(pairs[i])), Str(pairs[i + 1])});
  }
  // R4 erratum: DocumentReference-relationship pairs `code` with the reference parameter and
  // `target` with the token one.
  if (composite.url() == "http://hl7.org/fhir/SearchParameter/DocumentReference-relationship" &&
      out.size() == 2 && out[0].expression == "code" && out[1].expression == "target" &&
      out[0].definition != nullptr && out[0].definition->type == SearchParamType::kReference) {
    std::swap(out[0].definition, out[1].definition);
  }
  return out;
}

}  // namespace chartroom::fhir::search
