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

namespace {

// The element path of one union branch when it is a plain path with at most a type cast at its
// end ("Encounter.period", "Condition.onset.as(Period)", "(Condition.onset as Period)"), the
// cast dropped; "" for anything else (functions, filters, indexers).
std::string_view PlainPath(std::string_view branch) {
  while (branch.size() >= 2 && branch.front() == '(' && branch.back() == ')') {
    branch = branch.substr(1, branch.size() - 2);
  }
  for (std::string_view cast : {".as(", ".ofType("}) {
    const std::size_t at = branch.find(cast);
    if (at != std::string_view::npos && branch.back() == ')' &&
        branch.find(')', at) == branch.size() - 1) {
      branch = branch.substr(0, at);
    }
  }
  if (const std::size_t at = branch.find(" as "); at != std::string_view::npos) {
    branch = branch.substr(0, at);
  }
  for (char c : branch) {
    const bool name = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!name && c != '.') return {};
  }
  return branch;
}

}  // namespace

bool SingleValued(const SearchParamInfo& param, const TypeInfo& type) {
  std::string_view path;
  for (std::string_view branch : SplitUnion(param.expression())) {
    const std::string_view plain = PlainPath(branch);
    if (plain.empty()) {
      // Not a plain path: single only if it belongs to another type.
      if (branch.substr(0, branch.find_first_of(".(")) == type.name() ||
          branch.starts_with("(" + std::string(type.name()) + ".")) {
        return false;
      }
      continue;
    }
    if (plain.substr(0, plain.find('.')) != type.name()) continue;
    if (!path.empty() && plain != path) return false;
    path = plain;
  }
  if (path.empty() || path.find('.') == std::string_view::npos) return false;
  // Every step of the path is an element of at most one value.
  const TypeInfo* current = &type;
  std::string_view rest = path.substr(path.find('.') + 1);
  while (!rest.empty()) {
    const std::size_t dot = rest.find('.');
    const std::string_view step = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    const ElementInfo* element = current == nullptr ? nullptr : current->FindElement(step);
    if (element == nullptr || element->max > 1) return false;
    current = rest.empty() || element->types().size() != 1 ? nullptr : &Type(element->types()[0]);
  }
  return true;
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
