// The patient index over real HTTP: a duplicate registration is linked on intake and listed on
// the worklist with its field weights, a twin is not; a decision takes the pair off the worklist
// for good; a merge repoints the retired record's chart to the survivor and keeps every version,
// an unmerge puts back exactly what was there; Patient/$match answers scored, graded candidates
// and refuses bad Parameters.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/serialize.hpp>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

std::string PatientJson(std::string_view given, std::string_view birth, std::string_view ssn,
                        std::string_view street = "12 Elm St") {
  return R"({"resourceType":"Patient","name":[{"family":"Okonkwo-Garcia","given":[")" +
         std::string(given) + R"("]}],"gender":"male","birthDate":")" + std::string(birth) +
         R"(","telecom":[{"system":"phone","value":"(312) 555-0142"}],"address":[{"line":[")" +
         std::string(street) +
         R"("],"city":"Chicago","postalCode":"60601"}],"identifier":[{"system":"http://hl7.org/fhir/sid/us-ssn","value":")" +
         std::string(ssn) + R"("}]})";
}

std::string Create(HttpClient& client, const std::string& body) {
  HttpResult created = client.Post("/fhir/Patient", body);
  EXPECT_EQ(created.status, 201) << created.body;
  return IdOf(created);
}

// The worklist's pair of `a` and `b`, or null.
const boost::json::value* PairOf(const boost::json::value& worklist, const std::string& a,
                                 const std::string& b) {
  for (const auto& p : worklist.at("pairs").as_array()) {
    const std::string first(p.at("first").as_string());
    const std::string second(p.at("second").as_string());
    if ((first == a && second == b) || (first == b && second == a)) return &p;
  }
  return nullptr;
}

TEST(MpiTest, DuplicatesAreLinkedOnIntakeTwinsAreNotAndDecisionsAreRemembered) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string robert = Create(client, PatientJson("Robert", "1970-03-12", "900-12-3456"));
  // The same man registered again as "Bob", his SSN mistyped.
  const std::string bob = Create(client, PatientJson("Bob", "1970-03-12", "900-12-3465"));
  // His twin: same birth date, address and phone; another name and SSN.
  const std::string twin = Create(client, PatientJson("Kwame", "1970-03-12", "900-77-1234"));

  HttpResult listed = client.Get("/mpi/worklist");
  ASSERT_EQ(listed.status, 200) << listed.body;
  const boost::json::value worklist = listed.json();
  const boost::json::value* pair = PairOf(worklist, robert, bob);
  ASSERT_NE(pair, nullptr) << listed.body;
  EXPECT_EQ(Str(*pair, "status"), "linked");
  EXPECT_GE(pair->at("score").to_number<double>(), 0.95);
  EXPECT_GT(pair->at("weights").at("birth").to_number<double>(), 0);
  EXPECT_GT(pair->at("weights").at("given").to_number<double>(), 0);  // Bob is Robert
  EXPECT_EQ(PairOf(worklist, robert, twin), nullptr);
  EXPECT_EQ(PairOf(worklist, bob, twin), nullptr);

  // A person decides they are different people: the pair leaves and does not come back when
  // one of them is registered again.
  HttpResult decided = client.Post("/mpi/decisions", R"({"first":")" + bob + R"(","second":")" +
                                                         robert + R"(","decision":"different"})");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(PairOf(client.Get("/mpi/worklist").json(), robert, bob), nullptr);
  HttpResult updated = client.Put(
      "/fhir/Patient/" + bob,
      R"({"id":")" + bob + R"(",)" + PatientJson("Bob", "1970-03-12", "900-12-3465").substr(1));
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(PairOf(client.Get("/mpi/worklist").json(), robert, bob), nullptr);

  HttpResult bad =
      client.Post("/mpi/decisions", R"({"first":")" + bob + R"(","decision":"maybe"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(IssueCode(bad.json()), "mpi.bad-decision");
}

// The resource's JSON without meta (versionId and lastUpdated change with every write).
std::string Content(HttpClient& client, const std::string& path) {
  HttpResult read = client.Get(path);
  EXPECT_EQ(read.status, 200) << path << " " << read.body;
  boost::json::value v = read.json();
  v.as_object().erase("meta");
  return boost::json::serialize(v);
}

