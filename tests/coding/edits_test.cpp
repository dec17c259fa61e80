// The coding edits against the code sets Chartroom ships (data/codes). The MCE cases are derived
// from the MCE table itself: every code of every age, sex and principal-diagnosis list is tried
// where the edit must fire and where it must not.

#include "coding/edits.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "coding/load.hpp"

namespace chartroom::coding {
namespace {

const std::filesystem::path kShipped = std::filesystem::path(CHARTROOM_SOURCE_DIR) / "data/codes";

const Catalog& Shipped() {
  static const std::shared_ptr<const Catalog> catalog = [] {
    auto loaded = LoadCatalog({kShipped});
    if (!loaded) {
      ADD_FAILURE() << loaded.error().message();
      return std::make_shared<const Catalog>();
    }
    return *loaded;
  }();
  return *catalog;
}

CheckRequest Case(char sex, int age, std::vector<CodedItem> dx, std::vector<CodedItem> px = {}) {
  CheckRequest r;
  r.sex = sex;
  r.age_years = age;
  r.discharge_date = 20210315;
  r.diagnoses = std::move(dx);
  r.procedures = std::move(px);
  return r;
}

// The edit codes found for `target`.
std::vector<std::string> CodesAt(const std::vector<Edit>& edits, std::string_view target) {
  std::vector<std::string> out;
  for (const Edit& e : edits) {
    if (e.target == target) out.push_back(e.code);
  }
  return out;
}

bool Has(const std::vector<Edit>& edits, std::string_view target, std::string_view code) {
  for (const Edit& e : edits) {
    if (e.target == target && e.code == code) return true;
  }
  return false;
}

TEST(EditsTest, TheShippedCodeSetsAreComplete) {
  const Catalog& c = Shipped();
  // The FY2021 order file: 72,621 billable codes and 22,737 headers.
  std::size_t billable = 0;
  for (const auto& [code, node] : c.concepts(System::kIcd10Cm)) billable += node.billable;
  EXPECT_EQ(billable, 72621u);
  EXPECT_GT(c.size(System::kHcpcs), 6000u);
  EXPECT_TRUE(c.PoaExempt("Z3800"));
}

TEST(EditsTest, ACleanCaseHasNoErrors) {
  const auto edits =
      Check(Shipped(), Case('f', 60, {{"J18.9", "Y"}, {"I10", "Y"}, {"E78.5", "N"}}));
  for (const Edit& e : edits) EXPECT_NE(e.severity, Severity::kError) << e.code << " " << e.message;
}

TEST(EditsTest, EveryMceSexAndAgeListFiresWhereItMustAndOnlyThere) {
  // Every code of the sex and age lists, read from the shipped MCE table.
  auto text = ReadReleaseText(kShipped / "mce-v37/MCE_Simple_Code_Edits_v37.txt.gz");
  ASSERT_TRUE(text);
  struct Rule {
    std::string type;
    char wrong_sex;
    int wrong_age;
    char right_sex;
    int right_age;
    const char* edit;
  };
  const std::vector<Rule> rules = {
      {"Female_Only", 'm', 30, 'f', 30, "sex-conflict"},
      {"Male_Only", 'f', 30, 'm', 30, "sex-conflict"},
      {"Newborn_Only", 'u', 30, 'u', 0, "age-conflict"},
      {"Pediatric_Only", 'u', 40, 'u', 10, "age-conflict"},
      {"Maternity_Only", 'f', 60, 'f', 30, "age-conflict"},
      {"Adult_Only", 'u', 5, 'u', 40, "age-conflict"},
  };
  std::size_t tried = 0;
  std::size_t retired = 0;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string line(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> f;
    for (std::size_t at = 0;;) {
      const std::size_t tab = line.find('\t', at);
      f.push_back(line.substr(at, tab - at));
      if (tab == std::string::npos) break;
      at = tab + 1;
    }
    if (f.size() < 7) continue;
    for (const Rule& rule : rules) {
      if (f[4] != rule.type) continue;
      const bool px = f[5] == "P";
      // The MCE table is FY2020's, the shipped ICD-10-CM FY2021's: a code retired in between is
      // an invalid code, which is another edit.
      if (!px && Shipped().Find(System::kIcd10Cm, f[6]) == nullptr) {
        ++retired;
        continue;
      }
      // A diagnosis goes second, behind an unremarkable principal one (that, too, is checked).
      const std::vector<CodedItem> dx = px ? std::vector<CodedItem>{{"R69", "Y"}}
                                           : std::vector<CodedItem>{{"R69", "Y"}, {f[6], "Y"}};
      const std::vector<CodedItem> procedures =
          px ? std::vector<CodedItem>{{f[6], std::nullopt}} : std::vector<CodedItem>{};
      const std::string target = px ? "procedures[0]" : "diagnoses[1]";
      const auto wrong = Check(Shipped(), Case(rule.wrong_sex, rule.wrong_age, dx, procedures));
      EXPECT_TRUE(Has(wrong, target, rule.edit)) << rule.type << " " << f[6];
      const auto right = Check(Shipped(), Case(rule.right_sex, rule.right_age, dx, procedures));
      EXPECT_FALSE(Has(right, target, rule.edit)) << rule.type << " " << f[6];
      ++tried;
    }
  }
  EXPECT_GT(tried, 10000u);
  EXPECT_LT(retired, tried / 100);
}

TEST(EditsTest, PrincipalOnlyEditsFireOnlyOnThePrincipalDiagnosis) {
  // G63 (polyneuropathy in diseases classified elsewhere) is a manifestation; Z00.00 an
  // unacceptable principal diagnosis; both are fine second.
  auto first = Check(Shipped(), Case('m', 50, {{"G63", "Y"}, {"E11.9", "Y"}}));
  EXPECT_TRUE(Has(first, "diagnoses[0]", "manifestation-principal"));
  auto second = Check(Shipped(), Case('m', 50, {{"E11.42", "Y"}, {"G63", "Y"}}));
  EXPECT_FALSE(Has(second, "diagnoses[1]", "manifestation-principal"));
  auto routine = Check(Shipped(), Case('m', 50, {{"Z00.00", ""}}));
  EXPECT_TRUE(Has(routine, "diagnoses[0]", "unacceptable-principal"));
}

TEST(EditsTest, InvalidHeaderDuplicateAndExcludes1Codes) {
  const auto edits = Check(
      Shipped(),
      Case('m', 50, {{"E11.9", "Y"}, {"E11", "Y"}, {"E11.99", "Y"}, {"e119", "Y"}, {"E10.9", "Y"}},
           {{"0DTJ4ZZ", std::nullopt}, {"0DTJ4Z", std::nullopt}}));
  EXPECT_EQ(CodesAt(edits, "diagnoses[1]"), std::vector<std::string>{"non-billable"});
  EXPECT_EQ(CodesAt(edits, "diagnoses[2]"), std::vector<std::string>{"invalid-code"});
  EXPECT_EQ(CodesAt(edits, "diagnoses[3]"), std::vector<std::string>{"duplicate-code"});
  EXPECT_EQ(CodesAt(edits, "diagnoses[4]"), std::vector<std::string>{"excludes1"});
  EXPECT_TRUE(CodesAt(edits, "procedures[0]").empty());
  EXPECT_EQ(CodesAt(edits, "procedures[1]"), std::vector<std::string>{"invalid-code"});
}

TEST(EditsTest, PresentOnAdmissionIndicators) {
  // B90.0 (sequelae of tuberculosis) is exempt from POA reporting.
  const auto edits = Check(Shipped(), Case('f', 70,
                                           {{"J18.9", std::nullopt},
                                            {"I10", "X"},
                                            {"B90.0", "Y"},
                                            {"B90.1", std::nullopt},
                                            {"E78.5", "1"},
                                            {"N39.0", "w"}}));
  EXPECT_EQ(CodesAt(edits, "diagnoses[0]"), std::vector<std::string>{"poa-missing"});
  EXPECT_EQ(CodesAt(edits, "diagnoses[1]"), std::vector<std::string>{"poa-invalid"});
  EXPECT_EQ(CodesAt(edits, "diagnoses[2]"), std::vector<std::string>{"poa-exempt"});
  EXPECT_TRUE(CodesAt(edits, "diagnoses[3]").empty());
  EXPECT_EQ(CodesAt(edits, "diagnoses[4]"), std::vector<std::string>{"poa-invalid"});
  EXPECT_TRUE(CodesAt(edits, "diagnoses[5]").empty());
}

TEST(EditsTest, RequestsAreParsedStrictly) {
  auto parse = [](std::string_view text) { return ParseCheckRequest(boost::json::parse(text)); };
  const auto ok = parse(
      R"({"sex":"female","age_years":34,"discharge_date":"2024-05-01","diagnoses":[{"code":"O80","poa":"Y"}],"procedures":[{"code":"10E0XZZ"}]})");
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->sex, 'f');
  EXPECT_EQ(ok->discharge_date, 20240501);
  for (const char* bad :
       {R"([])", R"({"diagnoses":{}})", R"({"sex":"m","diagnoses":[]})",
        R"({"age_years":-1,"diagnoses":[]})", R"({"age_years":3.5,"diagnoses":[]})",
        R"({"discharge_date":"2024-02-30","diagnoses":[]})", R"({"diagnoses":[{"poa":"Y"}]})",
        R"({"diagnoses":[{"code":"E11.9","poa":1}]})", R"({"sex":"male"})"}) {
    const auto parsed = parse(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code(), "coding.bad-request") << bad;
  }
  const auto none = Check(Shipped(), *parse(R"({"diagnoses":[]})"));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].code, "principal-missing");
}

}  // namespace
}  // namespace chartroom::coding
