#include "pdf/document.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <utility>

#include "core/error.hpp"
#include "pdf/metrics.hpp"

namespace chartroom::pdf {
namespace {

constexpr std::size_t kFontCount = 4;
constexpr std::array<std::string_view, kFontCount> kBaseFonts = {"Helvetica", "Helvetica-Bold",
                                                                 "Helvetica-Oblique", "Courier"};

constexpr char32_t kIllFormed = 0xFFFFFFFF;

// Decodes the code point at text[pos] and moves pos past it. An ill-formed sequence gives
// kIllFormed and moves past its maximal subpart (Unicode 15, section 3.9): the bytes that could
// start a well-formed sequence, at least one.
char32_t NextCodePoint(std::string_view text, std::size_t& pos) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned lead = byte(pos);
  ++pos;
  if (lead < 0x80) return lead;
  std::size_t length;
  unsigned low = 0x80, high = 0xBF;  // range of the first continuation byte
  char32_t cp;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07;
    if (lead == 0xF0) low = 0x90;   // no overlong forms
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return kIllFormed;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if (pos >= text.size()) return kIllFormed;
    const unsigned next = byte(pos);
    if (next < low || next > high) return kIllFormed;
    low = 0x80;
    high = 0xBF;
    cp = (cp << 6) | (next & 0x3F);
    ++pos;
  }
  return cp;
}

unsigned char ToWinAnsi(char32_t cp) {
  if (cp >= 0x20 && cp <= 0x7E) return static_cast<unsigned char>(cp);
  if (cp >= 0xA0 && cp <= 0xFF) return static_cast<unsigned char>(cp);
  if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f') return ' ';
  const auto& specials = internal::kWinAnsiSpecials;
  auto it = std::lower_bound(
      specials.begin(), specials.end(), cp,
      [](const internal::WinAnsiSpecial& s, char32_t value) { return s.code_point < value; });
  if (it != specials.end() && it->code_point == cp) return it->code;
  return '?';
}

const internal::WidthTable& Widths(Font font) {
  switch (font) {
    case Font::kHelvetica:
      return internal::kHelveticaWidths;
    case Font::kHelveticaBold:
      return internal::kHelveticaBoldWidths;
    case Font::kHelveticaOblique:
      return internal::kHelveticaObliqueWidths;
    case Font::kCourier:
      return internal::kCourierWidths;
  }
  return internal::kHelveticaWidths;
}

std::size_t FontIndex(Font font) {
  const auto index = static_cast<std::size_t>(font);
  CHARTROOM_CHECK(index < kFontCount);
  return index;
}

// Width in 1/1000 em of one WinAnsi byte (every byte EncodeWinAnsi gives is >= 32).
unsigned GlyphWidth(const internal::WidthTable& widths, unsigned char code) {
  return code >= 32 ? widths[static_cast<std::size_t>(code - 32)] : 0;
}

// A number as PDF writes it: fixed notation, at most 3 decimals, no exponent. Not-finite
// values are 0, magnitudes are capped far beyond any page.
std::string Num(double value) {
  if (!std::isfinite(value)) value = 0;
  value = std::clamp(value, -1e7, 1e7);
  char buffer[32];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 3);
  CHARTROOM_CHECK(ec == std::errc());
  std::string out(buffer, end);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

std::string Component(double value) {
  return Num(std::isfinite(value) ? std::clamp(value, 0.0, 1.0) : 0.0);
}

std::string Rgb(Color c) { return Component(c.r) + " " + Component(c.g) + " " + Component(c.b); }

// A PDF literal string of WinAnsi bytes: ( ) \ escaped, control bytes as octal escapes.
std::string Literal(std::string_view bytes) {
  std::string out = "(";
  for (char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    if (ch == '(' || ch == ')' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (b < 0x20 || b == 0x7F) {
      constexpr char kDigits[] = "01234567";
      out += '\\';
      out += kDigits[(b >> 6) & 7];
      out += kDigits[(b >> 3) & 7];
      out += kDigits[b & 7];
    } else {
      out += ch;
    }
  }
  out += ')';
  return out;
}

// A PDF text string (for the Info dictionary): a literal when the text is printable ASCII,
// otherwise UTF-16BE with a byte order mark, in hex.
std::string TextString(std::string_view utf8) {
  if (std::all_of(utf8.begin(), utf8.end(), [](char ch) { return ch >= 0x20 && ch < 0x7F; })) {
    return Literal(utf8);
  }
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "<FEFF";
  auto unit = [&](unsigned value) {
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xF];
  };
  for (std::size_t pos = 0; pos < utf8.size();) {
    char32_t cp = NextCodePoint(utf8, pos);
    if (cp == kIllFormed) cp = 0xFFFD;
    if (cp >= 0x10000) {
      const unsigned v = static_cast<unsigned>(cp) - 0x10000;
      unit(0xD800 + (v >> 10));
      unit(0xDC00 + (v & 0x3FF));
    } else {
      unit(static_cast<unsigned>(cp));
    }
  }
  out += '>';
  return out;
}

