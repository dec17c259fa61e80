// The CapabilityStatement, Patient/$everything, type and system history, /healthz, /metrics,
// request ids and the log, over real HTTP.

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "fhir/model/model.hpp"
#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

bool Contains(const boost::json::value* array, std::string_view value) {
  if (array == nullptr || !array->is_array()) return false;
  for (const auto& item : array->as_array()) {
    if (item.is_string() && item.as_string() == value) return true;
  }
  return false;
}

const boost::json::value* ResourceEntry(const boost::json::value& statement,
                                        std::string_view type) {
  for (const auto& r : statement.at("rest").at(0).at("resource").as_array()) {
    if (r.at("type").as_string() == type) return &r;
  }
  return nullptr;
}

std::set<std::string> Names(const boost::json::value& resource, std::string_view key,
                            std::string_view member) {
  std::set<std::string> out;
  if (const auto* list = resource.as_object().if_contains(key)) {
    for (const auto& item : list->as_array()) {
      out.insert(std::string(item.at(member).as_string()));
    }
  }
  return out;
}

TEST(CapabilityTest, MetadataDescribesWhatTheServerDoes) {
  TestServer server;
  HttpResult result = server.Client().Get("/fhir/metadata");
  ASSERT_EQ(result.status, 200);
  const boost::json::value statement = result.json();
  EXPECT_EQ(Str(statement, "resourceType"), "CapabilityStatement");
  EXPECT_EQ(Str(statement, "fhirVersion"), "4.0.1");
  EXPECT_TRUE(Contains(At(statement, "format"), "json"));
  EXPECT_FALSE(Contains(At(statement, "format"), "xml"));
  EXPECT_TRUE(Contains(At(statement, "patchFormat"), "application/json-patch+json"));
  EXPECT_EQ(Names(statement.at("rest").at(0), "interaction", "code"),
            (std::set<std::string>{"transaction", "batch", "search-system", "history-system"}));

  const boost::json::value* patient = ResourceEntry(statement, "Patient");
  ASSERT_NE(patient, nullptr);
  EXPECT_EQ(Names(*patient, "interaction", "code"),
            (std::set<std::string>{"read", "vread", "update", "patch", "delete", "history-instance",
                                   "history-type", "create", "search-type"}));
  const auto params = Names(*patient, "searchParam", "name");
  for (const char* p : {"name", "family", "birthdate", "identifier", "_id", "_lastUpdated",
                        "general-practitioner"}) {
    EXPECT_TRUE(params.count(p)) << p;
  }
  EXPECT_FALSE(params.count("_text"));
  EXPECT_TRUE(
      Contains(patient->as_object().if_contains("searchRevInclude"), "Observation:subject"));
  EXPECT_TRUE(
      Contains(patient->as_object().if_contains("searchInclude"), "Patient:general-practitioner"));
  EXPECT_EQ(Str(*patient, "operation.0.name"), "everything");
  EXPECT_EQ(Str(*patient, "conditionalDelete"), "single");

  // Parameters the extractor cannot index are not claimed.
  const boost::json::value* location = ResourceEntry(statement, "Location");
  ASSERT_NE(location, nullptr);
  EXPECT_FALSE(Names(*location, "searchParam", "name").count("near"));
  EXPECT_TRUE(Names(*location, "searchParam", "name").count("address-city"));
  // Every concrete resource type is there, abstract ones are not.
  EXPECT_NE(ResourceEntry(statement, "Observation"), nullptr);
  EXPECT_EQ(ResourceEntry(statement, "DomainResource"), nullptr);
  std::size_t concrete = 0;
  for (const fhir::TypeInfo& type : fhir::AllTypes()) {
    if (type.is_resource() && !type.is_abstract) ++concrete;
  }
  EXPECT_EQ(statement.at("rest").at(0).at("resource").as_array().size(), concrete);
}

class EverythingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(client_.Put("/fhir/Patient/ev1", R"({"resourceType":"Patient","id":"ev1"})").status,
              201);
    ASSERT_EQ(client_.Put("/fhir/Patient/ev2", R"({"resourceType":"Patient","id":"ev2"})").status,
              201);
    server_.clock().Advance(std::chrono::hours(1));
    for (const char* subject : {"ev1", "ev1", "ev2"}) {
      ASSERT_EQ(
          client_
              .Post(
                  "/fhir/Observation",
                  std::string(
                      R"({"resourceType":"Observation","status":"final","code":{"text":"c"},"subject":{"reference":"Patient/)") +
                      subject + R"("}})")
              .status,
          201);
    }
    ASSERT_EQ(client_
                  .Post("/fhir/Condition",
                        R"({"resourceType":"Condition","subject":{"reference":"Patient/ev1"}})")
                  .status,
              201);
  }
  TestServer server_;
  HttpClient client_ = server_.Client();
};

std::multiset<std::string> Types(const boost::json::value& bundle) {
  std::multiset<std::string> out;
  if (const auto* entries = At(bundle, "entry")) {
    for (const auto& e : entries->as_array()) out.insert(Str(e, "resource.resourceType"));
  }
  return out;
}

