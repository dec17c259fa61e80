// Release of information over real HTTP: each requester type taken from intake to a packet (or
// to its refusal), the packet read back as PDF text with poppler and as a Bundle, and the
// accounting of disclosures. The server's clock reads 2024-03-01.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <boost/json.hpp>

#include "crypto/keyed_hash.hpp"
#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kJson = "application/json";

// The text poppler reads from a PDF (pdftotext, from poppler-utils).
std::string PdfText(const std::string& pdf) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("chartroom-roi-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".pdf");
  std::ofstream(file, std::ios::binary) << pdf;
  std::string text;
  if (FILE* p = popen(("pdftotext -layout '" + file.string() + "' - 2>&1").c_str(), "r")) {
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, p)) text.append(buffer, n);
    pclose(p);
  }
  std::filesystem::remove(file);
  EXPECT_FALSE(text.empty()) << "pdftotext is missing: install poppler-utils";
  return text;
}

// With CHARTROOM_ROI_SAMPLES set, the sample files of docs/roi.md are written there (render
// them with `pdftoppm -png -r 80`).
void KeepSample(const std::string& name, const std::string& pdf) {
  if (const char* dir = std::getenv("CHARTROOM_ROI_SAMPLES"); dir != nullptr) {
    std::ofstream(std::filesystem::path(dir) / name, std::ios::binary) << pdf;
  }
}

std::size_t Count(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string_view::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

std::string Hipaa(std::string_view recipient, std::string_view expires = "2025-01-31",
                  std::string_view sensitive = "") {
  return R"({"kind":"hipaa","information":"Encounters, problems, results and documents of 2024",)"
         R"("discloser":"Chartroom General Hospital","recipient":")" +
         std::string(recipient) + R"(","purpose":"Personal injury claim","expires":")" +
         std::string(expires) +
         R"(","signed_by":"Ann Example","signed_on":"2024-02-20",)"
         R"("sensitive":[)" +
         std::string(sensitive) +
         R"(],"statements":{"revocation":true,"conditioning":true,"redisclosure":true}})";
}

std::string Part2(std::string_view recipient) {
  return R"({"kind":"part2","information":"Problems of 2024","sud_information":)"
         R"("Opioid use disorder diagnosis and its treatment","discloser":"Chartroom General )"
         R"(Hospital","recipient":")" +
         std::string(recipient) +
         R"(","purpose":"Personal injury claim","expires":"2025-01-31","signed_by":"Ann Example",)"
         R"("signed_on":"2024-02-20","statements":{"revocation":true}})";
}

class RoiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Put("/fhir/Patient/p1",
        R"({"resourceType":"Patient","id":"p1","identifier":[{"type":{"coding":[{"code":"MR"}]},)"
        R"("value":"MRN-0001"}],"name":[{"family":"Example","given":["Ann"]}],)"
        R"("birthDate":"1970-06-15","gender":"female"})");
    auto encounter = [&](std::string id, std::string start) {
      Put("/fhir/Encounter/" + id,
          R"({"resourceType":"Encounter","id":")" + id +
              R"(","status":"finished","class":{"code":"IMP"},"subject":{"reference":)"
              R"("Patient/p1"},"period":{"start":")" +
              start + R"(T08:00:00Z","end":")" + start + R"(T18:00:00Z"}})");
    };
    encounter("e2023", "2023-05-01");
    encounter("e2024", "2024-02-01");
    auto condition = [&](std::string id, std::string code, std::string display) {
      Put("/fhir/Condition/" + id,
          R"({"resourceType":"Condition","id":")" + id +
              R"(","subject":{"reference":"Patient/p1"},"recordedDate":"2024-02-01",)"
              R"("code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":")" +
              code + R"(","display":")" + display + R"("}]}})");
    };
    condition("c-dm", "E11.9", "Type 2 diabetes mellitus without complications");
    condition("c-sud", "F11.20", "Opioid dependence, uncomplicated");
    condition("c-hiv", "B20", "Human immunodeficiency virus disease");
    Put("/fhir/Observation/o1",
        R"({"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":)"
        R"("Patient/p1"},"effectiveDateTime":"2024-02-01T09:00:00Z","code":{"text":"Glucose"},)"
        R"("valueQuantity":{"value":142,"unit":"mg/dL"}})");
    Put("/fhir/DocumentReference/d1",
        R"({"resourceType":"DocumentReference","id":"d1","status":"current","subject":)"
        R"({"reference":"Patient/p1"},"date":"2024-02-02T10:00:00Z","type":{"text":)"
        R"("Discharge summary"},"content":[{"attachment":{"contentType":"text/plain","data":")" +
            crypto::EncodeBase64("Admitted for hyperglycemia. Discharged home on metformin.") +
            R"("}}]})");
    // p1 asserted a condition of her child p2: in p1's compartment, but p2's record.
    Put("/fhir/Patient/p2",
        R"({"resourceType":"Patient","id":"p2","name":[{"family":"Example","given":["Bo"]}],)"
        R"("birthDate":"2010-01-01"})");
    Put("/fhir/Condition/c-child",
        R"({"resourceType":"Condition","id":"c-child","subject":{"reference":"Patient/p2"},)"
        R"("asserter":{"reference":"Patient/p1"},"recordedDate":"2024-02-05","code":{"text":)"
        R"("Asthma"}})");
    Put("/fhir/DocumentReference/d-psy",
        R"({"resourceType":"DocumentReference","id":"d-psy","status":"current","meta":)"
        R"({"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode",)"
        R"("code":"PSYTHPN"}]},"subject":{"reference":"Patient/p1"},"date":)"
        R"("2024-02-03T10:00:00Z","type":{"text":"Psychotherapy note"},"content":[{"attachment":{"contentType":)"
        R"("text/plain","data":")" +
            crypto::EncodeBase64("Session notes.") + R"("}}]})");
  }

  void Put(const std::string& target, const std::string& body) {
    const HttpResult r = client_.Put(target, body);
    ASSERT_TRUE(r.status == 200 || r.status == 201) << target << ": " << r.body;
  }
  HttpResult Post(const std::string& target, const std::string& body = "{}") {
    return client_.Post(target, body, {{"Content-Type", std::string(kJson)}});
  }
  // Intake of a request; returns its id ("" when refused).
  std::string Intake(std::string_view type, std::string_view purpose, std::string extra = "",
                     std::string_view family = "Example") {
    const HttpResult r = Post("/api/roi/requests",
                              R"({"requester":{"type":")" + std::string(type) +
                                  R"(","name":"Casey Requester","organization":"Requester )"
                                  R"(Org","address":"1 Main St, Springfield"},"patient":"p1",)"
                                  R"("identification":{"family":")" +
                                  std::string(family) +
                                  R"(","given":"Ann","birth_date":"1970-06-15"},"requested":)"
                                  R"({"record_types":["all"],"from":"2024-01-01"},"purpose":")" +
                                  std::string(purpose) + "\"" + extra + "}");
    last_ = r;
    return r.status == 201 ? Str(r.json(), "id") : "";
  }
  // The references a fulfilled request released.
  static std::set<std::string> Released(const json::value& request) {
    std::set<std::string> out;
    for (const json::value& ref : At(request, "release.resources")->as_array()) {
      const std::string s(ref.as_string());
      out.insert(s.substr(0, s.find("/_history/")));
    }
    return out;
  }

  TestServer server_;
  HttpClient client_ = server_.Client();
  HttpResult last_;
};

