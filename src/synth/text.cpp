#include "synth/text.hpp"

#include <vector>

#include "synth/rng.hpp"

namespace chartroom::synth {
namespace {

struct Fold {
  std::string_view from;
  char to;
};

// The accented letters used by tables/names.cpp (and a few more of the same families).
constexpr Fold kFolds[] = {
    {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ã", 'a'}, {"å", 'a'}, {"é", 'e'}, {"è", 'e'},
    {"ê", 'e'}, {"ë", 'e'}, {"ễ", 'e'}, {"í", 'i'}, {"ì", 'i'}, {"î", 'i'}, {"ï", 'i'}, {"ó", 'o'},
    {"ò", 'o'}, {"ô", 'o'}, {"ö", 'o'}, {"õ", 'o'}, {"ø", 'o'}, {"ú", 'u'}, {"ù", 'u'}, {"û", 'u'},
    {"ü", 'u'}, {"ñ", 'n'}, {"ç", 'c'}, {"ả", 'a'}, {"ạ", 'a'}, {"ầ", 'a'}, {"ặ", 'a'}, {"ầ", 'a'},
    {"Á", 'A'}, {"É", 'E'}, {"Í", 'I'}, {"Ó", 'O'}, {"Ú", 'U'}, {"Ñ", 'N'}, {"Ø", 'O'}, {"Ö", 'O'},
    {"Ü", 'U'}, {"Ç", 'C'}, {"ơ", 'o'}, {"ư", 'u'}, {"đ", 'd'}, {"ắ", 'a'},
};

// QWERTY neighbours of each lower-case letter.
constexpr std::string_view kAdjacent[] = {
    "qwsz",   "vghn",  "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko",
    "huikmn", "jiolm", "kop",  "njk",    "bhjm", "iklp",   "ol",     "wa",     "edft",
    "awedxz", "rfgy",  "yhji", "cfgb",   "qase", "zsdc",   "tghu",   "asx",
};

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::string FoldAscii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      out.push_back(text[i++]);
      continue;
    }
    bool folded = false;
    for (const Fold& f : kFolds) {
      if (text.substr(i, f.from.size()) == f.from) {
        out.push_back(f.to);
        i += f.from.size();
        folded = true;
        break;
      }
    }
    if (!folded) out.push_back(text[i++]);
  }
  return out;
}

bool IsAscii(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string AsciiUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16 |
                            static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1]))
                                << 8 |
                            static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string Typo(std::string_view text, TypoKind kind, Rng& rng) {
  // Positions of ASCII letters after the first character.
  std::vector<std::size_t> letters;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (IsAsciiLetter(text[i])) letters.push_back(i);
  }
  if (letters.size() < 2) return std::string(text);
  std::string out(text);
  const std::size_t at = letters[rng.Index(letters.size())];
  switch (kind) {
    case TypoKind::kTransposition: {
      // Swap with the next ASCII letter if adjacent; otherwise with the previous one.
      if (at + 1 < out.size() && IsAsciiLetter(out[at + 1]) && out[at] != out[at + 1]) {
        std::swap(out[at], out[at + 1]);
      } else if (at >= 2 && IsAsciiLetter(out[at - 1]) && out[at] != out[at - 1]) {
        std::swap(out[at], out[at - 1]);
      } else {
        out.erase(at, 1);  // nothing to swap: an omission is the closest slip
      }
      break;
    }
    case TypoKind::kSubstitution: {
      const char c = out[at];
      const bool upper = c >= 'A' && c <= 'Z';
      const char lower = upper ? static_cast<char>(c - 'A' + 'a') : c;
      const std::string_view near = kAdjacent[static_cast<std::size_t>(lower - 'a')];
      char replacement = near[rng.Index(near.size())];
      if (upper) replacement = static_cast<char>(replacement - 'a' + 'A');
      out[at] = replacement;
      break;
    }
    case TypoKind::kOmission:
      out.erase(at, 1);
      break;
    case TypoKind::kDoubling:
      out.insert(at, 1, out[at]);
      break;
  }
  return out;
}

}  // namespace chartroom::synth