std::string Deflate(std::string_view data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  const int rc =
      compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                reinterpret_cast<const Bytef*>(data.data()), static_cast<uLong>(data.size()), 6);
  CHARTROOM_CHECK(rc == Z_OK);
  out.resize(size);
  return out;
}

// Two FNV-1a 64-bit digests of `data` (different offset bases), as 32 hex digits: the file
// identifier. Not cryptographic; it only needs to tell documents apart.
std::string Identifier(std::string_view data) {
  std::uint64_t a = 0xCBF29CE484222325ULL, b = 0x84222325CBF29CE4ULL;
  for (char ch : data) {
    const auto byte = static_cast<std::uint64_t>(static_cast<unsigned char>(ch));
    a = (a ^ byte) * 0x100000001B3ULL;
    b = (b ^ byte) * 0x100000001B3ULL;
  }
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (std::uint64_t v : {a, b}) {
    for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(v >> shift) & 0xF];
  }
  return out;
}

// Appends numbered objects and remembers where each starts.
class Writer {
 public:
  explicit Writer(std::size_t object_count) : offsets_(object_count + 1, 0) {
    out_ = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  }

  void Object(std::size_t number, std::string_view body) {
    Begin(number);
    out_ += body;
    out_ += "\nendobj\n";
  }

  void Stream(std::size_t number, std::string_view content) {
    const std::string data = Deflate(content);
    Begin(number);
    out_ += "<< /Length " + std::to_string(data.size()) + " /Filter /FlateDecode >>\nstream\n";
    out_ += data;
    out_ += "\nendstream\nendobj\n";
  }

  std::string Finish(std::size_t root, std::size_t info) && {
    const std::string id = Identifier(out_);
    const std::size_t xref = out_.size();
    out_ += "xref\n0 " + std::to_string(offsets_.size()) + "\n0000000000 65535 f \n";
    for (std::size_t i = 1; i < offsets_.size(); ++i) {
      CHARTROOM_CHECK(offsets_[i] != 0);
      std::string offset = std::to_string(offsets_[i]);
      out_ += std::string(10 - std::min<std::size_t>(10, offset.size()), '0') + offset;
      out_ += " 00000 n \n";
    }
    out_ += "trailer\n<< /Size " + std::to_string(offsets_.size()) + " /Root " + Ref(root) +
            " /Info " + Ref(info) + " /ID [<" + id + "> <" + id + ">] >>\nstartxref\n" +
            std::to_string(xref) + "\n%%EOF\n";
    return std::move(out_);
  }

  static std::string Ref(std::size_t number) { return std::to_string(number) + " 0 R"; }

 private:
  void Begin(std::size_t number) {
    CHARTROOM_CHECK(number > 0 && number < offsets_.size() && offsets_[number] == 0);
    offsets_[number] = out_.size();
    out_ += std::to_string(number) + " 0 obj\n";
  }

  std::string out_;
  std::vector<std::size_t> offsets_;  // by object number; 0 is the free-list head
};

constexpr Font kWatermarkFont = Font::kHelveticaBold;
constexpr double kWatermarkOpacity = 0.15;
constexpr Color kWatermarkColor = {0.45, 0.45, 0.45};

}  // namespace

std::string EncodeWinAnsi(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t pos = 0; pos < utf8.size();) {
    const char32_t cp = NextCodePoint(utf8, pos);
    out += static_cast<char>(cp == kIllFormed ? '?' : ToWinAnsi(cp));
  }
  return out;
}

double TextWidth(Font font, double size, std::string_view utf8) {
  const internal::WidthTable& widths = Widths(font);
  unsigned long total = 0;
  for (char ch : EncodeWinAnsi(utf8)) total += GlyphWidth(widths, static_cast<unsigned char>(ch));
  return static_cast<double>(total) * size / 1000.0;
}

