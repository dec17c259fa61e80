// The release-file readers on small hand-made files in the official layouts: what each keeps,
// validity across releases, and files they refuse without changing the catalog.

#include "coding/importers.hpp"

#include "coding/edits.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chartroom::coding {
namespace {

// An order-file record: order number, code, billable flag, short title (60), long title.
std::string OrderLine(int order, std::string code, bool billable, std::string title) {
  char head[16];
  std::snprintf(head, sizeof head, "%05d ", order);
  code.resize(7, ' ');
  std::string shortened = title.substr(0, 60);
  shortened.resize(60, ' ');
  return std::string(head) + code + " " + (billable ? "1" : "0") + " " + shortened + " " + title +
         "\r\n";
}

constexpr std::string_view kTabular = R"(<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>2021</version>
  <chapter>
    <name>4</name>
    <desc>Endocrine, nutritional and metabolic diseases (E00-E89)</desc>
    <section id="E08-E13">
      <desc>Diabetes mellitus (E08-E13)</desc>
      <diag>
        <name>E10</name>
        <desc>Type 1 diabetes mellitus</desc>
        <excludes1><note>type 2 diabetes mellitus (E11.-)</note></excludes1>
        <diag><name>E10.9</name><desc>Type 1 diabetes mellitus without complications</desc></diag>
      </diag>
      <diag>
        <name>E11</name>
        <desc>Type 2 diabetes mellitus</desc>
        <useAdditionalCode><note>code to identify control using: insulin (Z79.4)</note></useAdditionalCode>
        <diag><name>E11.9</name><desc>Type 2 diabetes mellitus without complications</desc>
          <inclusionTerm><note>Type 2 diabetes mellitus NOS</note></inclusionTerm></diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
)";

TEST(ImportersTest, OrderFileAndTabularListMakeTheHierarchyWithNotes) {
  Catalog catalog;
  const std::string order =
      OrderLine(1, "E10", false, "Type 1 diabetes mellitus") +
      OrderLine(2, "E109", true, "Type 1 diabetes mellitus without complications") +
      OrderLine(3, "E11", false, "Type 2 diabetes mellitus") +
      OrderLine(4, "E119", true, "Type 2 diabetes mellitus without complications");
  ASSERT_TRUE(ReadRelease(FileKind::kIcd10CmOrder, order, 20201001, catalog));
  ASSERT_TRUE(ReadRelease(FileKind::kIcd10CmTabular, kTabular, 20201001, catalog));
  const Concept* e119 = catalog.Find(System::kIcd10Cm, "E119");
  ASSERT_NE(e119, nullptr);
  EXPECT_TRUE(e119->billable);
  EXPECT_EQ(e119->parent, "E11");
  EXPECT_EQ(e119->valid_from, 20201001);
  ASSERT_EQ(e119->notes.size(), 1u);
  EXPECT_EQ(e119->notes[0].kind, NoteKind::kInclusionTerm);
  const auto lineage = catalog.Lineage(System::kIcd10Cm, "E119");
  ASSERT_EQ(lineage.size(), 4u);  // E11.9, E11, the section, the chapter
  EXPECT_EQ(lineage[2]->code, "E08-E13");
  EXPECT_EQ(lineage[3]->code, "CH4");
  EXPECT_EQ(catalog.Find(System::kIcd10Cm, "E11")->children, std::vector<std::string>{"E119"});
  EXPECT_EQ(catalog.Find(System::kIcd10Cm, "E08-E13"), nullptr);  // a section is not a code
  EXPECT_TRUE(catalog.Excludes1("E119", "E109"));
  EXPECT_TRUE(catalog.Excludes1("E109", "E119"));
  EXPECT_FALSE(catalog.Excludes1("E119", "E119"));
}