std::string Post(HttpClient& client, const std::string& path, const std::string& body) {
  HttpResult created = client.Post(path, body);
  EXPECT_EQ(created.status, 201) << created.body;
  return IdOf(created);
}

TEST(MpiTest, MergeRepointsTheChartAndUnmergeRestoresItExactly) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string robert = Create(client, PatientJson("Robert", "1970-03-12", "900-12-3456"));
  const std::string bob = Create(client, PatientJson("Bob", "1970-03-12", "900-12-3465"));
  // Bob's chart: an encounter, an observation in it, a condition.
  const std::string encounter = Post(
      client, "/fhir/Encounter",
      R"({"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/)" +
          bob + R"("}})");
  const std::string observation = Post(
      client, "/fhir/Observation",
      R"({"resourceType":"Observation","status":"final","code":{"text":"Heart rate"},"subject":{"reference":"Patient/)" +
          bob + R"("},"encounter":{"reference":"Encounter/)" + encounter +
          R"("},"valueQuantity":{"value":72,"unit":"/min"}})");
  const std::string condition = Post(
      client, "/fhir/Condition",
      R"({"resourceType":"Condition","code":{"text":"Asthma"},"subject":{"reference":"Patient/)" +
          bob + R"("}})");
  const std::vector<std::string> paths = {
      "/fhir/Patient/" + robert, "/fhir/Patient/" + bob, "/fhir/Encounter/" + encounter,
      "/fhir/Observation/" + observation, "/fhir/Condition/" + condition};
  std::map<std::string, std::string> before;
  for (const std::string& p : paths) before[p] = Content(client, p);
  ASSERT_NE(PairOf(client.Get("/mpi/worklist").json(), robert, bob), nullptr);

  // Bob is retired into Robert.
  HttpResult merged = client.Post("/mpi/merge", R"({"source":")" + bob + R"(","target":")" +
                                                    robert + R"(","note":"same SSN but a typo"})");
  ASSERT_EQ(merged.status, 200) << merged.body;
  const boost::json::value record = merged.json();
  EXPECT_EQ(Str(record, "status"), "merged");
  EXPECT_EQ(record.at("changes").as_array().size(), 5u) << merged.body;
  const std::string merge_id = Str(record, "id");

  const boost::json::value retired = client.Get("/fhir/Patient/" + bob).json();
  EXPECT_FALSE(retired.at("active").as_bool());
  EXPECT_EQ(Str(retired, "link.0.type"), "replaced-by");
  EXPECT_EQ(Str(retired, "link.0.other.reference"), "Patient/" + robert);
  const boost::json::value survivor = client.Get("/fhir/Patient/" + robert).json();
  EXPECT_EQ(Str(survivor, "link.0.type"), "replaces");
  EXPECT_EQ(Str(survivor, "link.0.other.reference"), "Patient/" + bob);
  const boost::json::value obs = client.Get("/fhir/Observation/" + observation).json();
  EXPECT_EQ(Str(obs, "subject.reference"), "Patient/" + robert);
  EXPECT_EQ(Str(obs, "encounter.reference"), "Encounter/" + encounter);  // not a patient
  EXPECT_EQ(Str(obs, "meta.versionId"), "2");
  // Every version is kept: version 1 still names Bob.
  EXPECT_EQ(Str(client.Get("/fhir/Observation/" + observation + "/_history/1").json(),
                "subject.reference"),
            "Patient/" + bob);
  // The survivor's chart now holds Bob's records; the pair has left the worklist; $match no
  // longer offers the retired record.
  const boost::json::value chart = client.Get("/fhir/Condition?subject=Patient/" + robert).json();
  EXPECT_EQ(chart.at("entry").as_array().size(), 1u);
  EXPECT_EQ(PairOf(client.Get("/mpi/worklist").json(), robert, bob), nullptr);
  const boost::json::value matched =
      client
          .Post("/fhir/Patient/$match",
                R"({"resourceType":"Parameters","parameter":[{"name":"resource","resource":)" +
                    PatientJson("Bob", "1970-03-12", "900-12-3465") + "}]}")
          .json();
  for (const auto& e : matched.at("entry").as_array()) EXPECT_NE(Str(e, "resource.id"), bob);

  // Neither record can be merged again while the merge stands.
  HttpResult again =
      client.Post("/mpi/merge", R"({"source":")" + bob + R"(","target":")" + robert + R"("})");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(IssueCode(again.json()), "mpi.already-merged");
  HttpResult into_retired =
      client.Post("/mpi/merge", R"({"source":")" + robert + R"(","target":")" + bob + R"("})");
  EXPECT_EQ(into_retired.status, 409);
  EXPECT_EQ(client.Post("/mpi/merge", R"({"source":")" + bob + R"("})").status, 400);
  EXPECT_EQ(
      client.Post("/mpi/merge", R"({"source":"no-such","target":")" + robert + R"("})").status,
      404);

  const boost::json::value merges = client.Get("/mpi/merges").json();
  ASSERT_EQ(merges.at("merges").as_array().size(), 1u);
  EXPECT_EQ(Str(merges, "merges.0.id"), merge_id);

  // Unmerge: every resource is back as it was, each as a new version.
  HttpResult unmerged = client.Post("/mpi/unmerge", R"({"merge":")" + merge_id + R"("})");
  ASSERT_EQ(unmerged.status, 200) << unmerged.body;
  EXPECT_EQ(Str(unmerged.json(), "status"), "unmerged");
  EXPECT_FALSE(unmerged.json().as_object().contains("partly_restored"));
  for (const std::string& p : paths) EXPECT_EQ(Content(client, p), before[p]) << p;
  EXPECT_EQ(Str(client.Get("/fhir/Observation/" + observation).json(), "meta.versionId"), "3");
  EXPECT_EQ(client.Post("/mpi/unmerge", R"({"merge":")" + merge_id + R"("})").status, 409);
  EXPECT_EQ(client.Post("/mpi/unmerge", R"({"merge":"nothing"})").status, 404);
  // Undone means different people: the pair does not return when Bob is registered again.
  ASSERT_EQ(client
                .Put("/fhir/Patient/" + bob,
                     R"({"id":")" + bob + R"(",)" +
                         PatientJson("Bob", "1970-03-12", "900-12-3465").substr(1))
                .status,
            200);
  EXPECT_EQ(PairOf(client.Get("/mpi/worklist").json(), robert, bob), nullptr);
}