namespace {

bool IsBreakSpace(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

// Appends the lines of one paragraph (no '\n' in it) to `lines`.
void WrapParagraph(Font font, double size, std::string_view text, double max_width,
                   std::vector<std::string>& lines) {
  constexpr double kSlack = 1e-9;  // widths that sum to exactly max_width still fit
  const internal::WidthTable& widths = Widths(font);
  const double space = TextWidth(font, size, " ");
  const std::size_t first_line = lines.size();
  std::string line;
  double line_width = 0;
  bool open = false;  // `line` holds at least one word
  auto flush = [&] {
    lines.push_back(std::move(line));
    line.clear();
    line_width = 0;
    open = false;
  };

  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && IsBreakSpace(text[pos])) ++pos;
    if (pos == text.size()) break;
    std::size_t end = pos;
    while (end < text.size() && !IsBreakSpace(text[end])) ++end;
    const std::string_view word = text.substr(pos, end - pos);
    pos = end;

    const double width = TextWidth(font, size, word);
    if (open && line_width + space + width <= max_width + kSlack) {
      line += ' ';
      line += word;
      line_width += space + width;
      continue;
    }
    if (open) flush();
    if (width <= max_width + kSlack) {
      line = std::string(word);
      line_width = width;
      open = true;
      continue;
    }
    // Wider than a line: break between characters, at least one to a line.
    for (std::size_t at = 0; at < word.size();) {
      const std::size_t start = at;
      const char32_t cp = NextCodePoint(word, at);
      const unsigned char code = cp == kIllFormed ? '?' : ToWinAnsi(cp);
      const double glyph = GlyphWidth(widths, code) * size / 1000.0;
      if (open && line_width + glyph > max_width + kSlack) flush();
      line.append(word.substr(start, at - start));
      line_width += glyph;
      open = true;
    }
  }
  if (open || lines.size() == first_line) flush();
}

}  // namespace

std::vector<std::string> Wrap(Font font, double size, std::string_view utf8, double max_width) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < utf8.size()) {
    std::size_t end = utf8.find('\n', start);
    if (end == std::string_view::npos) end = utf8.size();
    WrapParagraph(font, size, utf8.substr(start, end - start), max_width, lines);
    start = end + 1;
  }
  return lines;
}

void Page::Text(double x, double y, Font font, double size, std::string_view utf8, Color color) {
  const std::string text = EncodeWinAnsi(utf8);
  if (text.empty()) return;
  fonts_used_ |= 1u << FontIndex(font);
  ops_ += "BT /F" + std::to_string(FontIndex(font) + 1) + " " + Num(size) + " Tf " + Rgb(color) +
          " rg " + Num(x) + " " + Num(y) + " Td " + Literal(text) + " Tj ET\n";
}

void Page::Line(double x1, double y1, double x2, double y2, double width, Color color) {
  ops_ += Num(std::isfinite(width) ? std::max(width, 0.0) : 0.0) + " w " + Rgb(color) + " RG " +
          Num(x1) + " " + Num(y1) + " m " + Num(x2) + " " + Num(y2) + " l S\n";
}

void Page::Rect(double x, double y, double w, double h, Color fill) {
  ops_ += Rgb(fill) + " rg " + Num(x) + " " + Num(y) + " " + Num(w) + " " + Num(h) + " re f\n";
}

void Page::Watermark(std::string_view utf8) {
  watermark_ = EncodeWinAnsi(utf8);
  if (watermark_.find_first_not_of(' ') == std::string::npos) watermark_.clear();
}

Document::Document(Info info, double width, double height)
    : info_(std::move(info)), width_(width), height_(height) {
  CHARTROOM_CHECK(std::isfinite(width) && std::isfinite(height) && width > 0 && height > 0);
}

Page& Document::AddPage() {
  pages_.push_back(Page(width_, height_));
  return pages_.back();
}

namespace {

// The watermark's operators: the text centred on the page, along its rising diagonal, sized to
// about three quarters of the diagonal (at most 160 points), in a translucent grey.
std::string WatermarkOps(const Page& page, std::string_view text) {
  const double diagonal = std::hypot(page.width(), page.height());
  const double unit_width = TextWidth(kWatermarkFont, 1, text);  // WinAnsi is ASCII-safe here
  const double size = std::min(160.0, 0.75 * diagonal / std::max(unit_width, 1e-3));
  const double angle = std::atan2(page.height(), page.width());
  const double c = std::cos(angle), s = std::sin(angle);
  const double cap_height = 0.718 * size;  // Helvetica-Bold's CapHeight
  return "q /GS1 gs " + Rgb(kWatermarkColor) + " rg BT /F" +
         std::to_string(FontIndex(kWatermarkFont) + 1) + " " + Num(size) + " Tf " + Num(c) + " " +
         Num(s) + " " + Num(-s) + " " + Num(c) + " " + Num(page.width() / 2) + " " +
         Num(page.height() / 2) + " Tm " + Num(-unit_width * size / 2) + " " +
         Num(-cap_height / 2) + " Td " + Literal(text) + " Tj ET Q\n";
}

}  // namespace