TEST(ImportersTest, ALaterReleaseEndsTheCodesItLeavesOut) {
  Catalog catalog;
  ASSERT_TRUE(ReadRelease(FileKind::kIcd10CmOrder,
                          OrderLine(1, "U070", true, "Vaping-related disorder") +
                              OrderLine(2, "E119", true, "Type 2 diabetes"),
                          20201001, catalog));
  ASSERT_TRUE(ReadRelease(FileKind::kIcd10CmOrder, OrderLine(1, "E119", true, "Type 2 diabetes"),
                          20211001, catalog));
  EXPECT_EQ(catalog.Find(System::kIcd10Cm, "U070")->valid_to, 20210930);
  EXPECT_EQ(catalog.Find(System::kIcd10Cm, "E119")->valid_to, 0);
  EXPECT_EQ(catalog.Find(System::kIcd10Cm, "E119")->valid_from, 20201001);
}

TEST(ImportersTest, MceAndPoaListsAndHcpcsRecords) {
  Catalog catalog;
  const std::string mce =
      "MCE_Version\tICD_Version\tMCE_Section\tMCE_Subsection\tMCE_Edit_Type\tICD_Code_Type\t"
      "ICD_Code\tICD_Desc\r\n"
      "37\t10\t5\tA\tFemale_Only\tD\tN800\tEndometriosis of uterus\r\n"
      "37\t10\t5\tD\tMale_Only\tP\t0VT00ZZ\tResection of prostate\r\n";
  ASSERT_TRUE(ReadRelease(FileKind::kMce, mce, 20191001, catalog));
  EXPECT_TRUE(catalog.InMce(MceList::kFemaleOnly, false, "N800"));
  EXPECT_TRUE(catalog.InMce(MceList::kMaleOnly, true, "0VT00ZZ"));
  EXPECT_FALSE(catalog.InMce(MceList::kMaleOnly, false, "0VT00ZZ"));
  ASSERT_TRUE(ReadRelease(FileKind::kPoaExempt,
                          "Order2020\tPOAexemptCode\tDescription\n01225\tB90.0\tSequelae\n",
                          20191001, catalog));
  EXPECT_TRUE(catalog.PoaExempt("B900"));
  std::string record = "A4206001003Syringe with needle, sterile, 1 cc or less, each";
  record.resize(91, ' ');
  record += "1 cc sterile syringe&needle";
  record.resize(320, ' ');
  ASSERT_TRUE(
      ReadRelease(FileKind::kHcpcs, "disclaimer line\r\n" + record + "\r\n", 20200101, catalog));
  const Concept* syringe = catalog.Find(System::kHcpcs, "A4206");
  ASSERT_NE(syringe, nullptr);
  EXPECT_EQ(syringe->short_title, "1 cc sterile syringe&needle");
}

TEST(ImportersTest, ABadFileFailsWithItsLineAndChangesNothing) {
  Catalog catalog;
  ASSERT_TRUE(
      ReadRelease(FileKind::kIcd10CmOrder, OrderLine(1, "E119", true, "T2DM"), 20201001, catalog));
  const Status bad =
      ReadRelease(FileKind::kIcd10CmOrder, OrderLine(1, "E109", true, "T1DM") + "not a record\n",
                  20211001, catalog);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), "coding.bad-file");
  EXPECT_NE(bad.error().message().find("line 2"), std::string::npos);
  EXPECT_EQ(catalog.Find(System::kIcd10Cm, "E109"), nullptr);
  EXPECT_EQ(catalog.Find(System::kIcd10Cm, "E119")->valid_to, 0);
  const Status xml =
      ReadRelease(FileKind::kIcd10CmTabular, "<ICD10CM.tabular><chapter>", 20201001, catalog);
  ASSERT_FALSE(xml);
  EXPECT_NE(xml.error().message().find("XML error"), std::string::npos);
  EXPECT_FALSE(ReadRelease(FileKind::kIcd10CmTabular, "<other/>", 20201001, catalog));
}