TEST_F(EverythingTest, EverythingReturnsThePatientAndItsCompartment) {
  HttpResult all = client_.Get("/fhir/Patient/ev1/$everything");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Types(all.json()),
            (std::multiset<std::string>{"Patient", "Observation", "Observation", "Condition"}));
  EXPECT_EQ(Str(all.json(), "total"), "4");
  EXPECT_EQ(Str(all.json(), "type"), "searchset");

  HttpResult typed = client_.Get("/fhir/Patient/ev1/$everything?_type=Condition");
  EXPECT_EQ(Types(typed.json()), (std::multiset<std::string>{"Condition"}));
  HttpResult since = client_.Get("/fhir/Patient/ev1/$everything?_since=2024-03-01T09:30:00Z");
  EXPECT_EQ(Types(since.json()),
            (std::multiset<std::string>{"Observation", "Observation", "Condition"}));
  EXPECT_EQ(client_.Get("/fhir/Patient/nobody/$everything").status, 404);
  ASSERT_EQ(client_.Delete("/fhir/Patient/ev2").status, 204);
  EXPECT_EQ(client_.Get("/fhir/Patient/ev2/$everything").status, 410);
}

TEST_F(EverythingTest, TypeAndSystemHistoryPageWithWorkingLinks) {
  HttpResult type = client_.Get("/fhir/Observation/_history?_count=2");
  ASSERT_EQ(type.status, 200) << type.body;
  EXPECT_EQ(Str(type.json(), "total"), "3");
  std::set<std::string> seen;
  std::string next;
  const boost::json::value first_page = type.json();
  for (const auto& e : first_page.at("entry").as_array()) seen.insert(Str(e, "resource.id"));
  for (const auto& l : first_page.at("link").as_array()) {
    if (Str(l, "relation") == "next") next = Str(l, "url");
  }
  ASSERT_FALSE(next.empty());
  HttpResult second = client_.Get(next.substr(next.find("/fhir")));
  ASSERT_EQ(second.status, 200) << second.body;
  const boost::json::value second_page = second.json();
  for (const auto& e : second_page.at("entry").as_array()) seen.insert(Str(e, "resource.id"));
  EXPECT_EQ(seen.size(), 3u);

  HttpResult system = client_.Get("/fhir/_history?_since=2024-03-01T09:30:00Z");
  ASSERT_EQ(system.status, 200);
  EXPECT_EQ(Str(system.json(), "total"), "4");  // three Observations and the Condition
  HttpResult all = client_.Get("/fhir/_history");
  EXPECT_EQ(Str(all.json(), "total"), "6");
}

TEST(OperationsTest, HealthzAnswersWhileTheStoreAnswers) {
  TestServer server;
  HttpResult health = server.Client().Get("/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
}

TEST(OperationsTest, MetricsCountRequestsByRouteTemplateWithoutIds) {
  TestServer server;
  HttpClient client = server.Client();
  ASSERT_EQ(client
                .Put("/fhir/Patient/metrics-secret-id",
                     R"({"resourceType":"Patient","id":"metrics-secret-id"})")
                .status,
            201);
  for (int i = 0; i < 3; ++i) client.Get("/fhir/Patient/metrics-secret-id");
  client.Get("/fhir/Patient/nobody");
  HttpResult metrics = client.Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u);
  const std::string& text = metrics.body;
  EXPECT_NE(
      text.find(
          R"(chartroom_http_requests_total{route="/fhir/{type}/{id}",method="GET",status="200"} 3)"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          R"(chartroom_http_requests_total{route="/fhir/{type}/{id}",method="GET",status="404"} 1)"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          R"(chartroom_http_requests_total{route="/fhir/{type}/{id}",method="PUT",status="201"} 1)"),
      std::string::npos);
  EXPECT_NE(
      text.find(R"(chartroom_http_request_duration_seconds_count{route="/fhir/{type}/{id}"} 5)"),
      std::string::npos);
  EXPECT_NE(
      text.find(
          R"(chartroom_http_request_duration_seconds_bucket{route="/fhir/{type}/{id}",le="+Inf"} 5)"),
      std::string::npos);
  EXPECT_NE(text.find("chartroom_store_transactions_committed_total 1"), std::string::npos);
  EXPECT_NE(text.find("chartroom_store_database_bytes "), std::string::npos);
  EXPECT_EQ(text.find("metrics-secret-id"), std::string::npos);
  EXPECT_EQ(text.find("nobody"), std::string::npos);
}

TEST(OperationsTest, EachRequestHasAnIdThatItsLogLineCarriesAndLogsHoldNoRecordContent) {
  TestServer server;
  HttpClient client = server.Client();
  const std::string name = "Qwzxfamilyname";
  HttpResult created = client.Post(
      "/fhir/Patient", R"({"resourceType":"Patient","name":[{"family":")" + name + R"("}]})");
  ASSERT_EQ(created.status, 201);
  HttpResult search = client.Get("/fhir/Patient?family=" + name);
  HttpResult bad = client.Get("/fhir/Patient?birthdate=" + name);
  ASSERT_EQ(bad.status, 400);
  const std::string id1 = created.header("X-Request-Id");
  const std::string id2 = search.header("X-Request-Id");
  const std::string id3 = bad.header("X-Request-Id");
  EXPECT_FALSE(id1.empty());
  EXPECT_NE(id1, id2);
  EXPECT_NE(id2, id3);
  bool found1 = false;
  bool found3 = false;
  for (const std::string& line : server.LogLines()) {
    EXPECT_EQ(line.find(name), std::string::npos) << line;
    EXPECT_EQ(line.find(IdOf(created)), std::string::npos) << line;
    if (line.find(id1) != std::string::npos) {
      found1 = line.find("\"status\":201") != std::string::npos;
    }
    if (line.find(id3) != std::string::npos) {
      found3 = line.find("\"code\":\"search.bad-value\"") != std::string::npos;
    }
  }
  EXPECT_TRUE(found1);
  EXPECT_TRUE(found3);
}

}  // namespace
}  // namespace chartroom::test
