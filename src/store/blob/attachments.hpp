// Where a FHIR resource carries binary content, and how the blob store marks content it has moved
// out of a resource: Binary.data and the data of every Attachment, found through the R4 model
// (every element typed Attachment, at any depth: DocumentReference.content.attachment,
// Media.content, Communication.payload.contentAttachment, extensions' valueAttachment, contained
// resources, ...), never by a list of paths.
//
// Thread safety: pure functions over the static R4 model and the caller's JSON.

#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/error.hpp"

namespace chartroom::store::blob {

// What replaces a `data` value moved to the blob store, inside the stored (sealed) JSON:
// "chartroom-blob:1:<patient id, empty for the system compartment>:<address>:<decoded bytes>".
// ':' is not a base64 character, so no valid base64Binary value can look like a marker.
inline constexpr std::string_view kMarkerPrefix = "chartroom-blob:1:";

struct Marker {
  std::optional<std::string> patient_id;  // the compartment whose key sealed the blob
  std::string address;                    // 64 lower-case hex digits
  std::uint64_t size = 0;                 // decoded bytes
};

std::string FormatMarker(const Marker& marker);
// nullopt when `text` is not a well-formed marker.
std::optional<Marker> ParseMarker(std::string_view text);

// Calls `visit` on every object of `resource` (a resource object with its resourceType) whose
// `data` member is binary content: the resource itself when it is a Binary, and every
// Attachment, including those inside contained resources, Bundle entries and extensions. Objects
// are visited before their members; the first error stops the walk and is returned. Members that
// are not R4 elements of their type are skipped.
Status ForEachDataHolder(boost::json::object& resource,
                         const std::function<Status(boost::json::object& holder)>& visit);

// A cheap test, without the model, that `resource` may need the blob store: whether any member
// named `data`, at any depth, is a string of at least `min_chars` characters or one that starts
// with kMarkerPrefix. False means ForEachDataHolder would find nothing to do.
bool MayHoldBlobs(const boost::json::object& resource, std::size_t min_chars);

}  // namespace chartroom::store::blob