TEST_F(RoiTest, APatientGetsTheirRecordWithoutPsychotherapyNotes) {
  const std::string id = Intake("patient", "personal", R"(,"delivery":"portal")");
  ASSERT_FALSE(id.empty()) << last_.body;
  const json::value created = last_.json();
  EXPECT_EQ(Str(created, "status"), "in-review");  // the right of access needs no authorization
  EXPECT_EQ(Str(created, "basis"), "right-of-access");
  EXPECT_EQ(Str(created, "due"), "2024-03-31");  // 30 days

  const HttpResult fulfilled = Post("/api/roi/requests/" + id + "/fulfil");
  ASSERT_EQ(fulfilled.status, 200) << fulfilled.body;
  const json::value r = fulfilled.json();
  EXPECT_EQ(Str(r, "status"), "fulfilled");
  const std::set<std::string> released = Released(r);
  EXPECT_TRUE(released.contains("Patient/p1"));
  EXPECT_TRUE(released.contains("Condition/c-sud"));  // Part 2 records are the patient's to have
  EXPECT_TRUE(released.contains("Condition/c-hiv"));
  EXPECT_TRUE(released.contains("DocumentReference/d1"));
  EXPECT_FALSE(released.contains("DocumentReference/d-psy"));  // outside the right of access
  EXPECT_FALSE(released.contains("Encounter/e2023"));          // before the range asked for
  EXPECT_FALSE(released.contains("Condition/c-child"));        // another patient's record
  EXPECT_EQ(Str(r, "release.withheld.psychotherapy"), "1");
  EXPECT_EQ(Str(r, "release.fee_cents"), "650");  // the flat fee for an electronic copy
  EXPECT_EQ(Str(r, "release.fee_basis"), "flat-electronic");

  // The packet: every page identifies the patient and is numbered and watermarked.
  const HttpResult pdf = client_.Get("/api/roi/requests/" + id + "/packet?format=pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.header("Content-Type"), "application/pdf");
  ASSERT_TRUE(pdf.body.starts_with("%PDF-"));
  const std::string text = PdfText(pdf.body);
  const std::size_t pages = std::stoul(Str(r, "release.pages"));
  ASSERT_GE(pages, 3u);  // cover letter, index, records
  // (pdftotext -layout folds runs of spaces.)
  EXPECT_EQ(Count(text, "Patient: Example, Ann Born: 1970-06-15 Record no.: MRN-0001"), pages)
      << text;
  EXPECT_EQ(Count(text, "Page 1 of " + std::to_string(pages)), 1u);
  EXPECT_EQ(Count(text, "Page " + std::to_string(pages) + " of " + std::to_string(pages)), 1u);
  EXPECT_NE(text.find("Re: Request " + id), std::string::npos);
  EXPECT_NE(text.find("Admitted for hyperglycemia."), std::string::npos);  // the document's text
  EXPECT_NE(text.find("Glucose"), std::string::npos);
  EXPECT_EQ(text.find("Psychotherapy note"), std::string::npos);
  EXPECT_EQ(text.find("42 CFR part 2"), std::string::npos);  // no Part 2 notice to the patient
  EXPECT_NE(text.find("Index"), std::string::npos);
  // The same packet again: rendered from the released versions, byte for byte.
  EXPECT_EQ(client_.Get("/api/roi/requests/" + id + "/packet?format=pdf").body, pdf.body);

  const HttpResult bundle = client_.Get("/api/roi/requests/" + id + "/packet?format=bundle");
  ASSERT_EQ(bundle.status, 200);
  const json::value b = bundle.json();
  EXPECT_EQ(Str(b, "type"), "collection");
  EXPECT_EQ(Str(b, "identifier.value"), id);
  EXPECT_EQ(Str(b, "entry.0.resource.resourceType"), "Patient");
  EXPECT_EQ(At(b, "entry")->as_array().size(), released.size());

  // Not accountable (to the individual), delivered once.
  EXPECT_EQ(At(client_.Get("/api/roi/accounting/p1").json(), "disclosures")->as_array().size(), 0u);
  EXPECT_EQ(Post("/api/roi/requests/" + id + "/deliver").status, 200);
  EXPECT_EQ(IssueCode(Post("/api/roi/requests/" + id + "/deliver").json()), "roi.delivered");
  EXPECT_EQ(Post("/api/roi/requests/" + id + "/fulfil").status, 409);  // closed
}

TEST_F(RoiTest, AnAttorneyNeedsAValidAuthorizationAndGetsOnlyWhatItCovers) {
  const std::string id = Intake("attorney", "legal", R"(,"delivery":"mail")");
  ASSERT_FALSE(id.empty()) << last_.body;
  EXPECT_EQ(Str(last_.json(), "status"), "pending-authorization");
  const HttpResult refused = Post("/api/roi/requests/" + id + "/fulfil");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(IssueCode(refused.json()), "roi.authorization-required");

  // An authorization without its statements: the checklist names what is missing.
  std::string incomplete = Hipaa("Casey Requester");
  incomplete.replace(incomplete.find(R"("revocation":true)"), 17, R"("revocation":false)");
  const HttpResult partial = Post("/api/roi/requests/" + id + "/authorizations", incomplete);
  ASSERT_EQ(partial.status, 200) << partial.body;
  EXPECT_EQ(Str(partial.json(), "status"), "pending-authorization");
  EXPECT_EQ(Str(partial.json(), "checklists.0.valid"), "false");
  bool named = false;
  const json::value partial_json = partial.json();
  for (const json::value& item : At(partial_json, "checklists.0.items")->as_array()) {
    if (Str(item, "element") == "revocation") {
      named = Str(item, "met") == "false" && Str(item, "citation") == "45 CFR 164.508(c)(2)(i)";
    }
  }
  EXPECT_TRUE(named) << partial.body;
  const HttpResult still = Post("/api/roi/requests/" + id + "/fulfil");
  EXPECT_NE(still.body.find("missing revocation"), std::string::npos) << still.body;

  // Complete, but made out to someone else: not this requester's authority.
  ASSERT_EQ(Post("/api/roi/requests/" + id + "/authorizations", Hipaa("Other Firm LLP")).status,
            200);
  const HttpResult elsewhere = Post("/api/roi/requests/" + id + "/fulfil");
  EXPECT_EQ(elsewhere.status, 403);
  EXPECT_NE(elsewhere.body.find("made out to another recipient"), std::string::npos);
  const HttpResult complete = Post("/api/roi/requests/" + id + "/authorizations",
                                   Hipaa("Casey Requester", "2025-01-31", R"("HIV")"));
  ASSERT_EQ(complete.status, 200);
  EXPECT_EQ(Str(complete.json(), "status"), "in-review");
  const HttpResult fulfilled = Post("/api/roi/requests/" + id + "/fulfil");
  ASSERT_EQ(fulfilled.status, 200) << fulfilled.body;
  const json::value r = fulfilled.json();
  const std::set<std::string> released = Released(r);
  EXPECT_TRUE(released.contains("Condition/c-dm"));
  EXPECT_TRUE(released.contains("Condition/c-hiv"));   // named in the authorization
  EXPECT_FALSE(released.contains("Condition/c-sud"));  // no Part 2 consent
  EXPECT_FALSE(released.contains("DocumentReference/d-psy"));
  EXPECT_EQ(Str(r, "release.withheld.part2"), "1");
  EXPECT_EQ(Str(r, "release.part2"), "false");
  const std::int64_t pages = std::stoll(Str(r, "release.pages"));
  EXPECT_EQ(Str(r, "release.fee_cents"), std::to_string(1500 + 50 * pages));  // third party
  const std::string text = PdfText(client_.Get("/api/roi/requests/" + id + "/packet").body);
  EXPECT_EQ(text.find("Opioid"), std::string::npos) << "a withheld record leaked into the packet";
  EXPECT_NE(text.find("the authorization signed by Ann Example on 2024-02-20"), std::string::npos);
  // Under an authorization: not in the accounting.
  EXPECT_EQ(At(client_.Get("/api/roi/accounting/p1").json(), "disclosures")->as_array().size(), 0u);
}

TEST_F(RoiTest, ExpiredAndRevokedAuthorizationsAreRefused) {
  const std::string expired =
      Intake("insurer", "insurance",
             R"(,"authorizations":[)" + Hipaa("Casey Requester", "2024-02-29") + "]");
  ASSERT_FALSE(expired.empty()) << last_.body;
  EXPECT_EQ(Str(last_.json(), "status"), "pending-authorization");
  EXPECT_EQ(Str(last_.json(), "checklists.0.expired"), "true");
  const HttpResult refused = Post("/api/roi/requests/" + expired + "/fulfil");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("expired on 2024-02-29"), std::string::npos) << refused.body;

  const std::string revoked =
      Intake("attorney", "legal", R"(,"authorizations":[)" + Hipaa("Casey Requester") + "]");
  ASSERT_FALSE(revoked.empty());
  EXPECT_EQ(Str(last_.json(), "status"), "in-review");
  const HttpResult revoke =
      Post("/api/roi/requests/" + revoked + "/authorizations/0/revoke", R"({"date":"2024-02-28"})");
  ASSERT_EQ(revoke.status, 200) << revoke.body;
  EXPECT_EQ(Str(revoke.json(), "status"), "pending-authorization");
  const HttpResult refused_again = Post("/api/roi/requests/" + revoked + "/fulfil");
  EXPECT_EQ(refused_again.status, 403);
  EXPECT_NE(refused_again.body.find("revoked on 2024-02-28"), std::string::npos);
}

