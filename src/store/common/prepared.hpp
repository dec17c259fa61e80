// The database-free part of a write, the same for every backend: checking a resource, running
// the index function and encoding its index rows, splitting its JSON so that the writer only
// splices in id, versionId and lastUpdated, and choosing its key compartment
// (https://hl7.org/fhir/R4/compartmentdefinition-patient.html). ResourceStore::Prepare runs it on
// the caller's thread.
//
// Thread safety: pure functions of their arguments (the index function must be thread-safe, as
// IndexFunction says).

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "fhir/json/writer.hpp"
#include "fhir/search/index_values.hpp"
#include "store/common/index_rows.hpp"
#include "store/common/registry.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store::common {

// What Prepare computes off the writer thread. `owner` is the store that prepared it: only that
// store may write it (parameter ids are the owner's).
struct PreparedContent final : PreparedResource::Payload {
  const void* owner = nullptr;
  std::string meta_members;  // `"key":value,` for each member of meta but versionId/lastUpdated
  std::string body_members;  // `,"key":value` for each member but resourceType, id and meta
  IndexRows rows;            // finished
  std::optional<std::string> patient;  // the compartment (types other than Patient)
};

// Labels `resource` (`label`, when set), checks it, extracts and encodes its index rows
// (parameter ids from `registry`) and splits its JSON, its numbers written as `numbers` gives
// them (ResourceStore::Prepare).
// kInvalid "store.bad-resource" for a resource without a concrete resourceType; errors of
// `index` unchanged.
Result<PreparedResource> PrepareResource(boost::json::object resource,
                                         const fhir::json::NumberTexts& numbers,
                                         const IndexFunction& index, const LabelFunction& label,
                                         const Registry& registry, const void* owner);

// The payload of a resource `owner` prepared; kInvalid "store.foreign-prepared" otherwise.
Result<const PreparedContent*> OwnPrepared(const PreparedResource& resource, const void* owner);

// The stored JSON of a version: resourceType, id and meta first, then the rest as given.
std::string StoredJson(const PreparedContent& prepared, std::string_view type, std::string_view id,
                       std::int64_t version, core::Timestamp last_updated);

// The patient whose compartment holds a resource of `type`: itself for a Patient, else the first
// Patient referenced through one of the type's compartment parameters, in the definition's order;
// nullopt for the system compartment.
std::optional<std::string> CompartmentPatient(std::string_view type, std::string_view id,
                                              const std::vector<fhir::search::IndexEntry>& entries);

// Whether `id` is a valid FHIR id ([A-Za-z0-9.-]{1,64}).
bool ValidId(std::string_view id);

}  // namespace chartroom::store::common
