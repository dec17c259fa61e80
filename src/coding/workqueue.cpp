#include "coding/workqueue.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "fhir/search/query.hpp"

namespace chartroom::coding {
namespace json = boost::json;
namespace {

constexpr std::size_t kPage = 1000;
constexpr std::uint32_t kScan = 200;

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string At(const json::object& o, std::string_view a, std::string_view b) {
  const json::value* v = o.if_contains(a);
  return v != nullptr && v->is_object() ? Text(v->get_object(), b) : std::string();
}

Result<json::object> Parse(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCategory::kInternal, "coding.bad-stored-json", "a stored document is damaged");
  }
  return std::move(v.get_object());
}

// Days between two instants' dates ("2024-03-01T10:00:00Z"); 0 when either is unreadable.
std::int64_t DaysSince(std::string_view when, core::Timestamp now) {
  const auto date = ParseDate(when.substr(0, std::min<std::size_t>(when.size(), 10)));
  if (!date) return 0;
  const std::chrono::sys_days then{
      std::chrono::year_month_day{std::chrono::year(*date / 10000),
                                  std::chrono::month(static_cast<unsigned>(*date / 100 % 100)),
                                  std::chrono::day(static_cast<unsigned>(*date % 100))}};
  return std::max<std::int64_t>(
      0, std::chrono::floor<std::chrono::days>(now).time_since_epoch().count() -
             then.time_since_epoch().count());
}

