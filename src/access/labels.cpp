#include "access/labels.hpp"

#include <algorithm>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace chartroom::access {
namespace {

namespace json = boost::json;

std::string Normalized(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '.') continue;
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

// A rule with its bounds in the form codes are compared in (no dot, upper case), made once per
// resource rather than once per Coding.
struct Range {
  const LabelRule* rule;
  std::string first;
  std::string last;
};

// Every Coding (an object with system and code) at any depth; a code is normalized only when a
// rule is for its system.
void Scan(const json::value& value, const std::vector<Range>& ranges,
          std::vector<std::string>& out) {
  if (value.is_array()) {
    for (const json::value& item : value.get_array()) Scan(item, ranges, out);
    return;
  }
  if (!value.is_object()) return;
  const json::object& o = value.get_object();
  const json::value* system = o.if_contains("system");
  const json::value* code = o.if_contains("code");
  if (system != nullptr && system->is_string() && code != nullptr && code->is_string()) {
    std::optional<std::string> normalized;
    for (const Range& range : ranges) {
      if (system->get_string() != range.rule->system) continue;
      if (!normalized) normalized = Normalized(code->get_string());
      if (normalized->compare(0, range.first.size(), range.first) >= 0 &&
          normalized->compare(0, range.last.size(), range.last) <= 0) {
        out.push_back(range.rule->label);
      }
    }
  }
  for (const auto& member : o) {
    if (member.key() != "meta") Scan(member.value(), ranges, out);
  }
}

// True when `v` is a Coding of `system` and `code`.
bool IsCoding(const json::value& v, std::string_view system, std::string_view code) {
  const json::object* c = v.if_object();
  if (c == nullptr) return false;
  const json::value* s = c->if_contains("system");
  const json::value* k = c->if_contains("code");
  return s != nullptr && k != nullptr && s->is_string() && k->is_string() &&
         s->get_string() == system && k->get_string() == code;
}

bool HasLabel(const json::array& security, std::string_view system, std::string_view code) {
  return std::any_of(security.begin(), security.end(),
                     [&](const json::value& v) { return IsCoding(v, system, code); });
}

}  // namespace

const std::vector<LabelRule>& DefaultLabelRules() {
  static const std::vector<LabelRule> rules = {
      {std::string(kIcd10Cm), "F10", "F19", "SUD"},
      {std::string(kIcd10Cm), "B20", "B20", "HIV"},
      {std::string(kIcd10Cm), "Z21", "Z21", "HIV"},
      {std::string(kIcd10Cm), "B97.35", "B97.35", "HIV"},
      {std::string(kIcd10Cm), "O98.7", "O98.7", "HIV"},
      {std::string(kIcd10Cm), "F20", "F48", "PSY"},
      {std::string(kIcd10Cm), "A50", "A64", "STD"},
      {std::string(kIcd10Cm), "T74", "T74", "SDV"},
      {std::string(kIcd10Cm), "T76", "T76", "SDV"},
  };
  return rules;
}

std::vector<std::string> SensitivityOf(const json::object& resource,
                                       const std::vector<LabelRule>& rules) {
  std::vector<Range> ranges;
  ranges.reserve(rules.size());
  for (const LabelRule& rule : rules) {
    ranges.push_back({&rule, Normalized(rule.first), Normalized(rule.last)});
  }
  std::vector<std::string> labels;
  Scan(resource, ranges, labels);
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  return labels;
}

bool ApplyLabels(json::object& resource, const std::vector<LabelRule>& rules) {
  const std::vector<std::string> labels = SensitivityOf(resource, rules);
  if (labels.empty()) return false;
  json::value& meta = resource["meta"];
  if (!meta.is_object()) meta = json::object();
  json::value& security = meta.get_object()["security"];
  if (!security.is_array()) security = json::array();
  json::array& list = security.get_array();
  bool added = false;
  auto add = [&](std::string_view system, std::string_view code) {
    if (HasLabel(list, system, code)) return;
    json::object coding;
    coding["system"] = system;
    coding["code"] = code;
    list.push_back(std::move(coding));
    added = true;
  };
  for (const std::string& label : labels) add(kActCode, label);
  if (!HasLabel(list, kConfidentiality, "V")) {
    // R replaces a weaker confidentiality (N, L, M) the resource carried.
    for (std::string_view weaker : {"U", "L", "M", "N"}) {
      auto it = std::find_if(list.begin(), list.end(), [&](const json::value& v) {
        return IsCoding(v, kConfidentiality, weaker);
      });
      if (it != list.end()) {
        list.erase(it);
        added = true;
      }
    }
    add(kConfidentiality, "R");
  }
  return added;
}

}  // namespace chartroom::access
