// A patient as the matcher sees it: the demographics of a FHIR Patient, folded (text.hpp) and
// split into the fields the comparators take. Built once per record, so that comparing two
// records does no parsing and no allocation.
//
// Thread safety: a value type.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "store/resource_store.hpp"

namespace chartroom::mpi {

struct Identifier {
  std::string system;
  std::string value;    // folded, without spaces and dashes
  bool person = false;  // typed as naming a person (v2-0203 SS, NI, NH, DL, PPN, MC), not a
                        // registration
};

struct Person {
  std::string id;                         // the Patient resource id
  std::string given;                      // the first given name, folded, its formal form
  std::string given_as_written;           // the first given name, folded
  std::string middle;                     // the second given name, folded ("" if none)
  std::string family;                     // the family name's tokens joined without spaces
  std::vector<std::string> family_parts;  // the tokens of a hyphenated or compound name
  int birth_year = 0;                     // 0: unknown
  int birth_month = 0;
  int birth_day = 0;
  std::string birth;     // YYYYMMDD ("" when unknown)
  char sex = 0;          // 'm', 'f', 'o'; 0 unknown
  std::string postcode;  // folded, no spaces
  std::string street;    // the first address line, folded
  std::string city;      // folded
  std::string phone;     // the last ten digits of the first phone number
  std::vector<Identifier> identifiers;
  bool active = true;  // false for a record merged into another

  // The date of birth as YYYYMMDD digits ("" when unknown).
  std::string BirthDigits() const;
};

// The Person of a Patient resource. Missing elements stay empty.
Person PersonFromPatient(const boost::json::object& patient);

// Every active Patient of `store` (a merged record, active false, is not a candidate).
Result<std::vector<Person>> LoadActivePeople(store::ResourceStore& store);

}  // namespace chartroom::mpi
