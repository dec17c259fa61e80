#include "store/common/prepared.hpp"

#include <algorithm>

#include "core/result_macros.hpp"

namespace chartroom::store::common {
namespace {

Result<std::string> ResourceTypeOf(const boost::json::object& resource) {
  const boost::json::value* type = resource.if_contains("resourceType");
  if (type == nullptr || !type->is_string()) {
    return Fail(ErrorCategory::kInvalid, "store.bad-resource", "the resource has no resourceType");
  }
  std::string name(type->get_string());
  if (fhir::FindResourceType(name) == nullptr) {
    return Fail(ErrorCategory::kInvalid, "store.bad-resource",
                "resourceType " + name + " is not an R4 resource type");
  }
  return name;
}

// Appends `"key":value`, the value's numbers as the client wrote them (`writer` follows the
// resource's members in document order).
void AppendMember(std::string& out, std::string_view key, const boost::json::value& value,
                  fhir::json::JsonWriter& writer) {
  fhir::json::AppendJsonString(out, key);
  out += ':';
  writer.Write(value, out);
}

}  // namespace

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

std::optional<std::string> CompartmentPatient(
    std::string_view type, std::string_view id,
    const std::vector<fhir::search::IndexEntry>& entries) {
  if (type == "Patient") return std::string(id);
  const fhir::TypeInfo* info = fhir::FindResourceType(type);
  if (info == nullptr) return std::nullopt;
  for (fhir::StrRef code_ref : info->patient_compartment_params()) {
    std::string_view code = fhir::Str(code_ref);
    for (const auto& entry : entries) {
      if (entry.param == nullptr || entry.param->code() != code) continue;
      const auto* ref = std::get_if<fhir::search::ReferenceValue>(&entry.value);
      if (ref != nullptr && ref->type == "Patient" && !ref->id.empty()) return ref->id;
    }
  }
  return std::nullopt;
}

Result<PreparedResource> PrepareResource(boost::json::object resource,
                                         const fhir::json::NumberTexts& numbers,
                                         const IndexFunction& index, const LabelFunction& label,
                                         const Registry& registry, const void* owner) {
  CHARTROOM_ASSIGN_OR_RETURN(std::string type, ResourceTypeOf(resource));
  if (label) label(resource);
  std::string id;
  if (const boost::json::value* v = resource.if_contains("id"); v != nullptr && v->is_string()) {
    id = std::string(v->get_string());
  }
  auto prepared = std::make_unique<PreparedContent>();
  prepared->owner = owner;
  fhir::json::JsonWriter writer(numbers);
  for (const auto& member : resource) {
    std::string_view key = member.key();
    if (key == "resourceType" || key == "id") {
      writer.Skip(member.value());
      continue;
    }
    if (key == "meta" && member.value().is_object()) {
      for (const auto& m : member.value().get_object()) {
        if (m.key() == "versionId" || m.key() == "lastUpdated") {
          writer.Skip(m.value());
          continue;
        }
        AppendMember(prepared->meta_members, m.key(), m.value(), writer);
        prepared->meta_members += ',';
      }
      continue;
    }
    prepared->body_members += ',';
    AppendMember(prepared->body_members, key, member.value(), writer);
  }

  boost::json::value document(std::move(resource));
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<fhir::search::IndexEntry> entries, index(document));
  for (const auto& entry : entries) {
    if (entry.param == nullptr) continue;
    std::string_view code = entry.param->code();
    if (code == "_id" || code == "_lastUpdated") continue;  // columns of resources
    auto param_id = registry.ParamId(type, entry.param);
    if (!param_id) {
      return Fail(
          ErrorCategory::kInternal, "store.unknown-param",
          "search parameter " + std::string(code) + " does not apply to " + std::string(type));
    }
    prepared->rows.Add(*param_id, entry.value);
  }
  prepared->rows.Finish();
  if (type != "Patient") prepared->patient = CompartmentPatient(type, id, entries);
  return PreparedResource(std::move(type), std::move(id), std::move(prepared));
}

Result<const PreparedContent*> OwnPrepared(const PreparedResource& resource, const void* owner) {
  const auto* prepared = dynamic_cast<const PreparedContent*>(resource.payload());
  if (prepared == nullptr || prepared->owner != owner) {
    return Fail(ErrorCategory::kInvalid, "store.foreign-prepared",
                "the resource was prepared by another store");
  }
  return prepared;
}

std::string StoredJson(const PreparedContent& prepared, std::string_view type, std::string_view id,
                       std::int64_t version, core::Timestamp last_updated) {
  // The type is an R4 type name and the id matches [A-Za-z0-9.-]{1,64}: neither needs escaping.
  std::string version_text = std::to_string(version);
  std::string json;
  json.reserve(prepared.meta_members.size() + prepared.body_members.size() + type.size() +
               id.size() + 96);
  json.append(R"({"resourceType":")").append(type).append(R"(","id":")").append(id);
  json.append(R"(","meta":{)").append(prepared.meta_members);
  json.append(R"("versionId":")").append(version_text).append(R"(","lastUpdated":")");
  json.append(core::FormatInstant(last_updated)).append(R"("})");
  json.append(prepared.body_members).append("}");
  return json;
}

}  // namespace chartroom::store::common