std::string Document::Finish() const {
  // Which fonts and whether the translucent graphics state are needed, over all pages.
  unsigned fonts_used = 0;
  bool watermarked = false;
  for (const Page& page : pages_) {
    fonts_used |= page.fonts_used_;
    if (!page.watermark_.empty()) {
      watermarked = true;
      fonts_used |= 1u << FontIndex(kWatermarkFont);
    }
  }

  // Object numbers: catalog, page tree, info, resources, fonts, graphics state, then a page
  // object and its content stream per page.
  constexpr std::size_t kCatalog = 1, kPages = 2, kInfo = 3, kResources = 4;
  std::size_t next = 5;
  std::array<std::size_t, kFontCount> font_objects{};
  for (std::size_t i = 0; i < kFontCount; ++i) {
    if (fonts_used & (1u << i)) font_objects[i] = next++;
  }
  const std::size_t gstate = watermarked ? next++ : 0;
  const std::size_t page_total = std::max<std::size_t>(pages_.size(), 1);
  const std::size_t first_page = next;
  const std::size_t object_count = first_page + 2 * page_total - 1;

  Writer writer(object_count);
  writer.Object(kCatalog, "<< /Type /Catalog /Pages " + Writer::Ref(kPages) + " >>");

  std::string kids;
  for (std::size_t i = 0; i < page_total; ++i) {
    if (i > 0) kids += ' ';
    kids += Writer::Ref(first_page + 2 * i);
  }
  writer.Object(
      kPages, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(page_total) + " >>");

  std::string info = "<<";
  auto entry = [&](std::string_view key, const std::string& value) {
    if (value.empty()) return;
    info += " /";
    info += key;
    info += ' ';
    info += TextString(value);
  };
  entry("Title", info_.title);
  entry("Author", info_.author);
  entry("Subject", info_.subject);
  entry("Creator", info_.creator);
  entry("CreationDate", info_.created);
  info += " >>";
  writer.Object(kInfo, info);

  std::string resources = "<< /ProcSet [/PDF /Text]";
  if (fonts_used != 0) {
    resources += " /Font <<";
    for (std::size_t i = 0; i < kFontCount; ++i) {
      if (font_objects[i] == 0) continue;
      resources += " /F" + std::to_string(i + 1) + " " + Writer::Ref(font_objects[i]);
    }
    resources += " >>";
  }
  if (watermarked) resources += " /ExtGState << /GS1 " + Writer::Ref(gstate) + " >>";
  resources += " >>";
  writer.Object(kResources, resources);

  for (std::size_t i = 0; i < kFontCount; ++i) {
    if (font_objects[i] == 0) continue;
    writer.Object(font_objects[i], "<< /Type /Font /Subtype /Type1 /BaseFont /" +
                                       std::string(kBaseFonts[i]) +
                                       " /Encoding /WinAnsiEncoding >>");
  }
  if (watermarked) {
    writer.Object(gstate, "<< /Type /ExtGState /ca " + Num(kWatermarkOpacity) + " /CA " +
                              Num(kWatermarkOpacity) + " >>");
  }

  const std::string media_box = "[0 0 " + Num(width_) + " " + Num(height_) + "]";
  for (std::size_t i = 0; i < page_total; ++i) {
    const std::size_t number = first_page + 2 * i;
    writer.Object(number, "<< /Type /Page /Parent " + Writer::Ref(kPages) + " /MediaBox " +
                              media_box + " /Resources " + Writer::Ref(kResources) + " /Contents " +
                              Writer::Ref(number + 1) + " >>");
    std::string content;
    if (i < pages_.size()) {
      const Page& page = pages_[i];
      content = page.ops_;
      if (!page.watermark_.empty()) content += WatermarkOps(page, page.watermark_);
    }
    writer.Stream(number + 1, content);
  }
  return std::move(writer).Finish(kCatalog, kInfo);
}

}  // namespace chartroom::pdf
