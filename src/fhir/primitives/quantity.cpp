// A small UCUM (https://ucum.org/ucum): a parser for unit expressions over a table of atoms,
// each atom defined, as in UCUM's own essence table, by a value times an expression over atoms
// defined before it. A parsed unit is an exact rational factor (in base units: m, s, g, rad, K,
// C, cd), a dimension vector, and the list of its terms for printing products and quotients.

#include "fhir/primitives/quantity.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace chartroom::fhir {
namespace {

// --- Exact factors -------------------------------------------------------------------------

// num / den × 10^exp10, kept reduced; `exact` turns false when a product had to be shortened
// to fit 128 bits (only for atoms like [pi] raised to powers).
struct Ratio {
  Int128 num = 1;
  Int128 den = 1;
  int exp10 = 0;
  bool exact = true;
};

Int128 Gcd(Int128 a, Int128 b) {
  while (b != 0) {
    const Int128 t = a % b;
    a = b;
    b = t;
  }
  return a < 0 ? -a : a;
}

void Tidy(Ratio& r) {
  const Int128 g = Gcd(r.num, r.den);
  if (g > 1) {
    r.num /= g;
    r.den /= g;
  }
  while (r.num != 0 && r.num % 10 == 0) {
    r.num /= 10;
    ++r.exp10;
  }
  while (r.den % 10 == 0) {
    r.den /= 10;
    --r.exp10;
  }
}

// a × b, dropping trailing digits of the larger operand while the product overflows.
Int128 ProductShortened(Int128 a, Int128 b, int& exp10, int direction, bool& exact) {
  Int128 product = 0;
  while (__builtin_mul_overflow(a, b, &product)) {
    exact = false;
    if (a > b) {
      a = (a + 5) / 10;
    } else {
      b = (b + 5) / 10;
    }
    exp10 += direction;
  }
  return product;
}

Ratio Multiply(const Ratio& a, const Ratio& b) {
  Ratio out;
  out.exact = a.exact && b.exact;
  out.exp10 = a.exp10 + b.exp10;
  const Int128 g1 = Gcd(a.num, b.den);
  const Int128 g2 = Gcd(b.num, a.den);
  out.num = ProductShortened(a.num / g1, b.num / g2, out.exp10, +1, out.exact);
  out.den = ProductShortened(a.den / g2, b.den / g1, out.exp10, -1, out.exact);
  Tidy(out);
  return out;
}

Ratio Inverse(const Ratio& r) { return Ratio{r.den, r.num, -r.exp10, r.exact}; }

Ratio Power(const Ratio& r, int exponent) {
  const Ratio base = exponent < 0 ? Inverse(r) : r;
  Ratio out;
  for (int i = 0; i < std::abs(exponent); ++i) out = Multiply(out, base);
  return out;
}

std::optional<Ratio> RatioFromDecimalText(std::string_view text) {
  const std::optional<Decimal> value = Decimal::Parse(text);
  if (!value || value->Sign() <= 0) return std::nullopt;
  Ratio out{value->coefficient(), 1, -value->scale(), true};
  Tidy(out);
  return out;
}

long double ToLongDouble(const Ratio& r) {
  return static_cast<long double>(r.num) / static_cast<long double>(r.den) *
         std::pow(10.0L, static_cast<long double>(r.exp10));
}

// --- Units ---------------------------------------------------------------------------------

enum DimensionIndex : std::size_t {
  kLength,
  kTime,
  kMass,
  kAngle,
  kTemperature,
  kCharge,
  kLuminosity,
  kCalendarMonth,  // FHIRPath calendar years and months; not UCUM
  kFirstArbitrary,
};
constexpr std::size_t kDimensionCount = 32;
using Dimension = std::array<std::int16_t, kDimensionCount>;

void AddDimension(Dimension& into, const Dimension& add, int times) {
  for (std::size_t i = 0; i < kDimensionCount; ++i) {
    into[i] = static_cast<std::int16_t>(into[i] + add[i] * times);
  }
}

enum class Special : std::uint8_t { kNone, kCelsius, kFahrenheit };

// One factor of a unit as written: "mg" with exponent 2, "{cells}", "10*" with exponent 3.
struct Term {
  std::string symbol;
  std::string annotation;  // "{...}" or empty
  int exponent = 1;
};

struct Unit {
  Ratio factor;  // size in base units; for Cel and [degF] the size of one degree
  Dimension dimension{};
  Special special = Special::kNone;
  std::vector<Term> terms;
};

struct Atom {
  std::string_view symbol;
  bool metric = false;
  Ratio factor;
  Dimension dimension{};
  Special special = Special::kNone;
};

// UCUM atoms: symbol, whether it takes metric prefixes, and its definition as value × unit over
// atoms listed before it, as in UCUM's ucum-essence.xml (mol, u and eV with the 2019 SI
// values).
struct AtomDefinition {
  std::string_view symbol;
  bool metric;
  std::string_view value;
  std::string_view unit;
};

constexpr bool kMetric = true;
constexpr bool kNonMetric = false;

constexpr std::array kDefinitions = {
    // Dimensionless numbers.
    AtomDefinition{"10*", kNonMetric, "10", "1"},
    AtomDefinition{"10^", kNonMetric, "10", "1"},
    AtomDefinition{"[pi]", kNonMetric, "3.14159265358979323846264338328", "1"},
    AtomDefinition{"%", kNonMetric, "1", "10*-2"},
    AtomDefinition{"[ppth]", kNonMetric, "1", "10*-3"},
    AtomDefinition{"[ppm]", kNonMetric, "1", "10*-6"},
    AtomDefinition{"[ppb]", kNonMetric, "1", "10*-9"},
    AtomDefinition{"[pptr]", kNonMetric, "1", "10*-12"},
    // SI units.
    AtomDefinition{"mol", kMetric, "6.02214076", "10*23"},
    AtomDefinition{"sr", kMetric, "1", "rad2"},
    AtomDefinition{"Hz", kMetric, "1", "s-1"},
    AtomDefinition{"N", kMetric, "1", "kg.m/s2"},
    AtomDefinition{"Pa", kMetric, "1", "N/m2"},
    AtomDefinition{"J", kMetric, "1", "N.m"},
    AtomDefinition{"W", kMetric, "1", "J/s"},
    AtomDefinition{"A", kMetric, "1", "C/s"},
    AtomDefinition{"V", kMetric, "1", "J/C"},
    AtomDefinition{"F", kMetric, "1", "C/V"},
    AtomDefinition{"Ohm", kMetric, "1", "V/A"},
    AtomDefinition{"S", kMetric, "1", "Ohm-1"},
    AtomDefinition{"Wb", kMetric, "1", "V.s"},
    AtomDefinition{"T", kMetric, "1", "Wb/m2"},
    AtomDefinition{"H", kMetric, "1", "Wb/A"},
    AtomDefinition{"lm", kMetric, "1", "cd.sr"},
    AtomDefinition{"lx", kMetric, "1", "lm/m2"},
    AtomDefinition{"Bq", kMetric, "1", "s-1"},
    AtomDefinition{"Gy", kMetric, "1", "J/kg"},
    AtomDefinition{"Sv", kMetric, "1", "J/kg"},
    // Angles, area, volume.
    AtomDefinition{"deg", kNonMetric, "2", "[pi].rad/360"},
    AtomDefinition{"gon", kNonMetric, "0.9", "deg"},
    AtomDefinition{"'", kNonMetric, "1", "deg/60"},
    AtomDefinition{"''", kNonMetric, "1", "'/60"},
    AtomDefinition{"l", kMetric, "1", "dm3"},
    AtomDefinition{"L", kMetric, "1", "l"},
    AtomDefinition{"ar", kMetric, "100", "m2"},
    // Time.
    AtomDefinition{"min", kNonMetric, "60", "s"},
    AtomDefinition{"h", kNonMetric, "60", "min"},
    AtomDefinition{"d", kNonMetric, "24", "h"},
    AtomDefinition{"a_t", kNonMetric, "365.24219", "d"},
    AtomDefinition{"a_j", kNonMetric, "365.25", "d"},
    AtomDefinition{"a_g", kNonMetric, "365.2425", "d"},
    AtomDefinition{"a", kNonMetric, "1", "a_j"},
    AtomDefinition{"wk", kNonMetric, "7", "d"},
    AtomDefinition{"mo_s", kNonMetric, "29.53059", "d"},
    AtomDefinition{"mo_j", kNonMetric, "1", "a_j/12"},
    AtomDefinition{"mo_g", kNonMetric, "1", "a_g/12"},
    AtomDefinition{"mo", kNonMetric, "1", "mo_j"},
    // Other metric units.
    AtomDefinition{"t", kMetric, "1000", "kg"},
    AtomDefinition{"bar", kMetric, "100000", "Pa"},
    AtomDefinition{"u", kMetric, "1.66053906660e-24", "g"},
    AtomDefinition{"eV", kMetric, "1.602176634e-19", "J"},
    AtomDefinition{"atm", kNonMetric, "101325", "Pa"},
    AtomDefinition{"[g]", kNonMetric, "9.80665", "m/s2"},
    AtomDefinition{"gf", kMetric, "1", "g.[g]"},
    AtomDefinition{"dyn", kMetric, "1", "g.cm/s2"},
    AtomDefinition{"erg", kMetric, "1", "dyn.cm"},
    AtomDefinition{"P", kMetric, "1", "dyn.s/cm2"},
    AtomDefinition{"St", kMetric, "1", "cm2/s"},
    AtomDefinition{"G", kMetric, "0.0001", "T"},
    AtomDefinition{"Ci", kMetric, "37000000000", "Bq"},
    AtomDefinition{"R", kMetric, "0.000258", "C/kg"},
    AtomDefinition{"RAD", kMetric, "100", "erg/g"},
    AtomDefinition{"REM", kMetric, "1", "RAD"},
    AtomDefinition{"Ao", kNonMetric, "0.1", "nm"},
    // Chemistry and clinical units.
    AtomDefinition{"kat", kMetric, "1", "mol/s"},
    AtomDefinition{"U", kMetric, "1", "umol/min"},
    AtomDefinition{"eq", kMetric, "1", "mol"},
    AtomDefinition{"osm", kMetric, "1", "mol"},
    AtomDefinition{"g%", kMetric, "1", "g/dL"},
    AtomDefinition{"cal_th", kMetric, "4.184", "J"},
    AtomDefinition{"cal", kMetric, "1", "cal_th"},
    AtomDefinition{"[Cal]", kNonMetric, "1", "kcal_th"},
    AtomDefinition{"m[Hg]", kMetric, "133.3220", "kPa"},
    AtomDefinition{"m[H2O]", kMetric, "9.80665", "kPa"},
    AtomDefinition{"[drp]", kNonMetric, "1", "ml/20"},
    AtomDefinition{"[HPF]", kNonMetric, "1", "1"},
    AtomDefinition{"[LPF]", kNonMetric, "100", "1"},
    // International customary units.
    AtomDefinition{"[in_i]", kNonMetric, "2.54", "cm"},
    AtomDefinition{"[ft_i]", kNonMetric, "12", "[in_i]"},
    AtomDefinition{"[yd_i]", kNonMetric, "3", "[ft_i]"},
    AtomDefinition{"[mi_i]", kNonMetric, "5280", "[ft_i]"},
    AtomDefinition{"[nmi_i]", kNonMetric, "1852", "m"},
    AtomDefinition{"[sin_i]", kNonMetric, "1", "[in_i]2"},
    AtomDefinition{"[sft_i]", kNonMetric, "1", "[ft_i]2"},
    AtomDefinition{"[cin_i]", kNonMetric, "1", "[in_i]3"},
    AtomDefinition{"[cft_i]", kNonMetric, "1", "[ft_i]3"},
    AtomDefinition{"[in_i'Hg]", kNonMetric, "1", "m[Hg].[in_i]/m"},
    AtomDefinition{"[in_i'H2O]", kNonMetric, "1", "m[H2O].[in_i]/m"},
    // Avoirdupois and troy weights.
    AtomDefinition{"[gr]", kNonMetric, "64.79891", "mg"},
    AtomDefinition{"[lb_av]", kNonMetric, "7000", "[gr]"},
    AtomDefinition{"[oz_av]", kNonMetric, "1", "[lb_av]/16"},
    AtomDefinition{"[dr_av]", kNonMetric, "1", "[oz_av]/16"},
    AtomDefinition{"[ston_av]", kNonMetric, "100", "[lb_av]"},
    AtomDefinition{"[lton_av]", kNonMetric, "112", "[lb_av]"},
    AtomDefinition{"[stone_av]", kNonMetric, "14", "[lb_av]"},
    AtomDefinition{"[oz_tr]", kNonMetric, "480", "[gr]"},
    AtomDefinition{"[lbf_av]", kNonMetric, "1", "[lb_av].[g]"},
    AtomDefinition{"[psi]", kNonMetric, "1", "[lbf_av]/[in_i]2"},
    // US and British volumes.
    AtomDefinition{"[gal_us]", kNonMetric, "231", "[in_i]3"},
    AtomDefinition{"[qt_us]", kNonMetric, "1", "[gal_us]/4"},
    AtomDefinition{"[pt_us]", kNonMetric, "1", "[qt_us]/2"},
    AtomDefinition{"[gil_us]", kNonMetric, "1", "[pt_us]/4"},
    AtomDefinition{"[foz_us]", kNonMetric, "1", "[gil_us]/4"},
    AtomDefinition{"[fdr_us]", kNonMetric, "1", "[foz_us]/8"},
    AtomDefinition{"[tbs_us]", kNonMetric, "1", "[foz_us]/2"},
    AtomDefinition{"[tsp_us]", kNonMetric, "1", "[tbs_us]/3"},
    AtomDefinition{"[cup_us]", kNonMetric, "16", "[tbs_us]"},
    AtomDefinition{"[foz_m]", kNonMetric, "30", "mL"},
    AtomDefinition{"[cup_m]", kNonMetric, "240", "mL"},
    AtomDefinition{"[tsp_m]", kNonMetric, "5", "mL"},
    AtomDefinition{"[tbs_m]", kNonMetric, "15", "mL"},
    AtomDefinition{"[gal_br]", kNonMetric, "4.54609", "l"},
    AtomDefinition{"[qt_br]", kNonMetric, "1", "[gal_br]/4"},
    AtomDefinition{"[pt_br]", kNonMetric, "1", "[qt_br]/2"},
    AtomDefinition{"[foz_br]", kNonMetric, "1", "[gal_br]/160"},
    // Temperature on ratio scales.
    AtomDefinition{"[degR]", kNonMetric, "5", "K/9"},
};

// Arbitrary units: each is its own dimension ([IU] is [iU]).
constexpr std::array<std::pair<std::string_view, bool>, 24> kArbitrary = {{
    {"[iU]", kMetric},           {"[arb'U]", kNonMetric},  {"[USP'U]", kNonMetric},
    {"[CFU]", kMetric},          {"[PFU]", kMetric},       {"[FFU]", kMetric},
    {"[BAU]", kNonMetric},       {"[AU]", kNonMetric},     {"[GPL'U]", kNonMetric},
    {"[MPL'U]", kNonMetric},     {"[APL'U]", kNonMetric},  {"[beth'U]", kNonMetric},
    {"[anti'Xa'U]", kNonMetric}, {"[todd'U]", kNonMetric}, {"[dye'U]", kNonMetric},
    {"[smgy'U]", kNonMetric},    {"[bdsk'U]", kNonMetric}, {"[ka'U]", kNonMetric},
    {"[knk'U]", kNonMetric},     {"[mclg'U]", kNonMetric}, {"[tb'U]", kNonMetric},
    {"[PNU]", kNonMetric},       {"[Lf]", kNonMetric},     {"[EU]", kNonMetric},
}};
static_assert(kFirstArbitrary + kArbitrary.size() <= kDimensionCount);

struct Prefix {
  std::string_view symbol;
  int exp10;
};
constexpr std::array<Prefix, 20> kPrefixes = {{
    {"da", 1}, {"Y", 24},  {"Z", 21},  {"E", 18},  {"P", 15},  {"T", 12},  {"G", 9},
    {"M", 6},  {"k", 3},   {"h", 2},   {"d", -1},  {"c", -2},  {"m", -3},  {"u", -6},
    {"n", -9}, {"p", -12}, {"f", -15}, {"a", -18}, {"z", -21}, {"y", -24},
}};

class AtomTable;

// Recursive-descent parser for UCUM's grammar (https://ucum.org/ucum#section-Syntax-Rules):
//   main-term := '/' term | term
//   term      := component (('.' | '/') component)*      left-associative
//   component := '(' term ')' | annotation | factor | simple-unit exponent? annotation?
class UnitParser {
 public:
  UnitParser(const AtomTable& atoms, std::string_view text) : atoms_(atoms), text_(text) {}

