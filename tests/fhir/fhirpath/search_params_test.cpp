// Every SearchParameter expression of the R4 model evaluates without error on every resource of
// a synthetic Synthea record: the search-parameter indexer relies on this path.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <fstream>
#include <sstream>
#include <vector>

#include "fhir/fhirpath/fhirpath.hpp"
#include "fhir/json/gzip.hpp"
#include "fhir/model/model.hpp"

namespace chartroom::fhir::fhirpath {
namespace {

namespace json = boost::json;

std::string ReadGzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto text = fhir::json::Gunzip(buffer.str());
  return text ? std::move(*text) : std::string();
}

TEST(SearchParamsTest, EveryExpressionEvaluatesOnSyntheaResources) {
  std::string text =
      ReadGzip(std::string(CHARTROOM_SOURCE_DIR) + "/tests/data/synthea/patient-bundle-1.json.gz");
  ASSERT_FALSE(text.empty()) << "cannot read the Synthea fixture";
  json::value bundle = json::parse(text);
  std::map<std::string, std::vector<Expression>> by_base;
  for (const SearchParamInfo& param : AllSearchParams()) {
    if (param.expression().empty()) continue;
    auto expr = Expression::Compile(param.expression());
    ASSERT_TRUE(expr.has_value()) << param.code();
    for (StrRef base : param.bases()) by_base[std::string(Str(base))].push_back(*expr);
  }
  DateTime now;
  now.year = 2024;
  now.precision = TemporalPrecision::kYear;
  int evaluated = 0, non_empty = 0;
  for (const json::value& entry : bundle.at("entry").as_array()) {
    const json::value& resource = entry.at("resource");
    std::string type(resource.at("resourceType").as_string());
    for (const std::string& base : {type, std::string("Resource"), std::string("DomainResource")}) {
      for (const Expression& expr : by_base[base]) {
        EvaluationInput input;
        input.resource = &resource;
        input.root_resource = &bundle;
        input.now = now;
        auto result = expr.Evaluate(input);
        EXPECT_TRUE(result.has_value())
            << type << " " << expr.text() << ": " << (result ? "" : result.error().message());
        ++evaluated;
        if (result && !result->empty()) ++non_empty;
      }
    }
  }
  EXPECT_GT(evaluated, 1000);
  EXPECT_GT(non_empty, 500);
}

}  // namespace
}  // namespace chartroom::fhir::fhirpath