json::array ItemsJson(const std::vector<CodedItem>& items, bool poa) {
  json::array out;
  for (const CodedItem& i : items) {
    json::object o{{"code", i.code}};
    if (poa && i.poa) o["poa"] = *i.poa;
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<CodedItem> ItemsOf(const json::object& o, std::string_view key) {
  std::vector<CodedItem> out;
  const json::value* list = o.if_contains(key);
  if (list == nullptr || !list->is_array()) return out;
  for (const json::value& v : list->get_array()) {
    if (!v.is_object()) continue;
    CodedItem item{Text(v.get_object(), "code"), std::nullopt};
    if (v.get_object().contains("poa")) item.poa = Text(v.get_object(), "poa");
    out.push_back(std::move(item));
  }
  return out;
}

json::object RecordJson(const CodingCase& c) {
  json::object o;
  o["encounter"] = c.encounter;
  o["patient"] = c.patient;
  o["status"] = c.status;
  o["coder"] = c.coder;
  o["diagnoses"] = ItemsJson(c.diagnoses, true);
  o["procedures"] = ItemsJson(c.procedures, false);
  if (!c.saved_at.empty()) o["saved_at"] = c.saved_at;
  if (!c.finalized_at.empty()) o["finalized_at"] = c.finalized_at;
  if (!c.claim.empty()) o["claim"] = c.claim;
  return o;
}

CodingCase CaseOf(const json::object& o) {
  CodingCase c;
  c.encounter = Text(o, "encounter");
  c.patient = Text(o, "patient");
  c.status = Text(o, "status");
  c.coder = Text(o, "coder");
  c.diagnoses = ItemsOf(o, "diagnoses");
  c.procedures = ItemsOf(o, "procedures");
  c.saved_at = Text(o, "saved_at");
  c.finalized_at = Text(o, "finalized_at");
  c.claim = Text(o, "claim");
  return c;
}

// What the edits need of the encounter and its patient.
struct Encounter {
  json::object resource;
  std::string patient;  // id
  std::string discharged;
  std::string encounter_class;
};

Result<Encounter> ReadEncounter(store::Transaction* tx, store::ResourceStore& store,
                                std::string_view id) {
  auto version = tx != nullptr ? tx->Read("Encounter", id) : store.Read("Encounter", id);
  if (!version) return tl::unexpected(version.error());
  CHARTROOM_ASSIGN_OR_RETURN(json::object resource, Parse(version->json));
  if (Text(resource, "status") != "finished") {
    return Fail(ErrorCategory::kConflict, "coding.not-finished",
                "the encounter is not finished: it is coded after discharge");
  }
  Encounter e;
  std::string subject = At(resource, "subject", "reference");
  e.patient = subject.starts_with("Patient/") ? subject.substr(8) : std::string();
  e.discharged = At(resource, "period", "end");
  e.encounter_class = At(resource, "class", "code");
  e.resource = std::move(resource);
  return e;
}

// The edits of `c`'s codes for its encounter and patient (sex, age at discharge, date).
Result<std::vector<Edit>> EditsFor(store::ResourceStore& store, const Catalog& catalog,
                                   const Encounter& e, const CodingCase& c) {
  CheckRequest request;
  request.diagnoses = c.diagnoses;
  request.procedures = c.procedures;
  if (auto date =
          ParseDate(e.discharged.substr(0, std::min<std::size_t>(e.discharged.size(), 10)))) {
    request.discharge_date = *date;
  }
  if (!e.patient.empty()) {
    if (auto patient = store.Read("Patient", e.patient)) {
      CHARTROOM_ASSIGN_OR_RETURN(json::object p, Parse(patient->json));
      const std::string gender = Text(p, "gender");
      request.sex = gender == "male" ? 'm' : gender == "female" ? 'f' : 'u';
      const auto birth = ParseDate(Text(p, "birthDate"));
      if (birth && request.discharge_date) {
        request.age_years = (*request.discharge_date - *birth) / 10000;
      }
    }
  }
  return Check(catalog, request);
}

Result<std::optional<CodingCase>> StoredCase(store::Transaction& tx, std::string_view encounter) {
  CHARTROOM_ASSIGN_OR_RETURN(auto record, tx.GetRecord(kCaseKind, encounter));
  if (!record) return std::optional<CodingCase>();
  CHARTROOM_ASSIGN_OR_RETURN(json::object o, Parse(record->value));
  return std::optional<CodingCase>(CaseOf(o));
}

Status Holdable(const CodingCase& c, std::string_view coder) {
  if (c.status == "final") {
    return Fail(ErrorCategory::kConflict, "coding.final", "the case is final-coded");
  }
  if (!c.coder.empty() && c.coder != coder) {
    return Fail(ErrorCategory::kConflict, "coding.claimed", "another coder holds the case");
  }
  return Ok();
}

json::object Coding(std::string_view system, std::string_view code, std::string_view display) {
  json::object c{{"system", system}, {"code", code}};
  if (!display.empty()) c["display"] = display;
  return c;
}

json::object ClaimResource(const Catalog& catalog, const Encounter& e, const CodingCase& c,
                           core::Timestamp now) {
  json::object claim;
  claim["resourceType"] = "Claim";
  claim["status"] = "active";
  claim["type"] = json::object{
      {"coding",
       json::array{Coding("http://terminology.hl7.org/CodeSystem/claim-type",
                          e.encounter_class == "IMP" ? "institutional" : "professional", "")}}};
  claim["use"] = "claim";
  claim["patient"] = json::object{{"reference", "Patient/" + e.patient}};
  claim["created"] = core::FormatInstant(now);
  const json::value* provider = e.resource.if_contains("serviceProvider");
  claim["provider"] = provider != nullptr && provider->is_object()
                          ? *provider
                          : json::value(json::object{{"display", "not recorded"}});
  claim["priority"] = json::object{
      {"coding",
       json::array{Coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal", "")}}};
  claim["insurance"] = json::array{json::object{
      {"sequence", 1}, {"focal", true}, {"coverage", json::object{{"display", "not recorded"}}}}};
  json::array diagnoses;
  for (std::size_t i = 0; i < c.diagnoses.size(); ++i) {
    const std::string code = Normalize(c.diagnoses[i].code);
    const Concept* concept_ = catalog.Find(System::kIcd10Cm, code);
    json::object d;
    d["sequence"] = static_cast<std::int64_t>(i + 1);
    d["diagnosisCodeableConcept"] = json::object{
        {"coding", json::array{Coding(SystemUri(System::kIcd10Cm), Display(System::kIcd10Cm, code),
                                      concept_ != nullptr ? concept_->title : "")}}};
    d["type"] = json::array{json::object{
        {"coding", json::array{Coding("http://terminology.hl7.org/CodeSystem/ex-diagnosistype",
                                      i == 0 ? "principal" : "secondary", "")}}}};
    std::string poa = c.diagnoses[i].poa.value_or("");
    std::transform(poa.begin(), poa.end(), poa.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    if (poa == "y" || poa == "n" || poa == "u" || poa == "w") {
      d["onAdmission"] = json::object{
          {"coding",
           json::array{Coding("http://terminology.hl7.org/CodeSystem/ex-diagnosis-on-admission",
                              poa, "")}}};
    }
    diagnoses.push_back(std::move(d));
  }
  if (!diagnoses.empty()) claim["diagnosis"] = std::move(diagnoses);
  json::array procedures;
  for (std::size_t i = 0; i < c.procedures.size(); ++i) {
    const std::string code = Normalize(c.procedures[i].code);
    const System system = code.size() == 7                     ? System::kIcd10Pcs
                          : (code[0] >= '0' && code[0] <= '9') ? System::kCpt
                                                               : System::kHcpcs;
    const Concept* concept_ = catalog.Find(system, code);
    procedures.push_back(json::object{
        {"sequence", static_cast<std::int64_t>(i + 1)},
        {"procedureCodeableConcept",
         json::object{
             {"coding", json::array{Coding(SystemUri(system), code,
                                           concept_ != nullptr ? concept_->title : "")}}}}});
  }
  if (!procedures.empty()) claim["procedure"] = std::move(procedures);
  claim["item"] = json::array{json::object{
      {"sequence", 1},
      {"productOrService", json::object{{"text", "encounter"}}},
      {"encounter", json::array{json::object{{"reference", "Encounter/" + c.encounter}}}}}};
  return claim;
}

json::object ProvenanceResource(const CodingCase& c, std::string_view claim_id,
                                core::Timestamp now) {
  json::object p;
  p["resourceType"] = "Provenance";
  p["target"] = json::array{json::object{{"reference", "Claim/" + std::string(claim_id)}},
                            json::object{{"reference", "Encounter/" + c.encounter}}};
  p["recorded"] = core::FormatInstant(now);
  p["activity"] = json::object{
      {"coding", json::array{Coding("http://terminology.hl7.org/CodeSystem/v3-DataOperation",
                                    "CREATE", "create")}}};
  p["reason"] = json::array{json::object{{"text", "final coding"}}};
  p["agent"] = json::array{json::object{
      {"type", json::object{{"coding", json::array{Coding("http://terminology.hl7.org/CodeSystem/"
                                                          "provenance-participant-type",
                                                          "author", "Author")}}}},
      {"who", json::object{{"identifier",
                            json::object{{"system", "urn:chartroom:user"}, {"value", c.coder}}},
                           {"display", c.coder}}}}};
  return p;
}

}  // namespace

json::object CodingCase::ToJson() const {
  json::object o = RecordJson(*this);
  o["edits"] = EditsToJson(edits).at("edits");
  return o;
}

json::object QueueStats::ToJson() const {
  json::array coder_list;
  for (const CoderStats& c : coders) {
    coder_list.push_back(json::object{
        {"coder", c.coder}, {"finalized", c.finalized}, {"finalized_today", c.finalized_today}});
  }
  return json::object{
      {"backlog", backlog},
      {"in_progress", in_progress},
      {"by_age_days",
       json::object{
           {"0-3", by_age[0]}, {"4-7", by_age[1]}, {"8-30", by_age[2]}, {"over-30", by_age[3]}}},
      {"coders", std::move(coder_list)}};
}

namespace {

// Every case record, by encounter.
Result<std::map<std::string, CodingCase>> AllCases(store::ResourceStore& store) {
  std::map<std::string, CodingCase> out;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kCaseKind, after, kPage));
    for (const store::Record& r : page) {
      CHARTROOM_ASSIGN_OR_RETURN(json::object o, Parse(r.value));
      out.emplace(r.key, CaseOf(o));
    }
    if (page.size() < kPage) break;
    after = page.back().key;
  }
  return out;
}

// Walks finished encounters (of one class, or all), oldest discharge first, until `visit`
// returns false.
Status ForEachFinished(
    store::ResourceStore& store, const std::string& encounter_class,
    const std::function<bool(const json::object&, const std::string& id)>& visit) {
  std::string query = "status=finished&_sort=date&_count=" + std::to_string(kScan);
  if (!encounter_class.empty()) query += "&class=" + encounter_class;
  CHARTROOM_ASSIGN_OR_RETURN(
      fhir::search::SearchQuery q,
      fhir::search::ParseSearchQuery("Encounter", query, fhir::search::Handling::kStrict));
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage results, store.Search(q));
    for (const store::ResourceVersion& v : results.matches) {
      CHARTROOM_ASSIGN_OR_RETURN(json::object e, Parse(v.json));
      if (!visit(e, v.id)) return Ok();
    }
    if (!results.next_page) return Ok();
    q.page_token = results.next_page;
  }
}

}  // namespace

