#include "synth/generator.hpp"

#include <deque>
#include <numeric>
#include <string>
#include <vector>

#include "core/result_macros.hpp"
#include "synth/context.hpp"
#include "synth/person.hpp"
#include "synth/text.hpp"

namespace chartroom::synth {
namespace {

constexpr std::string_view kFileNames[kOutputFileCount] = {
    "Organization.ndjson",
    "Location.ndjson",
    "Practitioner.ndjson",
    "PractitionerRole.ndjson",
    "Patient.ndjson",
    "Encounter.ndjson",
    "Condition.ndjson",
    "Procedure.ndjson",
    "Observation.ndjson",
    "MedicationRequest.ndjson",
    "AllergyIntolerance.ndjson",
    "Immunization.ndjson",
    "DocumentReference.ndjson",
    "duplicates.csv",
    "not-duplicates.csv",
    "phi-spans.ndjson",
};

constexpr std::string_view kMrnSystemBase = "https://chartroom.dev/fhir/sid/mrn/";
constexpr std::string_view kNpiSystem = "http://hl7.org/fhir/sid/us-npi";

// How many earlier people a duplicate, twin or namesake may refer back to. Bounds memory.
constexpr std::size_t kRecentPeople = 4096;

// Distinct values a pattern can produce ('#' ten, '@' twenty-six), saturating.
std::uint64_t PatternSpace(std::string_view pattern) {
  std::uint64_t space = 1;
  for (char c : pattern) {
    const std::uint64_t radix = c == '#' ? 10 : (c == '@' ? 26 : 1);
    if (radix > 1) space = space > UINT64_MAX / 26 ? UINT64_MAX / 26 : space * radix;
  }
  return space;
}

std::uint64_t MulMod(std::uint64_t a, std::uint64_t b, std::uint64_t m) {
  std::uint64_t result = 0;
  a %= m;
  while (b > 0) {
    if (b & 1) result = result >= m - a ? result - (m - a) : result + a;
    a = a >= m - a ? a - (m - a) : a + a;
    b >>= 1;
  }
  return result;
}

// A multiplier for an affine permutation of [0, space): near space / golden ratio (consecutive
// serials land far apart) and coprime with space (so the permutation is one-to-one).
std::uint64_t SpreadingMultiplier(std::uint64_t space) {
  if (space < 3) return 1;
  std::uint64_t m = static_cast<std::uint64_t>(static_cast<double>(space) * 0.6180339887498949);
  while (std::gcd(m, space) != 1) ++m;
  return m % space;
}

// The serial-th value of `pattern`: serials map one-to-one onto the pattern's space through an
// affine permutation, so values look random but never repeat.
std::string FormatMrn(std::string_view pattern, std::uint64_t serial, std::uint64_t salt) {
  const std::uint64_t space = PatternSpace(pattern);
  std::uint64_t value = (MulMod(serial, SpreadingMultiplier(space), space) + salt % space) % space;
  std::string out(pattern);
  for (std::size_t i = out.size(); i-- > 0;) {
    if (out[i] == '#') {
      out[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    } else if (out[i] == '@') {
      out[i] = static_cast<char>('A' + value % 26);
      value /= 26;
    }
  }
  return out;
}

// A 10-digit NPI-shaped number: 1 or 2 then eight digits, then the Luhn check digit computed
// with the 80840 prefix (https://www.cms.gov/Regulations-and-Guidance/Administrative-
// Simplification/NationalProvIdentStand/Downloads/NPIcheckdigit.pdf).
std::string NpiShaped(Rng& rng) {
  std::string digits = rng.Chance(0.7) ? "1" : "2";
  for (int i = 0; i < 8; ++i) digits.push_back(static_cast<char>('0' + rng.Below(10)));
  int sum = 24;  // the 80840 prefix's contribution
  for (std::size_t i = 0; i < 9; ++i) {
    int d = digits[8 - i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  digits.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return digits;
}

// An SSN-shaped value in the 900-999 area, which the Social Security Administration never
// issues, so none can be a real SSN. Serials map one-to-one onto the space (unique per person).
std::string FictionalSsn(std::uint64_t serial, std::uint64_t seed) {
  constexpr std::uint64_t kGroups = 99;     // 01-99
  constexpr std::uint64_t kSerials = 9999;  // 0001-9999
  constexpr std::uint64_t kSpace = 100 * kGroups * kSerials;
  static const std::uint64_t kMultiplier = SpreadingMultiplier(kSpace);
  const std::uint64_t value = (MulMod(serial, kMultiplier, kSpace) + seed % kSpace) % kSpace;
  const std::uint64_t area = 900 + value / (kGroups * kSerials);
  const std::uint64_t group = 1 + value / kSerials % kGroups;
  const std::uint64_t number = 1 + value % kSerials;
  std::string out = std::to_string(area) + "-";
  if (group < 10) out.push_back('0');
  out += std::to_string(group) + "-";
  for (std::uint64_t p = 1000; p > number && p > 1; p /= 10) out.push_back('0');
  out += std::to_string(number);
  return out;
}

void WriteTelecom(JsonWriter& w, std::string_view system, std::string_view value,
                  std::string_view use) {
  w.BeginObject();
  w.Field("system", system);
  w.Field("value", value);
  if (!use.empty()) w.Field("use", use);
  w.EndObject();
}

void WriteFacilityAddress(JsonWriter& w, const Facility& f) {
  const City& city = Cities()[f.city];
  w.ArrayField("address");
  w.BeginObject();
  w.Field("use", "work");
  w.ArrayField("line");
  w.String(f.street);
  w.EndArray();
  w.Field("city", city.name);
  w.Field("state", city.state);
  std::string zip(city.zip3);
  zip += "00";
  w.Field("postalCode", zip);
  w.Field("country", "US");
  w.EndObject();
  w.EndArray();
}

bool Offers(const Facility& f, Specialty s) {
  return f.kind == FacilityKind::kHospital || !SpecialtyOf(s).hospital_only;
}

// Organizations, departments (Locations), clinicians and their roles.
void WriteDirectory(Context& ctx, const PersonFactory& people) {
  Rng rng(MixSeed(ctx.seed(), 0xD1EC7));
  Directory& dir = ctx.mutable_directory();
  std::string& out = ctx.buffer();

  dir.system_org_id = ctx.NewId(OutputFile::kOrganization);
  out.clear();
  {
    JsonWriter w(out);
    w.BeginObject();
    w.Field("resourceType", "Organization");
    w.Field("id", dir.system_org_id);
    w.BoolField("active", true);
    w.ArrayField("type");
    w.BeginObject();
    w.ArrayField("coding");
    WriteCoding(w, "http://terminology.hl7.org/CodeSystem/organization-type", "prov",
                "Healthcare Provider");
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.Field("name", "Chartroom Demo Health System");
    w.EndObject();
  }
  ctx.Emit(OutputFile::kOrganization, out);

  for (const Facility& f : Facilities()) {
    const std::string id = ctx.NewId(OutputFile::kOrganization);
    dir.facility_org_ids.push_back(id);
    const City& city = Cities()[f.city];
    out.clear();
    JsonWriter w(out);
    w.BeginObject();
    w.Field("resourceType", "Organization");
    w.Field("id", id);
    w.ArrayField("identifier");
    w.BeginObject();
    w.Field("system", kNpiSystem);
    w.Field("value", NpiShaped(rng));
    w.EndObject();
    w.EndArray();
    w.BoolField("active", true);
    w.ArrayField("type");
    w.BeginObject();
    w.ArrayField("coding");
    WriteCoding(w, "http://terminology.hl7.org/CodeSystem/organization-type", "prov",
                "Healthcare Provider");
    w.EndArray();
    w.EndObject();
    w.EndArray();
    w.Field("name", f.name);
    w.ArrayField("telecom");
    WriteTelecom(w, "phone", FictionalPhone(city, rng), "work");
    w.EndArray();
    WriteFacilityAddress(w, f);
    WriteReference(w, "partOf", "Organization", dir.system_org_id);
    w.EndObject();
    ctx.Emit(OutputFile::kOrganization, out);
  }

  const auto facilities = Facilities();
  for (std::size_t fi = 0; fi < facilities.size(); ++fi) {
    const Facility& f = facilities[fi];
    for (int si = 0; si < kSpecialtyCount; ++si) {
      const auto specialty = static_cast<Specialty>(si);
      if (!Offers(f, specialty)) continue;
      const SpecialtyInfo& info = SpecialtyOf(specialty);
      const std::string location_id = ctx.NewId(OutputFile::kLocation);
      dir.locations[fi][static_cast<std::size_t>(si)] = location_id;
      out.clear();
      JsonWriter w(out);
      w.BeginObject();
      w.Field("resourceType", "Location");
      w.Field("id", location_id);
      w.Field("status", "active");
      std::string name(f.name);
      name += " ";
      name += info.department;
      w.Field("name", name);
      w.Field("mode", "instance");
      w.ObjectField("physicalType");
      w.ArrayField("coding");
      WriteCoding(w, "http://terminology.hl7.org/CodeSystem/location-physical-type", "wi", "Wing");
      w.EndArray();
      w.EndObject();
      w.ArrayField("telecom");
      WriteTelecom(w, "phone", FictionalPhone(Cities()[f.city], rng), "work");
      w.EndArray();
      w.ObjectField("address");
      w.ArrayField("line");
      w.String(f.street);
      w.EndArray();
      w.Field("city", Cities()[f.city].name);
      w.Field("state", Cities()[f.city].state);
      w.Field("country", "US");
      w.EndObject();
      WriteReference(w, "managingOrganization", "Organization", dir.facility_org_ids[fi]);
      w.EndObject();
      ctx.Emit(OutputFile::kLocation, out);

      for (int n = 0; n < info.clinicians_per_site; ++n) {
        Clinician c;
        c.id = ctx.NewId(OutputFile::kPractitioner);
        const Sex sex = rng.Chance(0.5) ? Sex::kFemale : Sex::kMale;
        c.given = people.GivenName(sex, rng);
        c.family = people.Surname(rng);
        c.qualification = info.qualification;
        c.specialty = specialty;
        c.facility = static_cast<std::uint8_t>(fi);
        const bool physician = c.qualification != "NP";
        out.clear();
        JsonWriter p(out);
        p.BeginObject();
        p.Field("resourceType", "Practitioner");
        p.Field("id", c.id);
        p.ArrayField("identifier");
        p.BeginObject();
        p.Field("system", kNpiSystem);
        p.Field("value", NpiShaped(rng));
        p.EndObject();
        p.EndArray();
        p.BoolField("active", true);
        p.ArrayField("name");
        p.BeginObject();
        p.Field("use", "official");
        p.Field("family", c.family);
        p.ArrayField("given");
        p.String(c.given);
        p.EndArray();
        if (physician) {
          p.ArrayField("prefix");
          p.String("Dr.");
          p.EndArray();
        }
        p.ArrayField("suffix");
        p.String(c.qualification);
        p.EndArray();
        p.EndObject();
        p.EndArray();
        p.ArrayField("telecom");
        WriteTelecom(p, "phone", FictionalPhone(Cities()[f.city], rng), "work");
        std::string email = AsciiLower(FoldAscii(c.given)).substr(0, 1);
        for (char ch : AsciiLower(FoldAscii(c.family))) {
          if (ch >= 'a' && ch <= 'z') email.push_back(ch);
        }
        email +=
            std::to_string(dir.clinicians.size() + 1) + "@" + std::string(f.key) + ".example.org";
        WriteTelecom(p, "email", email, "work");
        p.EndArray();
        p.Field("gender", sex == Sex::kFemale ? "female" : "male");
        p.ArrayField("qualification");
        p.BeginObject();
        p.ObjectField("code");
        p.ArrayField("coding");
        WriteCoding(p, "http://terminology.hl7.org/CodeSystem/v2-0360|2.7", c.qualification,
                    c.qualification == "MD"   ? "Doctor of Medicine"
                    : c.qualification == "DO" ? "Doctor of Osteopathy"
                                              : "Nurse Practitioner");
        p.EndArray();
        p.EndObject();
        p.EndObject();
        p.EndArray();
        p.EndObject();
        ctx.Emit(OutputFile::kPractitioner, out);

        out.clear();
        JsonWriter r(out);
        r.BeginObject();
        r.Field("resourceType", "PractitionerRole");
        r.Field("id", ctx.NewId(OutputFile::kPractitionerRole));
        r.BoolField("active", true);
        WriteReference(r, "practitioner", "Practitioner", c.id);
        WriteReference(r, "organization", "Organization", dir.facility_org_ids[fi]);
        r.ArrayField("code");
        r.BeginObject();
        r.ArrayField("coding");
        WriteCoding(r, "http://terminology.hl7.org/CodeSystem/practitioner-role",
                    physician ? "doctor" : "nurse", physician ? "Doctor" : "Nurse");
        r.EndArray();
        r.EndObject();
        r.EndArray();
        r.ArrayField("specialty");
        r.BeginObject();
        r.ArrayField("coding");
        WriteCoding(r, "http://snomed.info/sct", info.snomed, info.display);
        r.EndArray();
        r.EndObject();
        r.EndArray();
        r.ArrayField("location");
        r.BeginObject();
        r.Field("reference", Context::Ref("Location", location_id));
        r.EndObject();
        r.EndArray();
        r.EndObject();
        ctx.Emit(OutputFile::kPractitionerRole, out);

        dir.staff[fi][static_cast<std::size_t>(si)].push_back(
            static_cast<std::uint16_t>(dir.clinicians.size()));
        dir.clinicians.push_back(std::move(c));
      }
    }
  }
}

void WritePatient(Context& ctx, const Person& p, const std::string& id, const std::string& mrn,
                  const std::string& pcp_id) {
  std::string& out = ctx.buffer();
  out.clear();
  JsonWriter w(out);
  const Facility& facility = Facilities()[p.facility];
  w.BeginObject();
  w.Field("resourceType", "Patient");
  w.Field("id", id);
  w.ArrayField("identifier");
  w.BeginObject();
  w.Field("use", "usual");
  w.ObjectField("type");
  w.ArrayField("coding");
  WriteCoding(w, "http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number");
  w.EndArray();
  w.EndObject();
  std::string system(kMrnSystemBase);
  system += facility.key;
  w.Field("system", system);
  w.Field("value", mrn);
  w.ObjectField("assigner");
  w.Field("reference", Context::Ref("Organization", ctx.directory().facility_org_ids[p.facility]));
  w.Field("display", facility.name);
  w.EndObject();
  w.EndObject();
  if (!p.ssn.empty()) {
    w.BeginObject();
    w.ObjectField("type");
    w.ArrayField("coding");
    WriteCoding(w, "http://terminology.hl7.org/CodeSystem/v2-0203", "SS", "Social Security number");
    w.EndArray();
    w.EndObject();
    w.Field("system", "http://hl7.org/fhir/sid/us-ssn");
    w.Field("value", p.ssn);
    w.EndObject();
  }
  w.EndArray();
  w.BoolField("active", true);
  w.ArrayField("name");
  w.BeginObject();
  w.Field("use", "official");
  w.Field("family", p.family);
  w.ArrayField("given");
  w.String(p.given);
  if (!p.middle.empty()) w.String(p.middle);
  w.EndArray();
  if (!p.suffix.empty()) {
    w.ArrayField("suffix");
    w.String(p.suffix);
    w.EndArray();
  }
  w.EndObject();
  if (!p.maiden.empty()) {
    w.BeginObject();
    w.Field("use", "maiden");
    w.Field("family", p.maiden);
    w.ArrayField("given");
    w.String(p.given);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.ArrayField("telecom");
  WriteTelecom(w, "phone", p.phone, p.phone_use);
  if (!p.email.empty()) WriteTelecom(w, "email", p.email, "home");
  w.EndArray();
  switch (p.sex) {
    case Sex::kFemale:
      w.Field("gender", "female");
      break;
    case Sex::kMale:
      w.Field("gender", "male");
      break;
    case Sex::kOther:
      w.Field("gender", "other");
      break;
    case Sex::kUnknown:
      w.Field("gender", "unknown");
      break;
  }
  std::string date;
  AppendDate(date, p.birth);
  w.Field("birthDate", date);
  if (p.death != kNoDate) {
    date.clear();
    ctx.AppendDateTime(date, p.death, 3600 * 4 + static_cast<int>(p.clinical_seed % 57600),
                       p.facility);
    w.Field("deceasedDateTime", date);
  }
  const City& city = Cities()[p.address.city];
  w.ArrayField("address");
  w.BeginObject();
  w.Field("use", "home");
  w.Field("type", "physical");
  w.ArrayField("line");
  w.String(p.address.line);
  if (!p.address.unit.empty()) w.String(p.address.unit);
  w.EndArray();
  w.Field("city", city.name);
  w.Field("state", city.state);
  w.Field("postalCode", p.address.zip);
  w.Field("country", "US");
  w.EndObject();
  w.EndArray();
  const MaritalStatus& marital = MaritalStatuses()[p.marital];
  WriteConcept(w, "maritalStatus", "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
               marital.code, marital.display);
  if (p.multiple_birth > 0) w.IntField("multipleBirthInteger", p.multiple_birth);
  if (p.has_contact) {
    w.ArrayField("contact");
    w.BeginObject();
    w.ArrayField("relationship");
    w.BeginObject();
    w.ArrayField("coding");
    WriteCoding(w, "http://terminology.hl7.org/CodeSystem/v2-0131", p.contact.role,
                p.contact.role == "N" ? "Next-of-Kin" : "Emergency Contact");
    w.EndArray();
    w.Field("text", p.contact.relation);
    w.EndObject();
    w.EndArray();
    w.ObjectField("name");
    w.Field("family", p.contact.family);
    w.ArrayField("given");
    w.String(p.contact.given);
    w.EndArray();
    w.EndObject();
    w.ArrayField("telecom");
    WriteTelecom(w, "phone", p.contact.phone, "");
    w.EndArray();
    w.EndObject();
    w.EndArray();
  }
  const Language& language = Languages()[p.language];
  w.ArrayField("communication");
  w.BeginObject();
  WriteConcept(w, "language", "urn:ietf:bcp:47", language.code, language.display);
  w.BoolField("preferred", true);
  w.EndObject();
  w.EndArray();
  if (!pcp_id.empty()) {
    w.ArrayField("generalPractitioner");
    w.BeginObject();
    w.Field("reference", Context::Ref("Practitioner", pcp_id));
    w.EndObject();
    w.EndArray();
  }
  WriteReference(w, "managingOrganization", "Organization",
                 ctx.directory().facility_org_ids[p.facility]);
  w.EndObject();
  ctx.Emit(OutputFile::kPatient, out);
}

struct Recent {
  Person person;
  std::string id;
};

Status CheckOptions(const GenerateOptions& o) {
  if (o.patients < 1 || o.patients > 100'000'000) {
    return Fail(ErrorCategory::kInvalid, "synth.invalid-option",
                "patients must be between 1 and 100000000");
  }
  if (!(o.duplicate_fraction >= 0 && o.duplicate_fraction <= 0.5)) {
    return Fail(ErrorCategory::kInvalid, "synth.invalid-option",
                "duplicates must be a fraction between 0 and 0.5");
  }
  if (!ParseDate(o.reference_date)) {
    return Fail(ErrorCategory::kInvalid, "synth.invalid-option",
                "reference-date must be a date YYYY-MM-DD between 1900 and 2100");
  }
  const auto check_pattern = [&](std::string_view pattern) -> Status {
    if (pattern.empty() || pattern.size() > 40) {
      return Fail(ErrorCategory::kInvalid, "synth.invalid-option",
                  "mrn-format must be 1 to 40 characters");
    }
    for (char c : pattern) {
      if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7E) {
        return Fail(ErrorCategory::kInvalid, "synth.invalid-option",
                    "mrn-format may hold only printable ASCII without spaces");
      }
    }
    if (PatternSpace(pattern) < o.patients) {
      return Fail(ErrorCategory::kInvalid, "synth.invalid-option",
                  "mrn-format has room for fewer MRNs than patients; add '#' or '@'");
    }
    return Ok();
  };
  if (!o.mrn_format.empty()) {
    CHARTROOM_RETURN_IF_ERROR(check_pattern(o.mrn_format));
  } else {
    for (const Facility& f : Facilities()) CHARTROOM_RETURN_IF_ERROR(check_pattern(f.mrn_format));
  }
  return Ok();
}

}  // namespace

std::string_view FileName(OutputFile file) { return kFileNames[static_cast<std::size_t>(file)]; }

bool IsResourceFile(OutputFile file) { return file < OutputFile::kDuplicates; }

// ---------------------------------------------------------------------------------- Context

Context::Context(const GenerateOptions& options, Days reference, OutputSink& sink)
    : options_(options), reference_(reference), sink_(sink) {}

std::string Context::NewId(OutputFile file) {
  const auto index = static_cast<std::size_t>(file);
  const std::uint64_t n = id_counters_[index]++;
  const std::uint64_t hi = MixSeed(MixSeed(options_.seed, index + 1), n);
  const std::uint64_t lo = MixSeed(hi, n ^ 0x5bd1e995);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(36);
  for (int i = 0; i < 32; ++i) {
    const std::uint64_t word = i < 16 ? hi : lo;
    unsigned nibble = static_cast<unsigned>(word >> (60 - 4 * (i % 16))) & 0xF;
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // RFC 4122 variant
    if (i == 8 || i == 12 || i == 16 || i == 20) id.push_back('-');
    id.push_back(kHex[nibble]);
  }
  return id;
}

std::string Context::NextMrn(std::uint8_t facility) {
  const Facility& f = Facilities()[facility];
  const std::string_view pattern =
      options_.mrn_format.empty() ? f.mrn_format : std::string_view(options_.mrn_format);
  return FormatMrn(pattern, mrn_counters_[facility]++, MixSeed(options_.seed, 0x3a7 + facility));
}

void Context::Emit(OutputFile file, std::string& line) {
  if (!status_) return;
  line.push_back('\n');
  status_ = sink_.Append(file, line);
  const auto index = static_cast<std::size_t>(file);
  summary_.lines[index] += 1;
  summary_.bytes[index] += line.size();
  if (IsResourceFile(file)) ++summary_.resources;
}

std::string Context::Ref(std::string_view type, std::string_view id) {
  std::string ref(type);
  ref.push_back('/');
  ref += id;
  return ref;
}

void Context::AppendDateTime(std::string& out, Days day, int seconds, std::uint8_t facility) const {
  synth::AppendDateTime(out, day, seconds, Cities()[Facilities()[facility].city]);
}

std::uint8_t Directory::SiteFor(std::uint8_t home, Specialty specialty) const {
  if (!locations[home][static_cast<std::size_t>(specialty)].empty()) return home;
  const std::string_view state = Cities()[Facilities()[home].city].state;
  const auto facilities = Facilities();
  std::uint8_t fallback = 0;
  bool found = false;
  for (std::size_t i = 0; i < facilities.size(); ++i) {
    if (locations[i][static_cast<std::size_t>(specialty)].empty()) continue;
    if (Cities()[facilities[i].city].state == state) return static_cast<std::uint8_t>(i);
    if (!found) fallback = static_cast<std::uint8_t>(i);
    found = true;
  }
  return fallback;
}

const Clinician& Directory::Pick(std::uint8_t facility, Specialty specialty, Rng& rng) const {
  const std::vector<std::uint16_t>& pool = staff[facility][static_cast<std::size_t>(specialty)];
  CHARTROOM_CHECK(!pool.empty());
  return clinicians[pool[rng.Index(pool.size())]];
}

// ---------------------------------------------------------------------------------- helpers

void WriteCoding(JsonWriter& w, std::string_view system, std::string_view code,
                 std::string_view display) {
  w.BeginObject();
  w.Field("system", system);
  w.Field("code", code);
  if (!display.empty()) w.Field("display", display);
  w.EndObject();
}

void WriteConcept(JsonWriter& w, std::string_view key, std::string_view system,
                  std::string_view code, std::string_view display) {
  w.ObjectField(key);
  w.ArrayField("coding");
  WriteCoding(w, system, code, display);
  w.EndArray();
  w.EndObject();
}

void WriteReference(JsonWriter& w, std::string_view key, std::string_view type,
                    std::string_view id) {
  w.ObjectField(key);
  std::string ref(type);
  ref.push_back('/');
  ref += id;
  w.Field("reference", ref);
  w.EndObject();
}

// ---------------------------------------------------------------------------------- Generate

Result<GenerateSummary> Generate(const GenerateOptions& options, OutputSink& sink) {
  CHARTROOM_RETURN_IF_ERROR(CheckOptions(options));
  const Days reference = *ParseDate(options.reference_date);
  Context ctx(options, reference, sink);
  const PersonFactory people(reference);

  std::string header = "patient_id,duplicate_of\n";
  CHARTROOM_RETURN_IF_ERROR(sink.Append(OutputFile::kDuplicates, header));
  header = "patient_id,other_id,relationship\n";
  CHARTROOM_RETURN_IF_ERROR(sink.Append(OutputFile::kNotDuplicates, header));

  WriteDirectory(ctx, people);

  std::deque<Recent> recent;  // the last kRecentPeople distinct people (not duplicates)
  bool twin_pending = false;
  std::string line;
  const double f = options.duplicate_fraction;
  for (std::uint64_t i = 0; i < options.patients && !ctx.failed(); ++i) {
    Rng rng(MixSeed(options.seed, i + 0x100000));
    const bool duplicate_slot = static_cast<std::uint64_t>(static_cast<double>(i + 1) * f) >
                                static_cast<std::uint64_t>(static_cast<double>(i) * f);
    Person person;
    std::string related_id;
    std::string_view relationship;  // for not-duplicates.csv
    bool duplicate = false;
    if (duplicate_slot && !recent.empty()) {
      const Recent& original = recent[rng.Index(recent.size())];
      person = people.DuplicateOf(original.person, rng);
      related_id = original.id;
      duplicate = true;
    } else if (twin_pending && !recent.empty()) {
      person = people.TwinOf(recent.back().person, rng);
      related_id = recent.back().id;
      relationship = "twin";
      twin_pending = false;
    } else if (!recent.empty() && rng.Chance(0.008)) {
      const Recent& other = recent[rng.Index(recent.size())];
      person = people.SameNameAs(other.person, rng);
      related_id = other.id;
      relationship = "same-name";
    } else {
      person = people.NewPerson(rng);
      // One birth in about a hundred is a twin birth; the twin is registered next.
      if (person.death == kNoDate && rng.Chance(0.012)) {
        person.multiple_birth = 1;
        twin_pending = true;
      }
    }
    if (!duplicate)
      person.ssn = AgeOn(person.birth, reference) >= 1 && rng.Chance(0.88)
                       ? FictionalSsn(i, options.seed)
                       : std::string();

    const std::string id = ctx.NewId(OutputFile::kPatient);
    const std::string mrn = ctx.NextMrn(person.facility);
    std::string pcp_id;
    if (rng.Chance(0.7)) {
      const Specialty s =
          AgeOn(person.birth, reference) < 18 ? Specialty::kPediatrics : Specialty::kFamilyMedicine;
      pcp_id = ctx.directory().Pick(ctx.directory().SiteFor(person.facility, s), s, rng).id;
    }
    WritePatient(ctx, person, id, mrn, pcp_id);
    if (options.charts) WriteChart(ctx, person, id, mrn, duplicate ? 0.3 : 1.0);

    if (duplicate) {
      line = id + "," + related_id;
      ctx.Emit(OutputFile::kDuplicates, line);
      ++ctx.summary().duplicates;
    } else {
      if (!relationship.empty()) {
        line = id + "," + related_id + "," + std::string(relationship);
        ctx.Emit(OutputFile::kNotDuplicates, line);
        ++(relationship == "twin" ? ctx.summary().twins : ctx.summary().same_names);
      }
      recent.push_back({std::move(person), id});
      if (recent.size() > kRecentPeople) recent.pop_front();
    }
  }
  if (ctx.failed()) return tl::unexpected(ctx.status().error());
  return ctx.summary();
}

}  // namespace chartroom::synth
