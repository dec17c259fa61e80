#include "rest/capability.hpp"

#include <algorithm>
#include <set>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "fhir/model/model.hpp"

namespace chartroom::rest {
namespace {

constexpr std::string_view kSoftwareVersion = "0.1.0";

// True when `param` applies to resources of `type` (one of its bases is the type or an
// ancestor of it: Resource, DomainResource).
bool AppliesTo(const fhir::SearchParamInfo& param, const fhir::TypeInfo& type) {
  for (fhir::StrRef base : param.bases()) {
    const fhir::TypeInfo* base_type = fhir::FindType(fhir::Str(base));
    if (base_type != nullptr && fhir::IsA(type, *base_type)) return true;
  }
  return false;
}

// Parameters search answers: the extractor fills them, and the store can query them. _text,
// _content, _list and _query need machinery the store does not have.
bool Searchable(const fhir::SearchParamInfo& param, const std::set<const void*>& skipped) {
  const std::string_view code = param.code();
  if (code == "_text" || code == "_content" || code == "_list" || code == "_query") return false;
  return skipped.count(&param) == 0;
}

bool Targets(const fhir::SearchParamInfo& param, std::string_view type) {
  for (fhir::StrRef target : param.targets()) {
    const std::string_view t = fhir::Str(target);
    if (t == type || t == "Resource") return true;
  }
  return false;
}

boost::json::array Interactions(std::initializer_list<std::string_view> codes) {
  boost::json::array out;
  for (std::string_view code : codes) out.push_back(boost::json::object{{"code", code}});
  return out;
}

boost::json::array StringArray(const std::vector<std::string>& items) {
  boost::json::array out;
  out.reserve(items.size());
  for (const std::string& item : items) out.emplace_back(item);
  return out;
}

}  // namespace

std::string BuildCapabilityStatement(std::span<const fhir::search::SkippedParam> skipped_params,
                                     core::Timestamp date, bool bulk_export) {
  std::set<const void*> skipped;
  for (const auto& s : skipped_params) skipped.insert(s.param);

  std::vector<const fhir::TypeInfo*> types;
  for (const fhir::TypeInfo& type : fhir::AllTypes()) {
    if (type.is_resource() && !type.is_abstract) types.push_back(&type);
  }

  // Which searchable parameters apply to which types, computed once.
  const auto all_params = fhir::AllSearchParams();
  std::vector<std::vector<const fhir::SearchParamInfo*>> params_of(types.size());
  for (const fhir::SearchParamInfo& param : all_params) {
    if (!Searchable(param, skipped)) continue;
    for (std::size_t t = 0; t < types.size(); ++t) {
      if (AppliesTo(param, *types[t])) params_of[t].push_back(&param);
    }
  }

  boost::json::array resources;
  for (std::size_t t = 0; t < types.size(); ++t) {
    const fhir::TypeInfo* type = types[t];
    boost::json::array params;
    std::vector<std::string> includes;
    std::vector<std::string> revincludes;
    for (const fhir::SearchParamInfo* param : params_of[t]) {
      params.push_back(boost::json::object{{"name", param->code()},
                                           {"definition", param->url()},
                                           {"type", fhir::SearchParamTypeCode(param->type)}});
      if (param->type == fhir::SearchParamType::kReference) {
        includes.push_back(std::string(type->name()) + ":" + std::string(param->code()));
      }
    }
    // _revinclude: reference parameters of any type that can point at this one.
    for (std::size_t s = 0; s < types.size(); ++s) {
      for (const fhir::SearchParamInfo* param : params_of[s]) {
        if (param->type == fhir::SearchParamType::kReference && Targets(*param, type->name())) {
          revincludes.push_back(std::string(types[s]->name()) + ":" + std::string(param->code()));
        }
      }
    }
    std::sort(includes.begin(), includes.end());
    std::sort(revincludes.begin(), revincludes.end());
    includes.insert(includes.begin(), "*");
    boost::json::object resource{
        {"type", type->name()},
        {"interaction",
         Interactions({"read", "vread", "update", "patch", "delete", "history-instance",
                       "history-type", "create", "search-type"})},
        {"versioning", "versioned-update"},
        {"readHistory", true},
        {"updateCreate", true},
        {"conditionalCreate", true},
        {"conditionalRead", "full-support"},
        {"conditionalUpdate", true},
        {"conditionalDelete", "single"},
        {"referencePolicy", boost::json::array{"literal"}},
    };
    // FHIR JSON has no empty arrays: a list that would be empty is left out.
    resource["searchInclude"] = StringArray(includes);  // never empty: it holds "*"
    if (!revincludes.empty()) resource["searchRevInclude"] = StringArray(revincludes);
    if (!params.empty()) resource["searchParam"] = std::move(params);
    if (type->name() == "Patient") {
      boost::json::array operations{
          boost::json::object{
              {"name", "everything"},
              {"definition", "http://hl7.org/fhir/OperationDefinition/Patient-everything"}},
          boost::json::object{
              {"name", "match"},
              {"definition", "http://hl7.org/fhir/OperationDefinition/Patient-match"}}};
      if (bulk_export) {
        operations.push_back(boost::json::object{
            {"name", "export"},
            {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}});
      }
      resource["operation"] = std::move(operations);
    }
    if (type->name() == "CodeSystem") {
      resource["operation"] = boost::json::array{
          boost::json::object{
              {"name", "lookup"},
              {"definition", "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup"}},
          boost::json::object{
              {"name", "validate-code"},
              {"definition", "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code"}}};
    }
    if (type->name() == "ValueSet") {
      resource["operation"] = boost::json::array{
          boost::json::object{
              {"name", "expand"},
              {"definition", "http://hl7.org/fhir/OperationDefinition/ValueSet-expand"}},
          boost::json::object{
              {"name", "validate-code"},
              {"definition", "http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code"}}};
    }
    if (type->name() == "Group" && bulk_export) {
      resource["operation"] = boost::json::array{boost::json::object{
          {"name", "export"},
          {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"}}};
    }
    resources.push_back(std::move(resource));
  }

  boost::json::array system_params;
  for (std::string_view code :
       {"_id", "_lastUpdated", "_tag", "_profile", "_security", "_source"}) {
    const fhir::SearchParamInfo* param = fhir::FindSearchParam("Patient", code);
    if (param == nullptr || !Searchable(*param, skipped)) continue;
    system_params.push_back(boost::json::object{{"name", code},
                                                {"definition", param->url()},
                                                {"type", fhir::SearchParamTypeCode(param->type)}});
  }

  boost::json::object rest{
      {"mode", "server"},
      {"resource", std::move(resources)},
      {"interaction", Interactions({"transaction", "batch", "search-system", "history-system"})},
      {"searchParam", std::move(system_params)},
  };
  if (bulk_export) {
    rest["operation"] = boost::json::array{boost::json::object{
        {"name", "export"},
        {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}}};
  }

  const std::string date_text = core::FormatInstant(date);
  boost::json::object statement{
      {"resourceType", "CapabilityStatement"},
      {"status", "active"},
      {"date", date_text},
      {"publisher", "Chartroom"},
      {"kind", "instance"},
      {"software", boost::json::object{{"name", "Chartroom"}, {"version", kSoftwareVersion}}},
      {"implementation", boost::json::object{{"description", "Chartroom FHIR R4 server"}}},
      {"fhirVersion", "4.0.1"},
      {"format", boost::json::array{"json"}},
      {"patchFormat", boost::json::array{"application/json-patch+json"}},
      {"rest", boost::json::array{std::move(rest)}},
  };
  if (bulk_export) {
    statement["instantiates"] =
        boost::json::array{"http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"};
  }
  return boost::json::serialize(statement);
}

}  // namespace chartroom::rest
