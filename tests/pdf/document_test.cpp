// The PDF writer: file structure checked byte by byte (xref offsets, startxref, page count,
// stream lengths, inflated content), widths and wrapping against the AFM numbers, the UTF-8 to
// WinAnsi mapping, and every file read back by poppler (pdftotext, pdfinfo from poppler-utils,
// which scripts/install-deps.sh installs). Without poppler the reading tests fail: they are the
// proof that real readers accept the files.

#include "pdf/document.hpp"

#include <unistd.h>
#include <zlib.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <string>
#include <vector>

namespace chartroom::pdf {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Document::Info TestInfo() {
  return {.title = "Chart copy",
          .author = "HIM department",
          .subject = "Release of information",
          .created = "D:20261126120000Z"};
}

std::string Inflate(std::string_view data) {
  z_stream z{};
  EXPECT_EQ(inflateInit(&z), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END) << "content stream does not inflate";
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the end of a content stream";
  inflateEnd(&z);
  return out;
}

// Checks the file's skeleton and returns its content streams, inflated, in file order.
std::vector<std::string> CheckStructure(const std::string& pdf, std::size_t pages) {
  EXPECT_EQ(pdf.rfind("%PDF-1.7\n%", 0), 0u);
  EXPECT_GE(static_cast<unsigned char>(pdf[10]), 128) << "binary comment on the second line";
  EXPECT_TRUE(pdf.ends_with("%%EOF\n"));

  // startxref names the offset of "xref".
  const std::size_t sx = pdf.rfind("startxref\n");
  EXPECT_NE(sx, std::string::npos);
  if (sx == std::string::npos) return {};
  const std::size_t xref = std::stoul(pdf.substr(sx + 10));
  EXPECT_EQ(pdf.compare(xref, 5, "xref\n"), 0);

  // Every in-use entry is 20 bytes and points at "N 0 obj".
  std::size_t pos = xref + 5;
  const std::size_t first = std::stoul(pdf.substr(pos));
  pos = pdf.find(' ', pos) + 1;
  const std::size_t count = std::stoul(pdf.substr(pos));
  pos = pdf.find('\n', pos) + 1;
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(pdf.substr(pos, 20), "0000000000 65535 f \n");
  for (std::size_t n = 1; n < count; ++n) {
    const std::string entry = pdf.substr(pos + 20 * n, 20);
    EXPECT_TRUE(std::regex_match(entry, std::regex("[0-9]{10} 00000 n \n"))) << entry;
    const std::size_t offset = std::stoul(entry.substr(0, 10));
    const std::string header = std::to_string(n) + " 0 obj\n";
    EXPECT_EQ(pdf.compare(offset, header.size(), header), 0) << "object " << n;
  }
  EXPECT_EQ(pdf.compare(pos + 20 * count, 8, "trailer\n"), 0);
  EXPECT_THAT(pdf.substr(pos + 20 * count),
              HasSubstr("/Size " + std::to_string(count) + " /Root 1 0 R /Info 3 0 R /ID [<"));

  EXPECT_THAT(pdf, HasSubstr("/Count " + std::to_string(pages) + " >>"));

  // Each stream's /Length is exact: "endstream" follows its data.
  std::vector<std::string> contents;
  const std::regex stream_header("<< /Length ([0-9]+) /Filter /FlateDecode >>\nstream\n");
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), stream_header);
       it != std::sregex_iterator(); ++it) {
    const std::size_t start = static_cast<std::size_t>(it->position() + it->length());
    const std::size_t length = std::stoul((*it)[1].str());
    EXPECT_EQ(pdf.compare(start + length, 10, "\nendstream"), 0);
    contents.push_back(Inflate(std::string_view(pdf).substr(start, length)));
  }
  EXPECT_EQ(contents.size(), pages);
  return contents;
}

// Runs a shell command; its standard output and exit status.
struct ShellResult {
  std::string out;
  int status = -1;
};
ShellResult Shell(const std::string& command) {
  ShellResult run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  run.status = ::pclose(pipe);
  return run;
}

std::string WithoutSpace(std::string text) {
  std::erase_if(text, [](char ch) { return ch == ' ' || ch == '\n' || ch == '\f'; });
  return text;
}

class PopplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"pdftotext", "pdfinfo"}) {
      ASSERT_EQ(Shell(std::string("command -v ") + tool + " >/dev/null 2>&1").status, 0)
          << tool << " is missing: install poppler-utils (scripts/install-deps.sh does)";
    }
    dir_ = fs::path(::testing::TempDir()) / ("pdf-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& pdf, const std::string& name = "out.pdf") {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << pdf;
    return path.string();
  }
  // pdftotext's text; fails the test when poppler reports any error or warning.
  std::string Text(const std::string& pdf, const std::string& options = "-layout") {
    const ShellResult run =
        Shell("pdftotext " + options + " " + Write(pdf) + " - 2>" + (dir_ / "stderr").string());
    EXPECT_EQ(run.status, 0);
    EXPECT_EQ(ReadStderr(), "");
    return run.out;
  }
  std::string Info(const std::string& pdf) {
    const ShellResult run = Shell("pdfinfo " + Write(pdf) + " 2>" + (dir_ / "stderr").string());
    EXPECT_EQ(run.status, 0);
    EXPECT_EQ(ReadStderr(), "");
    return run.out;
  }
  std::string ReadStderr() {
    std::ifstream in(dir_ / "stderr");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
};

TEST(PdfTextTest, WidthsAreTheAfmWidths) {
  EXPECT_NEAR(TextWidth(Font::kHelvetica, 10, "Hello"), 22.78, 1e-9);  // 722+556+222+222+556
  EXPECT_NEAR(TextWidth(Font::kHelveticaOblique, 10, "Hello"), 22.78, 1e-9);
  EXPECT_NEAR(TextWidth(Font::kHelveticaBold, 10, "Hello"), 24.45, 1e-9);  // 722+556+278+278+611
  EXPECT_NEAR(TextWidth(Font::kCourier, 12, "Hello"), 36, 1e-9);
  EXPECT_NEAR(TextWidth(Font::kHelvetica, 1000, "\xE2\x82\xAC"), 556, 1e-9);  // € (code 128)
  EXPECT_NEAR(TextWidth(Font::kHelvetica, 1000, "\xC3\xA9"), 556, 1e-9);      // é (code 233)
  EXPECT_NEAR(TextWidth(Font::kHelvetica, 1000, "'`"), 191 + 333, 1e-9);      // quotesingle, grave
  EXPECT_NEAR(TextWidth(Font::kHelvetica, 1000, "\xF0\x9F\x98\x80"), 556, 1e-9);  // as '?'
  EXPECT_EQ(TextWidth(Font::kHelvetica, 10, ""), 0);
}

TEST(PdfTextTest, Utf8BecomesWinAnsi) {
  EXPECT_EQ(EncodeWinAnsi("plain (ASCII) \\ ~"), "plain (ASCII) \\ ~");
  EXPECT_EQ(EncodeWinAnsi("Jos\xC3\xA9 \xE2\x80\x93 5 \xE2\x82\xAC"), "Jos\xE9 \x96 5 \x80");
  // ‘ ’ “ ” • … ™ — Ÿ and the Latin-1 range's ends.
  EXPECT_EQ(EncodeWinAnsi("\xE2\x80\x98\xE2\x80\x99\xE2\x80\x9C\xE2\x80\x9D\xE2\x80\xA2"
                          "\xE2\x80\xA6\xE2\x84\xA2\xE2\x80\x94\xC5\xB8\xC2\xA0\xC3\xBF"),
            "\x91\x92\x93\x94\x95\x85\x99\x97\x9F\xA0\xFF");
  EXPECT_EQ(EncodeWinAnsi("a\xF0\x9F\x98\x80"
                          "b"),
            "a?b");                                                    // emoji: one '?'
  EXPECT_EQ(EncodeWinAnsi("\xE4\xB8\xAD\xCE\xA9"), "??");              // CJK, Greek
  EXPECT_EQ(EncodeWinAnsi("\xFF\xC3(\xC0\xAF"), "?\?(??");             // bad lead, cut, overlong
  EXPECT_EQ(EncodeWinAnsi("x\xF0\x9F\x98"), "x?");                     // truncated at the end
  EXPECT_EQ(EncodeWinAnsi("\xED\xA0\x80"), "???");                     // a surrogate
  EXPECT_EQ(EncodeWinAnsi("\xF4\x90\x80\x80"), "????");                // beyond U+10FFFF
  EXPECT_EQ(EncodeWinAnsi("a\tb\r\nc\x01\x7F\xC2\x85"), "a b  c???");  // controls, NEL
  EXPECT_EQ(EncodeWinAnsi(std::string("\0z", 2)), "?z");
}

