#!/usr/bin/env python3
"""Generates src/pdf/metrics.cpp: glyph widths of the PDF writer's fonts for WinAnsi codes 32..255.

The PDF writer (src/pdf) uses four of the standard-14 fonts, not embedded, in WinAnsiEncoding:
Helvetica, Helvetica-Bold, Helvetica-Oblique and Courier. It needs their advance widths to
measure and wrap text. This script reads them from the metric-compatible URW fonts that Debian
ships in the package fonts-urw-base35 (AGPL-3 with a font exception; the widths are the same as
Adobe's Core14 AFM metrics):

  Helvetica          NimbusSans-Regular.afm
  Helvetica-Bold     NimbusSans-Bold.afm
  Helvetica-Oblique  NimbusSans-Italic.afm (checked to equal Helvetica's widths)
  Courier            NimbusMonoPS-Regular.afm (checked to be 600 everywhere)

AFM files index glyphs by name in StandardEncoding; the WinAnsiEncoding names below (ISO 32000-1,
Annex D) turn them into a table by WinAnsi code. The table of the Unicode code points of WinAnsi
codes 128..159 comes from Python's cp1252 codec, which agrees with Annex D on every defined code.

Usage: apt-get install fonts-urw-base35; scripts/gen-pdf-metrics.py [AFM_DIR] > src/pdf/metrics.cpp
The output is committed, so building Chartroom never needs the package.
"""

import os
import sys

PACKAGE = "fonts-urw-base35"
DEFAULT_DIR = "/usr/share/fonts/type1/urw-base35"

FONTS = [  # (C++ table name, PDF font name, AFM file)
    ("kHelvetica", "Helvetica", "NimbusSans-Regular.afm"),
    ("kHelveticaBold", "Helvetica-Bold", "NimbusSans-Bold.afm"),
    ("kHelveticaOblique", "Helvetica-Oblique", "NimbusSans-Italic.afm"),
    ("kCourier", "Courier", "NimbusMonoPS-Regular.afm"),
]

# WinAnsiEncoding glyph names for codes 32..255 (None: no glyph at that code).
ASCII_NAMES = (
    "space exclam quotedbl numbersign dollar percent ampersand quotesingle parenleft parenright "
    "asterisk plus comma hyphen period slash zero one two three four five six seven eight nine "
    "colon semicolon less equal greater question at A B C D E F G H I J K L M N O P Q R S T U V "
    "W X Y Z bracketleft backslash bracketright asciicircum underscore grave a b c d e f g h i j "
    "k l m n o p q r s t u v w x y z braceleft bar braceright asciitilde"
).split()
SPECIAL_NAMES = {  # 128..159
    128: "Euro", 130: "quotesinglbase", 131: "florin", 132: "quotedblbase", 133: "ellipsis",
    134: "dagger", 135: "daggerdbl", 136: "circumflex", 137: "perthousand", 138: "Scaron",
    139: "guilsinglleft", 140: "OE", 142: "Zcaron", 145: "quoteleft", 146: "quoteright",
    147: "quotedblleft", 148: "quotedblright", 149: "bullet", 150: "endash", 151: "emdash",
    152: "tilde", 153: "trademark", 154: "scaron", 155: "guilsinglright", 156: "oe",
    158: "zcaron", 159: "Ydieresis",
}
LATIN1_NAMES = (  # 160..255
    "space exclamdown cent sterling currency yen brokenbar section dieresis copyright "
    "ordfeminine guillemotleft logicalnot hyphen registered macron degree plusminus twosuperior "
    "threesuperior acute mu paragraph periodcentered cedilla onesuperior ordmasculine "
    "guillemotright onequarter onehalf threequarters questiondown Agrave Aacute Acircumflex "
    "Atilde Adieresis Aring AE Ccedilla Egrave Eacute Ecircumflex Edieresis Igrave Iacute "
    "Icircumflex Idieresis Eth Ntilde Ograve Oacute Ocircumflex Otilde Odieresis multiply Oslash "
    "Ugrave Uacute Ucircumflex Udieresis Yacute Thorn germandbls agrave aacute acircumflex atilde "
    "adieresis aring ae ccedilla egrave eacute ecircumflex edieresis igrave iacute icircumflex "
    "idieresis eth ntilde ograve oacute ocircumflex otilde odieresis divide oslash ugrave uacute "
    "ucircumflex udieresis yacute thorn ydieresis"
).split()