  std::optional<Unit> Parse() {
    Unit unit;
    const bool leading_slash = Take('/');
    if (!ParseTerm(unit, 0) || pos_ != text_.size()) return std::nullopt;
    if (leading_slash) unit = Combined(Unit{}, unit, '/');
    if (specials_ > 0 && (specials_ > 1 || unit.terms.size() != 1 || leading_slash)) {
      return std::nullopt;  // Cel and [degF] only stand alone
    }
    return unit;
  }

 private:
  static constexpr int kMaxDepth = 8;

  bool Take(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  static Unit Combined(Unit left, const Unit& right, char op) {
    const int sign = op == '/' ? -1 : 1;
    left.factor = Multiply(left.factor, sign < 0 ? Inverse(right.factor) : right.factor);
    AddDimension(left.dimension, right.dimension, sign);
    if (right.special != Special::kNone) left.special = right.special;
    for (Term term : right.terms) {
      term.exponent *= sign;
      left.terms.push_back(std::move(term));
    }
    return left;
  }

  bool ParseTerm(Unit& out, int depth) {
    if (depth > kMaxDepth || !ParseComponent(out, depth)) return false;
    while (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == '/')) {
      const char op = text_[pos_++];
      Unit next;
      if (!ParseComponent(next, depth)) return false;
      out = Combined(std::move(out), next, op);
    }
    return true;
  }