TEST(ImportersTest, TheIndexAndItsTablesGiveTermsWithTheirCodes) {
  Catalog catalog;
  constexpr std::string_view kIndex = R"(<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index>
  <version>2025</version>
  <indexHeading>
    <head col="1">Neoplasm</head><head col="2">Malignant Primary</head>
    <head col="3">Malignant Secondary</head>
  </indexHeading>
  <letter><title>N</title>
    <mainTerm>
      <title>Neoplasm, neoplastic</title>
      <cell col="2">C80.1</cell><cell col="3">C79.9</cell>
      <term level="1">
        <title>lung<nemod>(tissue)</nemod></title>
        <cell col="2">C34.9-</cell><cell col="3">--</cell>
        <see>Neoplasm, bronchus</see>
      </term>
    </mainTerm>
  </letter>
</ICD10CM.index>)";
  ASSERT_TRUE(ReadRelease(FileKind::kIcd10CmIndex, kIndex, 20241001, catalog));
  const auto& terms = catalog.index_terms();
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0].term, "Neoplasm, neoplastic");
  EXPECT_EQ(terms[0].column, "Malignant Primary");
  EXPECT_EQ(terms[0].code, "C801");
  EXPECT_EQ(terms[2].term, "Neoplasm, neoplastic, lung");  // without the nonessential modifier
  EXPECT_EQ(terms[2].code, "C349");                        // without the trailing dash
  EXPECT_FALSE(ReadRelease(FileKind::kIcd10CmIndex, "<ICD10CM.tabular/>", 20241001, catalog));
}

// Two rows of the real table 0DT (Resection, gastrointestinal system), in the CMS layout.
constexpr std::string_view kPcsTables = R"(<?xml version="1.0" encoding="UTF-8"?>
<ICD10PCS.tabular>
  <version>2021</version>
  <pcsTable>
    <axis pos="1" values="1"><title>Section</title><label code="0">Medical and Surgical</label></axis>
    <axis pos="2" values="1"><title>Body System</title><label code="D">Gastrointestinal System</label></axis>
    <axis pos="3" values="1"><title>Operation</title><label code="T">Resection</label>
      <definition>Cutting out or off, without replacement, all of a body part</definition></axis>
    <pcsRow codes="6">
      <axis pos="4" values="2"><title>Body Part</title><label code="J">Appendix</label><label code="K">Esophagus</label></axis>
      <axis pos="5" values="3"><title>Approach</title><label code="0">Open</label><label code="4">Percutaneous Endoscopic</label><label code="7">Via Natural or Artificial Opening</label></axis>
      <axis pos="6" values="1"><title>Device</title><label code="Z">No Device</label></axis>
      <axis pos="7" values="1"><title>Qualifier</title><label code="Z">No Qualifier</label></axis>
    </pcsRow>
    <pcsRow codes="1">
      <axis pos="4" values="1"><title>Body Part</title><label code="U">Omentum</label></axis>
      <axis pos="5" values="1"><title>Approach</title><label code="0">Open</label></axis>
      <axis pos="6" values="1"><title>Device</title><label code="Z">No Device</label></axis>
      <axis pos="7" values="1"><title>Qualifier</title><label code="Z">No Qualifier</label></axis>
    </pcsRow>
  </pcsTable>
</ICD10PCS.tabular>
)";

