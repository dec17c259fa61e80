// Every SearchParameter expression of the R4 model evaluates without error on every resource of
// a synthetic Synthea record: the search-parameter indexer relies on this path.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "fhir/fhirpath/fhirpath.hpp"
#include "fhir/model/model.hpp"

namespace chartroom::fhir::fhirpath {
namespace {

namespace json = boost::json;

std::string ReadGzip(const std::string& path) {
  std::string out;
  if (FILE* pipe = popen(("gzip -dc '" + path + "'").c_str(), "r")) {
    char buffer[65536];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
    pclose(pipe);
  }
  return out;
}

TEST(SearchParamsTest, EveryExpressionEvaluatesOnSyntheaResources) {
  std::string text =
      ReadGzip(std::string(CHARTROOM_SOURCE_DIR) + "/tests/data/synthea/patient-bundle-1.json.gz");
  if (text.empty()) GTEST_SKIP() << "gzip or the Synthea fixture is not available";
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
