// The patient index over real HTTP: a duplicate registration is linked on intake and listed on
// the worklist with its field weights, a twin is not; a decision takes the pair off the worklist
// for good; Patient/$match answers scored, graded candidates and refuses bad Parameters.

#include <gtest/gtest.h>

#include <string>

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