TEST_F(RoiTest, Part2RecordsGoOnlyUnderAPart2ConsentWithTheNotice) {
  const std::string id = Intake(
      "attorney", "legal",
      R"(,"authorizations":[)" + Hipaa("Casey Requester") + "," + Part2("Casey Requester") + "]");
  ASSERT_FALSE(id.empty()) << last_.body;
  const HttpResult fulfilled = Post("/api/roi/requests/" + id + "/fulfil");
  ASSERT_EQ(fulfilled.status, 200) << fulfilled.body;
  EXPECT_TRUE(Released(fulfilled.json()).contains("Condition/c-sud"));
  EXPECT_EQ(Str(fulfilled.json(), "release.part2"), "true");
  const std::string packet = client_.Get("/api/roi/requests/" + id + "/packet").body;
  KeepSample("roi-packet.pdf", packet);
  const std::string text = PdfText(packet);
  EXPECT_NE(text.find("Notice to the recipient (42 CFR 2.32)"), std::string::npos);
  EXPECT_NE(text.find("Opioid dependence"), std::string::npos);
  const json::value bundle =
      client_.Get("/api/roi/requests/" + id + "/packet?format=bundle").json();
  EXPECT_EQ(Str(bundle, "meta.security.0.code"), "NORDSCLCD");
}