def winansi_names():
    assert len(ASCII_NAMES) == 95 and len(LATIN1_NAMES) == 96
    names = {}
    for i, name in enumerate(ASCII_NAMES):
        names[32 + i] = name
    names.update(SPECIAL_NAMES)
    for i, name in enumerate(LATIN1_NAMES):
        names[160 + i] = name
    return names


def read_afm(path):
    widths = {}
    in_metrics = False
    with open(path, encoding="latin-1") as f:
        for line in f:
            line = line.strip()
            if line.startswith("StartCharMetrics"):
                in_metrics = True
            elif line.startswith("EndCharMetrics"):
                break
            elif in_metrics and line:
                fields = {}
                for part in line.split(";"):
                    words = part.split()
                    if len(words) >= 2:
                        fields[words[0]] = words[1]
                if "N" in fields and "WX" in fields:
                    widths[fields["N"]] = int(round(float(fields["WX"])))
    if not widths:
        sys.exit(f"gen-pdf-metrics: no character metrics in {path}")
    return widths


def specials():
    out = []
    for code in range(128, 160):
        try:
            ch = bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            assert code not in SPECIAL_NAMES, code
            continue
        assert code in SPECIAL_NAMES, code
        out.append((ord(ch), code))
    return sorted(out)


def table_lines(values):
    """Eight widths a line, each line ending with a comment naming its first WinAnsi code."""
    lines = []
    for i in range(0, len(values), 8):
        row = " ".join(f"{v:4d}," for v in values[i:i + 8])
        lines.append(f"    {row}  // {32 + i}")
    return lines


def main():
    afm_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DIR
    names = winansi_names()
    tables = []
    for cpp_name, pdf_name, afm in FONTS:
        glyphs = read_afm(os.path.join(afm_dir, afm))
        row = []
        for code in range(32, 256):
            name = names.get(code)
            if name is None:
                row.append(0)
                continue
            if name not in glyphs:
                sys.exit(f"gen-pdf-metrics: {afm} has no glyph {name} (code {code})")
            row.append(glyphs[name])
        tables.append((cpp_name, pdf_name, afm, row))
    by_name = {t[0]: t[3] for t in tables}
    if by_name["kHelveticaOblique"] != by_name["kHelvetica"]:
        sys.exit("gen-pdf-metrics: Helvetica-Oblique widths differ from Helvetica's")
    if any(w not in (0, 600) for w in by_name["kCourier"]):
        sys.exit("gen-pdf-metrics: Courier is not 600 units everywhere")

    out = [
        "// Generated by scripts/gen-pdf-metrics.py from the AFM files of the Debian package",
        f"// {PACKAGE} ({DEFAULT_DIR}/):",
        "// " + ", ".join(t[2] for t in tables[:2]) + ",",
        "// " + ", ".join(t[2] for t in tables[2:]) + ". Do not edit.",
        "//",
        "// Those files are (URW)++'s metric-compatible clones of Helvetica, Helvetica-Bold,",
        "// Helvetica-Oblique and Courier: Copyright (URW)++ Design & Development, licensed",
        "// AGPL-3 with a font exception (/usr/share/doc/fonts-urw-base35/copyright). Only their",
        "// advance widths are taken, plain numbers that equal those of Adobe's Core14 AFM files",
        "// for every WinAnsi glyph. Each table holds the widths (1/1000 em) of WinAnsiEncoding",
        "// codes 32..255, 0 where WinAnsi has no glyph (127, 129, 141, 143, 144, 157).",
        "",
        '#include "pdf/metrics.hpp"',
        "",
        "namespace chartroom::pdf::internal {",
        "",
        "// clang-format off",
    ]
    for cpp_name, pdf_name, afm, row in tables:
        out.append(f"// {pdf_name}, from {afm}.")
        out.append(f"const WidthTable {cpp_name}Widths = {{")
        out.extend(table_lines(row))
        out.append("};")
        out.append("")
    out.append("// Unicode code points of WinAnsi codes 128..159, sorted by code point.")
    out.append("const std::array<WinAnsiSpecial, kWinAnsiSpecialCount> kWinAnsiSpecials = {{")
    pairs = [f"{{0x{cp:04X}, {code}}}" for cp, code in specials()]
    for i in range(0, len(pairs), 6):
        out.append("    " + ", ".join(pairs[i:i + 6]) + ",")
    out.append("}};")
    out.append("// clang-format on")
    out.append("")
    out.append("}  // namespace chartroom::pdf::internal")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