TEST(PdfTextTest, WrapBreaksAtSpacesWithinTheWidth) {
  const double width = TextWidth(Font::kHelvetica, 10, "Hello world");
  EXPECT_THAT(Wrap(Font::kHelvetica, 10, "Hello world again", width),
              ElementsAre("Hello world", "again"));
  EXPECT_THAT(Wrap(Font::kHelvetica, 10, "Hello world again", width - 0.01),
              ElementsAre("Hello", "world", "again"));
  EXPECT_THAT(Wrap(Font::kHelvetica, 10, "  Hello   \t world  ", 1000), ElementsAre("Hello world"));

  const std::string text =
      "Patient presented with intermittent chest pain radiating to the left arm, relieved by "
      "rest; ECG showed no acute changes and troponin was negative on two draws.";
  const std::vector<std::string> lines = Wrap(Font::kHelvetica, 9, text, 150);
  EXPECT_GT(lines.size(), 3u);
  std::string joined;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(TextWidth(Font::kHelvetica, 9, lines[i]), 150 + 1e-9) << lines[i];
    if (i + 1 < lines.size()) {  // greedy: the next line's first word would not have fitted
      const std::string next_word = lines[i + 1].substr(0, lines[i + 1].find(' '));
      EXPECT_GT(TextWidth(Font::kHelvetica, 9, lines[i] + " " + next_word), 150);
    }
    joined += (i ? " " : "") + lines[i];
  }
  EXPECT_EQ(joined, text);
}

TEST(PdfTextTest, WrapBreaksWordsLongerThanALine) {
  const std::string word = "Pneumonoultramicroscopicsilicovolcanoconiosis";
  const std::vector<std::string> lines = Wrap(Font::kCourier, 10, "see " + word + " here", 60);
  // Courier 10: 6 points a character, 10 to a line.
  EXPECT_THAT(lines, ElementsAre("see", "Pneumonoul", "tramicrosc", "opicsilico", "volcanocon",
                                 "iosis here"));

  // Multi-byte characters are never split, and an impossible width still makes progress.
  const std::vector<std::string> accents =
      Wrap(Font::kHelvetica, 10, "\xC3\xA9\xC3\xA9\xC3\xA9", 1);
  EXPECT_THAT(accents, ElementsAre("\xC3\xA9", "\xC3\xA9", "\xC3\xA9"));
  EXPECT_THAT(Wrap(Font::kHelvetica, 10, "ab", -5), ElementsAre("a", "b"));
}

TEST(PdfTextTest, WrapKeepsLineBreaks) {
  EXPECT_THAT(Wrap(Font::kHelvetica, 10, "one\n\ntwo three\n", 1000),
              ElementsAre("one", "", "two three"));
  EXPECT_THAT(Wrap(Font::kHelvetica, 10, "a\r\nb", 1000), ElementsAre("a", "b"));
  EXPECT_THAT(Wrap(Font::kHelvetica, 10, "\n", 1000), ElementsAre(""));
  EXPECT_TRUE(Wrap(Font::kHelvetica, 10, "", 1000).empty());
}

TEST(PdfDocumentTest, StructureHoldsForEveryPage) {
  Document doc(TestInfo());
  for (int i = 0; i < 3; ++i) {
    Page& page = doc.AddPage();
    page.Text(72, 720, Font::kHelveticaBold, 14, "Page " + std::to_string(i + 1));
    page.Line(72, 710, 540, 710);
    page.Rect(72, 600, 100, 50, {0.9, 0.9, 0.95});
  }
  EXPECT_EQ(doc.page_count(), 3u);
  const std::string pdf = doc.Finish();
  const std::vector<std::string> contents = CheckStructure(pdf, 3);
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[1],
            "BT /F2 14 Tf 0 0 0 rg 72 720 Td (Page 2) Tj ET\n"
            "0.5 w 0 0 0 RG 72 710 m 540 710 l S\n"
            "0.9 0.9 0.95 rg 72 600 100 50 re f\n");
  EXPECT_THAT(pdf, HasSubstr("/BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding"));
  EXPECT_THAT(pdf, ::testing::Not(HasSubstr("/BaseFont /Courier")));  // only fonts in use
  EXPECT_THAT(pdf, HasSubstr("/MediaBox [0 0 612 792]"));
  EXPECT_THAT(pdf,
              HasSubstr("/Title (Chart copy) /Author (HIM department) /Subject (Release of "
                        "information) /Creator (Chartroom) /CreationDate (D:20261126120000Z)"));
  EXPECT_EQ(doc.Finish(), pdf);  // a function of the content
}