TEST(MpiTest, UnmergeKeepsChangesMadeAfterTheMerge) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string robert = Create(client, PatientJson("Robert", "1970-03-12", "900-12-3456"));
  const std::string bob = Create(client, PatientJson("Bob", "1970-03-12", "900-12-3465"));
  const std::string condition = Post(
      client, "/fhir/Condition",
      R"({"resourceType":"Condition","code":{"text":"Asthma"},"subject":{"reference":"Patient/)" +
          bob + R"("}})");
  HttpResult merged =
      client.Post("/mpi/merge", R"({"source":")" + bob + R"(","target":")" + robert + R"("})");
  ASSERT_EQ(merged.status, 200) << merged.body;
  // After the merge a coder adds a note to the condition, now in Robert's chart.
  ASSERT_EQ(
      client
          .Put(
              "/fhir/Condition/" + condition,
              R"({"resourceType":"Condition","id":")" + condition +
                  R"(","code":{"text":"Asthma"},"note":[{"text":"reviewed"}],"subject":{"reference":"Patient/)" +
                  robert + R"("}})")
          .status,
      200);
  HttpResult unmerged =
      client.Post("/mpi/unmerge", R"({"merge":")" + Str(merged.json(), "id") + R"("})");
  ASSERT_EQ(unmerged.status, 200) << unmerged.body;
  EXPECT_EQ(Str(unmerged.json(), "partly_restored.0"), "Condition/" + condition);
  const boost::json::value now = client.Get("/fhir/Condition/" + condition).json();
  EXPECT_EQ(Str(now, "subject.reference"), "Patient/" + bob);  // the merge's edit undone
  EXPECT_EQ(Str(now, "note.0.text"), "reviewed");              // the later change kept
  const boost::json::value restored = client.Get("/fhir/Patient/" + bob).json();
  EXPECT_FALSE(restored.as_object().contains("active"));
  EXPECT_FALSE(restored.as_object().contains("link"));
  EXPECT_FALSE(client.Get("/fhir/Patient/" + robert).json().as_object().contains("link"));
}

