#include "access/masking.hpp"

#include <array>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace chartroom::access {
namespace {

namespace json = boost::json;

// Elements that carry direct identifiers or free text wherever they appear.
constexpr std::array<std::string_view, 7> kRemoved = {"name",  "identifier", "address", "telecom",
                                                      "photo", "contact",    "note"};

void MaskValue(json::value& value, bool top);

void MaskObject(json::object& o, bool top) {
  const bool reference =
      o.contains("reference") || (o.contains("identifier") && o.contains("display"));
  for (std::string_view key : kRemoved) o.erase(key);
  // The narrative repeats the record in prose; at the top level `text` is the narrative (elsewhere,
  // a CodeableConcept's text is a code's wording and stays).
  if (top) o.erase("text");
  // A Reference's display is usually the target's name; an Attachment's data and url are the
  // document itself.
  if (reference) o.erase("display");
  if (o.contains("contentType")) {
    o.erase("data");
    o.erase("url");
  }
  if (json::value* birth = o.if_contains("birthDate"); birth != nullptr && birth->is_string()) {
    const json::string& date = birth->get_string();
    if (date.size() > 4) *birth = json::string(date.subview().substr(0, 4));
  }
  for (auto& member : o) MaskValue(member.value(), false);
}

void MaskValue(json::value& value, bool top) {
  if (value.is_object()) {
    MaskObject(value.get_object(), top);
  } else if (value.is_array()) {
    for (json::value& item : value.get_array()) MaskValue(item, false);
  }
}

}  // namespace

void MaskForMinimumNecessary(json::object& resource) {
  MaskObject(resource, true);
  // Contained resources are resources: their narrative goes too.
  if (json::value* contained = resource.if_contains("contained");
      contained != nullptr && contained->is_array()) {
    for (json::value& c : contained->get_array()) {
      if (c.is_object()) c.get_object().erase("text");
    }
  }
  json::value& meta = resource["meta"];
  if (!meta.is_object()) meta = json::object();
  json::value& tags = meta.get_object()["tag"];
  if (!tags.is_array()) tags = json::array();
  json::object subsetted;
  subsetted["system"] = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
  subsetted["code"] = "SUBSETTED";
  subsetted["display"] = "subsetted";
  tags.get_array().push_back(std::move(subsetted));
}

}  // namespace chartroom::access