  bool ParseComponent(Unit& out, int depth) {
    if (Take('(')) return ParseTerm(out, depth + 1) && Take(')');
    if (pos_ < text_.size() && text_[pos_] == '{') {
      std::string annotation;
      if (!ParseAnnotation(annotation)) return false;
      out.terms.push_back(Term{"", std::move(annotation), 1});
      return true;
    }
    return ParseSimpleUnit(out);
  }

  // '{' then printable ASCII other than braces, then '}'.
  bool ParseAnnotation(std::string& annotation) {
    const std::size_t start = pos_++;
    while (pos_ < text_.size() && text_[pos_] != '}') {
      const char c = text_[pos_++];
      if (c < '!' || c > '~' || c == '{') return false;
    }
    if (!Take('}')) return false;
    annotation = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  bool ParseSimpleUnit(Unit& out);

  const AtomTable& atoms_;
  std::string_view text_;
  std::size_t pos_ = 0;
  int specials_ = 0;
};

class AtomTable {
 public:
  static const AtomTable& Get() {
    static const AtomTable table;
    return table;
  }

  const Atom* Find(std::string_view symbol) const {
    const auto it = index_.find(symbol);
    return it == index_.end() ? nullptr : &atoms_[it->second];
  }

  // `symbol` as an atom, or a metric prefix and a metric atom; the prefix's power of ten.
  const Atom* Resolve(std::string_view symbol, int& prefix_exp10) const {
    prefix_exp10 = 0;
    if (const Atom* atom = Find(symbol)) return atom;
    for (const Prefix& prefix : kPrefixes) {
      if (symbol.size() <= prefix.symbol.size() ||
          symbol.substr(0, prefix.symbol.size()) != prefix.symbol) {
        continue;
      }
      const Atom* atom = Find(symbol.substr(prefix.symbol.size()));
      if (atom != nullptr && atom->metric) {
        prefix_exp10 = prefix.exp10;
        return atom;
      }
    }
    return nullptr;
  }