Result<QueuePage> ListQueue(store::ResourceStore& store, core::Timestamp now,
                            const QueueQuery& query) {
  CHARTROOM_ASSIGN_OR_RETURN(auto cases, AllCases(store));
  // The page token is the number of queue entries before the page.
  std::size_t offset = 0;
  if (!query.page.empty()) {
    char* end = nullptr;
    offset = std::strtoull(query.page.c_str(), &end, 10);
    if (end == query.page.c_str() || *end != '\0') {
      return Fail(ErrorCategory::kInvalid, "coding.bad-page", "not a page of this queue");
    }
  }
  QueuePage page;
  std::size_t seen = 0;
  bool more = false;
  CHARTROOM_RETURN_IF_ERROR(ForEachFinished(
      store, query.encounter_class, [&](const json::object& e, const std::string& id) {
        const auto c = cases.find(id);
        if (c != cases.end() && c->second.status == "final") return true;
        if (seen++ < offset) return true;
        if (page.items.size() == query.count) {
          more = true;
          return false;
        }
        QueueItem item;
        item.encounter = id;
        const std::string subject = At(e, "subject", "reference");
        item.patient = subject.starts_with("Patient/") ? subject.substr(8) : "";
        item.encounter_class = At(e, "class", "code");
        item.discharged = At(e, "period", "end");
        item.age_days = DaysSince(item.discharged, now);
        item.status = c == cases.end() ? "uncoded" : "in-progress";
        if (c != cases.end()) item.coder = c->second.coder;
        page.items.push_back(std::move(item));
        return true;
      }));
  if (more) page.next_page = std::to_string(offset + page.items.size());
  return page;
}

