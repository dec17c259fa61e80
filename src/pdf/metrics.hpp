// The glyph widths behind TextWidth and Wrap, and the WinAnsi codes of the Unicode characters
// outside Latin-1 that WinAnsiEncoding has. The tables are generated into metrics.cpp by
// scripts/gen-pdf-metrics.py; private to the pdf module.
//
// Thread safety: constant data.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace chartroom::pdf::internal {

// Advance widths in 1/1000 em of WinAnsiEncoding codes 32..255 (index = code - 32).
using WidthTable = std::array<std::uint16_t, 224>;
extern const WidthTable kHelveticaWidths;
extern const WidthTable kHelveticaBoldWidths;
extern const WidthTable kHelveticaObliqueWidths;
extern const WidthTable kCourierWidths;

// WinAnsi codes 128..159 and the code points they stand for, sorted by code point.
struct WinAnsiSpecial {
  char32_t code_point;
  std::uint8_t code;
};
inline constexpr std::size_t kWinAnsiSpecialCount = 27;
extern const std::array<WinAnsiSpecial, kWinAnsiSpecialCount> kWinAnsiSpecials;

}  // namespace chartroom::pdf::internal
