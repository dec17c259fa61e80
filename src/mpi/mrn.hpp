// Medical record numbers, one series per facility (docs/mpi.md, "Medical record numbers").
//
// A facility (store record kind `mpi-facility`, keyed by its code) names the identifier system
// of its MRNs and their format: literal text around one `{seq}` (the next number) or `{seq:N}`
// (zero-padded to N digits), optionally followed somewhere by `{check}`, the Luhn (mod 10) check
// digit of the number. "N{seq:7}{check}" gives N00000420, N00000438, ...
//
// AssignMrn gives a Patient the facility's next number in one transaction: the counter moves and
// the Patient gets a new version with the identifier (type MR), so no number is issued twice or
// lost. A Patient that already has an identifier in the facility's system keeps it.
//
// Thread safety: reentrant; the store is thread-safe.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "store/resource_store.hpp"

namespace chartroom::mpi {

inline constexpr std::string_view kFacilityKind = "mpi-facility";

struct Facility {
  std::string code;    // [A-Za-z0-9._-]{1,64}
  std::string name;    // shown as the identifier's assigner
  std::string system;  // the identifier system of its MRNs (a URI)
  std::string format;  // see above
  std::int64_t next = 1;

  boost::json::object ToJson() const;
  // kInvalid "mpi.bad-facility" naming what is wrong.
  static Result<Facility> FromJson(const boost::json::object& o);
};

// The MRN of number `seq` in `format`; kInvalid "mpi.bad-facility" for a malformed format.
Result<std::string> FormatMrn(std::string_view format, std::int64_t seq);

// Creates or replaces a facility; a replaced facility keeps its counter unless `next` is
// larger. kInvalid "mpi.bad-facility".
Result<Facility> DefineFacility(store::ResourceStore& store, Facility facility);
Result<std::vector<Facility>> ListFacilities(store::ResourceStore& store);

struct AssignedMrn {
  std::string value;
  bool issued = false;       // false: the patient already had one in this facility's system
  std::int64_t version = 0;  // the Patient's version holding it
};

// kNotFound "mpi.no-facility", or the store's errors reading the Patient.
Result<AssignedMrn> AssignMrn(store::ResourceStore& store, std::string_view patient_id,
                              std::string_view facility_code);

}  // namespace chartroom::mpi