TEST(MpiTest, FacilitiesIssueEachMedicalRecordNumberOnce) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string facility =
      R"({"code":"north","name":"North Campus","system":"urn:oid:2.16.840.1.113883.3.999.1",)"
      R"("format":"N{seq:6}{check}","next":420})";
  HttpResult defined = client.Post("/mpi/facilities", facility);
  ASSERT_EQ(defined.status, 200) << defined.body;
  const std::string robert = Create(client, PatientJson("Robert", "1970-03-12", "900-12-3456"));
  const std::string astrid = Create(
      client, R"({"resourceType":"Patient","name":[{"family":"Lindqvist","given":["Astrid"]}]})");

  HttpResult first =
      client.Post("/mpi/mrn", R"({"patient":")" + robert + R"(","facility":"north"})");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(Str(first.json(), "mrn"), "N0004200");  // 000420 and its Luhn digit, 0
  // Asking again gives the same number, issues none.
  HttpResult again =
      client.Post("/mpi/mrn", R"({"patient":")" + robert + R"(","facility":"north"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(Str(again.json(), "mrn"), "N0004200");
  HttpResult second =
      client.Post("/mpi/mrn", R"({"patient":")" + astrid + R"(","facility":"north"})");
  ASSERT_EQ(second.status, 201);
  EXPECT_EQ(Str(second.json(), "mrn"), "N0004218");

  const boost::json::value patient = client.Get("/fhir/Patient/" + robert).json();
  const auto& ids = patient.at("identifier").as_array();
  const auto& mrn = ids.back();
  EXPECT_EQ(Str(mrn, "system"), "urn:oid:2.16.840.1.113883.3.999.1");
  EXPECT_EQ(Str(mrn, "type.coding.0.code"), "MR");
  EXPECT_EQ(Str(mrn, "assigner.display"), "North Campus");
  // Found by it.
  const boost::json::value found =
      client.Get("/fhir/Patient?identifier=urn:oid:2.16.840.1.113883.3.999.1%7CN0004200").json();
  EXPECT_EQ(Str(found, "entry.0.resource.id"), robert);

  // Redefining the facility never moves its counter back.
  ASSERT_EQ(client.Post("/mpi/facilities", facility).status, 200);
  EXPECT_EQ(client.Get("/mpi/facilities").json().at("facilities").at(0).at("next").as_int64(), 422);

  EXPECT_EQ(client.Post("/mpi/mrn", R"({"patient":")" + robert + R"(","facility":"south"})").status,
            404);
  EXPECT_EQ(client.Post("/mpi/mrn", R"({"patient":"nobody","facility":"north"})").status, 404);
  HttpResult bad =
      client.Post("/mpi/facilities", R"({"code":"south","system":"urn:x","format":"S{sequence}"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(IssueCode(bad.json()), "mpi.bad-facility");
}

TEST(MpiTest, PatientsWrittenInATransactionAreMatchedOnIntake) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string robert = Create(client, PatientJson("Robert", "1970-03-12", "900-12-3456"));
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:0b0b0b0b-0000-4000-8000-000000000001","request":{"method":"POST","url":"Patient"},"resource":)" +
      PatientJson("Bob", "1970-03-12", "900-12-3465") + "}]}";
  HttpResult posted = client.Post("/fhir", bundle);
  ASSERT_EQ(posted.status, 200) << posted.body;
  const std::string location = Str(posted.json(), "entry.0.response.location");
  const std::size_t at = location.find("Patient/") + 8;  // [base/]Patient/<id>/_history/1
  const std::string bob = location.substr(at, location.find("/_history") - at);
  const boost::json::value worklist = client.Get("/mpi/worklist").json();
  const boost::json::value* pair = PairOf(worklist, robert, bob);
  ASSERT_NE(pair, nullptr) << location;
  EXPECT_EQ(Str(*pair, "status"), "linked");
}

