#include "rest/subset.hpp"

#include <algorithm>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "core/text.hpp"
#include "fhir/json/writer.hpp"
#include "fhir/model/model.hpp"
#include "rest/query_params.hpp"

namespace chartroom::rest {
namespace {

using fhir::search::SummaryMode;

constexpr std::string_view kSubsettedSystem =
    "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

// The property `key` names, looking through the `_name` sibling of a primitive.
const fhir::JsonProperty* PropertyOf(const fhir::TypeInfo& type, std::string_view key) {
  if (!key.empty() && key.front() == '_') key.remove_prefix(1);
  return type.FindProperty(key);
}

bool AlwaysKept(std::string_view key) {
  return key == "resourceType" || key == "id" || key == "meta";
}

// Keeps the members for which `keep(key, value)` is true, in their order (Boost.JSON 1.81's
// object::erase moves the last member into the gap).
template <typename Keep>
void Filter(boost::json::object& object, Keep keep) {
  boost::json::object kept(object.storage());
  kept.reserve(object.size());
  for (auto& member : object) {
    if (keep(member.key(), member.value())) kept.emplace(member.key(), std::move(member.value()));
  }
  object = std::move(kept);
}

void KeepSummary(boost::json::object& object, const fhir::TypeInfo& type);

void KeepSummaryValue(boost::json::value& value, const fhir::TypeInfo& type) {
  if (value.is_object()) {
    KeepSummary(value.get_object(), type);
  } else if (value.is_array()) {
    for (boost::json::value& item : value.get_array()) {
      if (item.is_object()) KeepSummary(item.get_object(), type);
    }
  }
}

void KeepSummary(boost::json::object& object, const fhir::TypeInfo& type) {
  Filter(object, [&](std::string_view key, boost::json::value& value) {
    if (AlwaysKept(key)) return true;
    const fhir::JsonProperty* property = PropertyOf(type, key);
    if (property == nullptr || !property->element().is_summary()) return false;
    const fhir::TypeInfo& element_type = fhir::Type(property->type);
    if (element_type.kind == fhir::TypeKind::kBackbone) KeepSummaryValue(value, element_type);
    return true;
  });
}

bool Mandatory(const fhir::TypeInfo& type, std::string_view key) {
  const fhir::JsonProperty* property = PropertyOf(type, key);
  return property != nullptr && property->element().min > 0;
}

bool Listed(const fhir::TypeInfo& type, std::string_view key,
            const std::vector<std::string>& elements) {
  const fhir::JsonProperty* property = PropertyOf(type, key);
  std::string_view plain = key;
  if (!plain.empty() && plain.front() == '_') plain.remove_prefix(1);
  for (const std::string& e : elements) {
    if (e == plain) return true;
    if (property != nullptr && property->element().name() == e) return true;
  }
  return false;
}

void AddSubsettedTag(boost::json::object& resource) {
  boost::json::value& meta_value = resource["meta"];
  if (!meta_value.is_object()) meta_value = boost::json::object();
  boost::json::value& tags = meta_value.get_object()["tag"];
  if (!tags.is_array()) tags = boost::json::array();
  for (const boost::json::value& tag : tags.get_array()) {
    if (tag.is_object()) {
      const auto* code = tag.get_object().if_contains("code");
      const auto* system = tag.get_object().if_contains("system");
      if (code != nullptr && system != nullptr && code->is_string() && system->is_string() &&
          code->get_string() == "SUBSETTED" && system->get_string() == kSubsettedSystem) {
        return;
      }
    }
  }
  tags.get_array().push_back(boost::json::object{
      {"system", kSubsettedSystem}, {"code", "SUBSETTED"}, {"display", "subsetted"}});
}

}  // namespace

Result<Subsetting> ParseReadParameters(std::string_view type, std::string_view query,
                                       fhir::search::Handling handling) {
  Subsetting subsetting;
  if (query.empty()) return subsetting;
  auto params = ParseQueryParams(query);
  if (!params) return tl::unexpected(params.error());
  const fhir::TypeInfo* info = fhir::FindResourceType(type);
  for (const QueryParam& p : *params) {
    if (p.name == "_summary") {
      if (p.value == "true") {
        subsetting.summary = SummaryMode::kTrue;
      } else if (p.value == "false") {
        subsetting.summary = SummaryMode::kFalse;
      } else if (p.value == "text") {
        subsetting.summary = SummaryMode::kText;
      } else if (p.value == "data") {
        subsetting.summary = SummaryMode::kData;
      } else {
        return Fail(ErrorCategory::kInvalid, "rest.bad-parameter",
                    "_summary takes true, false, text or data here");
      }
    } else if (p.name == "_elements") {
      std::string_view list = p.value;
      while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view name = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (name.empty()) continue;
        if (info == nullptr ||
            (info->FindElement(name) == nullptr && info->FindProperty(name) == nullptr)) {
          return Fail(ErrorCategory::kInvalid, "rest.bad-parameter",
                      "_elements names an element the type does not have");
        }
        subsetting.elements.emplace_back(name);
      }
    } else if (p.name == "_format" || p.name == "_pretty") {
      continue;
    } else if (handling == fhir::search::Handling::kStrict) {
      return Fail(ErrorCategory::kInvalid, "rest.unknown-parameter",
                  "this interaction does not take the parameter " + core::PercentEncode(p.name));
    }
  }
  return subsetting;
}

void ApplySubsetting(boost::json::object& resource, const Subsetting& subsetting) {
  if (!subsetting.active()) return;
  const boost::json::value* type_name = resource.if_contains("resourceType");
  const fhir::TypeInfo* type =
      type_name != nullptr && type_name->is_string()
          ? fhir::FindResourceType(std::string_view(type_name->get_string()))
          : nullptr;
  if (type == nullptr) return;
  if (!subsetting.elements.empty()) {
    Filter(resource, [&](std::string_view key, const boost::json::value&) {
      return AlwaysKept(key) || Mandatory(*type, key) || Listed(*type, key, subsetting.elements);
    });
  } else if (subsetting.summary == SummaryMode::kTrue) {
    KeepSummary(resource, *type);
  } else if (subsetting.summary == SummaryMode::kText) {
    Filter(resource, [&](std::string_view key, const boost::json::value&) {
      return AlwaysKept(key) || key == "text" || Mandatory(*type, key);
    });
  } else if (subsetting.summary == SummaryMode::kData) {
    Filter(resource, [](std::string_view key, const boost::json::value&) { return key != "text"; });
  }
  AddSubsettedTag(resource);
}

std::string SubsetJson(std::string_view json, const Subsetting& subsetting) {
  boost::json::monotonic_resource storage;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(json, ec, &storage);
  if (ec || !value.is_object()) return std::string(json);  // stored JSON is always an object
  ApplySubsetting(value.get_object(), subsetting);
  // Numbers in their shortest form: a subset is a tagged view (SUBSETTED), and removing members
  // moves the positions the recorded number texts are keyed by.
  return fhir::json::Serialize(value);
}

}  // namespace chartroom::rest
