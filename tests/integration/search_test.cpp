// search over real HTTP (https://hl7.org/fhir/R4/search.html): searchset Bundles, paging links
// that work, POST _search, _include/_revinclude, _summary, _elements, _total, handling.

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

constexpr int kPatients = 7;

class SearchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new TestServer();
    HttpClient client = server_->Client();
    for (int i = 0; i < kPatients; ++i) {
      const std::string body =
          R"({"resourceType":"Patient","identifier":[{"system":"urn:test:search","value":"s-)" +
          std::to_string(i) + R"("}],"name":[{"family":"Pagerfamily","given":["G)" +
          std::to_string(i) + R"("]}],"gender":"female","birthDate":"1970-01-0)" +
          std::to_string(i + 1) +
          R"(","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">p</div>"}})";
      HttpResult created = client.Post("/fhir/Patient", body);
      ASSERT_EQ(created.status, 201) << created.body;
      patient_ids_->push_back(IdOf(created));
    }
    for (int i = 0; i < 2; ++i) {
      const std::string body =
          R"({"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/)" +
          (*patient_ids_)[0] + R"("},"valueQuantity":{"value":7)" + std::to_string(i) +
          R"(,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}})";
      ASSERT_EQ(client.Post("/fhir/Observation", body).status, 201);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    patient_ids_->clear();
  }

  static std::set<std::string> EntryIds(const boost::json::value& bundle, std::string_view mode) {
    std::set<std::string> ids;
    const boost::json::value* entries = At(bundle, "entry");
    if (entries == nullptr) return ids;
    for (const auto& e : entries->as_array()) {
      if (Str(e, "search.mode") == mode) ids.insert(Str(e, "resource.id"));
    }
    return ids;
  }

  // The path and query of an absolute link URL.
  static std::string Target(const std::string& url) {
    const std::size_t fhir = url.find("/fhir");
    return url.substr(fhir);
  }

  static std::string Link(const boost::json::value& bundle, std::string_view relation) {
    const boost::json::value* links = At(bundle, "link");
    if (links == nullptr) return "";
    for (const auto& l : links->as_array()) {
      if (Str(l, "relation") == relation) return Str(l, "url");
    }
    return "";
  }

  static TestServer* server_;
  static std::vector<std::string>* patient_ids_;
  HttpClient client_ = server_->Client();
};

TestServer* SearchTest::server_ = nullptr;
std::vector<std::string>* SearchTest::patient_ids_ = new std::vector<std::string>();

TEST_F(SearchTest, ASearchAnswersASearchsetWithMatchesAndTotal) {
  HttpResult result = client_.Get("/fhir/Patient?family=pagerfamily");
  ASSERT_EQ(result.status, 200) << result.body;
  const boost::json::value bundle = result.json();
  EXPECT_EQ(Str(bundle, "resourceType"), "Bundle");
  EXPECT_EQ(Str(bundle, "type"), "searchset");
  EXPECT_EQ(Str(bundle, "total"), std::to_string(kPatients));
  EXPECT_EQ(EntryIds(bundle, "match").size(), static_cast<std::size_t>(kPatients));
  EXPECT_EQ(Link(bundle, "self"), "http://localhost/fhir/Patient?family=pagerfamily");
  const std::string full_url = Str(bundle, "entry.0.fullUrl");
  EXPECT_EQ(full_url, "http://localhost/fhir/Patient/" + Str(bundle, "entry.0.resource.id"));
}

TEST_F(SearchTest, PagingLinksLeadThroughEveryMatchOnce) {
  HttpResult page = client_.Get("/fhir/Patient?family=pagerfamily&_count=3");
  ASSERT_EQ(page.status, 200);
  std::set<std::string> seen;
  std::vector<std::string> pages;
  int count = 0;
  for (;;) {
    const boost::json::value bundle = page.json();
    const auto ids = EntryIds(bundle, "match");
    EXPECT_LE(ids.size(), 3u);
    for (const auto& id : ids) EXPECT_TRUE(seen.insert(id).second) << "seen twice: " << id;
    pages.push_back(Link(bundle, "self"));
    const std::string next = Link(bundle, "next");
    if (next.empty()) break;
    ASSERT_LT(++count, 10);
    page = client_.Get(Target(next));
    ASSERT_EQ(page.status, 200) << page.body;
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kPatients));
  EXPECT_EQ(pages.size(), 3u);

  // previous of the second page is the first page again.
  HttpResult first = client_.Get("/fhir/Patient?family=pagerfamily&_count=3");
  HttpResult second = client_.Get(Target(Link(first.json(), "next")));
  const std::string previous = Link(second.json(), "previous");
  ASSERT_FALSE(previous.empty());
  HttpResult back = client_.Get(Target(previous));
  ASSERT_EQ(back.status, 200);
  EXPECT_EQ(EntryIds(back.json(), "match"), EntryIds(first.json(), "match"));
}