 private:
  AtomTable() {
    atoms_.reserve(kDefinitions.size() + kArbitrary.size() + 16);
    AddBase("m", kLength);
    AddBase("s", kTime);
    AddBase("g", kMass);
    AddBase("rad", kAngle);
    AddBase("K", kTemperature);
    AddBase("C", kCharge);
    AddBase("cd", kLuminosity);
    for (std::size_t i = 0; i < kArbitrary.size(); ++i) {
      Atom atom{kArbitrary[i].first, kArbitrary[i].second, Ratio{}, Dimension{}, Special::kNone};
      atom.dimension[kFirstArbitrary + i] = 1;
      Add(atom);
    }
    Atom international_unit = *Find("[iU]");
    international_unit.symbol = "[IU]";
    Add(international_unit);
    for (const AtomDefinition& definition : kDefinitions) {
      const std::optional<Unit> unit = UnitParser(*this, definition.unit).Parse();
      const std::optional<Ratio> value = RatioFromDecimalText(definition.value);
      // The definitions are constants of this file; one that does not parse is a bug here.
      CHARTROOM_CHECK(unit.has_value() && value.has_value());
      Add(Atom{definition.symbol, definition.metric, Multiply(*value, unit->factor),
               unit->dimension, Special::kNone});
    }
    // The special units: a degree's size in kelvin (their offsets are applied in Convert).
    Atom celsius{"Cel", kMetric, Ratio{}, Dimension{}, Special::kCelsius};
    celsius.dimension[kTemperature] = 1;
    Add(celsius);
    Atom fahrenheit{"[degF]", kNonMetric, Ratio{5, 9, 0, true}, celsius.dimension,
                    Special::kFahrenheit};
    Add(fahrenheit);
  }

