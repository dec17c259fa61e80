// Text as the matcher compares it: folded to lower-case ASCII letters and digits (ICU
// transliteration for everything else: "Müller" -> "muller", "Nguyễn" -> "nguyen", "Jørgensen"
// -> "jorgensen", Cyrillic and Greek to their Latin forms), split into tokens, and the string
// similarities of record linkage: Jaro-Winkler, and Double Metaphone for phonetic keys.
//
// Thread safety: pure functions; each thread keeps its own ICU transliterator.

#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chartroom::mpi {

// Lower-case ASCII letters and digits, every run of anything else (punctuation, apostrophes,
// hyphens, spaces) one space, no leading or trailing space. "O'Brien-Smith" -> "o brien smith".
std::string Fold(std::string_view text);

// The tokens of Fold(text). "de la Cruz" -> {"de", "la", "cruz"}.
std::vector<std::string> Tokens(std::string_view text);

// The digits of `text`, in order ("(555) 010-1234" -> "5550101234").
std::string Digits(std::string_view text);

// Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 characters).
double JaroWinkler(std::string_view a, std::string_view b);

// Whether `a` and `b` differ by exactly one substituted character or one swap of neighbours.
bool OneEditOrSwap(std::string_view a, std::string_view b);

// The primary Double Metaphone key of a folded word (at most 4 characters): "smith" -> "SM0",
// "schmidt" -> "XMT", "catherine" and "kathryn" -> "K0RN". Empty for an empty word.
std::string DoubleMetaphone(std::string_view word);

}  // namespace chartroom::mpi