TEST_F(SearchTest, AForeignPageTokenIsRefused) {
  HttpResult first = client_.Get("/fhir/Patient?family=pagerfamily&_count=3");
  std::string next = Target(Link(first.json(), "next"));
  const std::size_t page = next.find("_page=");
  ASSERT_NE(page, std::string::npos);
  HttpResult other = client_.Get("/fhir/Patient?gender=male&" + next.substr(page));
  EXPECT_EQ(other.status, 400);
  EXPECT_EQ(IssueCode(other.json()), "store.bad-page-token");
}

TEST_F(SearchTest, PostSearchWithAFormBodyFindsWhatGetFinds) {
  HttpResult get = client_.Get("/fhir/Patient?family=pagerfamily&gender=female");
  HttpResult post = client_.Post("/fhir/Patient/_search", "family=pagerfamily&gender=female",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(post.status, 200) << post.body;
  EXPECT_EQ(EntryIds(post.json(), "match"), EntryIds(get.json(), "match"));
  HttpResult json_body = client_.Post("/fhir/Patient/_search", R"({"family":"x"})");
  EXPECT_EQ(json_body.status, 415);
}

TEST_F(SearchTest, IncludeAndRevincludeAddTheirResourcesInIncludeMode) {
  HttpResult include =
      client_.Get("/fhir/Observation?code=http://loinc.org|8867-4&_include=Observation:subject");
  ASSERT_EQ(include.status, 200) << include.body;
  EXPECT_EQ(EntryIds(include.json(), "match").size(), 2u);
  EXPECT_EQ(EntryIds(include.json(), "include"), std::set<std::string>{(*patient_ids_)[0]});

  HttpResult revinclude =
      client_.Get("/fhir/Patient?_id=" + (*patient_ids_)[0] + "&_revinclude=Observation:subject");
  ASSERT_EQ(revinclude.status, 200) << revinclude.body;
  EXPECT_EQ(EntryIds(revinclude.json(), "match"), std::set<std::string>{(*patient_ids_)[0]});
  EXPECT_EQ(EntryIds(revinclude.json(), "include").size(), 2u);
}

TEST_F(SearchTest, SummaryCountAnswersTheTotalAlone) {
  HttpResult result = client_.Get("/fhir/Patient?family=pagerfamily&_summary=count");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Str(result.json(), "total"), std::to_string(kPatients));
  EXPECT_EQ(At(result.json(), "entry"), nullptr);
}

TEST_F(SearchTest, TotalAccurateCountsEveryPage) {
  HttpResult result = client_.Get("/fhir/Patient?family=pagerfamily&_count=2&_total=accurate");
  ASSERT_EQ(result.status, 200);
  EXPECT_EQ(Str(result.json(), "total"), std::to_string(kPatients));
  HttpResult without = client_.Get("/fhir/Patient?family=pagerfamily&_count=2");
  EXPECT_EQ(At(without.json(), "total"), nullptr);  // unknown without counting
}

