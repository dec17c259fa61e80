#include "store/common/registry.hpp"

#include <algorithm>

#include "core/result_macros.hpp"

namespace chartroom::store::common {
namespace {

std::string Key(std::string_view type, std::string_view code) {
  std::string key;
  key.reserve(type.size() + code.size() + 1);
  key.append(type).append("/").append(code);
  return key;
}

}  // namespace

Result<Registry> Registry::Load(RegistryTable& table) {
  // The (type, parameter) pairs the model defines.
  std::vector<const fhir::TypeInfo*> types;
  for (const fhir::TypeInfo& t : fhir::AllTypes()) {
    if (t.is_resource() && !t.is_abstract) types.push_back(&t);
  }
  const fhir::TypeInfo* domain_resource = fhir::FindType("DomainResource");
  struct Pair {
    std::string type;
    const fhir::SearchParamInfo* info;
  };
  std::vector<Pair> pairs;
  for (const fhir::SearchParamInfo& p : fhir::AllSearchParams()) {
    for (fhir::StrRef base_ref : p.bases()) {
      std::string_view base = fhir::Str(base_ref);
      for (const fhir::TypeInfo* t : types) {
        bool applies = base == t->name() || base == "Resource" ||
                       (base == "DomainResource" && domain_resource != nullptr &&
                        fhir::IsA(*t, *domain_resource));
        if (applies) pairs.push_back({std::string(t->name()), &p});
      }
    }
  }

  Registry registry;
  CHARTROOM_RETURN_IF_ERROR(table.ListTypes([&](std::int64_t id, std::string_view name) {
    registry.type_ids_.emplace(std::string(name), id);
  }));
  for (const fhir::TypeInfo* t : types) {
    if (registry.type_ids_.count(std::string(t->name())) != 0) continue;
    CHARTROOM_ASSIGN_OR_RETURN(std::int64_t id, table.InsertType(t->name()));
    registry.type_ids_.emplace(std::string(t->name()), id);
  }
  for (const auto& [name, id] : registry.type_ids_) {
    if (id < 0 || id > 100000) {
      return Fail(ErrorCategory::kInternal, "store.corrupt", "a resource type id is out of range");
    }
    auto index = static_cast<std::size_t>(id);
    if (registry.type_names_.size() <= index) registry.type_names_.resize(index + 1);
    registry.type_names_[index] = name;
  }

  std::unordered_map<std::string, std::int64_t> known;
  CHARTROOM_RETURN_IF_ERROR(
      table.ListParams([&](std::int64_t id, std::string_view type, std::string_view code) {
        known.emplace(Key(type, code), id);
      }));
  for (const Pair& pair : pairs) {
    std::string key = Key(pair.type, pair.info->code());
    auto it = known.find(key);
    std::int64_t id;
    if (it != known.end()) {
      id = it->second;
    } else {
      CHARTROOM_ASSIGN_OR_RETURN(
          id, table.InsertParam(pair.type, pair.info->code(),
                                fhir::SearchParamTypeCode(pair.info->type), pair.info->url()));
      known.emplace(key, id);
    }
    ParamEntry entry{id, pair.info};
    if (registry.params_.emplace(key, entry).second) {
      registry.params_by_type_[pair.type].push_back(entry);
    }
  }
  return registry;
}

std::optional<std::int64_t> Registry::TypeId(std::string_view name) const {
  auto it = type_ids_.find(std::string(name));
  if (it == type_ids_.end()) return std::nullopt;
  return it->second;
}

std::string_view Registry::TypeName(std::int64_t type_id) const {
  if (type_id < 0 || static_cast<std::size_t>(type_id) >= type_names_.size()) return {};
  return type_names_[static_cast<std::size_t>(type_id)];
}

const ParamEntry* Registry::Param(std::string_view type, std::string_view code) const {
  auto it = params_.find(Key(type, code));
  return it == params_.end() ? nullptr : &it->second;
}

std::optional<std::int64_t> Registry::ParamId(std::string_view type,
                                              const fhir::SearchParamInfo* param) const {
  if (param == nullptr) return std::nullopt;
  const ParamEntry* entry = Param(type, param->code());
  if (entry == nullptr) return std::nullopt;
  return entry->id;
}

std::span<const ParamEntry> Registry::ParamsOf(std::string_view type) const {
  auto it = params_by_type_.find(std::string(type));
  if (it == params_by_type_.end()) return {};
  return it->second;
}

std::vector<std::int64_t> Registry::CompartmentParams(std::string_view type) const {
  std::vector<std::int64_t> ids;
  for (const std::string& name : type_names_) {
    if (name.empty() || (!type.empty() && name != type)) continue;
    const fhir::TypeInfo* info = fhir::FindResourceType(name);
    if (info == nullptr) continue;
    for (fhir::StrRef code : info->patient_compartment_params()) {
      const ParamEntry* entry = Param(name, fhir::Str(code));
      if (entry != nullptr && entry->info->type == fhir::SearchParamType::kReference) {
        ids.push_back(entry->id);
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace chartroom::store::common