  void AddBase(std::string_view symbol, DimensionIndex index) {
    Atom atom{symbol, kMetric, Ratio{}, Dimension{}, Special::kNone};
    atom.dimension[index] = 1;
    Add(atom);
  }

  void Add(const Atom& atom) {
    index_.emplace(atom.symbol, atoms_.size());
    atoms_.push_back(atom);
  }

  std::vector<Atom> atoms_;
  std::unordered_map<std::string_view, std::size_t> index_;
};

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool UnitParser::ParseSimpleUnit(Unit& out) {
  // The token runs to the next operator, parenthesis or annotation; square brackets enclose
  // anything (m[H2O] is one atom).
  const std::size_t start = pos_;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '[') {
      while (pos_ < text_.size() && text_[pos_] != ']') ++pos_;
      if (pos_ == text_.size()) return false;
      ++pos_;
      continue;
    }
    if (c == '.' || c == '/' || c == '(' || c == ')' || c == '{' || c == '}') break;
    ++pos_;
  }
  const std::string_view token = text_.substr(start, pos_ - start);
  if (token.empty()) return false;

  // A bare number is a factor.
  if (std::all_of(token.begin(), token.end(), IsAsciiDigit)) {
    const std::optional<Ratio> value = RatioFromDecimalText(token);
    if (!value) return false;  // 0, leading zeros, or more than 38 digits
    out.factor = *value;
    if (token != "1") out.terms.push_back(Term{std::string(token), "", 1});
    return true;
  }

  // A trailing signed integer (outside brackets) is the exponent: "cm2", "s-1", "10*3".
  std::size_t digits_start = token.size();
  while (digits_start > 0 && IsAsciiDigit(token[digits_start - 1])) --digits_start;
  std::string_view symbol = token;
  int exponent = 1;
  if (digits_start < token.size()) {
    std::size_t symbol_end = digits_start;
    bool negative = false;
    if (symbol_end > 0 && (token[symbol_end - 1] == '-' || token[symbol_end - 1] == '+')) {
      negative = token[symbol_end - 1] == '-';
      --symbol_end;
    }
    const std::string_view digits = token.substr(digits_start);
    if (symbol_end == 0 || digits.size() > 3) return false;
    exponent = 0;
    for (const char c : digits) exponent = exponent * 10 + (c - '0');
    if (negative) exponent = -exponent;
    symbol = token.substr(0, symbol_end);
  }

  int prefix_exp10 = 0;
  const Atom* atom = atoms_.Resolve(symbol, prefix_exp10);
  if (atom == nullptr) return false;
  if (atom->special != Special::kNone) {
    if (prefix_exp10 != 0 || exponent != 1) return false;
    ++specials_;
    out.special = atom->special;
  }
  Ratio size = atom->factor;
  size.exp10 += prefix_exp10;
  out.factor = Power(size, exponent);
  AddDimension(out.dimension, atom->dimension, exponent);
  Term term{std::string(symbol), "", exponent};
  if (pos_ < text_.size() && text_[pos_] == '{' && !ParseAnnotation(term.annotation)) {
    return false;
  }
  out.terms.push_back(std::move(term));
  return true;
}

// --- Calendar words and unit resolution ----------------------------------------------------

struct CalendarWord {
  std::string_view singular;
  std::string_view plural;
  std::string_view ucum;
  int months;  // 12 for year, 1 for month, 0 for the fixed-length words
};
constexpr std::array<CalendarWord, 8> kCalendarWords = {{
    {"year", "years", "a", 12},
    {"month", "months", "mo", 1},
    {"week", "weeks", "wk", 0},
    {"day", "days", "d", 0},
    {"hour", "hours", "h", 0},
    {"minute", "minutes", "min", 0},
    {"second", "seconds", "s", 0},
    {"millisecond", "milliseconds", "ms", 0},
}};

