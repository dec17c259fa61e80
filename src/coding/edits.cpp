#include "coding/edits.hpp"

#include <algorithm>
#include <map>

#include <boost/json.hpp>

namespace chartroom::coding {
namespace json = boost::json;
namespace {

tl::unexpected<Error> BadRequest(std::string message) {
  return Fail(ErrorCategory::kInvalid, "coding.bad-request", std::move(message));
}

Result<std::vector<CodedItem>> ParseItems(const json::object& body, std::string_view member,
                                          bool with_poa) {
  std::vector<CodedItem> out;
  const json::value* list = body.if_contains(member);
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) return BadRequest(std::string(member) + " is an array");
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const std::string where = std::string(member) + "[" + std::to_string(i) + "]";
    const json::object* item = list->get_array()[i].if_object();
    const json::value* code = item != nullptr ? item->if_contains("code") : nullptr;
    if (code == nullptr || !code->is_string()) {
      return BadRequest(where + " is an object with a \"code\" string");
    }
    CodedItem parsed{std::string(code->get_string()), std::nullopt};
    if (const json::value* poa = item->if_contains("poa"); with_poa && poa != nullptr) {
      if (poa->is_string()) {
        parsed.poa = std::string(poa->get_string());
      } else if (!poa->is_null()) {
        return BadRequest(where + ".poa is a string (Y, N, U, W, 1) or absent");
      }
    }
    out.push_back(std::move(parsed));
  }
  return out;
}

// ICD-10-PCS codes are seven characters of 0-9 and the letters but I and O.
bool PcsForm(std::string_view code) {
  return code.size() == 7 && std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z' && c != 'I' && c != 'O');
         });
}

