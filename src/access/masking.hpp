// Minimum necessary (HIPAA 164.502(b), 164.514(d)): what a masked role (docs/access.md: the
// data analyst) receives of a resource. Direct identifiers and free text go, wherever they sit in
// the resource; birth dates keep their year; the resource is tagged SUBSETTED so that no client
// takes it for the whole record.
//
// This is not de-identification (Safe Harbor also generalises other dates, ZIP codes and ages
// over 89); it is the access policy's field mask.
//
// Thread safety: pure function.

#pragma once

#include <boost/json/object.hpp>

namespace chartroom::access {

// Removes from `resource`, at every depth: name, identifier, address, telecom, photo, contact,
// the narrative (text), notes (note), reference displays, attachment data and URLs; cuts
// birthDate to its year; adds the SUBSETTED tag to meta.tag.
void MaskForMinimumNecessary(boost::json::object& resource);

}  // namespace chartroom::access
