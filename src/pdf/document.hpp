// A small writer of PDF 1.7 files: pages of positioned text, lines, filled rectangles and a
// diagonal watermark, for the reports and disclosures Chartroom prints (release of information,
// chart copies). It lays out nothing by itself beyond word wrap; callers place every line.
//
// Fonts are four of the standard 14 (Helvetica, Helvetica-Bold, Helvetica-Oblique, Courier),
// referenced by name and not embedded, in WinAnsiEncoding; every viewer has them or a
// metric-compatible substitute. Their widths come from the Adobe Core14 metrics (metrics.cpp).
//
// Text arrives as UTF-8 from records and is drawn in WinAnsi: ASCII, Latin-1 (U+00A0..U+00FF)
// and the 27 WinAnsi extras (€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ) are kept; tab,
// CR, LF, VT and FF become spaces; every other character (other scripts, emoji, symbols, control
// characters) and every ill-formed UTF-8 sequence (per maximal subpart) becomes '?'. No input
// text, however malformed, can break the file's syntax. Coordinates are PDF points (1/72 inch)
// from the page's bottom-left corner; numbers that are not finite are drawn as 0.
//
// The output is a function of the calls made: no clock, no randomness (the file /ID is a digest
// of the content), so the same document always gives the same bytes.
//
// Thread safety: a Document and its Pages are built by one thread. Finish() and the const
// members may then run concurrently. The free functions are pure.

#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace chartroom::pdf {

// The standard-14 fonts this writer uses.
enum class Font : std::uint8_t { kHelvetica, kHelveticaBold, kHelveticaOblique, kCourier };

// An RGB colour, each component 0..1 (clamped when drawn).
struct Color {
  double r = 0, g = 0, b = 0;
};

inline constexpr double kLetterWidth = 612, kLetterHeight = 792;  // US Letter, in points

// `utf8` in WinAnsi, as the writer draws it (see the file comment): one byte per character.
std::string EncodeWinAnsi(std::string_view utf8);

// Width in points of `utf8` drawn in `font` at `size` points: the sum of the AFM advance widths
// of its WinAnsi characters (no kerning, as drawn).
double TextWidth(Font font, double size, std::string_view utf8);

// Splits `utf8` into lines no wider than `max_width` points: greedy, at spaces and tabs (runs of
// them collapse into one space, and are dropped at line ends); a word wider than a line is
// broken between characters, at least one character a line. Every '\n' ends a line, so blank
// lines are kept; nothing follows a final '\n'. The lines are pieces of the input, still UTF-8,
// to be drawn with Page::Text. "" gives no lines.
std::vector<std::string> Wrap(Font font, double size, std::string_view utf8, double max_width);

class Document;

// One page's content, built in call order (later calls draw over earlier ones).
class Page {
 public:
  // `utf8` as one line, its baseline starting at (x, y).
  void Text(double x, double y, Font font, double size, std::string_view utf8, Color color = {});
  // A stroked line from (x1, y1) to (x2, y2), `width` points wide.
  void Line(double x1, double y1, double x2, double y2, double width = 0.5, Color color = {});
  // A filled rectangle, lower-left corner (x, y).
  void Rect(double x, double y, double w, double h, Color fill);
  // Large grey text along the page's rising diagonal, centred, at 15% opacity, drawn over all
  // the page's content so it marks the page and leaves it readable. A page has one watermark:
  // a second call replaces it; "" removes it.
  void Watermark(std::string_view utf8);

  double width() const { return width_; }
  double height() const { return height_; }

 private:
  friend class Document;
  Page(double width, double height) : width_(width), height_(height) {}

  double width_;
  double height_;
  std::string ops_;          // content stream operators, uncompressed
  std::string watermark_;    // WinAnsi
  unsigned fonts_used_ = 0;  // bit per Font
};

class Document {
 public:
  // The document information dictionary. Strings are UTF-8 (ill-formed sequences become
  // U+FFFD) and are written as PDF text strings, so any Unicode survives; empty ones are left
  // out. `created` is a PDF date string such as "D:20261126120000Z", given by the caller.
  struct Info {
    std::string title, author, subject, creator = "Chartroom";
    std::string created;
  };

  // Every page has the same size, in points; both must be finite and positive.
  explicit Document(Info info, double width = kLetterWidth, double height = kLetterHeight);

  // A new blank page at the end. The reference stays valid as long as the Document.
  Page& AddPage();
  std::size_t page_count() const { return pages_.size(); }

  // The whole PDF file. A document without pages is written with one blank page, since a PDF
  // must have one. May be called more than once; gives the same bytes for the same content.
  std::string Finish() const;

 private:
  Info info_;
  double width_;
  double height_;
  std::deque<Page> pages_;
};

}  // namespace chartroom::pdf