TEST(ImportersTest, PcsTablesMakeEveryCodeOfEachRow) {
  Catalog catalog;
  ASSERT_TRUE(ReadRelease(FileKind::kIcd10PcsTables, kPcsTables, 20201001, catalog));
  EXPECT_EQ(catalog.releases().back().entries, 7u);  // 2 x 3 + 1
  const Concept* appendectomy = catalog.Find(System::kIcd10Pcs, "0DTJ4ZZ");
  ASSERT_NE(appendectomy, nullptr);
  EXPECT_TRUE(appendectomy->billable);
  EXPECT_EQ(appendectomy->title, "Resection Appendix, Percutaneous Endoscopic");
  EXPECT_EQ(appendectomy->valid_from, 20201001);
  const auto lineage = catalog.Lineage(System::kIcd10Pcs, "0DTJ4ZZ");
  ASSERT_EQ(lineage.size(), 4u);  // the code, its table, body system, section
  EXPECT_EQ(lineage[1]->code, "0DT");
  EXPECT_FALSE(lineage[1]->billable);
  EXPECT_EQ(lineage[1]->title, "Gastrointestinal System, Resection");
  ASSERT_EQ(lineage[1]->notes.size(), 1u);
  EXPECT_NE(lineage[1]->notes[0].text.find("all of a body part"), std::string::npos);
  EXPECT_EQ(lineage[3]->title, "Medical and Surgical");
  EXPECT_NE(catalog.Find(System::kIcd10Pcs, "0DTU0ZZ"), nullptr);
  EXPECT_EQ(catalog.Find(System::kIcd10Pcs, "0DTU4ZZ"), nullptr);  // not in its row
  EXPECT_EQ(catalog.Find(System::kIcd10Pcs, "0D"), nullptr);       // a header is not a code

  // With a PCS release loaded, procedures are checked against it, not only for their form.
  CheckRequest request;
  request.discharge_date = 20210315;
  request.procedures = {{"0DTJ4ZZ", std::nullopt}, {"0DTU4ZZ", std::nullopt}};
  std::vector<std::string> procedure_edits;
  for (const Edit& e : Check(catalog, request)) {
    if (e.target.starts_with("procedures")) procedure_edits.push_back(e.target + " " + e.message);
  }
  EXPECT_EQ(procedure_edits,
            std::vector<std::string>{"procedures[1] \"0DTU4ZZ\" is not an ICD-10-PCS code"});

  // The order file's long title stays; a later tables release ends the codes it leaves out.
  std::string without_omentum(kPcsTables);
  const std::size_t row = without_omentum.rfind("<pcsRow");
  without_omentum.erase(row, without_omentum.find("</pcsRow>", row) + 9 - row);
  ASSERT_TRUE(ReadRelease(FileKind::kIcd10PcsTables, without_omentum, 20211001, catalog));
  EXPECT_EQ(catalog.Find(System::kIcd10Pcs, "0DTU0ZZ")->valid_to, 20210930);
  EXPECT_EQ(catalog.Find(System::kIcd10Pcs, "0DTJ4ZZ")->valid_to, 0);

  const Status incomplete = ReadRelease(
      FileKind::kIcd10PcsTables,
      "<ICD10PCS.tabular><pcsTable><axis pos=\"1\"><label code=\"0\">M</label></axis>"
      "<axis pos=\"2\"><label code=\"D\">G</label></axis><axis pos=\"3\"><label "
      "code=\"T\">R</label></axis><pcsRow><axis pos=\"4\"><label code=\"J\">A</label></axis>"
      "</pcsRow></pcsTable></ICD10PCS.tabular>",
      20221001, catalog);
  ASSERT_FALSE(incomplete);
  EXPECT_NE(incomplete.error().message().find("without all of its axes"), std::string::npos);
  EXPECT_FALSE(ReadRelease(FileKind::kIcd10PcsTables, "<ICD10CM.tabular/>", 20221001, catalog));
  EXPECT_EQ(catalog.Find(System::kIcd10Pcs, "0DTU0ZZ")->valid_to, 20210930);  // unchanged
}

TEST(ReferencesTest, ReadsCodesCategoriesAndRangesInParentheses) {
  const auto refs = ReferencesIn(
      "diabetes mellitus due to underlying condition (E08.-); gestational (O24.4-), "
      "(P70.2) and infections (A00-B99) but not (mellitus) or (NOS)");
  ASSERT_EQ(refs.size(), 4u);
  EXPECT_EQ(refs[0].first, "E08");
  EXPECT_EQ(refs[1].first, "O244");
  EXPECT_EQ(refs[2].first, "P702");
  EXPECT_EQ(refs[3].first, "A00");
  EXPECT_EQ(refs[3].last, "B99");
  EXPECT_TRUE(refs[3].Covers("A419"));
  EXPECT_TRUE(refs[3].Covers("B99"));
  EXPECT_FALSE(refs[3].Covers("C01"));
  EXPECT_TRUE(refs[1].Covers("O2441"));
  EXPECT_FALSE(refs[1].Covers("O243"));
}

TEST(CatalogTest, NormalizesAndDisplaysCodes) {
  EXPECT_EQ(Normalize(" e11.9 "), "E119");
  EXPECT_EQ(Display(System::kIcd10Cm, "E119"), "E11.9");
  EXPECT_EQ(Display(System::kIcd10Cm, "I10"), "I10");
  EXPECT_EQ(Display(System::kIcd10Pcs, "0DTJ4ZZ"), "0DTJ4ZZ");
  EXPECT_EQ(ParseDate("2024-02-29"), 20240229);
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2024-13-01"));
}

}  // namespace
}  // namespace chartroom::coding