const CalendarWord* FindCalendarWord(std::string_view unit) {
  for (const CalendarWord& word : kCalendarWords) {
    if (unit == word.singular || unit == word.plural) return &word;
  }
  return nullptr;
}

std::string_view UnitOrOne(std::string_view unit) { return unit.empty() ? "1" : unit; }

bool IsUnity(std::string_view unit) { return UnitOrOne(unit) == "1"; }

enum class Reading { kEquality, kEquivalence };

// A unit as FHIRPath reads it: UCUM, or a calendar word (see quantity.hpp).
std::optional<Unit> ResolveUnit(std::string_view unit, Reading reading) {
  unit = UnitOrOne(unit);
  if (const CalendarWord* word = FindCalendarWord(unit)) {
    if (word->months > 0 && reading == Reading::kEquality) {
      Unit calendar;
      calendar.factor = Ratio{word->months, 1, 0, true};
      calendar.dimension[kCalendarMonth] = 1;
      calendar.terms.push_back(Term{std::string(word->ucum), "", 1});
      return calendar;
    }
    unit = word->ucum;
  }
  return UnitParser(AtomTable::Get(), unit).Parse();
}

// --- Conversion ----------------------------------------------------------------------------

// x × 10^e.
std::optional<Decimal> ShiftDecimal(const Decimal& x, int e) {
  if (e <= 0 || x.scale() >= e) return Decimal::FromCoefficient(x.coefficient(), x.scale() - e);
  const int up = e - x.scale();
  if (up > Decimal::kMaxDigits - 1) return std::nullopt;
  Int128 power = 1;
  for (int i = 0; i < up; ++i) power *= 10;
  const std::optional<Decimal> factor = Decimal::FromCoefficient(power, 0);
  const std::optional<Decimal> integer = Decimal::FromCoefficient(x.coefficient(), 0);
  return Decimal::Multiply(*integer, *factor);
}

struct Converted {
  Decimal value;
  bool exact;
};

// value × ratio: exact when the quotient terminates, else rounded to 20 or more places.
std::optional<Converted> Scale(const Decimal& value, Ratio ratio) {
  // Keep the numerator within a Decimal coefficient.
  while (!Decimal::FromCoefficient(ratio.num, 0)) {
    ratio.num = (ratio.num + 5) / 10;
    ++ratio.exp10;
    ratio.exact = false;
  }
  const std::optional<Decimal> product =
      Decimal::Multiply(value, *Decimal::FromCoefficient(ratio.num, 0));
  if (!product) return std::nullopt;
  const std::optional<Decimal> shifted = ShiftDecimal(*product, ratio.exp10);
  if (!shifted) return std::nullopt;
  if (ratio.den == 1) return Converted{*shifted, ratio.exact};

  const std::optional<Decimal> divisor = Decimal::FromCoefficient(ratio.den, 0);
  if (!divisor) return std::nullopt;
  // x / den terminates when den / gcd(x, den) has no prime factors but 2 and 5; it then needs
  // as many extra places as the larger of their powers.
  Int128 rest = ratio.den / Gcd(shifted->coefficient(), ratio.den);
  int twos = 0;
  int fives = 0;
  while (rest % 2 == 0) {
    rest /= 2;
    ++twos;
  }
  while (rest % 5 == 0) {
    rest /= 5;
    ++fives;
  }
  const bool terminates = rest == 1;
  int places = shifted->scale() + (terminates ? std::max(twos, fives) : 20);
  for (places = std::min(places, Decimal::kMaxScale); places >= 0; --places) {
    const std::optional<Decimal> quotient = Decimal::DivideRounded(*shifted, *divisor, places);
    if (quotient) {
      const bool exact =
          ratio.exact && terminates && places >= shifted->scale() + std::max(twos, fives);
      return Converted{quotient->TrimmedTo(std::min(places, shifted->scale())), exact};
    }
  }
  return std::nullopt;
}

Decimal OffsetOf(Special special) {
  // Cel = K - 273.15; [degF] = 5/9 K - 459.67 [degF].
  switch (special) {
    case Special::kCelsius:
      return *Decimal::FromCoefficient(27315, 2);
    case Special::kFahrenheit:
      return *Decimal::FromCoefficient(45967, 2);
    case Special::kNone:
      break;
  }
  return Decimal();
}

// `value` in unit `from` expressed in unit `to`, which has the same dimension.
std::optional<Converted> Convert(const Decimal& value, const Unit& from, const Unit& to) {
  Decimal start = value;
  if (from.special != Special::kNone) {
    const std::optional<Decimal> absolute = Decimal::Add(value, OffsetOf(from.special));
    if (!absolute) return std::nullopt;
    start = *absolute;
  }
  std::optional<Converted> out = Scale(start, Multiply(from.factor, Inverse(to.factor)));
  if (out && to.special != Special::kNone) {
    const std::optional<Decimal> relative = Decimal::Subtract(out->value, OffsetOf(to.special));
    if (!relative) return std::nullopt;
    out->value = *relative;
  }
  return out;
}