Result<CodingCase> GetCase(store::ResourceStore& store, const Catalog& catalog,
                           std::string_view encounter) {
  CHARTROOM_ASSIGN_OR_RETURN(Encounter e, ReadEncounter(nullptr, store, encounter));
  CodingCase c;
  Status read = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto stored, StoredCase(tx, encounter));
    c = stored.value_or(CodingCase{});
    return Ok();
  });
  if (!read) return tl::unexpected(read.error());
  if (c.status.empty()) c.status = "uncoded";
  c.encounter = std::string(encounter);
  c.patient = e.patient;
  CHARTROOM_ASSIGN_OR_RETURN(c.edits, EditsFor(store, catalog, e, c));
  return c;
}

Result<CodingCase> ClaimCase(store::ResourceStore& store, const Catalog& catalog,
                             std::string_view encounter, std::string_view coder,
                             core::Timestamp now) {
  CHARTROOM_ASSIGN_OR_RETURN(Encounter e, ReadEncounter(nullptr, store, encounter));
  CodingCase c;
  Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto stored, StoredCase(tx, encounter));
    c = stored.value_or(CodingCase{});
    CHARTROOM_RETURN_IF_ERROR(Holdable(c, coder));
    c.encounter = std::string(encounter);
    c.patient = e.patient;
    c.status = "in-progress";
    c.coder = std::string(coder);
    if (c.saved_at.empty()) c.saved_at = core::FormatInstant(now);
    return tx.PutRecord(kCaseKind, encounter, json::serialize(RecordJson(c)));
  });
  if (!done) return tl::unexpected(done.error());
  CHARTROOM_ASSIGN_OR_RETURN(c.edits, EditsFor(store, catalog, e, c));
  return c;
}