TEST_F(SearchTest, SummaryAndElementsReturnTaggedSubsets) {
  HttpResult summary = client_.Get("/fhir/Patient?family=pagerfamily&_summary=true&_count=1");
  ASSERT_EQ(summary.status, 200);
  const boost::json::value s = summary.json();
  EXPECT_EQ(Str(s, "entry.0.resource.meta.tag.0.code"), "SUBSETTED");
  EXPECT_EQ(At(s, "entry.0.resource.text"), nullptr);  // Patient.text is not a summary element
  EXPECT_EQ(Str(s, "entry.0.resource.gender"), "female");

  HttpResult text = client_.Get("/fhir/Patient?family=pagerfamily&_summary=text&_count=1");
  EXPECT_EQ(Str(text.json(), "entry.0.resource.text.status"), "generated");
  EXPECT_EQ(At(text.json(), "entry.0.resource.gender"), nullptr);

  HttpResult data = client_.Get("/fhir/Patient?family=pagerfamily&_summary=data&_count=1");
  EXPECT_EQ(At(data.json(), "entry.0.resource.text"), nullptr);
  EXPECT_EQ(Str(data.json(), "entry.0.resource.birthDate").size(), 10u);

  HttpResult elements =
      client_.Get("/fhir/Patient?family=pagerfamily&_elements=birthDate&_count=1");
  ASSERT_EQ(elements.status, 200);
  const boost::json::value e = elements.json();
  EXPECT_EQ(Str(e, "entry.0.resource.birthDate").size(), 10u);
  EXPECT_EQ(At(e, "entry.0.resource.name"), nullptr);
  EXPECT_EQ(Str(e, "entry.0.resource.meta.tag.0.code"), "SUBSETTED");

  HttpResult plain = client_.Get("/fhir/Patient?family=pagerfamily&_count=1");
  EXPECT_EQ(At(plain.json(), "entry.0.resource.meta.tag"), nullptr);
}

TEST_F(SearchTest, UnknownParametersAreReportedLenientlyAndRefusedStrictly) {
  HttpResult lenient = client_.Get("/fhir/Patient?family=pagerfamily&colour=blue");
  ASSERT_EQ(lenient.status, 200);
  const boost::json::value bundle = lenient.json();
  EXPECT_EQ(EntryIds(bundle, "match").size(), static_cast<std::size_t>(kPatients));
  bool reported = false;
  for (const auto& entry : bundle.at("entry").as_array()) {
    if (Str(entry, "search.mode") == "outcome") {
      reported = Str(entry, "resource.issue.0.details.coding.0.code") == "rest.ignored-parameter";
    }
  }
  EXPECT_TRUE(reported);
  EXPECT_EQ(Link(bundle, "self").find("colour"), std::string::npos);

  HttpResult strict =
      client_.Get("/fhir/Patient?family=pagerfamily&colour=blue", {{"Prefer", "handling=strict"}});
  EXPECT_EQ(strict.status, 400);
  EXPECT_EQ(IssueCode(strict.json()), "search.unknown-parameter");
}

TEST_F(SearchTest, InvalidSearchValuesAre400) {
  EXPECT_EQ(IssueCode(client_.Get("/fhir/Patient?birthdate=1980-13-45").json()),
            "search.bad-value");
  EXPECT_EQ(client_.Get("/fhir/Patient?_count=-1").status, 400);
  EXPECT_EQ(client_.Get("/fhir/Patient?_sort=colour").status, 400);
  EXPECT_EQ(client_.Get("/fhir/Patient?name:frobnicate=x").status, 400);
  EXPECT_EQ(client_.Get("/fhir/Patient?name=%zz").status, 400);
}

TEST_F(SearchTest, DatesAndQuantitiesSearchByValue) {
  HttpResult born = client_.Get("/fhir/Patient?birthdate=ge1970-01-05&family=pagerfamily");
  ASSERT_EQ(born.status, 200);
  EXPECT_EQ(EntryIds(born.json(), "match").size(), 3u);  // 5th, 6th, 7th
  HttpResult quantity = client_.Get("/fhir/Observation?value-quantity=gt70.5");
  ASSERT_EQ(quantity.status, 200) << quantity.body;
  EXPECT_EQ(EntryIds(quantity.json(), "match").size(), 1u);
}

TEST_F(SearchTest, SystemSearchSpansTypes) {
  HttpResult result = client_.Get("/fhir?_id=" + (*patient_ids_)[1] + "&_type=Patient,Observation");
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_EQ(EntryIds(result.json(), "match"), std::set<std::string>{(*patient_ids_)[1]});
}

TEST_F(SearchTest, DeletedResourcesLeaveTheResults) {
  HttpResult created = client_.Post(
      "/fhir/Patient",
      R"({"resourceType":"Patient","identifier":[{"system":"urn:test:gone","value":"g"}]})");
  ASSERT_EQ(created.status, 201);
  EXPECT_EQ(Str(client_.Get("/fhir/Patient?identifier=urn:test:gone|g").json(), "total"), "1");
  ASSERT_EQ(client_.Delete("/fhir/Patient/" + IdOf(created)).status, 204);
  EXPECT_EQ(Str(client_.Get("/fhir/Patient?identifier=urn:test:gone|g").json(), "total"), "0");
}

}  // namespace
}  // namespace chartroom::test