struct Resolved {
  Unit a;
  Unit b;
};

std::optional<Resolved> ResolveCommensurable(std::string_view a, std::string_view b,
                                             Reading reading) {
  std::optional<Unit> unit_a = ResolveUnit(a, reading);
  std::optional<Unit> unit_b = ResolveUnit(b, reading);
  if (!unit_a || !unit_b || unit_a->dimension != unit_b->dimension) return std::nullopt;
  return Resolved{std::move(*unit_a), std::move(*unit_b)};
}

// --- Canonical form ------------------------------------------------------------------------

// The base units of the dimension vector as a UCUM product, mass first as in "g.m-1.s-2", then
// the arbitrary units; "1" when dimensionless.
std::string BaseUnitExpression(const Dimension& dimension) {
  static constexpr std::array<std::pair<DimensionIndex, std::string_view>, 7> kBaseUnits = {{
      {kMass, "g"},
      {kLength, "m"},
      {kTime, "s"},
      {kAngle, "rad"},
      {kTemperature, "K"},
      {kCharge, "C"},
      {kLuminosity, "cd"},
  }};
  std::string out;
  auto append = [&](std::string_view symbol, int exponent) {
    if (exponent == 0) return;
    if (!out.empty()) out += '.';
    out += symbol;
    if (exponent != 1) out += std::to_string(exponent);
  };
  for (const auto& [index, symbol] : kBaseUnits) append(symbol, dimension[index]);
  for (std::size_t i = 0; i < kArbitrary.size(); ++i) {
    append(kArbitrary[i].first, dimension[kFirstArbitrary + i]);
  }
  if (out.empty()) out.push_back('1');
  return out;
}

// --- Printing products ---------------------------------------------------------------------

void AppendTerm(std::string& out, const Term& term, int magnitude) {
  if (term.symbol.empty()) {  // a bare annotation has no exponent of its own
    for (int i = 0; i < magnitude; ++i) out += (i == 0 ? "" : ".") + term.annotation;
    return;
  }
  out += term.symbol;
  if (magnitude != 1) out += std::to_string(magnitude);
  out += term.annotation;
}

// "g.m2/s/mol": like terms merged, those with positive exponents first.
std::string PrintTerms(const std::vector<Term>& terms) {
  std::vector<Term> merged;
  for (const Term& term : terms) {
    const auto same = std::find_if(merged.begin(), merged.end(), [&](const Term& t) {
      return t.symbol == term.symbol && t.annotation == term.annotation;
    });
    if (same == merged.end()) {
      merged.push_back(term);
    } else {
      same->exponent += term.exponent;
    }
  }
  std::string numerator;
  std::string denominator;
  for (const Term& term : merged) {
    if (term.exponent > 0) {
      if (!numerator.empty()) numerator += '.';
      AppendTerm(numerator, term, term.exponent);
    } else if (term.exponent < 0) {
      denominator += '/';
      AppendTerm(denominator, term, -term.exponent);
    }
  }
  // push_back rather than assigning "1": GCC 12 at -O2 mistakes the assignment for an
  // overlapping memcpy (-Wrestrict, GCC bug 105651).
  if (numerator.empty()) numerator.push_back('1');
  numerator += denominator;
  return numerator;
}

// The unit of a product (sign +1) or quotient (sign -1) of quantities.
std::optional<std::string> CombinedUnit(std::string_view a, std::string_view b, int sign) {
  if (IsUnity(b)) return std::string(UnitOrOne(a));
  if (sign > 0 && IsUnity(a)) return std::string(UnitOrOne(b));
  std::optional<Unit> unit_a = ResolveUnit(a, Reading::kEquality);
  std::optional<Unit> unit_b = ResolveUnit(b, Reading::kEquality);
  if (!unit_a || !unit_b) return std::nullopt;
  if (unit_a->special != Special::kNone || unit_b->special != Special::kNone ||
      unit_a->dimension[kCalendarMonth] != 0 || unit_b->dimension[kCalendarMonth] != 0) {
    return std::nullopt;
  }
  std::vector<Term> terms = std::move(unit_a->terms);
  for (Term term : unit_b->terms) {
    term.exponent *= sign;
    terms.push_back(std::move(term));
  }
  return PrintTerms(terms);
}

}  // namespace

bool IsCalendarDurationUnit(std::string_view unit) { return FindCalendarWord(unit) != nullptr; }

bool IsKnownUcumUnit(std::string_view unit) {
  return !unit.empty() && UnitParser(AtomTable::Get(), unit).Parse().has_value();
}

bool AreComparableUnits(std::string_view a, std::string_view b) {
  return UnitOrOne(a) == UnitOrOne(b) || ResolveCommensurable(a, b, Reading::kEquality).has_value();
}

std::optional<Quantity> ConvertTo(const Quantity& quantity, std::string_view unit) {
  if (UnitOrOne(quantity.unit) == UnitOrOne(unit))
    return Quantity{quantity.value, std::string(unit)};
  const std::optional<Resolved> units =
      ResolveCommensurable(quantity.unit, unit, Reading::kEquality);
  if (!units) return std::nullopt;
  const std::optional<Converted> value = Convert(quantity.value, units->a, units->b);
  if (!value) return std::nullopt;
  return Quantity{value->value, std::string(unit)};
}

