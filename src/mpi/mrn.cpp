#include "mpi/mrn.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "core/result_macros.hpp"

namespace chartroom::mpi {
namespace json = boost::json;
namespace {

constexpr std::size_t kPage = 1000;
constexpr int kMaxWidth = 18;

tl::unexpected<Error> BadFacility(std::string message) {
  return Fail(ErrorCategory::kInvalid, "mpi.bad-facility", std::move(message));
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool ValidCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Luhn check digit of the decimal digits of `digits`.
char LuhnDigit(std::string_view digits) {
  int sum = 0;
  bool twice = true;  // the rightmost digit of the payload is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

Result<Facility> Parse(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCategory::kInternal, "mpi.bad-stored-json", "a facility record is malformed");
  }
  return Facility::FromJson(v.get_object());
}

}  // namespace

Result<std::string> FormatMrn(std::string_view format, std::int64_t seq) {
  if (seq < 0) return BadFacility("a record number is not negative");
  std::string out;
  std::string number;
  int seqs = 0;
  std::size_t check_at = std::string::npos;
  for (std::size_t i = 0; i < format.size();) {
    if (format[i] != '{') {
      if (format[i] == '}') {
        return BadFacility("an MRN format has a '}' without its '{'");
      }
      out += format[i++];
      continue;
    }
    const std::size_t close = format.find('}', i);
    if (close == std::string_view::npos) {
      return BadFacility("an MRN format has a '{' without its '}'");
    }
    const std::string_view field = format.substr(i + 1, close - i - 1);
    if (field == "check") {
      if (check_at != std::string::npos) {
        return BadFacility("an MRN format has at most one {check}");
      }
      check_at = out.size();
    } else if (field == "seq" || field.starts_with("seq:")) {
      int width = 0;
      if (field.size() > 4) {
        for (char c : field.substr(4)) {
          if (c < '0' || c > '9' || width > kMaxWidth) {
            width = kMaxWidth + 1;
            break;
          }
          width = width * 10 + (c - '0');
        }
        if (width < 1 || width > kMaxWidth) {
          return BadFacility("{seq:N} takes a width N from 1 to " + std::to_string(kMaxWidth));
        }
      }
      number = std::to_string(seq);
      if (static_cast<int>(number.size()) < width) {
        number.insert(0, static_cast<std::size_t>(width) - number.size(), '0');
      } else if (width > 0 && static_cast<int>(number.size()) > width) {
        return BadFacility("the facility's numbers are used up: " + std::to_string(seq) +
                           " does not fit in " + std::to_string(width) + " digits");
      }
      out += number;
      ++seqs;
    } else {
      return BadFacility("an MRN format knows {seq}, {seq:N} and {check}, not {" +
                         std::string(field) + "}");
    }
    i = close + 1;
  }
  if (seqs != 1) {
    return BadFacility("an MRN format has exactly one {seq} or {seq:N}");
  }
  if (check_at != std::string::npos) out.insert(check_at, 1, LuhnDigit(number));
  return out;
}

json::object Facility::ToJson() const {
  return json::object{
      {"code", code}, {"name", name}, {"system", system}, {"format", format}, {"next", next}};
}

Result<Facility> Facility::FromJson(const json::object& o) {
  Facility f;
  f.code = Text(o, "code");
  f.name = Text(o, "name");
  f.system = Text(o, "system");
  f.format = Text(o, "format");
  if (const json::value* next = o.if_contains("next")) {
    if (!next->is_int64() || next->get_int64() < 0) {
      return BadFacility("a facility's next number is a whole number ≥ 0");
    }
    f.next = next->get_int64();
  }
  if (!ValidCode(f.code)) {
    return BadFacility("a facility code is 1 to 64 letters, digits, '.', '_' or '-'");
  }
  if (f.system.empty() || f.system.find(':') == std::string::npos) {
    return BadFacility("a facility names the identifier system of its MRNs, a URI");
  }
  CHARTROOM_RETURN_IF_ERROR(FormatMrn(f.format, f.next));
  return f;
}

Result<Facility> DefineFacility(store::ResourceStore& store, Facility facility) {
  CHARTROOM_ASSIGN_OR_RETURN(facility, Facility::FromJson(facility.ToJson()));
  Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto existing, tx.GetRecord(kFacilityKind, facility.code));
    if (existing) {
      CHARTROOM_ASSIGN_OR_RETURN(Facility before, Parse(existing->value));
      facility.next = std::max(facility.next, before.next);  // never issue a number twice
    }
    return tx.PutRecord(kFacilityKind, facility.code, json::serialize(facility.ToJson()));
  });
  if (!done) return tl::unexpected(done.error());
  return facility;
}

Result<std::vector<Facility>> ListFacilities(store::ResourceStore& store) {
  std::vector<Facility> out;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kFacilityKind, after, kPage));
    for (const store::Record& r : page) {
      CHARTROOM_ASSIGN_OR_RETURN(Facility f, Parse(r.value));
      out.push_back(std::move(f));
    }
    if (page.size() < kPage) break;
    after = page.back().key;
  }
  return out;
}

Result<AssignedMrn> AssignMrn(store::ResourceStore& store, std::string_view patient_id,
                              std::string_view facility_code) {
  AssignedMrn assigned;
  Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    assigned = {};
    CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kFacilityKind, facility_code));
    if (!record) {
      return Fail(ErrorCategory::kNotFound, "mpi.no-facility",
                  "there is no facility " + std::string(facility_code));
    }
    CHARTROOM_ASSIGN_OR_RETURN(Facility facility, Parse(record->value));
    CHARTROOM_ASSIGN_OR_RETURN(auto current, tx.Read("Patient", patient_id));
    boost::system::error_code ec;
    json::value parsed = json::parse(current.json, ec);
    if (ec || !parsed.is_object()) {
      return Fail(ErrorCategory::kInternal, "mpi.bad-stored-json", "a Patient is malformed");
    }
    json::object& patient = parsed.get_object();
    json::value& identifiers = patient["identifier"];
    if (!identifiers.is_array()) identifiers = json::array();
    for (const json::value& id : identifiers.get_array()) {
      const json::object* o = id.if_object();
      if (o != nullptr && Text(*o, "system") == facility.system && !Text(*o, "value").empty()) {
        assigned.value = Text(*o, "value");
        assigned.version = current.version;
        return Ok();
      }
    }
    CHARTROOM_ASSIGN_OR_RETURN(assigned.value, FormatMrn(facility.format, facility.next));
    json::object mrn;
    mrn["use"] = "usual";
    mrn["type"] = json::object{
        {"coding",
         json::array{json::object{{"system", "http://terminology.hl7.org/CodeSystem/v2-0203"},
                                  {"code", "MR"}}}}};
    mrn["system"] = facility.system;
    mrn["value"] = assigned.value;
    if (!facility.name.empty()) mrn["assigner"] = json::object{{"display", facility.name}};
    identifiers.get_array().push_back(std::move(mrn));
    CHARTROOM_ASSIGN_OR_RETURN(auto written, tx.Update(std::move(patient), current.version));
    ++facility.next;
    CHARTROOM_RETURN_IF_ERROR(
        tx.PutRecord(kFacilityKind, facility.code, json::serialize(facility.ToJson())));
    assigned.issued = true;
    assigned.version = written.version;
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return assigned;
}

}  // namespace chartroom::mpi
