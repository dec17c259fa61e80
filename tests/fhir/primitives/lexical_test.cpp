// Checks the hand-coded lexical rules two ways: against tables of valid and invalid values, and
// against the spec's own regex (from the generated model, compiled with std::regex, ECMAScript,
// full match) over those tables and over strings generated from them. The hand-coded rules are
// the regex plus the prose constraints of the spec; the test states those constraints again,
// independently, in SpecProseAllows(), so that any disagreement with the regex is one the
// specification's prose asks for.

#include "fhir/primitives/lexical.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "fhir/model/model.hpp"

namespace chartroom::fhir {
namespace {

struct Examples {
  PrimitiveType type;
  std::vector<std::string> valid;
  std::vector<std::string> invalid;
};

const std::vector<Examples>& AllExamples() {
  static const std::vector<Examples> kExamples = {
      {PrimitiveType::kId,
       {"a", "pat-1", "A.b-C.9", std::string(64, 'x'), "123", "-", "."},
       {"", std::string(65, 'x'), "a b", "a_b", "a/b", "é", "a\n"}},
      {PrimitiveType::kCode,
       {"final", "a b", "x\ty", "in-progress", "ÄÖ", "1"},
       {"", " a", "a ", "a  b",
        "a\x01"
        "b",
        "\t", "a\vb"}},
      {PrimitiveType::kOid,
       {"urn:oid:1.2.3", "urn:oid:2.16.840.1.113883", "urn:oid:0.0", "urn:oid:1.10.0"},
       {"urn:oid:1", "urn:oid:3.1", "urn:oid:1.02", "urn:oid:1..2", "urn:oid:1.2.", "1.2.3",
        "urn:oid:", "URN:OID:1.2"}},
      {PrimitiveType::kUuid,
       {"urn:uuid:c757873d-ec9a-4326-a141-556f43239520",
        "urn:uuid:00000000-0000-0000-0000-000000000000"},
       {"urn:uuid:C757873D-EC9A-4326-A141-556F43239520",
        "urn:uuid:c757873d-ec9a-4326-a141-556f4323952", "urn:uuid:c757873dec9a4326a141556f43239520",
        "c757873d-ec9a-4326-a141-556f43239520", "urn:uuid:c757873d-ec9a-4326-a141-556f43239520 "}},
      {PrimitiveType::kUri,
       {"http://example.org/fhir", "urn:oid:1.2", "#p1", "a", "http://x/ä"},
       {"", "a b", "http://x\ty", "a\x01", "\n"}},
      {PrimitiveType::kUrl, {"https://example.org/a?b=c", "mailto:x@example.org"}, {"", "a b"}},
      {PrimitiveType::kCanonical,
       {"http://hl7.org/fhir/ValueSet/x|4.0.1", "http://a/b"},
       {"", "http://a/b c"}},
      {PrimitiveType::kBase64Binary,
       {"QUJD", "QUI=", "QQ==", "QUJD REVG", " QUJD\n", "QUJDREVG", "+/+/"},
       {"", "QUJ", "Q UJD", "QUJD=", "Q===", "QU=D", "QQ==QUJD", "QQ== QUJD", "QU*D", "    "}},
      {PrimitiveType::kDate,
       {"2024", "2024-02", "2024-02-29", "2000-02-29", "0001-01-01", "1974-12-25"},
       {"", "0000", "2023-02-29", "1900-02-29", "2024-13", "2024-00", "2024-04-31", "2024-1-01",
        "24", "2024-02-29T10:00:00Z", "2024-02-3", "20240229"}},
      {PrimitiveType::kDateTime,
       {"2024", "2024-02", "2024-02-29", "2015-02-04T14:34:28Z", "2015-02-04T14:34:28.123+09:00",
        "2015-02-04T23:59:60-14:00", "2015-02-04T00:00:00+14:00", "2015-02-04T00:00:00.1-13:59"},
       {"2015-02-04T14:34", "2015-02-04T14:34:28", "2015-02-04T14Z", "2015-02-04T24:00:00Z",
        "2015-02-04T14:34:28+14:01", "2015-02-04T14:34:28+15:00", "2015-02-04T14:34:28.Z",
        "2015-02-04 14:34:28Z", "2015T", "2015-02-30T00:00:00Z", "2015-02-04T14:34:28+0900"}},
      {PrimitiveType::kInstant,
       {"2015-02-04T14:34:28Z", "2015-02-04T14:34:28.123456+09:00"},
       {"2015-02-04", "2015", "2015-02-04T14:34:28", "2015-02-29T14:34:28Z"}},
      {PrimitiveType::kTime,
       {"00:00:00", "23:59:59", "14:34:28.123", "23:59:60"},
       {"24:00:00", "14:34", "14:34:28Z", "14:60:00", "1:02:03", "14:34:28."}},
      {PrimitiveType::kString,
       {"a", " ", "line\r\nnext\ttab", "naïve", "\x7f"},
       {"", "a\x01",
        "a\x0b"
        "b",
        std::string("a\0b", 3)}},
      {PrimitiveType::kMarkdown, {"# Title\n\n*text*"}, {"", "bell\x07"}},
      {PrimitiveType::kXhtml,
       {"<div xmlns=\"http://www.w3.org/1999/xhtml\">text</div>", "<div/>", " <div>a</div>\n"},
       {"", "text", "<p>text</p>", "<divx>a</divx>", "<div>a</div", "<div>\x01</div>"}},
      {PrimitiveType::kDecimal,
       {"0", "-0", "1.50", "-0.001", "1e10", "1E-3", "1.5e+3", "123456789012345678901234567890"},
       {"", "01", "1.", ".5", "+1", "1e", "1.5e+", "- 1", "1,5", "NaN", "0x10"}},
      {PrimitiveType::kInteger,
       {"0", "-0", "42", "-2147483648", "2147483647"},
       {"", "2147483648", "-2147483649", "01", "+1", "1.0", "1e3", "99999999999999999999"}},
      {PrimitiveType::kUnsignedInt, {"0", "1", "2147483647"}, {"", "-1", "2147483648", "00", "+0"}},
      {PrimitiveType::kPositiveInt, {"1", "2147483647"}, {"", "0", "-1", "2147483648", "01"}},
      {PrimitiveType::kBoolean, {"true", "false"}, {"", "TRUE", "1", "true ", "yes"}},
  };
  return kExamples;
}

TEST(LexicalTest, NamesMapToTypes) {
  EXPECT_EQ(PrimitiveTypeByName("positiveInt"), PrimitiveType::kPositiveInt);
  EXPECT_EQ(PrimitiveTypeByName("base64Binary"), PrimitiveType::kBase64Binary);
  EXPECT_EQ(PrimitiveTypeByName("PositiveInt"), std::nullopt);
  EXPECT_EQ(PrimitiveTypeByName("Patient"), std::nullopt);
  for (const Examples& examples : AllExamples()) {
    EXPECT_EQ(PrimitiveTypeByName(PrimitiveTypeName(examples.type)), examples.type);
  }
}

TEST(LexicalTest, ValidExamplesMatch) {
  for (const Examples& examples : AllExamples()) {
    for (const std::string& text : examples.valid) {
      EXPECT_TRUE(MatchesLexicalForm(examples.type, text))
          << PrimitiveTypeName(examples.type) << " \"" << text << "\"";
      EXPECT_TRUE(MatchesLexicalForm(PrimitiveTypeName(examples.type), text));
    }
  }
}

TEST(LexicalTest, InvalidExamplesDoNotMatch) {
  for (const Examples& examples : AllExamples()) {
    for (const std::string& text : examples.invalid) {
      EXPECT_FALSE(MatchesLexicalForm(examples.type, text))
          << PrimitiveTypeName(examples.type) << " \"" << text << "\"";
    }
  }
}

TEST(LexicalTest, UnknownTypeNameNeverMatches) {
  EXPECT_FALSE(MatchesLexicalForm("Patient", "a"));
  EXPECT_FALSE(MatchesLexicalForm("", "a"));
}

// --- Cross-check against the spec regex -------------------------------------------------------

bool HasForbiddenControl(const std::string& text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') return true;
  }
  return false;
}

bool IsRealCalendarDay(const std::string& text) {
  if (text.size() < 10) return true;  // no day part
  const std::chrono::year_month_day date{
      std::chrono::year{std::stoi(text.substr(0, 4))},
      std::chrono::month{static_cast<unsigned>(std::stoi(text.substr(5, 2)))},
      std::chrono::day{static_cast<unsigned>(std::stoi(text.substr(8, 2)))}};
  return date.ok();
}

bool FitsRange(const std::string& text, std::int64_t low, std::int64_t high) {
  if (text.size() > 12) return false;
  const std::int64_t value = std::stoll(text);
  return value >= low && value <= high;
}

bool PaddingOnlyAtEnd(const std::string& text) {
  std::string compact;
  for (const char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') compact += c;
  }
  const std::size_t first_pad = compact.find('=');
  if (first_pad == std::string::npos) return true;
  return compact.find_first_not_of('=', first_pad) == std::string::npos &&
         compact.size() - first_pad <= 2;
}

// What the spec's prose adds to a value that already matches the spec regex (see lexical.hpp).
bool SpecProseAllows(PrimitiveType type, const std::string& text) {
  if (text.empty() || HasForbiddenControl(text)) return false;
  switch (type) {
    case PrimitiveType::kDate:
    case PrimitiveType::kDateTime:
    case PrimitiveType::kInstant:
      return IsRealCalendarDay(text);
    case PrimitiveType::kInteger:
      return FitsRange(text, -2147483648LL, 2147483647LL);
    case PrimitiveType::kUnsignedInt:
      return FitsRange(text, 0, 2147483647LL);
    case PrimitiveType::kPositiveInt:
      return FitsRange(text, 1, 2147483647LL);
    case PrimitiveType::kBase64Binary:
      return PaddingOnlyAtEnd(text);
    default:
      return true;
  }
}

// Strings near the examples: every single-character deletion, replacement and insertion over an
// alphabet of characters that matter to some rule, then random multi-step mutations (fixed seed,
// so every run checks the same strings).
std::vector<std::string> GeneratedFrom(const Examples& examples) {
  static const std::string kAlphabet =
      std::string("0129aAfzZT:-+.=/ e\t\n\x01\x0b\x7f\xc3") + std::string(1, '\0');
  std::set<std::string> out;
  std::vector<std::string> seeds = examples.valid;
  seeds.insert(seeds.end(), examples.invalid.begin(), examples.invalid.end());
  for (const std::string& seed : seeds) {
    if (seed.size() > 70) continue;
    out.insert(seed);
    for (std::size_t i = 0; i <= seed.size(); ++i) {
      if (i < seed.size()) out.insert(seed.substr(0, i) + seed.substr(i + 1));
      for (const char c : kAlphabet) {
        out.insert(seed.substr(0, i) + c + seed.substr(i));
        if (i < seed.size()) {
          std::string replaced = seed;
          replaced[i] = c;
          out.insert(replaced);
        }
      }
    }
  }
  std::mt19937 rng(20240229);
  for (int n = 0; n < 3000 && !seeds.empty(); ++n) {
    std::string text = seeds[rng() % seeds.size()];
    if (text.size() > 70) continue;
    const int steps = 1 + static_cast<int>(rng() % 4);
    for (int step = 0; step < steps; ++step) {
      const std::size_t at = text.empty() ? 0 : rng() % (text.size() + 1);
      const char c = kAlphabet[rng() % kAlphabet.size()];
      switch (rng() % 3) {
        case 0:
          if (at < text.size()) text.erase(at, 1);
          break;
        case 1:
          text.insert(at, 1, c);
          break;
        default:
          if (at < text.size()) text[at] = c;
          break;
      }
    }
    out.insert(text);
  }
  return {out.begin(), out.end()};
}

TEST(LexicalTest, AgreesWithSpecRegexOverExamplesAndGeneratedStrings) {
  for (const Examples& examples : AllExamples()) {
    const std::string_view name = PrimitiveTypeName(examples.type);
    const TypeInfo* info = FindType(name);
    ASSERT_NE(info, nullptr) << name;
    ASSERT_TRUE(info->is_primitive()) << name;
    if (examples.type == PrimitiveType::kXhtml) {
      // The definitions give xhtml no regex; its rule is ours alone (see lexical.hpp).
      EXPECT_TRUE(info->regex().empty());
      continue;
    }
    ASSERT_FALSE(info->regex().empty()) << name;
    const std::regex spec(std::string(info->regex()), std::regex::ECMAScript);
    int checked = 0;
    int spec_matches = 0;
    for (const std::string& text : GeneratedFrom(examples)) {
      const bool regex_match = std::regex_match(text, spec);
      const bool expected = regex_match && SpecProseAllows(examples.type, text);
      EXPECT_EQ(MatchesLexicalForm(examples.type, text), expected)
          << name << " \"" << text << "\" (spec regex says " << regex_match << ")";
      ++checked;
      spec_matches += regex_match ? 1 : 0;
    }
    // The generated set must exercise both outcomes or the comparison proves little.
    EXPECT_GT(spec_matches, 0) << name;
    EXPECT_LT(spec_matches, checked) << name;
  }
}

}  // namespace
}  // namespace chartroom::fhir
