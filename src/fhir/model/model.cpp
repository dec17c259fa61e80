#include "fhir/model/model.hpp"

#include <algorithm>

namespace chartroom::fhir {
namespace generated {
extern const ModelTables kR4Tables;
}  // namespace generated

namespace {

const ModelTables& T() { return generated::kR4Tables; }

template <typename Range, typename Key, typename KeyOf>
auto LowerBound(Range range, Key key, KeyOf key_of) {
  return std::lower_bound(range.begin(), range.end(), key,
                          [&](const auto& item, const Key& k) { return key_of(item) < k; });
}

}  // namespace

const ModelTables& R4() { return T(); }

std::span<const TypeId> ElementInfo::types() const {
  return {T().type_refs + first_type, type_count};
}

std::span<const StrRef> ElementInfo::targets() const {
  return {T().strings + first_target, target_count};
}

const RequiredBinding* ElementInfo::required_binding() const {
  return binding < 0 ? nullptr : &T().bindings[binding];
}

std::span<const StrRef> TypeInfo::patient_compartment_params() const {
  return {T().strings + first_compartment_param, compartment_param_count};
}

std::span<const ElementInfo> TypeInfo::elements() const {
  return {T().elements + first_element, element_count};
}

std::span<const JsonProperty> TypeInfo::properties() const {
  return {T().properties + first_property, property_count};
}

const ElementInfo* TypeInfo::FindElement(std::string_view element_name) const {
  auto els = elements();
  auto it = LowerBound(els, element_name, [](const ElementInfo& e) { return e.name(); });
  return it != els.end() && it->name() == element_name ? &*it : nullptr;
}

const JsonProperty* TypeInfo::FindProperty(std::string_view json_name) const {
  auto props = properties();
  auto it = LowerBound(props, json_name, [](const JsonProperty& p) { return p.json_name(); });
  return it != props.end() && it->json_name() == json_name ? &*it : nullptr;
}

std::span<const StrRef> SearchParamInfo::bases() const {
  return {T().strings + first_base, base_count};
}
std::span<const StrRef> SearchParamInfo::targets() const {
  return {T().strings + first_target, target_count};
}
std::span<const StrRef> SearchParamInfo::modifiers() const {
  return {T().strings + first_modifier, modifier_count};
}
std::span<const StrRef> SearchParamInfo::comparators() const {
  return {T().strings + first_comparator, comparator_count};
}
std::span<const StrRef> SearchParamInfo::components() const {
  return {T().strings + first_component, 2 * component_count};
}

bool SearchParamInfo::HasBase(std::string_view resource_type) const {
  for (StrRef base : bases()) {
    if (Str(base) == resource_type) return true;
  }
  return false;
}

const ElementInfo& JsonProperty::element() const { return T().elements[element_index]; }

std::span<const TypeInfo> AllTypes() { return {T().types, T().type_count}; }

const TypeInfo& Type(TypeId id) { return T().types[id]; }

TypeId IdOf(const TypeInfo& type) { return static_cast<TypeId>(&type - T().types); }

const TypeInfo* FindType(std::string_view name) {
  auto types = AllTypes();
  auto it = LowerBound(types, name, [](const TypeInfo& t) { return t.name(); });
  return it != types.end() && it->name() == name ? &*it : nullptr;
}

const TypeInfo* FindResourceType(std::string_view name) {
  const TypeInfo* type = FindType(name);
  return type != nullptr && type->is_resource() && !type->is_abstract ? type : nullptr;
}

bool IsA(const TypeInfo& type, const TypeInfo& ancestor) {
  for (const TypeInfo* t = &type;;) {
    if (t == &ancestor) return true;
    if (t->base == kNoType) return false;
    t = &Type(t->base);
  }
}

std::span<const BoundCode> Codes(const RequiredBinding& binding) {
  return {T().codes + binding.first_code, binding.code_count};
}

bool BindingHasCode(const RequiredBinding& binding, std::string_view code,
                    std::optional<std::string_view> system) {
  auto codes = Codes(binding);
  for (auto it = LowerBound(codes, code, [](const BoundCode& c) { return c.code(); });
       it != codes.end() && it->code() == code; ++it) {
    if (!system || *system == it->system()) return true;
  }
  return false;
}

std::span<const SearchParamInfo> AllSearchParams() {
  return {T().search_params, T().search_param_count};
}

const SearchParamInfo* FindSearchParam(std::string_view resource_type, std::string_view code) {
  auto params = AllSearchParams();
  for (auto it = LowerBound(params, code, [](const SearchParamInfo& p) { return p.code(); });
       it != params.end() && it->code() == code; ++it) {
    if (it->HasBase(resource_type) || it->HasBase("Resource") || it->HasBase("DomainResource")) {
      return &*it;
    }
  }
  return nullptr;
}

std::string_view SearchParamTypeCode(SearchParamType type) {
  switch (type) {
    case SearchParamType::kNumber:
      return "number";
    case SearchParamType::kDate:
      return "date";
    case SearchParamType::kString:
      return "string";
    case SearchParamType::kToken:
      return "token";
    case SearchParamType::kReference:
      return "reference";
    case SearchParamType::kComposite:
      return "composite";
    case SearchParamType::kQuantity:
      return "quantity";
    case SearchParamType::kUri:
      return "uri";
    case SearchParamType::kSpecial:
      return "special";
  }
  return "special";
}

}  // namespace chartroom::fhir