Result<CodingCase> SaveCase(store::ResourceStore& store, const Catalog& catalog,
                            std::string_view encounter, std::string_view coder,
                            std::vector<CodedItem> diagnoses, std::vector<CodedItem> procedures,
                            core::Timestamp now) {
  CHARTROOM_ASSIGN_OR_RETURN(Encounter e, ReadEncounter(nullptr, store, encounter));
  CodingCase c;
  Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto stored, StoredCase(tx, encounter));
    c = stored.value_or(CodingCase{});
    CHARTROOM_RETURN_IF_ERROR(Holdable(c, coder));
    c.encounter = std::string(encounter);
    c.patient = e.patient;
    c.status = "in-progress";
    c.coder = std::string(coder);
    c.diagnoses = diagnoses;
    c.procedures = procedures;
    c.saved_at = core::FormatInstant(now);
    return tx.PutRecord(kCaseKind, encounter, json::serialize(RecordJson(c)));
  });
  if (!done) return tl::unexpected(done.error());
  CHARTROOM_ASSIGN_OR_RETURN(c.edits, EditsFor(store, catalog, e, c));
  return c;
}

Result<CodingCase> FinalizeCase(store::ResourceStore& store, const Catalog& catalog,
                                std::string_view encounter, std::string_view coder,
                                core::Timestamp now, const CaseWitness& witness) {
  CHARTROOM_ASSIGN_OR_RETURN(Encounter e, ReadEncounter(nullptr, store, encounter));
  CodingCase c;
  Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto stored, StoredCase(tx, encounter));
    if (!stored) {
      return Fail(ErrorCategory::kConflict, "coding.not-saved",
                  "the case has no codes yet: save them first");
    }
    c = *stored;
    CHARTROOM_RETURN_IF_ERROR(Holdable(c, coder));
    CHARTROOM_ASSIGN_OR_RETURN(c.edits, EditsFor(store, catalog, e, c));
    std::string errors;
    for (const Edit& edit : c.edits) {
      if (edit.severity == Severity::kError) {
        errors += (errors.empty() ? "" : "; ") + edit.target + " " + edit.code;
      }
    }
    if (!errors.empty()) {
      return Fail(ErrorCategory::kInvalid, "coding.edits-failed",
                  "the case cannot be final while edits fail: " + errors);
    }
    CHARTROOM_ASSIGN_OR_RETURN(auto claim, tx.Create(ClaimResource(catalog, e, c, now)));
    CHARTROOM_RETURN_IF_ERROR(tx.Create(ProvenanceResource(c, claim.id, now)));
    c.status = "final";
    c.claim = claim.id;
    c.finalized_at = core::FormatInstant(now);
    CHARTROOM_RETURN_IF_ERROR(tx.PutRecord(kCaseKind, encounter, json::serialize(RecordJson(c))));
    if (witness) CHARTROOM_RETURN_IF_ERROR(witness(tx, c));
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return c;
}

Result<QueueStats> Stats(store::ResourceStore& store, core::Timestamp now,
                         const std::string& encounter_class) {
  CHARTROOM_ASSIGN_OR_RETURN(auto cases, AllCases(store));
  QueueStats stats;
  std::map<std::string, CoderStats> coders;
  const std::string today = core::FormatInstant(now).substr(0, 10);
  for (const auto& [id, c] : cases) {
    if (c.status != "final") continue;
    CoderStats& s = coders[c.coder];
    s.coder = c.coder;
    ++s.finalized;
    if (c.finalized_at.starts_with(today)) ++s.finalized_today;
  }
  for (auto& [name, s] : coders) stats.coders.push_back(s);
  CHARTROOM_RETURN_IF_ERROR(
      ForEachFinished(store, encounter_class, [&](const json::object& e, const std::string& id) {
        const auto c = cases.find(id);
        if (c != cases.end() && c->second.status == "final") return true;
        ++stats.backlog;
        if (c != cases.end()) ++stats.in_progress;
        const std::int64_t age = DaysSince(At(e, "period", "end"), now);
        ++stats.by_age[age <= 3 ? 0 : age <= 7 ? 1 : age <= 30 ? 2 : 3];
        return true;
      }));
  return stats;
}

}  // namespace chartroom::coding