bool HcpcsForm(std::string_view code) {
  return code.size() == 5 && code[0] >= 'A' && code[0] <= 'V' &&
         std::all_of(code.begin() + 1, code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool CptForm(std::string_view code) {
  return code.size() == 5 &&
         std::all_of(code.begin(), code.begin() + 4, [](char c) { return c >= '0' && c <= '9'; }) &&
         ((code[4] >= '0' && code[4] <= '9') || code[4] == 'F' || code[4] == 'T' || code[4] == 'U');
}

// The first release date of `system` the catalog has; 0 when none.
Date FirstRelease(const Catalog& catalog, std::string_view system) {
  Date first = 0;
  for (const ReleaseInfo& r : catalog.releases()) {
    if (r.system == system && (first == 0 || r.effective < first)) first = r.effective;
  }
  return first;
}

class Checker {
 public:
  Checker(const Catalog& catalog, const CheckRequest& request)
      : catalog_(catalog), request_(request) {}

  std::vector<Edit> Run() {
    if (request_.diagnoses.empty()) {
      Add("principal-missing", Severity::kError, "diagnoses",
          "there is no principal diagnosis: the first diagnosis is the principal one");
    }
    std::vector<std::string> found(request_.diagnoses.size());
    std::map<std::string, std::size_t> first_at;
    for (std::size_t i = 0; i < request_.diagnoses.size(); ++i) {
      const std::string target = "diagnoses[" + std::to_string(i) + "]";
      const std::string code = Normalize(request_.diagnoses[i].code);
      const std::string shown = Display(System::kIcd10Cm, code);
      if (auto [it, fresh] = first_at.emplace(code, i); !fresh && !code.empty()) {
        Add("duplicate-code", Severity::kError, target,
            shown + " is already coded as diagnoses[" + std::to_string(it->second) + "]");
        continue;
      }
      const Concept* c = catalog_.Find(System::kIcd10Cm, code);
      if (c == nullptr) {
        Add("invalid-code", Severity::kError, target,
            (code.empty() ? std::string("an empty code")
                          : "\"" + request_.diagnoses[i].code + "\"") +
                " is not an ICD-10-CM code");
        continue;
      }
      found[i] = code;
      Diagnosis(i, *c, target);
    }
    for (std::size_t j = 1; j < found.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        if (found[i].empty() || found[j].empty() || !catalog_.Excludes1(found[i], found[j])) {
          continue;
        }
        Add("excludes1", Severity::kError, "diagnoses[" + std::to_string(j) + "]",
            Display(System::kIcd10Cm, found[j]) + " and " + Display(System::kIcd10Cm, found[i]) +
                " (diagnoses[" + std::to_string(i) +
                "]) are never coded together: an Excludes1 note separates them");
        break;
      }
    }
    for (std::size_t i = 0; i < request_.procedures.size(); ++i) Procedure(i);
    return std::move(edits_);
  }

 private:
  void Add(std::string code, Severity severity, std::string target, std::string message) {
    edits_.push_back({std::move(code), severity, std::move(target), std::move(message)});
  }

  void Diagnosis(std::size_t i, const Concept& c, const std::string& target) {
    const std::string shown = Display(System::kIcd10Cm, c.code);
    if (!c.billable) {
      Add("non-billable", Severity::kError, target,
          shown + " (" + c.title + ") is a header: code to the full specificity, one of the " +
              std::to_string(c.children.size()) + " codes beneath it");
    }
    ValidOn(c, shown, target, "icd10cm");
    const bool principal = i == 0;
    const std::string& code = c.code;
    if (request_.sex == 'm' && catalog_.InMce(MceList::kFemaleOnly, false, code)) {
      Add("sex-conflict", Severity::kError, target, shown + " is a diagnosis for females only");
    }
    if (request_.sex == 'f' && catalog_.InMce(MceList::kMaleOnly, false, code)) {
      Add("sex-conflict", Severity::kError, target, shown + " is a diagnosis for males only");
    }
    Age(code, shown, target, false);
    if (principal && catalog_.InMce(MceList::kManifestation, false, code)) {
      Add("manifestation-principal", Severity::kError, target,
          shown + " is a manifestation code: code the underlying condition first");
    }
    if (principal && catalog_.InMce(MceList::kUnacceptablePrincipal, false, code)) {
      Add("unacceptable-principal", Severity::kError, target,
          shown + " is not acceptable as the principal diagnosis");
    }
    if (principal && catalog_.InMce(MceList::kQuestionableAdmission, false, code)) {
      Add("questionable-admission", Severity::kWarning, target,
          shown + " as principal diagnosis rarely justifies an inpatient admission");
    }
    Poa(i, code, shown, target);
  }

  void ValidOn(const Concept& c, const std::string& shown, const std::string& target,
               std::string_view system) {
    if (!request_.discharge_date) return;
    const Date date = *request_.discharge_date;
    // Before the first release loaded nothing is known either way.
    if (date < FirstRelease(catalog_, system)) return;
    if (date < c.valid_from || (c.valid_to != 0 && date > c.valid_to)) {
      Add("code-not-valid-on-date", Severity::kError, target,
          shown + " was not valid on " + FormatDate(date) + " (valid " + FormatDate(c.valid_from) +
              " to " + (c.valid_to == 0 ? std::string("now") : FormatDate(c.valid_to)) + ")");
    }
  }

  void Age(const std::string& code, const std::string& shown, const std::string& target,
           bool procedure) {
    if (!request_.age_years) return;
    const int age = *request_.age_years;
    auto conflict = [&](MceList list, bool outside, const char* range) {
      if (outside && catalog_.InMce(list, procedure, code)) {
        Add("age-conflict", Severity::kError, target,
            shown + " is for " + range + ", not age " + std::to_string(age));
      }
    };
    conflict(MceList::kNewbornOnly, age != 0, "newborns (age 0)");
    conflict(MceList::kPediatricOnly, age > 17, "children (age 0 to 17)");
    conflict(MceList::kMaternityOnly, age < 12 || age > 55, "maternity patients (age 12 to 55)");
    conflict(MceList::kAdultOnly, age < 15, "adults (age 15 to 124)");
  }

  void Poa(std::size_t i, const std::string& code, const std::string& shown,
           const std::string& target) {
    const bool exempt = catalog_.PoaExempt(code);
    std::string poa = request_.diagnoses[i].poa.value_or("");
    std::transform(poa.begin(), poa.end(), poa.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (poa.empty() || poa == " ") {
      if (!exempt) {
        Add("poa-missing", Severity::kError, target,
            shown + " needs a present-on-admission indicator (Y, N, U or W)");
      }
      return;
    }
    if (poa != "Y" && poa != "N" && poa != "U" && poa != "W" && poa != "1") {
      Add("poa-invalid", Severity::kError, target,
          "\"" + *request_.diagnoses[i].poa +
              "\" is not a present-on-admission indicator (Y, N, "
              "U, W, or 1 / blank for exempt codes)");
      return;
    }
    if (exempt && poa != "1") {
      Add("poa-exempt", Severity::kWarning, target,
          shown + " is exempt from present-on-admission reporting: leave it blank");
    } else if (!exempt && poa == "1") {
      Add("poa-invalid", Severity::kError, target,
          shown + " is not exempt from present-on-admission reporting: Y, N, U or W");
    }
  }

  void Procedure(std::size_t i) {
    const std::string target = "procedures[" + std::to_string(i) + "]";
    const std::string code = Normalize(request_.procedures[i].code);
    const std::string as_given = "\"" + request_.procedures[i].code + "\"";
    std::optional<System> system;
    if (PcsForm(code) && code.size() == 7) {
      system = System::kIcd10Pcs;
    } else if (HcpcsForm(code)) {
      system = System::kHcpcs;
    } else if (CptForm(code)) {
      system = System::kCpt;
    }
    if (!system) {
      Add("invalid-code", Severity::kError, target,
          as_given + " is not an ICD-10-PCS, HCPCS or CPT code");
      return;
    }
    // A system with a loaded code set is checked against it; without one (no ICD-10-PCS or
    // CPT release loaded) only the form is.
    if (catalog_.size(*system) > 0) {
      const Concept* c = catalog_.Find(*system, code);
      if (c == nullptr || !c->billable) {
        Add("invalid-code", Severity::kError, target,
            as_given + " is not a" + (c == nullptr ? "n " : " complete ") +
                std::string(SystemTitle(*system)) + " code");
        return;
      }
      ValidOn(*c, code, target, SystemName(*system));
    }
    if (*system != System::kIcd10Pcs) return;
    if (request_.sex == 'm' && catalog_.InMce(MceList::kFemaleOnly, true, code)) {
      Add("sex-conflict", Severity::kError, target, code + " is a procedure for females only");
    }
    if (request_.sex == 'f' && catalog_.InMce(MceList::kMaleOnly, true, code)) {
      Add("sex-conflict", Severity::kError, target, code + " is a procedure for males only");
    }
    if (catalog_.InMce(MceList::kNoncovered, true, code)) {
      Add("noncovered-procedure", Severity::kWarning, target,
          code + " is a procedure Medicare never covers");
    }
  }

  const Catalog& catalog_;
  const CheckRequest& request_;
  std::vector<Edit> edits_;
};

}  // namespace

Result<CheckRequest> ParseCheckRequest(const json::value& body) {
  const json::object* o = body.if_object();
  if (o == nullptr) return BadRequest("the request is a JSON object");
  CheckRequest r;
  if (const json::value* sex = o->if_contains("sex"); sex != nullptr && !sex->is_null()) {
    const std::string_view s = sex->is_string() ? std::string_view(sex->get_string()) : "";
    if (s == "male") {
      r.sex = 'm';
    } else if (s == "female") {
      r.sex = 'f';
    } else if (s == "unknown") {
      r.sex = 'u';
    } else {
      return BadRequest("sex is \"male\", \"female\" or \"unknown\"");
    }
  }
  if (const json::value* age = o->if_contains("age_years"); age != nullptr && !age->is_null()) {
    const bool whole =
        age->is_int64() || age->is_uint64() ||
        (age->is_double() &&
         age->get_double() == static_cast<double>(static_cast<long>(age->get_double())));
    const double value = age->is_number() ? age->to_number<double>() : -1;
    if (!whole || value < 0 || value > 150) {
      return BadRequest("age_years is a whole number of years from 0 to 150");
    }
    r.age_years = static_cast<int>(value);
  }
  if (const json::value* date = o->if_contains("discharge_date");
      date != nullptr && !date->is_null()) {
    const auto parsed = date->is_string() ? ParseDate(date->get_string()) : std::nullopt;
    if (!parsed) return BadRequest("discharge_date is a date, YYYY-MM-DD");
    r.discharge_date = *parsed;
  }
  if (!o->contains("diagnoses"))
    return BadRequest("diagnoses is required (the first is principal)");
  auto diagnoses = ParseItems(*o, "diagnoses", true);
  if (!diagnoses) return tl::unexpected(diagnoses.error());
  r.diagnoses = std::move(*diagnoses);
  auto procedures = ParseItems(*o, "procedures", false);
  if (!procedures) return tl::unexpected(procedures.error());
  r.procedures = std::move(*procedures);
  return r;
}

std::vector<Edit> Check(const Catalog& catalog, const CheckRequest& request) {
  return Checker(catalog, request).Run();
}

json::object EditsToJson(const std::vector<Edit>& edits) {
  json::array list;
  for (const Edit& e : edits) {
    list.push_back(json::object{{"code", e.code},
                                {"severity", e.severity == Severity::kError ? "error" : "warning"},
                                {"target", e.target},
                                {"message", e.message}});
  }
  return json::object{{"edits", std::move(list)}};
}

}  // namespace chartroom::coding
