#include "store/blob/attachments.hpp"

#include <charconv>

#include <boost/json/value.hpp>

#include "core/result_macros.hpp"
#include "fhir/model/model.hpp"

namespace chartroom::store::blob {
namespace {

namespace bj = boost::json;

struct ModelTypes {
  const fhir::TypeInfo* attachment = fhir::FindType("Attachment");
  const fhir::TypeInfo* binary = fhir::FindType("Binary");
  const fhir::TypeInfo* element = fhir::FindType("Element");
};

const ModelTypes& Types() {
  static const ModelTypes types;
  CHARTROOM_CHECK(types.attachment != nullptr && types.binary != nullptr &&
                  types.element != nullptr);
  return types;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status WalkObject(bj::object& object, const fhir::TypeInfo& type,
                  const std::function<Status(bj::object&)>& visit);

// A member's value: one object or an array of them (nulls of primitive arrays skipped).
Status WalkValue(bj::value& value, const fhir::TypeInfo& type,
                 const std::function<Status(bj::object&)>& visit) {
  auto one = [&](bj::value& item) -> Status {
    if (!item.is_object()) return Ok();
    bj::object& object = item.get_object();
    if (!type.is_resource()) return WalkObject(object, type, visit);
    // contained, Bundle.entry.resource, Parameters.parameter.resource: the object names its type.
    const bj::value* name = object.if_contains("resourceType");
    if (name == nullptr || !name->is_string()) return Ok();
    const fhir::TypeInfo* actual = fhir::FindResourceType(name->get_string());
    return actual == nullptr ? Ok() : WalkObject(object, *actual, visit);
  };
  if (value.is_array()) {
    for (bj::value& item : value.get_array()) CHARTROOM_RETURN_IF_ERROR(one(item));
    return Ok();
  }
  return one(value);
}

Status WalkObject(bj::object& object, const fhir::TypeInfo& type,
                  const std::function<Status(bj::object&)>& visit) {
  const ModelTypes& types = Types();
  if (&type == types.attachment || &type == types.binary) {
    if (const bj::value* data = object.if_contains("data"); data != nullptr && data->is_string()) {
      CHARTROOM_RETURN_IF_ERROR(visit(object));
    }
  }
  for (bj::key_value_pair& member : object) {
    std::string_view key = member.key();
    if (key.empty() || key == "resourceType") continue;
    const fhir::TypeInfo* child = nullptr;
    if (key[0] == '_') {
      child = types.element;  // a primitive's id and extensions
    } else {
      const fhir::JsonProperty* property = type.FindProperty(key);
      if (property == nullptr) continue;
      child = &fhir::Type(property->type);
    }
    if (child->is_primitive()) continue;
    CHARTROOM_RETURN_IF_ERROR(WalkValue(member.value(), *child, visit));
  }
  return Ok();
}

bool MayHold(const bj::value& value, std::size_t min_chars);

bool MayHoldMembers(const bj::object& object, std::size_t min_chars) {
  for (const bj::key_value_pair& member : object) {
    const bj::value& v = member.value();
    if (v.is_string()) {
      if (member.key() != "data") continue;
      const bj::string& s = v.get_string();
      if (s.size() >= min_chars || std::string_view(s).starts_with(kMarkerPrefix)) return true;
    } else if (MayHold(v, min_chars)) {
      return true;
    }
  }
  return false;
}

bool MayHold(const bj::value& value, std::size_t min_chars) {
  if (value.is_object()) return MayHoldMembers(value.get_object(), min_chars);
  if (!value.is_array()) return false;
  for (const bj::value& item : value.get_array()) {
    if (MayHold(item, min_chars)) return true;
  }
  return false;
}

}  // namespace

std::string FormatMarker(const Marker& marker) {
  std::string out(kMarkerPrefix);
  if (marker.patient_id) out += *marker.patient_id;
  out += ':';
  out += marker.address;
  out += ':';
  out += std::to_string(marker.size);
  return out;
}

std::optional<Marker> ParseMarker(std::string_view text) {
  if (!text.starts_with(kMarkerPrefix)) return std::nullopt;
  text.remove_prefix(kMarkerPrefix.size());
  const std::size_t first = text.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = text.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  Marker marker;
  if (first > 0) marker.patient_id = std::string(text.substr(0, first));
  marker.address = std::string(text.substr(first + 1, second - first - 1));
  if (marker.address.size() != 64 || !IsHex(marker.address)) return std::nullopt;
  std::string_view size = text.substr(second + 1);
  auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), marker.size);
  if (ec != std::errc() || end != size.data() + size.size() || size.empty()) return std::nullopt;
  return marker;
}

Status ForEachDataHolder(bj::object& resource,
                         const std::function<Status(bj::object& holder)>& visit) {
  const bj::value* name = resource.if_contains("resourceType");
  if (name == nullptr || !name->is_string()) return Ok();
  const fhir::TypeInfo* type = fhir::FindResourceType(name->get_string());
  if (type == nullptr) return Ok();
  return WalkObject(resource, *type, visit);
}

bool MayHoldBlobs(const bj::object& resource, std::size_t min_chars) {
  return MayHoldMembers(resource, min_chars);
}

}  // namespace chartroom::store::blob