TEST(PdfDocumentTest, PagesKeepTheirAddresses) {
  Document doc(TestInfo());
  Page& first = doc.AddPage();
  for (int i = 0; i < 100; ++i) doc.AddPage();
  first.Text(72, 72, Font::kCourier, 10, "still here");
  EXPECT_EQ(CheckStructure(doc.Finish(), 101)[0],
            "BT /F4 10 Tf 0 0 0 rg 72 72 Td (still here) Tj ET\n");
}

TEST(PdfDocumentTest, StringsAreEscapedAndNumbersAreFinite) {
  Document doc(TestInfo(), 595.28, 841.89);  // A4
  Page& page = doc.AddPage();
  page.Text(10.5, 20.25, Font::kHelvetica, 9, "(a) \\ b)(", {1.5, -1, 0.3333333});
  page.Text(std::nan(""), 1e300, Font::kHelvetica, 9, "x");
  page.Line(0, 0, 1, 1, -3, {});
  page.Text(0, 0, Font::kHelvetica, 9, "");  // nothing to draw
  const std::vector<std::string> contents = CheckStructure(doc.Finish(), 1);
  ASSERT_EQ(contents.size(), 1u);
  EXPECT_EQ(contents[0],
            "BT /F1 9 Tf 1 0 0.333 rg 10.5 20.25 Td (\\(a\\) \\\\ b\\)\\() Tj ET\n"
            "BT /F1 9 Tf 0 0 0 rg 0 10000000 Td (x) Tj ET\n"
            "0 w 0 0 0 RG 0 0 m 1 1 l S\n");
}

TEST(PdfDocumentTest, AnEmptyDocumentStillHasAPage) {
  Document doc({});
  EXPECT_EQ(doc.page_count(), 0u);
  const std::string pdf = doc.Finish();
  EXPECT_THAT(CheckStructure(pdf, 1), ElementsAre(""));
  EXPECT_THAT(pdf, HasSubstr("3 0 obj\n<< /Creator (Chartroom) >>"));
}

TEST(PdfDocumentTest, InfoStringsKeepUnicode) {
  Document::Info info = TestInfo();
  info.title = "Chart \xE2\x80\x93 Jos\xC3\xA9 \xF0\x9F\x98\x80\xFF";
  Document doc(info);
  doc.AddPage();
  EXPECT_THAT(doc.Finish(), HasSubstr("/Title <FEFF00430068006100720074002020130020004A006F007300E9"
                                      "0020D83DDE00FFFD>"));
}

TEST(PdfDocumentTest, WatermarkIsTranslucentAndDrawnLast) {
  Document doc(TestInfo());
  Page& page = doc.AddPage();
  page.Watermark("COPY");
  page.Rect(0, 0, 612, 792, {1, 1, 1});
  const std::string pdf = doc.Finish();
  const std::vector<std::string> contents = CheckStructure(pdf, 1);
  ASSERT_EQ(contents.size(), 1u);
  EXPECT_EQ(contents[0].rfind("1 1 1 rg", 0), 0u);
  EXPECT_THAT(contents[0], HasSubstr("q /GS1 gs 0.45 0.45 0.45 rg BT /F2 "));
  EXPECT_TRUE(contents[0].ends_with("(COPY) Tj ET Q\n"));
  EXPECT_THAT(pdf, HasSubstr("<< /Type /ExtGState /ca 0.15 /CA 0.15 >>"));

  page.Watermark("");
  EXPECT_THAT(CheckStructure(doc.Finish(), 1), ElementsAre("1 1 1 rg 0 0 612 792 re f\n"));
}

