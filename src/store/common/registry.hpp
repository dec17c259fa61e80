// The registry that gives resource types and search parameters the small, stable integers a
// store's tables are keyed by. The model's TypeIds and parameter indices change when the model
// tables are regenerated; the registry's numbers never change for a database (they live in the
// tables resource_types and search_params and are only ever added to). Backend-neutral: a backend
// reaches its two tables through RegistryTable.
//
// Thread safety: Load runs once at open. A loaded Registry is immutable and shared by every
// thread.

#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "fhir/model/model.hpp"

namespace chartroom::store::common {

// A backend's resource_types and search_params tables, in the open transaction.
class RegistryTable {
 public:
  virtual ~RegistryTable() = default;
  // Calls `row(type_id, name)` for every stored type.
  virtual Status ListTypes(const std::function<void(std::int64_t, std::string_view)>& row) = 0;
  virtual Result<std::int64_t> InsertType(std::string_view name) = 0;
  // Calls `row(param_id, resource_type, code)` for every stored parameter.
  virtual Status ListParams(
      const std::function<void(std::int64_t, std::string_view, std::string_view)>& row) = 0;
  virtual Result<std::int64_t> InsertParam(std::string_view resource_type, std::string_view code,
                                           std::string_view param_type, std::string_view url) = 0;
};

struct ParamEntry {
  std::int64_t id = 0;
  const fhir::SearchParamInfo* info = nullptr;
};

class Registry {
 public:
  // Registers every concrete R4 resource type and every (type, parameter) pair the model defines
  // that the database does not know yet, then loads all of them. The caller runs it in one
  // transaction.
  static Result<Registry> Load(RegistryTable& table);

  std::optional<std::int64_t> TypeId(std::string_view name) const;
  // "" for an unknown id.
  std::string_view TypeName(std::int64_t type_id) const;
  const std::vector<std::string>& TypeNames() const { return type_names_; }

  // The parameter `code` of resource type `type` (including the common ones, _tag ...).
  const ParamEntry* Param(std::string_view type, std::string_view code) const;
  // The id of `param` on `type`, nullopt if `param` does not apply to `type`.
  std::optional<std::int64_t> ParamId(std::string_view type,
                                      const fhir::SearchParamInfo* param) const;
  // Every registered parameter of `type`.
  std::span<const ParamEntry> ParamsOf(std::string_view type) const;

  // The parameters that put a resource of `type` in a patient's compartment (reference
  // parameters named by the compartment definition), by type; every type when `type` is empty.
  std::vector<std::int64_t> CompartmentParams(std::string_view type) const;

 private:
  std::vector<std::string> type_names_;  // by type_id; "" for gaps
  std::unordered_map<std::string, std::int64_t> type_ids_;
  std::unordered_map<std::string, ParamEntry> params_;  // "Type/code"
  std::unordered_map<std::string, std::vector<ParamEntry>> params_by_type_;
};

}  // namespace chartroom::store::common