// The ids $match on `client` returns for `patient`.
std::vector<std::string> MatchIds(HttpClient& client, const std::string& patient) {
  const HttpResult matched =
      client.Post("/fhir/Patient/$match",
                  R"({"resourceType":"Parameters","parameter":[{"name":"resource","resource":)" +
                      patient + "}]}");
  EXPECT_EQ(matched.status, 200) << matched.body;
  std::vector<std::string> ids;
  const boost::json::value bundle = matched.json();
  if (const boost::json::value* entries = At(bundle, "entry")) {
    for (const auto& e : entries->as_array()) ids.push_back(Str(e, "resource.id"));
  }
  return ids;
}

TEST(MpiTest, AServerFollowsThePatientsAnotherServerWritesToTheSameStore) {
  TestServer first;
  TestServer second([&](app::Config& c) {
    c.data_dir = first.config().data_dir;
    c.mpi.follow_interval = std::chrono::milliseconds(20);
  });
  HttpClient writer = first.Client();
  HttpClient reader = second.Client();
  const std::string query = PatientJson("Rob", "1970-03-12", "900-12-3456");
  EXPECT_TRUE(MatchIds(reader, query).empty());

  const std::string robert = Create(writer, PatientJson("Robert", "1970-03-12", "900-12-3456"));
  auto eventually = [&](bool want) {
    for (int i = 0; i < 250; ++i) {
      const auto ids = MatchIds(reader, query);
      if ((std::find(ids.begin(), ids.end(), robert) != ids.end()) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  EXPECT_TRUE(eventually(true)) << "the second server's index never took the new patient";
  ASSERT_EQ(writer.Delete("/fhir/Patient/" + robert).status, 204);
  EXPECT_TRUE(eventually(false)) << "the second server's index kept a deleted patient";
}

TEST(MpiTest, MatchAnswersScoredGradedCandidates) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string robert = Create(client, PatientJson("Robert", "1970-03-12", "900-12-3456"));
  const std::string other = Create(
      client, R"({"resourceType":"Patient","name":[{"family":"Lindqvist","given":["Astrid"]}],
        "gender":"female","birthDate":"1988-11-02"})");

  const std::string query =
      R"({"resourceType":"Parameters","parameter":[{"name":"resource","resource":)" +
      PatientJson("Rob", "1970-12-03", "900-12-3456", "12 Elm Street") +
      R"(},{"name":"count","valueInteger":5}]})";
  HttpResult matched = client.Post("/fhir/Patient/$match", query);
  ASSERT_EQ(matched.status, 200) << matched.body;
  const boost::json::value bundle = matched.json();
  EXPECT_EQ(Str(bundle, "type"), "searchset");
  ASSERT_GE(bundle.at("entry").as_array().size(), 1u) << matched.body;
  const auto& first = bundle.at("entry").at(0);
  EXPECT_EQ(Str(first, "resource.id"), robert);
  EXPECT_EQ(Str(first, "search.mode"), "match");
  EXPECT_GT(first.at("search").at("score").to_number<double>(), 0.5);
  EXPECT_EQ(Str(first, "search.extension.0.url"),
            "http://hl7.org/fhir/StructureDefinition/match-grade");
  EXPECT_EQ(Str(first, "search.extension.0.valueCode"), "certain");
  for (const auto& e : bundle.at("entry").as_array()) {
    EXPECT_NE(Str(e, "resource.id"), other);  // nothing in common: not a candidate
  }

  HttpResult no_resource = client.Post(
      "/fhir/Patient/$match",
      R"({"resourceType":"Parameters","parameter":[{"name":"count","valueInteger":3}]})");
  EXPECT_EQ(no_resource.status, 400);
  EXPECT_EQ(IssueCode(no_resource.json()), "rest.bad-parameter");
  HttpResult bad_count = client.Post(
      "/fhir/Patient/$match",
      R"({"resourceType":"Parameters","parameter":[{"name":"count","valueInteger":0}]})");
  EXPECT_EQ(bad_count.status, 400);
  EXPECT_EQ(client.Get("/fhir/Patient/$match").status, 405);
}

}  // namespace
}  // namespace chartroom::test
