// Coding edits: what is wrong with a set of codes for one encounter, each finding with a stable
// code, a severity, the code it is about and a message (docs/coding.md lists them):
//
//   invalid-code            error    not a code of the system (or malformed)
//   code-not-valid-on-date  error    the code was not valid on the discharge date
//   non-billable            error    an ICD-10-CM category or subcategory header, not a full code
//   sex-conflict            error    MCE: the code is for the other sex only
//   age-conflict            error    MCE: newborn, pediatric, maternity or adult codes at
//                                    another age
//   manifestation-principal error    MCE: a manifestation code as principal diagnosis
//   unacceptable-principal  error    MCE: a code that may not be the principal diagnosis
//   questionable-admission  warning  MCE: a principal diagnosis that rarely justifies admission
//   excludes1               error    two codes an Excludes1 note says never go together
//   duplicate-code          error    the same code twice
//   poa-missing             error    no present-on-admission indicator on a code that needs one
//   poa-invalid             error    an indicator other than Y, N, U, W (or 1 / blank)
//   poa-exempt              warning  an indicator on a code exempt from POA reporting
//   noncovered-procedure    warning  MCE: a procedure Medicare never covers
//   procedure-unverified    warning  an ICD-10-PCS code of valid form, but no PCS code set
//                                    is loaded to confirm it
//
// The request is the body of POST /api/coding/check and the file of `chartroom coding check`:
//   {"sex": "male|female|unknown", "age_years": N, "discharge_date": "YYYY-MM-DD",
//    "diagnoses": [{"code": "E11.9", "poa": "Y"}], "procedures": [{"code": "0DTJ4ZZ"}]}
// The first diagnosis is the principal one; codes may be written with or without the dot.
//
// Thread safety: functions of their arguments.

#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "coding/catalog.hpp"
#include "core/error.hpp"

namespace chartroom::coding {

struct CodedItem {
  std::string code;                // as given
  std::optional<std::string> poa;  // diagnoses: as given; nullopt when absent
};

struct CheckRequest {
  char sex = 'u';  // 'm', 'f', 'u'
  std::optional<int> age_years;
  std::optional<Date> discharge_date;
  std::vector<CodedItem> diagnoses;
  std::vector<CodedItem> procedures;
};

enum class Severity : std::uint8_t { kError, kWarning };

struct Edit {
  std::string code;
  Severity severity;
  std::string target;  // "diagnoses[0]", "procedures[1]"
  std::string message;
};

// kInvalid "coding.bad-request" naming the member that is wrong.
Result<CheckRequest> ParseCheckRequest(const boost::json::value& body);

std::vector<Edit> Check(const Catalog& catalog, const CheckRequest& request);

// {"edits": [{"code", "severity", "target", "message"}]}
boost::json::object EditsToJson(const std::vector<Edit>& edits);

}  // namespace chartroom::coding