TEST_F(RoiTest, TheWrongPatientIsRefusedAtIntake) {
  EXPECT_TRUE(Intake("attorney", "legal", "", "Sample").empty());
  EXPECT_EQ(last_.status, 409);
  EXPECT_EQ(IssueCode(last_.json()), "roi.identity-mismatch");
  EXPECT_EQ(At(client_.Get("/api/roi/requests").json(), "requests")->as_array().size(), 0u);
  const HttpResult unknown = Post(
      "/api/roi/requests",
      R"({"requester":{"type":"patient","name":"X"},"patient":"nobody","identification":)"
      R"({"family":"X","given":"Y","birth_date":"1970-01-01"},"requested":{"record_types":["all"]},)"
      R"("purpose":"personal"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(IssueCode(unknown.json()), "roi.unknown-patient");
  // Family name and birth date alone do not identify the patient: the given name is asked for.
  std::string no_given = R"({"requester":{"type":"patient","name":"X"},"patient":"p1",)"
                         R"("identification":{"family":"Example","birth_date":"1970-06-15"},)"
                         R"("requested":{"record_types":["all"]},"purpose":"personal"})";
  EXPECT_EQ(Post("/api/roi/requests", no_given).status, 400);
}

TEST_F(RoiTest, DisclosuresRequiredByLawAreAccountedFor) {
  // Public health, a court order and research under a waiver go into the accounting; treatment
  // and payment do not; a court order without the order is an authorization case.
  const std::string health = Intake("public-health", "public-health");
  const std::string court =
      Intake("court-order", "legal", R"(,"legal_document":"Order 2024-CV-0117")");
  const std::string research =
      Intake("researcher", "research", R"(,"legal_document":"IRB waiver 2024-044")");
  const std::string police =
      Intake("law-enforcement", "law-enforcement", R"(,"legal_document":"Warrant 24-113")");
  const std::string doctor = Intake("provider", "treatment");
  const std::string payer = Intake("insurer", "payment");
  const std::string subpoena_assured = Intake(
      "subpoena", "legal",
      R"(,"legal_document":"Subpoena 24-77 with written assurance of notice to the patient")");
  const std::string representative = Intake("personal-representative", "personal",
                                            R"(,"legal_document":"Health care proxy, 2023-11-02")");
  for (const std::string& id :
       {health, court, research, police, doctor, payer, representative, subpoena_assured}) {
    ASSERT_FALSE(id.empty());
    const HttpResult r = Post("/api/roi/requests/" + id + "/fulfil");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  EXPECT_EQ(Str(client_.Get("/api/roi/requests/" + doctor).json(), "release.fee_basis"), "none");
  EXPECT_EQ(Str(client_.Get("/api/roi/requests/" + representative).json(), "basis"),
            "right-of-access");
  const std::string no_order = Intake("court-order", "legal");
  EXPECT_EQ(Str(last_.json(), "status"), "pending-authorization");
  EXPECT_EQ(Post("/api/roi/requests/" + no_order + "/fulfil").status, 403);
  const std::string subpoena = Intake("subpoena", "legal");
  EXPECT_EQ(Str(last_.json(), "basis"), "authorization");  // no satisfactory assurance

  const json::value accounting = client_.Get("/api/roi/accounting/p1").json();
  const auto& list = At(accounting, "disclosures")->as_array();
  std::set<std::string> requests;
  for (const json::value& d : list) {
    requests.insert(Str(d, "request"));
    EXPECT_EQ(Str(d, "date"), "2024-03-01");
    EXPECT_NE(Str(d, "recipient").find("Casey Requester"), std::string::npos);
  }
  EXPECT_EQ(requests, (std::set<std::string>{health, court, research, police, subpoena_assured}));
  const HttpResult pdf = client_.Get("/api/roi/accounting/p1?format=pdf");
  ASSERT_EQ(pdf.status, 200);
  KeepSample("roi-accounting.pdf", pdf.body);
  const std::string text = PdfText(pdf.body);
  EXPECT_NE(text.find("Accounting of disclosures"), std::string::npos);
  EXPECT_NE(text.find("45 CFR 164.512(e)(1)(i)"), std::string::npos);  // the court order
  EXPECT_EQ(client_.Get("/api/roi/accounting/nobody").status, 404);
}

TEST_F(RoiTest, TheQueueShowsAgingAndTheOneExtension) {
  const std::string late = Intake("patient", "personal", R"(,"received":"2024-01-15")");
  const std::string fresh = Intake("attorney", "legal");
  ASSERT_FALSE(late.empty());
  ASSERT_FALSE(fresh.empty());
  json::value queue = client_.Get("/api/roi/requests").json();
  ASSERT_EQ(At(queue, "requests")->as_array().size(), 2u);
  EXPECT_EQ(Str(queue, "requests.0.id"), late);  // the earliest due first
  EXPECT_EQ(Str(queue, "requests.0.age_days"), "46");
  EXPECT_EQ(Str(queue, "requests.0.days_left"), "-16");  // due 2024-02-14
  EXPECT_EQ(Str(queue, "requests.0.overdue"), "true");
  EXPECT_EQ(Str(queue, "requests.1.status"), "pending-authorization");

  // Past its due date a request cannot be extended: the extension is given within the period.
  EXPECT_EQ(IssueCode(Post("/api/roi/requests/" + late + "/extend",
                           R"({"reason":"Records in off-site storage"})")
                          .json()),
            "roi.overdue");
  EXPECT_EQ(Post("/api/roi/requests/" + fresh + "/extend", "{}").status, 400);  // no reason
  const HttpResult extended =
      Post("/api/roi/requests/" + fresh + "/extend", R"({"reason":"Records in off-site storage"})");
  ASSERT_EQ(extended.status, 200) << extended.body;
  EXPECT_EQ(Str(extended.json(), "due"), "2024-04-30");  // 2024-03-31 + 30
  EXPECT_EQ(
      IssueCode(Post("/api/roi/requests/" + fresh + "/extend", R"({"reason":"Again"})").json()),
      "roi.extended");
  const HttpResult denied =
      Post("/api/roi/requests/" + fresh + "/deny", R"({"reason":"No valid authorization"})");
  ASSERT_EQ(denied.status, 200);
  EXPECT_EQ(Str(denied.json(), "status"), "denied");
  queue = client_.Get("/api/roi/requests").json();
  EXPECT_EQ(At(queue, "requests")->as_array().size(), 1u);
  EXPECT_EQ(
      At(client_.Get("/api/roi/requests?status=denied").json(), "requests")->as_array().size(), 1u);
  EXPECT_EQ(client_.Get("/api/roi/requests?status=lost").status, 400);
  EXPECT_EQ(client_.Get("/api/roi/requests/R-999999").status, 404);
  EXPECT_EQ(client_.Get("/api/roi/requests/" + fresh + "/packet").status, 409);  // none
}

TEST_F(RoiTest, APatientsConsentRefusalLeavesNothingToRelease) {
  Put("/fhir/Consent/k1",
      R"({"resourceType":"Consent","id":"k1","status":"active","scope":{"coding":[{"code":)"
      R"("patient-privacy"}]},"category":[{"coding":[{"code":"59284-0"}]}],"patient":)"
      R"({"reference":"Patient/p1"},"provision":{"type":"permit","provision":[{"type":"deny",)"
      R"("purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":)"
      R"("HRESCH"}]}]}})");
  const std::string id =
      Intake("researcher", "research", R"(,"legal_document":"IRB waiver 2024-044")");
  ASSERT_FALSE(id.empty());
  const HttpResult r = Post("/api/roi/requests/" + id + "/fulfil");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(IssueCode(r.json()), "roi.nothing-to-release");
  EXPECT_EQ(At(client_.Get("/api/roi/accounting/p1").json(), "disclosures")->as_array().size(), 0u);
}

TEST_F(RoiTest, AnAcceptedAmendmentIsANewVersionAndTheOriginalStays) {
  const HttpResult wrong =
      Post("/api/roi/amendments", R"({"patient":"p9","requested_by":"Ann Example","record":)"
                                  R"("Observation/o1","reason":"x","requested_change":"y"})");
  EXPECT_EQ(wrong.status, 409) << wrong.body;
  const HttpResult asked =
      Post("/api/roi/amendments",
           R"({"patient":"p1","requested_by":"Ann Example","record":"Observation/o1","reason":)"
           R"("The glucose was 124, not 142","requested_change":"Glucose 124 mg/dL"})");
  ASSERT_EQ(asked.status, 201) << asked.body;
  const std::string id = Str(asked.json(), "id");
  EXPECT_EQ(Str(asked.json(), "due"), "2024-04-30");  // 60 days
  EXPECT_EQ(Str(asked.json(), "record_version"), "1");
  const HttpResult extended = Post("/api/roi/amendments/" + id + "/extend",
                                   R"({"reason":"Waiting for the laboratory's review"})");
  EXPECT_EQ(Str(extended.json(), "due"), "2024-05-30");
  EXPECT_EQ(Post("/api/roi/amendments/" + id + "/extend", R"({"reason":"Again"})").status, 409);

  const HttpResult accepted = Post(
      "/api/roi/amendments/" + id + "/accept",
      R"({"resource":{"resourceType":"Observation","id":"o1","status":"amended","subject":)"
      R"({"reference":"Patient/p1"},"effectiveDateTime":"2024-02-01T09:00:00Z","code":{"text":)"
      R"("Glucose"},"valueQuantity":{"value":124,"unit":"mg/dL"}},"notify":)"
      R"(["Dr. Lee, Springfield Clinic"]})");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(Str(accepted.json(), "status"), "accepted");
  EXPECT_EQ(Str(accepted.json(), "amended_version"), "2");
  EXPECT_EQ(Str(client_.Get("/fhir/Observation/o1").json(), "valueQuantity.value"), "124");
  EXPECT_EQ(Str(client_.Get("/fhir/Observation/o1/_history/1").json(), "valueQuantity.value"),
            "142");  // the original stays
  EXPECT_EQ(Str(accepted.json(), "notify.0.notified_on"), "");
  const HttpResult told =
      Post("/api/roi/amendments/" + id + "/notified", R"({"index":0,"date":"2024-03-04"})");
  ASSERT_EQ(told.status, 200) << told.body;
  EXPECT_EQ(Str(told.json(), "notify.0.notified_on"), "2024-03-04");
  EXPECT_EQ(IssueCode(Post("/api/roi/amendments/" + id + "/deny",
                           R"({"ground":"accurate-and-complete","explanation":"x"})")
                          .json()),
            "roi.amendment-accepted");
  EXPECT_EQ(
      At(client_.Get("/api/roi/amendments?patient=p1").json(), "amendments")->as_array().size(),
      1u);
}

TEST_F(RoiTest, ADeniedAmendmentsStatementsGoWithEveryLaterReleaseOfTheRecord) {
  const HttpResult asked =
      Post("/api/roi/amendments",
           R"({"patient":"p1","requested_by":"Ann Example","record":"Condition/c-dm","reason":)"
           R"("I have never had diabetes","requested_change":"Remove the diagnosis"})");
  ASSERT_EQ(asked.status, 201) << asked.body;
  const std::string id = Str(asked.json(), "id");
  EXPECT_EQ(Post("/api/roi/amendments/" + id + "/deny", R"({"ground":"because"})").status, 400);
  const HttpResult denied =
      Post("/api/roi/amendments/" + id + "/deny",
           R"({"ground":"accurate-and-complete","explanation":"Two fasting glucose results )"
           R"(above 126 mg/dL support the diagnosis."})");
  ASSERT_EQ(denied.status, 200) << denied.body;
  const HttpResult letter = client_.Get("/api/roi/amendments/" + id + "/letter");
  ASSERT_EQ(letter.status, 200);
  const std::string words = PdfText(letter.body);
  EXPECT_NE(words.find("accurate and complete"), std::string::npos) << words;
  EXPECT_NE(words.find("written statement disagreeing"), std::string::npos);
  EXPECT_NE(words.find("Department of Health and Human Services"), std::string::npos);
  EXPECT_EQ(Post("/api/roi/amendments/" + id + "/rebuttal", R"({"text":"No."})").status, 409);

  const HttpResult disagreement =
      Post("/api/roi/amendments/" + id + "/disagreement",
           R"({"text":"My glucose was high only while I took prednisone."})");
  ASSERT_EQ(disagreement.status, 200) << disagreement.body;
  const std::string statement = Str(disagreement.json(), "disagreement");
  ASSERT_TRUE(statement.starts_with("DocumentReference/"));
  const json::value doc = client_.Get("/fhir/" + statement).json();
  EXPECT_EQ(Str(doc, "context.related.0.reference"), "Condition/c-dm");
  EXPECT_EQ(Str(doc, "subject.reference"), "Patient/p1");
  ASSERT_EQ(Post("/api/roi/amendments/" + id + "/rebuttal",
                 R"({"text":"The diagnosis predates the prednisone course."})")
                .status,
            200);

  // A later release of the problem list carries both; one of results alone does not.
  const std::string problems = Intake("provider", "treatment");
  ASSERT_FALSE(problems.empty());
  const HttpResult fulfilled = Post("/api/roi/requests/" + problems + "/fulfil");
  ASSERT_EQ(fulfilled.status, 200) << fulfilled.body;
  EXPECT_EQ(At(fulfilled.json(), "release.statements")->as_array().size(), 2u);
  EXPECT_TRUE(Released(fulfilled.json()).contains(statement));
  const std::string text = PdfText(client_.Get("/api/roi/requests/" + problems + "/packet").body);
  EXPECT_NE(text.find("while I took prednisone"), std::string::npos) << text;
  EXPECT_NE(text.find("predates the prednisone course"), std::string::npos);
  EXPECT_NE(text.find("statement of disagreement"), std::string::npos);

  const HttpResult results =
      Post("/api/roi/requests",
           R"({"requester":{"type":"provider","name":"Dr. Lee"},"patient":"p1","identification":)"
           R"({"family":"Example","given":"Ann","birth_date":"1970-06-15"},"requested":)"
           R"({"record_types":["results"]},"purpose":"treatment"})");
  ASSERT_EQ(results.status, 201);
  const HttpResult only_results =
      Post("/api/roi/requests/" + Str(results.json(), "id") + "/fulfil");
  ASSERT_EQ(only_results.status, 200);
  EXPECT_EQ(At(only_results.json(), "release.statements")->as_array().size(), 0u);
}

TEST_F(RoiTest, AnAmendmentOfARecordChangedSinceItWasDisputedIsReviewedAgain) {
  const HttpResult asked =
      Post("/api/roi/amendments",
           R"({"patient":"p1","requested_by":"Ann Example","record":"Encounter/e2024","reason":)"
           R"("Wrong date","requested_change":"It was 2024-02-02"})");
  ASSERT_EQ(asked.status, 201) << asked.body;
  Put("/fhir/Encounter/e2024",
      R"({"resourceType":"Encounter","id":"e2024","status":"finished","class":{"code":"AMB"},)"
      R"("subject":{"reference":"Patient/p1"},"period":{"start":"2024-02-01T08:00:00Z"}})");
  const HttpResult accepted =
      Post("/api/roi/amendments/" + Str(asked.json(), "id") + "/accept",
           R"({"resource":{"resourceType":"Encounter","id":"e2024","status":"finished","class":)"
           R"({"code":"IMP"},"subject":{"reference":"Patient/p1"},"period":{"start":)"
           R"("2024-02-02T08:00:00Z"}}})");
  EXPECT_EQ(accepted.status, 409) << accepted.body;
  EXPECT_EQ(IssueCode(accepted.json()), "roi.record-changed");
  EXPECT_EQ(Str(client_.Get("/fhir/Encounter/e2024").json(), "class.code"), "AMB");
}

TEST_F(RoiTest, ThePatientsOwnCopyIsTheirWholeRecordButPsychotherapyNotes) {
  const HttpResult bundle = client_.Get("/api/roi/record/p1?format=bundle");
  ASSERT_EQ(bundle.status, 200) << bundle.body;
  std::set<std::string> ids;
  const json::value entries = bundle.json();
  for (const json::value& e : At(entries, "entry")->as_array()) {
    ids.insert(Str(e, "resource.resourceType") + "/" + Str(e, "resource.id"));
  }
  EXPECT_TRUE(ids.contains("Encounter/e2023"));  // no date range: all of it
  EXPECT_FALSE(ids.contains("Condition/c-child"));
  EXPECT_TRUE(ids.contains("Condition/c-sud"));
  EXPECT_FALSE(ids.contains("DocumentReference/d-psy"));
  const HttpResult pdf = client_.Get("/api/roi/record/p1");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_NE(PdfText(pdf.body).find("Opioid dependence"), std::string::npos);
  EXPECT_EQ(client_.Get("/api/roi/record/nobody").status, 404);
}

TEST_F(RoiTest, ARequestWithoutAPatientIdIsMatchedThroughThePatientIndex) {
  const std::string body =
      R"({"requester":{"type":"patient","name":"Ann Example"},"identification":)"
      R"({"family":"Example","given":"Ann","birth_date":"1970-06-15"},"patient_details":)"
      R"({"gender":"female","identifier":[{"type":{"coding":[{"code":"MR"}]},"value":)"
      R"("MRN-0001"}]},"requested":{"record_types":["all"]},"purpose":"personal"})";
  const HttpResult found = Post("/api/roi/requests", body);
  ASSERT_EQ(found.status, 201) << found.body;
  EXPECT_EQ(Str(found.json(), "patient"), "p1");
  std::string nobody = body;
  nobody.replace(nobody.find("1970-06-15"), 10, "1999-01-01");
  nobody.replace(nobody.find("\"Example\""), 9, "\"Zzyzx\"");
  nobody.replace(nobody.find("MRN-0001"), 8, "MRN-9999");
  const HttpResult none = Post("/api/roi/requests", nobody);
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_EQ(IssueCode(none.json()), "roi.unknown-patient");
}

}  // namespace
}  // namespace chartroom::test