std::optional<Quantity> Canonicalize(const Quantity& quantity) {
  if (IsCalendarDurationUnit(quantity.unit)) return std::nullopt;
  const std::optional<Unit> unit = ResolveUnit(quantity.unit, Reading::kEquality);
  if (!unit) return std::nullopt;
  Unit base;  // factor 1 in the same dimension: the product of base units
  base.dimension = unit->dimension;
  const std::optional<Converted> value = Convert(quantity.value, *unit, base);
  if (!value) return std::nullopt;
  return Quantity{value->value.Normalized(), BaseUnitExpression(unit->dimension)};
}

std::optional<int> Compare(const Quantity& a, const Quantity& b) {
  if (UnitOrOne(a.unit) == UnitOrOne(b.unit)) return Decimal::Compare(a.value, b.value);
  const std::optional<Resolved> units = ResolveCommensurable(a.unit, b.unit, Reading::kEquality);
  if (!units) return std::nullopt;
  // Compare in whichever unit takes the other exactly (lb -> kg is exact, kg -> lb is not).
  const std::optional<Converted> b_in_a = Convert(b.value, units->b, units->a);
  if (b_in_a && b_in_a->exact) return Decimal::Compare(a.value, b_in_a->value);
  const std::optional<Converted> a_in_b = Convert(a.value, units->a, units->b);
  if (a_in_b && a_in_b->exact) return Decimal::Compare(a_in_b->value, b.value);
  if (b_in_a) return Decimal::Compare(a.value, b_in_a->value);
  if (a_in_b) return Decimal::Compare(a_in_b->value, b.value);
  return std::nullopt;
}

bool Equivalent(const Quantity& a, const Quantity& b) {
  if (UnitOrOne(a.unit) == UnitOrOne(b.unit)) return Decimal::Equivalent(a.value, b.value);
  const std::optional<Resolved> units = ResolveCommensurable(a.unit, b.unit, Reading::kEquivalence);
  if (!units) return false;
  // The less precise operand's step (10^-scale of its unit, trailing zeros ignored) sets the
  // precision of the comparison; the other is converted into its unit and rounded to it.
  const Decimal norm_a = a.value.Normalized();
  const Decimal norm_b = b.value.Normalized();
  const long double step_a = ToLongDouble(units->a.factor) * std::pow(10.0L, -norm_a.scale());
  const long double step_b = ToLongDouble(units->b.factor) * std::pow(10.0L, -norm_b.scale());
  const bool a_coarser = step_a >= step_b;
  const Decimal& coarse = a_coarser ? norm_a : norm_b;
  const std::optional<Converted> fine =
      a_coarser ? Convert(b.value, units->b, units->a) : Convert(a.value, units->a, units->b);
  if (!fine) return false;
  const std::optional<Decimal> rounded = fine->value.Round(coarse.scale());
  return rounded && Decimal::Compare(coarse, *rounded) == 0;
}

std::optional<Quantity> Add(const Quantity& a, const Quantity& b) {
  if (UnitOrOne(a.unit) == UnitOrOne(b.unit)) {
    const std::optional<Decimal> sum = Decimal::Add(a.value, b.value);
    if (!sum) return std::nullopt;
    return Quantity{*sum, a.unit};
  }
  const std::optional<Resolved> units = ResolveCommensurable(a.unit, b.unit, Reading::kEquality);
  if (!units || units->a.special != Special::kNone || units->b.special != Special::kNone) {
    return std::nullopt;
  }
  // The result is in the more granular unit (the smaller factor).
  const bool in_a = ToLongDouble(units->a.factor) <= ToLongDouble(units->b.factor);
  const std::optional<Converted> other =
      in_a ? Convert(b.value, units->b, units->a) : Convert(a.value, units->a, units->b);
  if (!other) return std::nullopt;
  const std::optional<Decimal> sum = Decimal::Add(in_a ? a.value : b.value, other->value);
  if (!sum) return std::nullopt;
  return Quantity{*sum, in_a ? a.unit : b.unit};
}

std::optional<Quantity> Subtract(const Quantity& a, const Quantity& b) {
  return Add(a, Quantity{b.value.Negate(), b.unit});
}

std::optional<Quantity> Multiply(const Quantity& a, const Quantity& b) {
  const std::optional<Decimal> product = Decimal::Multiply(a.value, b.value);
  std::optional<std::string> unit = CombinedUnit(a.unit, b.unit, +1);
  if (!product || !unit) return std::nullopt;
  return Quantity{*product, std::move(*unit)};
}

std::optional<Quantity> Divide(const Quantity& a, const Quantity& b) {
  const std::optional<Decimal> quotient = Decimal::Divide(a.value, b.value);
  if (!quotient) return std::nullopt;
  if (UnitOrOne(a.unit) == UnitOrOne(b.unit)) return Quantity{*quotient, "1"};
  std::optional<std::string> unit = CombinedUnit(a.unit, b.unit, -1);
  if (!unit) return std::nullopt;
  return Quantity{*quotient, std::move(*unit)};
}

}  // namespace chartroom::fhir