TEST_F(PopplerTest, ReadsBackTextAndPageCount) {
  Document::Info info = TestInfo();
  info.title = "Chart copy \xE2\x80\x93 Jos\xC3\xA9";
  Document doc(info);
  Page& first = doc.AddPage();
  first.Text(72, 720, Font::kHelveticaBold, 16, "Release of information");
  first.Text(72, 700, Font::kHelvetica, 11, "(a) \\ b");
  first.Text(72, 680, Font::kHelveticaOblique, 11, "Jos\xC3\xA9 \xE2\x80\x93 5 \xE2\x82\xAC");
  first.Text(72, 660, Font::kCourier, 11, "smile \xF0\x9F\x98\x80 bad \xFF\xFE end");
  first.Text(72, 640, Font::kHelvetica, 11,
             "\xE2\x80\x9CQuoted\xE2\x80\x9D \xE2\x80\x98single\xE2\x80\x99 \xE2\x80\xA2 "
             "wait\xE2\x80\xA6 Brand\xE2\x84\xA2 \xC3\x85ngstr\xC3\xB6m \xC3\x9F");
  first.Watermark("CONFIDENTIAL");
  Page& second = doc.AddPage();
  second.Text(72, 720, Font::kHelvetica, 11, "Second page");
  doc.AddPage();
  const std::string pdf = doc.Finish();
  CheckStructure(pdf, 3);

  const std::string text = Text(pdf);
  EXPECT_THAT(text, HasSubstr("Release of information"));
  EXPECT_THAT(text, HasSubstr("(a) \\ b"));
  EXPECT_THAT(text, HasSubstr("Jos\xC3\xA9 \xE2\x80\x93 5 \xE2\x82\xAC"));
  EXPECT_THAT(text, HasSubstr("smile ? bad ?? end"));
  EXPECT_THAT(text, HasSubstr("\xE2\x80\x9CQuoted\xE2\x80\x9D \xE2\x80\x98single\xE2\x80\x99 "
                              "\xE2\x80\xA2 wait\xE2\x80\xA6 Brand\xE2\x84\xA2 "
                              "\xC3\x85ngstr\xC3\xB6m \xC3\x9F"));
  EXPECT_THAT(text, HasSubstr("Second page"));
  // Poppler reads diagonal text one character a line; in content order (-raw) they spell the
  // watermark, and -nodiag (which drops text that is not horizontal or vertical) loses it.
  EXPECT_THAT(WithoutSpace(Text(pdf, "-raw -f 1 -l 1")), HasSubstr("CONFIDENTIAL"));
  const std::string straight = Text(pdf, "-raw -nodiag -f 1 -l 1");
  EXPECT_THAT(straight, HasSubstr("Release of information"));
  EXPECT_THAT(WithoutSpace(straight), ::testing::Not(HasSubstr("CONFIDENTIAL")));

  const std::string about = Info(pdf);
  EXPECT_THAT(about, ::testing::ContainsRegex("Pages: +3\n"));
  EXPECT_THAT(about, HasSubstr("Chart copy \xE2\x80\x93 Jos\xC3\xA9"));
  EXPECT_THAT(about, ::testing::ContainsRegex("PDF version: +1.7\n"));
  EXPECT_THAT(about, ::testing::ContainsRegex("Page size: +612 x 792 pts"));
}

TEST_F(PopplerTest, WrappedLinesComeBackInOrder) {
  Document doc(TestInfo());
  Page& page = doc.AddPage();
  const std::string note =
      "Assessment: community-acquired pneumonia, right lower lobe. Plan: amoxicillin 1 g three "
      "times daily for five days; return if fever persists beyond 72 hours.\nFollow-up in clinic.";
  double y = 700;
  const std::vector<std::string> lines = Wrap(Font::kHelvetica, 11, note, 200);
  for (const std::string& line : lines) {
    page.Text(72, y, Font::kHelvetica, 11, line);
    y -= 14;
  }
  std::istringstream text(Text(doc.Finish()));
  std::vector<std::string> read;
  for (std::string line; std::getline(text, line);) {
    line.erase(0, line.find_first_not_of(' '));
    line.erase(line.find_last_not_of(" \f") + 1);
    if (!line.empty()) read.push_back(line);
  }
  std::vector<std::string> expected;
  for (const std::string& line : lines) {
    if (!line.empty()) expected.push_back(line);
  }
  EXPECT_EQ(read, expected);
}

TEST_F(PopplerTest, ArbitraryBytesNeverBreakTheFile) {
  std::mt19937 random(2026);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 80);
  Document::Info info;
  for (int i = 0; i < 40; ++i) info.title += static_cast<char>(byte(random));
  Document doc(info);
  for (int p = 0; p < 4; ++p) {
    Page& page = doc.AddPage();
    for (int i = 0; i < 30; ++i) {
      std::string text;
      for (int n = length(random); n > 0; --n) text += static_cast<char>(byte(random));
      page.Text(40, 760 - 24.0 * i, static_cast<Font>(i % 4), 9, text);
      for (const std::string& line : Wrap(Font::kHelvetica, 9, text, 120)) {
        page.Text(320, 760 - 24.0 * i, Font::kHelvetica, 9, line);
      }
    }
    std::string mark;
    for (int n = 12; n > 0; --n) mark += static_cast<char>(byte(random));
    page.Watermark(mark);
  }
  const std::string pdf = doc.Finish();
  CheckStructure(pdf, 4);
  Text(pdf);
  EXPECT_THAT(Info(pdf), ::testing::ContainsRegex("Pages: +4\n"));
}

}  // namespace
}  // namespace chartroom::pdf
