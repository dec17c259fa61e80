// BundleWriter: the JSON text it writes is a Bundle, with resources spliced in unchanged.

#include "rest/bundle_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "fhir/validation/validator.hpp"

namespace chartroom::rest {
namespace {

core::Timestamp Noon() {
  return core::Timestamp(std::chrono::sys_days(std::chrono::year(2024) / 3 / 1)) +
         std::chrono::hours(12);
}

TEST(BundleWriterTest, WritesAValidSearchsetWithSplicedResources) {
  BundleWriter writer("searchset", "b-1", Noon());
  writer.SetTotal(2);
  writer.AddLink("self", "http://h/fhir/Patient?name=a%22b");
  writer.AddLink("next", "http://h/fhir/Patient?name=x&_page=t");
  const std::string patient = R"({"resourceType":"Patient","id":"p1","gender":"male"})";
  BundleEntry entry;
  entry.full_url = "http://h/fhir/Patient/p1";
  entry.resource = patient;
  entry.search_mode = "match";
  writer.AddEntry(entry);
  entry.search_mode = "include";
  writer.AddEntry(entry);
  const std::string text = writer.Finish();
  const boost::json::value bundle = boost::json::parse(text);
  EXPECT_TRUE(fhir::Validate(bundle).empty())
      << boost::json::serialize(fhir::ToJson(fhir::Validate(bundle)));
  EXPECT_EQ(bundle.at("total"), 2);
  EXPECT_EQ(bundle.at("link").at(0).at("url"), "http://h/fhir/Patient?name=a%22b");
  EXPECT_EQ(bundle.at("entry").at(1).at("search").at("mode"), "include");
  EXPECT_EQ(bundle.at("meta").at("lastUpdated"), "2024-03-01T12:00:00.000Z");
  EXPECT_NE(text.find(patient), std::string::npos);  // spliced byte for byte
}

TEST(BundleWriterTest, WritesResponseEntriesAndEmptyBundles) {
  BundleWriter empty("searchset", "b-2", Noon());
  EXPECT_TRUE(fhir::Validate(boost::json::parse(empty.Finish())).empty());

  BundleWriter writer("batch-response", "b-3", Noon());
  BundleEntry entry;
  entry.response_status = "201 Created";
  entry.response_location = "http://h/fhir/Patient/p1/_history/1";
  entry.response_etag = "W/\"1\"";
  entry.response_last_modified = "2024-03-01T12:00:00.000Z";
  writer.AddEntry(entry);
  BundleEntry failed;
  failed.response_status = "404 Not Found";
  failed.response_outcome =
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]})";
  writer.AddEntry(failed);
  const boost::json::value bundle = boost::json::parse(writer.Finish());
  // Not run through fhir::Validate: it does not yet take Bundle.entry.response.outcome (of type
  // Resource) for a resource and reports its resourceType.
  EXPECT_EQ(bundle.at("type"), "batch-response");
  EXPECT_EQ(bundle.at("entry").at(0).at("response").at("etag"), "W/\"1\"");
  EXPECT_EQ(bundle.at("entry").at(1).at("response").at("outcome").at("issue").at(0).at("code"),
            "not-found");
}

}  // namespace
}  // namespace chartroom::rest
