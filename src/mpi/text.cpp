#include "mpi/text.hpp"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <memory>

namespace chartroom::mpi {
namespace {

bool IsAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Any script to Latin, then Latin to ASCII ("ø" -> "o", "ß" -> "ss"), then lower case.
std::string Transliterate(std::string_view text) {
  thread_local std::unique_ptr<icu::Transliterator> transliterator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createInstance(
        "Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? std::move(t) : nullptr;
  }();
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int>(text.size())));
  if (transliterator != nullptr) transliterator->transliterate(u);
  std::string out;
  u.toUTF8String(out);
  return out;
}

}  // namespace

std::string Fold(std::string_view text) {
  std::string converted;
  if (!IsAscii(text)) {
    converted = Transliterate(text);
    text = converted;
  }
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '\'') continue;  // apostrophes join: "O'Brien" is one name, "obrien"
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!keep) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  const std::string folded = Fold(text);
  std::size_t start = 0;
  while (start < folded.size()) {
    std::size_t end = folded.find(' ', start);
    if (end == std::string::npos) end = folded.size();
    out.emplace_back(folded.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string Digits(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c >= '0' && c <= '9') out += c;
  }
  return out;
}

double JaroWinkler(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a.empty() && b.empty() ? 1.0 : 0.0;
  if (a == b) return 1.0;
  if (a.size() > b.size()) std::swap(a, b);
  const std::size_t window = std::max<std::size_t>(b.size() / 2, 1) - 1;
  // Names are short; 64 positions cover them, longer strings compare on their first 64.
  constexpr std::size_t kMax = 64;
  const std::size_t na = std::min(a.size(), kMax);
  const std::size_t nb = std::min(b.size(), kMax);
  bool used_b[kMax] = {};
  char matched_a[kMax];
  std::size_t matches = 0;
  for (std::size_t i = 0; i < na; ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(nb, i + window + 1);
    for (std::size_t j = lo; j < hi; ++j) {
      if (!used_b[j] && a[i] == b[j]) {
        used_b[j] = true;
        matched_a[matches++] = a[i];
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  std::size_t k = 0;
  std::size_t half_transpositions = 0;
  for (std::size_t j = 0; j < nb; ++j) {
    if (!used_b[j]) continue;
    if (b[j] != matched_a[k]) ++half_transpositions;
    ++k;
  }
  const double m = static_cast<double>(matches);
  const double jaro = (m / static_cast<double>(na) + m / static_cast<double>(nb) +
                       (m - static_cast<double>(half_transpositions / 2)) / m) /
                      3.0;
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < na && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

bool OneEditOrSwap(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a == b) return false;
  std::size_t first = 0;
  while (a[first] == b[first]) ++first;
  std::size_t last = a.size() - 1;
  while (a[last] == b[last]) --last;
  if (first == last) return true;  // one substitution
  return last == first + 1 && a[first] == b[last] && a[last] == b[first];
}

// ---- Double Metaphone (primary key) ------------------------------------------------------------
//
// After Lawrence Philips' description (C/C++ Users Journal, June 2000): the English rules and
// the common Germanic, Romance and Slavic spellings, primary code only, on folded ASCII input.

namespace {

class Metaphone {
 public:
  explicit Metaphone(std::string_view word) : w_(word) {}

  std::string Run() {
    if (w_.empty()) return {};
    std::size_t i = 0;
    if (At(0, {"gn", "kn", "pn", "wr", "ps"})) i = 1;
    if (w_[0] == 'x') {
      Add("S");
      i = 1;
    }
    while (out_.size() < 4 && i < w_.size()) i = Step(i);
    if (out_.size() > 4) out_.resize(4);
    return out_;
  }

 private:
  char C(std::size_t i) const { return i < w_.size() ? w_[i] : '\0'; }
  bool Vowel(std::size_t i) const {
    const char c = C(i);
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
  }
  bool At(std::size_t i, std::initializer_list<std::string_view> options) const {
    for (std::string_view o : options) {
      if (w_.substr(std::min(i, w_.size())).starts_with(o)) return true;
    }
    return false;
  }
  bool AtBack(std::size_t i, std::size_t back,
              std::initializer_list<std::string_view> options) const {
    return i >= back && At(i - back, options);
  }
  void Add(std::string_view s) { out_ += s; }
  bool Slavo() const {
    return w_.find('w') != std::string_view::npos || w_.find('k') != std::string_view::npos ||
           w_.find("cz") != std::string_view::npos || w_.find("witz") != std::string_view::npos;
  }

  std::size_t Step(std::size_t i) {
    const char c = w_[i];
    switch (c) {
      case 'a':
      case 'e':
      case 'i':
      case 'o':
      case 'u':
      case 'y':
        if (i == 0) Add("A");
        return i + 1;
      case 'b':
        Add("P");
        return C(i + 1) == 'b' ? i + 2 : i + 1;
      case 'c':
        return StepC(i);
      case 'd':
        if (At(i, {"dg"})) {
          if (At(i + 2, {"i", "e", "y"})) {
            Add("J");
            return i + 3;
          }
          Add("TK");
          return i + 2;
        }
        Add("T");
        return At(i, {"dt", "dd"}) ? i + 2 : i + 1;
      case 'f':
        Add("F");
        return C(i + 1) == 'f' ? i + 2 : i + 1;
      case 'g':
        return StepG(i);
      case 'h':
        if ((i == 0 || Vowel(i - 1)) && Vowel(i + 1)) {
          Add("H");
          return i + 2;
        }
        return i + 1;
      case 'j':
        if (At(i, {"jose"}) || At(0, {"san "})) {
          Add("H");
          return i + 1;
        }
        Add("J");
        return C(i + 1) == 'j' ? i + 2 : i + 1;
      case 'k':
        Add("K");
        return C(i + 1) == 'k' ? i + 2 : i + 1;
      case 'l':
        Add("L");
        return C(i + 1) == 'l' ? i + 2 : i + 1;
      case 'm':
        Add("M");
        if (AtBack(i, 1, {"umb"}) && (i + 2 == w_.size() || At(i + 2, {"er"}))) return i + 2;
        return C(i + 1) == 'm' ? i + 2 : i + 1;
      case 'n':
        Add("N");
        return C(i + 1) == 'n' ? i + 2 : i + 1;
      case 'p':
        if (C(i + 1) == 'h') {
          Add("F");
          return i + 2;
        }
        Add("P");
        return At(i + 1, {"p", "b"}) ? i + 2 : i + 1;
      case 'q':
        Add("K");
        return C(i + 1) == 'q' ? i + 2 : i + 1;
      case 'r':
        // French final "-ier" is silent in the primary key.
        if (!(i + 1 == w_.size() && AtBack(i, 2, {"ie"}) && !AtBack(i, 4, {"me", "ma"}))) Add("R");
        return C(i + 1) == 'r' ? i + 2 : i + 1;
      case 's':
        return StepS(i);
      case 't':
        if (At(i, {"tion", "tia", "tch"})) {
          Add(At(i, {"tch"}) ? "X" : "X");
          return i + 3;
        }
        if (At(i, {"th", "tth"})) {
          Add(At(i + 2, {"om", "am"}) || At(0, {"van ", "von ", "sch"}) ? "T" : "0");
          return i + 2;
        }
        Add("T");
        return At(i + 1, {"t", "d"}) ? i + 2 : i + 1;
      case 'v':
        Add("F");
        return C(i + 1) == 'v' ? i + 2 : i + 1;
      case 'w':
        if (At(i, {"wr"})) {
          Add("R");
          return i + 2;
        }
        if (i == 0 && (Vowel(i + 1) || At(i, {"wh"}))) {
          Add("A");
          return i + 1;
        }
        if ((i + 1 == w_.size() && Vowel(i - 1)) || At(0, {"sch"}) ||
            AtBack(i, 1, {"ewski", "ewsky", "owski", "owsky"})) {
          return i + 1;
        }
        if (At(i, {"wicz", "witz"})) {
          Add("TS");
          return i + 4;
        }
        return i + 1;
      case 'x':
        if (!(i + 1 == w_.size() && (AtBack(i, 3, {"iau", "eau"}) || AtBack(i, 2, {"au", "ou"})))) {
          Add("KS");
        }
        return At(i + 1, {"c", "x"}) ? i + 2 : i + 1;
      case 'z':
        if (C(i + 1) == 'h') {
          Add("J");
          return i + 2;
        }
        Add("S");
        return C(i + 1) == 'z' ? i + 2 : i + 1;
      default:
        return i + 1;  // digits and spaces carry no sound
    }
  }

  std::size_t StepC(std::size_t i) {
    if (i > 1 && !Vowel(i - 2) && AtBack(i, 1, {"ach"}) && C(i + 2) != 'i' &&
        (C(i + 2) != 'e' || AtBack(i, 2, {"bacher", "macher"}))) {
      Add("K");
      return i + 2;
    }
    if (i == 0 && At(i, {"caesar"})) {
      Add("S");
      return i + 2;
    }
    if (At(i, {"chia"})) {
      Add("K");
      return i + 2;
    }
    if (At(i, {"ch"})) {
      if (i > 0 && At(i, {"chae"})) {
        Add("K");
        return i + 2;
      }
      if (i == 0 && (At(i + 1, {"harac", "haris", "hor", "hym", "hia", "hem"})) &&
          !At(0, {"chore"})) {
        Add("K");
        return i + 2;
      }
      if (At(0, {"van ", "von ", "sch"}) || AtBack(i, 2, {"orches", "archit", "orchid"}) ||
          At(i + 2, {"t", "s"}) ||
          ((i == 0 || AtBack(i, 1, {"a", "o", "u", "e"})) &&
           At(i + 2, {"l", "r", "n", "m", "b", "h", "f", "v", "w", " "}))) {
        Add("K");
      } else {
        Add(i > 0 && At(0, {"mc"}) ? "K" : "X");
      }
      return i + 2;
    }
    if (At(i, {"cz"}) && !AtBack(i, 2, {"wicz"})) {
      Add("S");
      return i + 2;
    }
    if (At(i + 1, {"cia"})) {
      Add("X");
      return i + 3;
    }
    if (At(i, {"cc"}) && !(i == 1 && w_[0] == 'm')) {
      if (At(i + 2, {"i", "e", "h"}) && !At(i + 2, {"hu"})) {
        Add(AtBack(i, 1, {"accident", "accede", "succeed"}) ? "KS" : "X");
        return i + 3;
      }
      Add("K");
      return i + 2;
    }
    if (At(i, {"ck", "cg", "cq"})) {
      Add("K");
      return i + 2;
    }
    if (At(i, {"ci", "ce", "cy"})) {
      Add("S");
      return i + 2;
    }
    Add("K");
    if (At(i + 1, {" c", " q", " g"})) return i + 3;
    if (At(i + 1, {"c", "k", "q"}) && !At(i + 1, {"ce", "ci"})) return i + 2;
    return i + 1;
  }

  std::size_t StepG(std::size_t i) {
    if (C(i + 1) == 'h') {
      if (i > 0 && !Vowel(i - 1)) {
        Add("K");
        return i + 2;
      }
      if (i == 0) {
        Add(C(i + 2) == 'i' ? "J" : "K");
        return i + 2;
      }
      if ((i > 1 && At(i - 2, {"b", "h", "d"})) || (i > 2 && At(i - 3, {"b", "h", "d"})) ||
          (i > 3 && At(i - 4, {"b", "h"}))) {
        return i + 2;
      }
      if (i > 2 && C(i - 1) == 'u' && At(i - 3, {"c", "g", "l", "r", "t"})) {
        Add("F");
      } else if (i > 0 && C(i - 1) != 'i') {
        Add("K");
      }
      return i + 2;
    }
    if (C(i + 1) == 'n') {
      if (i == 1 && Vowel(0) && !Slavo()) {
        Add("KN");
      } else if (!At(i + 2, {"ey"}) && C(i + 1) != 'y' && !Slavo()) {
        Add("N");
      } else {
        Add("KN");
      }
      return i + 2;
    }
    if (At(i + 1, {"li"}) && !Slavo()) {
      Add("KL");
      return i + 2;
    }
    if (i == 0 && (C(i + 1) == 'y' ||
                   At(i + 1, {"es", "ep", "eb", "el", "ey", "ib", "il", "in", "ie", "ei", "er"}))) {
      Add("K");
      return i + 2;
    }
    if ((At(i + 1, {"er"}) || C(i + 1) == 'y') && !At(0, {"danger", "ranger", "manger"}) &&
        !AtBack(i, 1, {"e", "i"}) && !AtBack(i, 1, {"rgy", "ogy"})) {
      Add("K");
      return i + 2;
    }
    if (At(i + 1, {"e", "i", "y"}) || AtBack(i, 1, {"aggi", "oggi"})) {
      if (At(0, {"van ", "von ", "sch"}) || At(i + 1, {"et"})) {
        Add("K");
      } else {
        Add(At(i + 1, {"ier "}) ? "J" : "J");
      }
      return i + 2;
    }
    Add("K");
    return C(i + 1) == 'g' ? i + 2 : i + 1;
  }

  std::size_t StepS(std::size_t i) {
    if (AtBack(i, 1, {"isl", "ysl"})) return i + 1;
    if (i == 0 && At(i, {"sugar"})) {
      Add("X");
      return i + 1;
    }
    if (At(i, {"sh"})) {
      Add(At(i + 1, {"heim", "hoek", "holm", "holz"}) ? "S" : "X");
      return i + 2;
    }
    if (At(i, {"sio", "sia"})) {
      Add(Slavo() ? "S" : "X");
      return i + 3;
    }
    if ((i == 0 && At(i + 1, {"m", "n", "l", "w"})) || At(i + 1, {"z"})) {
      Add("S");
      return At(i + 1, {"z"}) ? i + 2 : i + 1;
    }
    if (At(i, {"sc"})) {
      if (C(i + 2) == 'h') {
        if (At(i + 3, {"oo", "er", "en", "uy", "ed", "em"})) {
          Add(At(i + 3, {"er", "en"}) ? "X" : "SK");
        } else {
          Add(i == 0 && !Vowel(3) && C(3) != 'w' ? "X" : "SK");
        }
        return i + 3;
      }
      Add(At(i + 2, {"i", "e", "y"}) ? "S" : "SK");
      return i + 3;
    }
    // French final "-ais", "-ois" are silent.
    if (!(i + 1 == w_.size() && AtBack(i, 2, {"ai", "oi"}))) Add("S");
    return At(i + 1, {"s", "z"}) ? i + 2 : i + 1;
  }

  std::string_view w_;
  std::string out_;
};

}  // namespace

std::string DoubleMetaphone(std::string_view word) { return Metaphone(word).Run(); }

}  // namespace chartroom::mpi
