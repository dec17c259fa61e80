#include "store/common/search_sql.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/result_macros.hpp"
#include "fhir/search/params.hpp"
#include "store/common/index_rows.hpp"

namespace chartroom::store::common {
namespace fs = fhir::search;
using fhir::SearchParamType;
using fs::Modifier;
using fs::Prefix;

Sql& Sql::List(const std::vector<std::int64_t>& values) {
  text += '(';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ", ";
    Bind(values[i]);
  }
  text += ')';
  return *this;
}

namespace {

// The length of the well-formed UTF-8 sequence at the end of `text`, 0 when there is none.
std::size_t LastCharLength(std::string_view text) {
  std::size_t n = 1;
  while (n <= 4 && n <= text.size() &&
         (static_cast<unsigned char>(text[text.size() - n]) & 0xC0) == 0x80) {
    ++n;
  }
  if (n > 4 || n > text.size()) return 0;
  auto lead = static_cast<unsigned char>(text[text.size() - n]);
  std::size_t expected = lead < 0x80         ? 1
                         : (lead >> 5) == 6  ? 2
                         : (lead >> 4) == 14 ? 3
                         : (lead >> 3) == 30 ? 4
                                             : 0;
  return expected == n ? n : 0;
}

}  // namespace

std::optional<std::string> PrefixUpperBound(std::string_view prefix) {
  // On UTF-8 text the bound is the prefix with its last character advanced by one code point
  // (UTF-8 byte order is code point order), so the bound stays valid UTF-8, which PostgreSQL
  // requires of text; anything else advances the last byte.
  std::string upper(prefix);
  while (!upper.empty()) {
    std::size_t n = LastCharLength(upper);
    if (n > 1) {
      std::uint32_t cp = static_cast<unsigned char>(upper[upper.size() - n]) & (0x7Fu >> n);
      for (std::size_t i = upper.size() - n + 1; i < upper.size(); ++i) {
        cp = (cp << 6) | (static_cast<unsigned char>(upper[i]) & 0x3Fu);
      }
      upper.resize(upper.size() - n);
      if (cp >= 0x10FFFF) continue;
      ++cp;
      if (cp == 0xD800) cp = 0xE000;  // surrogates are not characters
      if (cp < 0x800) {
        upper += static_cast<char>(0xC0 | (cp >> 6));
      } else if (cp < 0x10000) {
        upper += static_cast<char>(0xE0 | (cp >> 12));
        upper += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      } else {
        upper += static_cast<char>(0xF0 | (cp >> 18));
        upper += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        upper += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      }
      upper += static_cast<char>(0x80 | (cp & 0x3F));
      return upper;
    }
    auto last = static_cast<unsigned char>(upper.back());
    if (last == 0x7F) {
      upper.back() = static_cast<char>(0xC2);
      upper += static_cast<char>(0x80);
      return upper;
    }
    if (last < 0xFF) {
      upper.back() = static_cast<char>(last + 1);
      return upper;
    }
    upper.pop_back();
  }
  return std::nullopt;
}

namespace {

Error Unsupported(std::string what) {
  return Error(ErrorCategory::kUnsupported, "store.unsupported", std::move(what));
}
Error BadValue(std::string what) {
  return Error(ErrorCategory::kInvalid, "store.bad-query", std::move(what));
}

// `column IN (...)` or `column = ?`; "0" (no match) for an empty list.
Sql InClause(const Dialect& dialect, std::string_view column,
             const std::vector<std::int64_t>& values) {
  Sql sql;
  if (values.empty()) {
    sql += dialect.False();
  } else if (values.size() == 1) {
    sql += column;
    sql += " = ";
    sql.Bind(values[0]);
  } else {
    sql += column;
    sql += " IN ";
    sql.List(values);
  }
  return sql;
}

std::string Col(std::string_view alias, std::string_view column) {
  std::string s(alias);
  s += '.';
  s += column;
  return s;
}

// The value of a QueryValue as plain text (for ids, uris and :text).
std::string PlainText(const fs::QueryValue& v) {
  if (v.string) return *v.string;
  if (v.token && !v.token->code.empty()) return v.token->code;
  return v.raw;
}

// The value of a uri criterion.
std::string UriText(const fs::QueryValue& v) {
  if (v.uri) return *v.uri;
  if (v.string) return *v.string;
  return v.raw;
}

// Escapes LIKE wildcards; the pattern uses ESCAPE '\'.
std::string LikeContains(std::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

// Date prefixes, https://hl7.org/fhir/R4/search.html#prefix with ranges (search.html#date): the
// target range [low, high] against the search range [ql, qh], both inclusive.
template <typename T>
Sql RangePredicate(std::string_view low, std::string_view high, Prefix prefix, T ql, T qh,
                   T approx) {
  Sql s;
  auto contained = [&] {
    Sql c;
    c += "(";
    c += low;
    c += " >= ";
    c.Bind(ql);
    c += " AND ";
    c += high;
    c += " <= ";
    c.Bind(qh);
    c += ")";
    return c;
  };
  auto cmp = [&](std::string_view column, std::string_view op, T value) {
    Sql c;
    c += column;
    c += op;
    c.Bind(value);
    return c;
  };
  switch (prefix) {
    // The conjuncts marked "bound" are implied by the rest (low <= high in every row); they
    // give SQLite a range to seek in an index on (param, low) or (param, high).
    case Prefix::kEq:
      s += "(";
      s.Append(contained()).Append(Sql{" AND ", {}}).Append(cmp(low, " <= ", qh));  // bound
      s += ")";
      return s;
    case Prefix::kNe:
      s += "NOT ";
      return s.Append(contained());
    case Prefix::kGt:
      return cmp(high, " > ", qh);
    case Prefix::kLt:
      return cmp(low, " < ", ql);
    case Prefix::kGe:
      s += "(";
      s.Append(cmp(high, " >= ", ql)).Append(Sql{" AND (", {}});  // bound
      s.Append(cmp(high, " > ", qh)).Append(Sql{" OR ", {}}).Append(contained());
      s += "))";
      return s;
    case Prefix::kLe:
      s += "(";
      s.Append(cmp(low, " <= ", qh)).Append(Sql{" AND (", {}});  // bound
      s.Append(cmp(low, " < ", ql)).Append(Sql{" OR ", {}}).Append(contained());
      s += "))";
      return s;
    case Prefix::kSa:
      return cmp(low, " > ", qh);
    case Prefix::kEb:
      return cmp(high, " < ", ql);
    case Prefix::kAp:
      s += "(";
      s.Append(cmp(low, " <= ", qh + approx)).Append(Sql{" AND ", {}});
      s.Append(cmp(high, " >= ", ql - approx));
      s += ")";
      return s;
  }
  return s;
}

// The least value of `high` a row must have to match (a date prefix's bound on the end of the
// target range), when the prefix implies one.
std::optional<std::int64_t> HighFloor(Prefix prefix, std::int64_t ql, std::int64_t qh,
                                      std::int64_t approx) {
  switch (prefix) {
    case Prefix::kGe:
      return ql;
    case Prefix::kGt:
      return qh;
    case Prefix::kAp:
      return ql - approx;
    default:
      return std::nullopt;
  }
}

// Number prefixes compare the target value with the search value; eq/ne/ap use the search
// value's implicit precision range (search.html#number).
Sql NumberPredicate(std::string_view column, Prefix prefix, double value, double low, double high) {
  Sql s;
  auto cmp = [&](std::string_view op, double v) {
    Sql c;
    c += column;
    c += op;
    c.Bind(v);
    return c;
  };
  if (!(low <= value && value <= high)) low = high = value;
  auto eq = [&] {
    Sql c;
    if (low == high) return cmp(" = ", value);
    c += "(";
    c.Append(cmp(" >= ", low)).Append(Sql{" AND ", {}}).Append(cmp(" < ", high));
    c += ")";
    return c;
  };
  switch (prefix) {
    case Prefix::kEq:
      return eq();
    case Prefix::kNe:
      s += "NOT ";
      return s.Append(eq());
    case Prefix::kGt:
    case Prefix::kSa:
      return cmp(" > ", value);
    case Prefix::kLt:
    case Prefix::kEb:
      return cmp(" < ", value);
    case Prefix::kGe:
      return cmp(" >= ", value);
    case Prefix::kLe:
      return cmp(" <= ", value);
    case Prefix::kAp: {
      double d = std::fabs(value) * 0.1;
      s += "(";
      s.Append(cmp(" >= ", value - d)).Append(Sql{" AND ", {}}).Append(cmp(" <= ", value + d));
      s += ")";
      return s;
    }
  }
  return s;
}

// The approximation window of `ap` on dates: 10% of the distance between now and the value
// (search.html#prefix leaves the amount to the server).
std::int64_t DateApprox(const fs::DateRange& range, core::Timestamp now) {
  // Days keep the window (and so a page token's query) stable through the day.
  std::int64_t day = 86'400'000'000LL;
  std::int64_t now_us = now.time_since_epoch().count() / day * day;
  std::int64_t mid = range.low / 2 + range.high / 2;
  std::int64_t distance = now_us > mid ? now_us - mid : mid - now_us;
  return distance / 10;
}

// The types a reference parameter may point to.
std::vector<std::string> TargetTypes(const fhir::SearchParamInfo* param, const Registry& registry) {
  std::vector<std::string> types;
  bool any = param == nullptr || param->targets().empty();
  if (!any) {
    for (fhir::StrRef t : param->targets()) {
      std::string_view name = fhir::Str(t);
      if (name == "Resource" || name == "Any") {
        any = true;
        break;
      }
      types.emplace_back(name);
    }
  }
  if (any) {
    types.clear();
    for (const std::string& name : registry.TypeNames()) {
      if (!name.empty()) types.push_back(name);
    }
  }
  return types;
}

}  // namespace

struct QueryCompiler::Predicates {
  std::string table;
  std::vector<std::int64_t> params;
  std::vector<Sql> values;  // OR-ed, over the alias given to ValuePredicates
  bool ordered = false;     // a single value keyed (param, key, rid): rids come out in order
  int rank = 1;             // CompiledCriterion::rank
};

std::vector<std::int64_t> QueryCompiler::ParamIds(std::string_view type,
                                                  std::string_view code) const {
  std::vector<std::int64_t> ids;
  if (!type.empty()) {
    if (const ParamEntry* e = registry_.Param(type, code)) ids.push_back(e->id);
    return ids;
  }
  for (const std::string& name : system_types_.empty() ? registry_.TypeNames() : system_types_) {
    if (name.empty()) continue;
    if (const ParamEntry* e = registry_.Param(name, code)) ids.push_back(e->id);
  }
  return ids;
}

std::vector<std::int64_t> QueryCompiler::TypeIds(std::string_view type) const {
  std::vector<std::int64_t> ids;
  if (!type.empty()) {
    if (auto id = registry_.TypeId(type)) ids.push_back(*id);
  }
  return ids;
}

std::string QueryCompiler::NextAlias() { return "q" + std::to_string(++alias_counter_); }

Result<QueryCompiler::Predicates> QueryCompiler::ValuePredicates(std::string_view type,
                                                                 const fs::Criterion& c,
                                                                 std::string_view a, bool probe) {
  Predicates p;
  // In a probe, the value columns of string, date, number and quantity rows are written
  // "+t.value": the unary plus keeps SQLite from seeking them in the (param, value) indexes, so
  // that it seeks (param, rid) instead. (NOT INDEXED is not honoured for WITHOUT ROWID tables.)
  std::string va = (probe && !dialect_.postgres ? "+" : "") + std::string(a);
  const fhir::SearchParamInfo* param = c.param;
  std::string_view code;
  switch (c.common) {
    case fs::CommonParam::kTag:
      code = "_tag";
      break;
    case fs::CommonParam::kSecurity:
      code = "_security";
      break;
    case fs::CommonParam::kProfile:
      code = "_profile";
      break;
    default:
      if (param == nullptr) return tl::unexpected(BadValue("a criterion has no parameter"));
      code = param->code();
  }
  if (param == nullptr) param = fhir::FindSearchParam(type.empty() ? "Resource" : type, code);
  SearchParamType ptype = param != nullptr ? param->type : c.type;
  p.params = ParamIds(type, code);

  switch (ptype) {
    case SearchParamType::kToken: {
      if (c.modifier == Modifier::kIn || c.modifier == Modifier::kNotIn ||
          c.modifier == Modifier::kAbove || c.modifier == Modifier::kBelow) {
        return tl::unexpected(
            Unsupported("token :in, :not-in, :above and :below need a terminology service"));
      }
      if (c.modifier == Modifier::kText) {
        p.table = "idx_text";
        p.rank = 2;
        for (const fs::QueryValue& v : c.values) {
          std::string text = v.token && !v.token->text.empty() ? v.token->text : PlainText(v);
          std::string norm(CutText(fs::NormalizeString(text)));
          Sql s;
          s += Col(a, "text") + " >= ";
          s.Bind(norm);
          if (auto upper = PrefixUpperBound(norm)) {
            s += " AND " + Col(a, "text") + " < ";
            s.Bind(*upper);
          }
          p.values.push_back(std::move(s));
        }
        break;
      }
      p.table = "idx_token";
      for (const fs::QueryValue& v : c.values) {
        if (!v.token) return tl::unexpected(BadValue("a token criterion lacks its value"));
        const fs::TokenValue& t = *v.token;
        Sql s;
        if (c.modifier == Modifier::kOfType) {
          s += Col(a, "code") + " = ";
          s.Bind(TokenOfType(t.of_type, t.code));
        } else if (v.token_has_system_separator && t.code.empty()) {
          p.rank = 5;
          s += Col(a, "sys") + " = ";  // "system|": every code of the system
          s.Bind(TokenSystem(t.system));
        } else {
          s += Col(a, "code") + " = ";
          s.Bind(TokenCode(t.code));
          if (v.token_has_system_separator) {
            s += " AND " + Col(a, "sys") + " = ";
            s.Bind(TokenSystem(t.system));
          }
        }
        p.values.push_back(std::move(s));
      }
      p.ordered = p.values.size() == 1 && p.params.size() == 1 &&
                  !(c.values[0].token_has_system_separator && c.values[0].token->code.empty());
      break;
    }
    case SearchParamType::kString: {
      p.table = "idx_string";
      for (const fs::QueryValue& v : c.values) {
        Sql s;
        if (c.modifier == Modifier::kExact) {
          std::string exact = v.string ? *v.string : v.raw;
          s += Col(va, "value") + " = ";
          s.Bind(std::string(CutText(fs::NormalizeString(exact))));
          s += " AND " + Col(va, "exact") + " = ";
          s.Bind(std::string(CutText(exact)));
        } else if (c.modifier == Modifier::kContains) {
          p.rank = 5;
          s += Col(va, "value");
          s += dialect_.Like();
          s.Bind(LikeContains(v.string ? *v.string : fs::NormalizeString(v.raw)));
          s += " ESCAPE '\\'";
        } else if (c.modifier == Modifier::kNone) {
          p.rank = std::max(p.rank, 2);
          std::string prefix(CutText(v.string ? *v.string : fs::NormalizeString(v.raw)));
          s += Col(va, "value") + " >= ";
          s.Bind(prefix);
          if (auto upper = PrefixUpperBound(prefix)) {
            s += " AND " + Col(va, "value") + " < ";
            s.Bind(*upper);
          }
        } else {
          return tl::unexpected(BadValue("a modifier does not apply to a string parameter"));
        }
        p.values.push_back(std::move(s));
      }
      break;
    }
    case SearchParamType::kUri: {
      p.table = "idx_uri";
      for (const fs::QueryValue& v : c.values) {
        std::string uri(CutText(UriText(v)));
        Sql s;
        switch (c.modifier) {
          case Modifier::kNone:
          case Modifier::kExact:
            s += Col(a, "uri") + " = ";
            s.Bind(uri);
            break;
          case Modifier::kBelow: {
            // The uri itself and everything under its path (search.html#uri).
            p.rank = std::max(p.rank, 2);
            std::string base = uri;
            if (!base.empty() && base.back() == '/') base.pop_back();
            s += "(" + Col(a, "uri") + " = ";
            s.Bind(base);
            s += " OR (" + Col(a, "uri") + " >= ";
            s.Bind(base + "/");
            s += " AND " + Col(a, "uri") + " < ";
            s.Bind(base + "0");  // '0' follows '/'
            s += "))";
            break;
          }
          case Modifier::kAbove: {
            // Every path prefix of the value, down to the authority.
            std::vector<std::string> prefixes;
            std::string current = uri;
            std::size_t authority = current.find("://");
            std::size_t floor = authority == std::string::npos ? 0 : authority + 3;
            while (!current.empty()) {
              prefixes.push_back(current);
              std::size_t slash = current.rfind('/');
              if (slash == std::string::npos || slash < floor) break;
              current.resize(slash);
            }
            s += Col(a, "uri") + " IN (";
            for (std::size_t i = 0; i < prefixes.size(); ++i) {
              if (i > 0) s += ", ";
              s.Bind(prefixes[i]);
            }
            s += ")";
            break;
          }
          case Modifier::kContains:
            p.rank = 5;
            s += Col(a, "uri");
            s += dialect_.Like();
            s.Bind(LikeContains(uri));
            s += " ESCAPE '\\'";
            break;
          default:
            return tl::unexpected(BadValue("a modifier does not apply to a uri parameter"));
        }
        p.values.push_back(std::move(s));
      }
      p.ordered = p.values.size() == 1 && p.params.size() == 1 && c.modifier == Modifier::kNone;
      break;
    }
    case SearchParamType::kDate: {
      p.table = "idx_date";
      p.rank = 4;
      // Each value's predicate and the least `high` it implies.
      auto values = [&](const fs::Criterion& of, std::vector<Sql>& predicates,
                        std::optional<std::int64_t>& floor) -> Status {
        bool every_value_has_one = true;
        for (const fs::QueryValue& v : of.values) {
          if (!v.date) return tl::unexpected(BadValue("a date criterion lacks its value"));
          const std::int64_t approx = DateApprox(*v.date, now_);
          predicates.push_back(RangePredicate<std::int64_t>(
              Col(va, "low"), Col(va, "high"), v.prefix, v.date->low, v.date->high, approx));
          const auto f = HighFloor(v.prefix, v.date->low, v.date->high, approx);
          if (!f) every_value_has_one = false;
          if (f && (!floor || *f < *floor)) floor = f;
        }
        if (!every_value_has_one) floor.reset();
        return Ok();
      };
      std::vector<Sql> own;
      std::optional<std::int64_t> own_floor;
      CHARTROOM_RETURN_IF_ERROR(values(c, own, own_floor));
      if (probe) {
        p.values = std::move(own);
        break;
      }
      // The criteria that must hold on the same row (SetCriteria), and the bound they add.
      Sql same_row;
      std::optional<std::int64_t> shared_floor;
      if (criteria_ != nullptr && Plain(c) && !type.empty() && param != nullptr) {
        const fhir::TypeInfo* info = fhir::FindResourceType(type);
        if (info != nullptr && fs::SingleValued(*param, *info)) {
          for (const fs::Criterion& other : *criteria_) {
            if (&other == &c || other.param != c.param || !Plain(other)) continue;
            std::vector<Sql> predicates;
            std::optional<std::int64_t> floor;
            CHARTROOM_RETURN_IF_ERROR(values(other, predicates, floor));
            same_row += " AND (";
            for (std::size_t i = 0; i < predicates.size(); ++i) {
              if (i > 0) same_row += " OR ";
              same_row.Append(predicates[i]);
            }
            if (predicates.empty()) same_row += dialect_.False();
            same_row += ")";
            if (floor && (!shared_floor || *floor > *shared_floor)) shared_floor = floor;
          }
        }
      }
      // The source reads each value's rows class by class of range length (kDateSpanBounds), so
      // that a bound on high seeks (param, span, low) too.
      for (std::size_t i = 0; i < own.size(); ++i) {
        std::optional<std::int64_t> floor = own_floor;
        if (shared_floor && (!floor || *shared_floor > *floor)) floor = shared_floor;
        for (std::int64_t k = 0; k < 4; ++k) {
          Sql s;
          // A literal, not a parameter: only `span = 3` as written lets SQLite use the partial
          // index of the long rows.
          s += "(" + Col(va, "span") + " = " + std::to_string(k);
          if (k < 3 && floor) {
            s += " AND " + Col(va, "low") + " >= ";
            s.Bind(*floor >= std::numeric_limits<std::int64_t>::min() + kDateSpanBounds[k]
                       ? *floor - kDateSpanBounds[k]
                       : std::numeric_limits<std::int64_t>::min());
          }
          s += " AND ";
          s.Append(own[i]);
          s.Append(same_row);
          s += ")";
          p.values.push_back(std::move(s));
        }
      }
      break;
    }
    case SearchParamType::kNumber: {
      p.table = "idx_number";
      p.rank = 4;
      for (const fs::QueryValue& v : c.values) {
        if (!v.number) return tl::unexpected(BadValue("a number criterion lacks its value"));
        p.values.push_back(NumberPredicate(Col(va, "value"), v.prefix, v.number->value,
                                           v.number->low, v.number->high));
      }
      break;
    }
    case SearchParamType::kQuantity: {
      p.table = "idx_quantity";
      p.rank = 4;
      for (const fs::QueryValue& v : c.values) {
        if (!v.quantity) return tl::unexpected(BadValue("a quantity criterion lacks its value"));
        const fs::QuantityValue& q = *v.quantity;
        Sql s;
        if (q.code.empty() && q.canonical_code.empty()) {
          // No unit: the number as written, whatever the unit (search.html#quantity).
          s.Append(NumberPredicate(Col(va, "raw"), v.prefix, q.value, q.low, q.high));
        } else {
          std::string unit = q.canonical_code.empty() ? q.code : q.canonical_code;
          double value = q.canonical_code.empty() ? q.value : q.canonical_value;
          double scale = q.canonical_code.empty() || q.value == 0 ? 1 : q.canonical_value / q.value;
          double half = (q.high - q.low) / 2 * std::fabs(scale);
          s += Col(va, "unit") + " = ";
          s.Bind(QuantityUnit(unit));
          if (!q.system.empty()) {
            s += " AND " + Col(va, "sys") + " = ";
            s.Bind(TokenSystem(q.system));
          }
          s += " AND ";
          s.Append(NumberPredicate(Col(va, "value"), v.prefix, value, value - half, value + half));
        }
        p.values.push_back(std::move(s));
      }
      break;
    }
    case SearchParamType::kReference: {
      if (c.modifier == Modifier::kText) {
        return tl::unexpected(Unsupported("reference :text is not indexed"));
      }
      if (c.modifier == Modifier::kIdentifier) {
        p.table = "idx_token";
        for (const fs::QueryValue& v : c.values) {
          std::string system, value;
          bool has_system = false;
          if (v.token) {
            system = v.token->system;
            value = v.token->code;
            has_system = v.token_has_system_separator;
          } else if (v.reference) {
            system = v.reference->identifier_system;
            value = v.reference->identifier_value;
            has_system = !system.empty();
          } else {
            value = v.raw;
          }
          Sql s;
          s += Col(a, "code") + " = ";
          s.Bind(ReferenceIdentifierCode(value));
          if (has_system) {
            s += " AND " + Col(a, "sys") + " = ";
            s.Bind(TokenSystem(system));
          }
          p.values.push_back(std::move(s));
        }
        break;
      }
      p.table = "idx_reference";
      std::vector<std::int64_t> targets;
      for (const fs::QueryValue& v : c.values) {
        if (!v.reference) return tl::unexpected(BadValue("a reference criterion lacks its value"));
        const fs::ReferenceValue& r = *v.reference;
        std::string rtype = c.modifier == Modifier::kType ? c.type_modifier : r.type;
        if (!r.id.empty()) {
          if (!rtype.empty()) {
            targets.push_back(ReferenceTarget(rtype, r.id));
          } else {
            for (const std::string& t : TargetTypes(param, registry_)) {
              targets.push_back(ReferenceTarget(t, r.id));
            }
          }
        } else if (!r.url.empty()) {
          targets.push_back(ReferenceUrl(r.version.empty() ? r.url : r.url + "|" + r.version));
        } else {
          return tl::unexpected(BadValue("a reference criterion has neither id nor url"));
        }
      }
      std::sort(targets.begin(), targets.end());
      targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
      p.values.push_back(InClause(dialect_, Col(a, "target"), targets));
      p.ordered = targets.size() == 1 && p.params.size() == 1;
      break;
    }
    case SearchParamType::kComposite: {
      p.table = "idx_composite";
      if (param == nullptr) return tl::unexpected(BadValue("a composite needs its parameter"));
      // In the order the extractor writes them (fs::ComponentsOf corrects R4's misordered
      // definitions).
      std::vector<SearchParamType> types;
      for (const fs::Component& component : fs::ComponentsOf(*param)) {
        if (component.definition == nullptr) {
          return tl::unexpected(Unsupported("a composite component is unknown"));
        }
        types.push_back(component.definition->type);
      }
      for (const fs::QueryValue& v : c.values) {
        if (!v.composite || v.composite->size() != types.size()) {
          return tl::unexpected(BadValue("a composite value needs one part per component"));
        }
        std::vector<std::string> parts;
        Sql filters;
        int tokens = 0, ranges = 0;
        for (std::size_t i = 0; i < types.size(); ++i) {
          const fs::QueryValue& part = (*v.composite)[i];
          switch (types[i]) {
            case SearchParamType::kToken: {
              if (!part.token) return tl::unexpected(BadValue("a composite token part is empty"));
              parts.push_back(part.token->code);
              if (part.token_has_system_separator && tokens < 2) {
                filters += " AND " + Col(a, tokens == 0 ? "sys1" : "sys2") + " = ";
                filters.Bind(TokenSystem(part.token->system));
              }
              ++tokens;
              break;
            }
            case SearchParamType::kReference: {
              if (!part.reference) return tl::unexpected(BadValue("a composite part is empty"));
              const fs::ReferenceValue& r = *part.reference;
              parts.push_back(!r.type.empty() && !r.id.empty() ? r.type + "/" + r.id : r.url);
              break;
            }
            case SearchParamType::kString:
              parts.emplace_back(
                  CutText(part.string ? *part.string : fs::NormalizeString(part.raw)));
              break;
            case SearchParamType::kUri:
              parts.emplace_back(CutText(UriText(part)));
              break;
            case SearchParamType::kNumber:
            case SearchParamType::kDate:
            case SearchParamType::kQuantity: {
              if (ranges >= 2) return tl::unexpected(Unsupported("a composite has 3 ranges"));
              parts.emplace_back("#");
              std::string low = Col(a, ranges == 0 ? "low1" : "low2");
              std::string high = Col(a, ranges == 0 ? "high1" : "high2");
              filters += " AND ";
              if (types[i] == SearchParamType::kDate) {
                if (!part.date) return tl::unexpected(BadValue("a composite date part is empty"));
                filters.Append(RangePredicate<double>(
                    low, high, part.prefix, static_cast<double>(part.date->low),
                    static_cast<double>(part.date->high),
                    static_cast<double>(DateApprox(*part.date, now_))));
              } else if (types[i] == SearchParamType::kNumber) {
                if (!part.number) return tl::unexpected(BadValue("a composite part is empty"));
                filters.Append(NumberPredicate(low, part.prefix, part.number->value,
                                               part.number->low, part.number->high));
              } else {
                if (!part.quantity) return tl::unexpected(BadValue("a composite part is empty"));
                const fs::QuantityValue& q = *part.quantity;
                if (q.code.empty() && q.canonical_code.empty()) {
                  filters.Append(
                      NumberPredicate(Col(a, "raw1"), part.prefix, q.value, q.low, q.high));
                } else {
                  std::string unit = q.canonical_code.empty() ? q.code : q.canonical_code;
                  double value = q.canonical_code.empty() ? q.value : q.canonical_value;
                  double scale =
                      q.canonical_code.empty() || q.value == 0 ? 1 : q.canonical_value / q.value;
                  double half = (q.high - q.low) / 2 * std::fabs(scale);
                  filters += Col(a, "unit") + " = ";
                  filters.Bind(QuantityUnit(unit));
                  filters += " AND ";
                  filters.Append(
                      NumberPredicate(low, part.prefix, value, value - half, value + half));
                }
              }
              ++ranges;
              break;
            }
            default:
              return tl::unexpected(Unsupported("a composite component type is not indexed"));
          }
        }
        Sql s;
        s += Col(a, "head") + " = ";
        s.Bind(CompositeHead(parts));
        s.Append(filters);
        p.values.push_back(std::move(s));
      }
      p.ordered = p.values.size() == 1 && p.params.size() == 1;
      break;
    }
    case SearchParamType::kSpecial:
      return tl::unexpected(Unsupported("special search parameters are not indexed"));
  }
  return p;
}

bool QueryCompiler::Plain(const fs::Criterion& c) {
  return c.chain.empty() && c.has.empty() && c.modifier == Modifier::kNone &&
         c.common == fs::CommonParam::kNone && c.param != nullptr;
}

Result<CompiledCriterion> QueryCompiler::CompileFinal(std::string_view type, const fs::Criterion& c,
                                                      std::string_view outer) {
  CompiledCriterion out;
  std::vector<std::int64_t> type_ids = TypeIds(type);
  bool missing = c.modifier == Modifier::kMissing;
  bool missing_true =
      missing && !c.values.empty() && c.values[0].missing.value_or(c.values[0].raw == "true");

  switch (c.common) {
    case fs::CommonParam::kText:
    case fs::CommonParam::kContent:
    case fs::CommonParam::kList:
      return tl::unexpected(Unsupported("_text, _content and _list are not supported yet"));
    case fs::CommonParam::kId: {
      if (missing) {  // every resource has an id
        out.probe += missing_true ? dialect_.False() : dialect_.True();
        return out;
      }
      std::vector<std::string> ids;
      for (const fs::QueryValue& v : c.values) ids.push_back(PlainText(v));
      std::vector<std::int64_t> hashes;
      std::vector<std::string> types = type.empty() ? TargetTypes(nullptr, registry_)
                                                    : std::vector<std::string>{std::string(type)};
      for (const std::string& id : ids) {
        for (const std::string& t : types) hashes.push_back(ReferenceTarget(t, id));
      }
      auto id_in = [&](std::string column) {
        Sql in;
        in += column + " IN (";
        for (std::size_t i = 0; i < ids.size(); ++i) {
          if (i > 0) in += ", ";
          in.Bind(ids[i]);
        }
        in += ")";
        return in;
      };
      Sql probe = id_in(Col(outer, "id"));
      if (c.modifier == Modifier::kNot) {
        out.probe += "NOT ";
        out.probe.Append(probe);
        return out;
      }
      Sql source;
      source += "SELECT rid FROM resources" + dialect_.IndexedBy("resources_by_ref") + " WHERE ";
      source.Append(InClause(dialect_, "ref_hash", hashes));
      source += " AND deleted = 0";
      if (!type_ids.empty()) {
        source += " AND ";
        source.Append(InClause(dialect_, "type_id", type_ids));
      }
      source += " AND ";
      source.Append(id_in("id"));
      out.source = std::move(source);
      out.ordered = hashes.size() == 1;
      out.rank = 0;
      out.probe = std::move(probe);
      return out;
    }
    case fs::CommonParam::kLastUpdated: {
      if (missing) {
        out.probe += missing_true ? dialect_.False() : dialect_.True();
        return out;
      }
      auto preds = [&](std::string_view column) -> Result<Sql> {
        Sql s;
        s += "(";
        for (std::size_t i = 0; i < c.values.size(); ++i) {
          const fs::QueryValue& v = c.values[i];
          if (!v.date) return tl::unexpected(BadValue("a _lastUpdated value is not a date"));
          if (i > 0) s += " OR ";
          s.Append(RangePredicate<std::int64_t>(column, column, v.prefix, v.date->low, v.date->high,
                                                DateApprox(*v.date, now_)));
        }
        s += ")";
        return s;
      };
      CHARTROOM_ASSIGN_OR_RETURN(out.probe, preds(Col(outer, "last_updated")));
      CHARTROOM_ASSIGN_OR_RETURN(Sql on_column, preds("last_updated"));
      Sql source;
      source += "SELECT rid FROM resources";
      source +=
          type_ids.empty() ? " WHERE " : dialect_.IndexedBy("resources_by_type_time") + " WHERE ";
      if (!type_ids.empty()) {
        source.Append(InClause(dialect_, "type_id", type_ids));
        source += " AND ";
      }
      source += "deleted = 0 AND ";
      source.Append(on_column);
      out.source = std::move(source);
      out.rank = 4;
      return out;
    }
    default:
      break;
  }

  if (missing) {
    std::string_view code = c.common == fs::CommonParam::kTag        ? "_tag"
                            : c.common == fs::CommonParam::kSecurity ? "_security"
                            : c.common == fs::CommonParam::kProfile  ? "_profile"
                            : c.param != nullptr                     ? c.param->code()
                                                                     : "";
    // resources.params lists the parameters with a value: a lookup in the row at hand.
    std::vector<std::int64_t> params = ParamIds(type, code);
    Sql present;
    present += "(";
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (i > 0) present += " OR ";
      present += dialect_.Position(Col(outer, "params"));
      present.Bind("," + std::to_string(params[i]) + ",");
      present += ") > 0";
    }
    if (params.empty()) present += dialect_.False();
    present += ")";
    if (missing_true) out.probe += "NOT ";
    out.probe.Append(present);
    return out;
  }

  if (c.modifier == Modifier::kNot) {
    // :not on a token: the resources without a matching value, including those without any
    // value (search.html#modifiers).
    fs::Criterion positive = c;
    positive.modifier = Modifier::kNone;
    CHARTROOM_ASSIGN_OR_RETURN(CompiledCriterion inner, CompileFinal(type, positive, outer));
    out.probe += "NOT (";
    out.probe.Append(inner.probe);
    out.probe += ")";
    return out;
  }

  CHARTROOM_ASSIGN_OR_RETURN(Predicates p, ValuePredicates(type, c, "t", false));
  CHARTROOM_ASSIGN_OR_RETURN(Predicates pp, ValuePredicates(type, c, "t", true));
  // The probe: one keyed EXISTS per value.
  out.probe += "(";
  for (std::size_t i = 0; i < pp.values.size(); ++i) {
    if (i > 0) out.probe += " OR ";
    out.probe += "EXISTS (SELECT 1 FROM " + pp.table + " AS t WHERE ";
    out.probe.Append(InClause(dialect_, "t.param", pp.params));
    out.probe += " AND t.rid = " + (outer == "r" ? rid_ : Col(outer, "rid")) + " AND ";
    // PostgreSQL's index tables are keyed (cid, rid, param, ...): with the compartment of the
    // outer row a probe is one primary-key seek.
    if (dialect_.postgres) out.probe += "t.cid = " + Col(outer, "cid") + " AND ";
    out.probe.Append(pp.values[i]);
    out.probe += ")";
  }
  if (pp.values.empty()) out.probe += dialect_.False();
  out.probe += ")";
  // The source: the union of each value's rows.
  Sql source;
  for (std::size_t i = 0; i < p.values.size(); ++i) {
    if (i > 0) source += " UNION ALL ";
    source += "SELECT t.rid AS rid FROM " + p.table + " AS t WHERE ";
    source.Append(InClause(dialect_, "t.param", p.params));
    source += " AND ";
    source.Append(p.values[i]);
  }
  if (p.values.empty()) {
    source +=
        dialect_.postgres ? "SELECT NULL::bigint AS rid WHERE false" : "SELECT NULL AS rid WHERE 0";
  }
  out.source = std::move(source);
  out.ordered = p.ordered;
  out.rank = p.rank;
  return out;
}

Result<Sql> QueryCompiler::NestedSource(std::string_view type, const fs::Criterion& c,
                                        std::size_t has_index, std::size_t chain_index) {
  if (has_index < c.has.size()) {
    // _has:H:param:...: the resources of `type` that some H (matching the rest) references.
    const fs::HasLink& link = c.has[has_index];
    std::vector<std::int64_t> params = link.reference_param == nullptr
                                           ? std::vector<std::int64_t>{}
                                           : ParamIds(link.type, link.reference_param->code());
    CHARTROOM_ASSIGN_OR_RETURN(Sql inner, NestedSource(link.type, c, has_index + 1, chain_index));
    std::string r = NextAlias();
    Sql s;
    s += "SELECT " + r + ".rid AS rid FROM resources AS " + r +
         dialect_.IndexedBy("resources_by_ref") + " WHERE " + r + ".ref_hash IN " +
         "(SELECT f.target FROM idx_reference AS f WHERE ";
    s.Append(InClause(dialect_, "f.param", params));
    s += " AND f.rid IN (";
    s.Append(inner);
    s += ")) AND " + r + ".deleted = 0";
    std::vector<std::int64_t> type_ids = TypeIds(type);
    if (!type_ids.empty()) {
      s += " AND ";
      s.Append(InClause(dialect_, r + ".type_id", type_ids));
    }
    return s;
  }
  if (chain_index < c.chain.size()) {
    // param.next=...: the resources of `type` whose `param` points at a match of the rest.
    const fs::ChainLink& link = c.chain[chain_index];
    if (link.target_type.empty() || link.param == nullptr) {
      return tl::unexpected(BadValue("a chain link needs its parameter and target type"));
    }
    std::vector<std::int64_t> params = ParamIds(type, link.param->code());
    CHARTROOM_ASSIGN_OR_RETURN(Sql inner,
                               NestedSource(link.target_type, c, has_index, chain_index + 1));
    std::string r = NextAlias();
    Sql s;
    s += "SELECT f.rid AS rid FROM idx_reference AS f WHERE ";
    s.Append(InClause(dialect_, "f.param", params));
    s += " AND f.target IN (SELECT " + r + ".ref_hash FROM resources AS " + r + " WHERE " + r +
         ".rid IN (";
    s.Append(inner);
    s += "))";
    return s;
  }
  std::string r = NextAlias();
  CHARTROOM_ASSIGN_OR_RETURN(CompiledCriterion final, CompileFinal(type, c, r));
  if (final.source) return *final.source;
  // No source of its own (:missing=true, :not): scan the type.
  Sql s;
  std::vector<std::int64_t> type_ids = TypeIds(type);
  s += "SELECT " + r + ".rid AS rid FROM resources AS " + r +
       (type_ids.empty() ? "" : dialect_.IndexedBy("resources_by_type")) + " WHERE " + r +
       ".deleted = 0";
  if (!type_ids.empty()) {
    s += " AND ";
    s.Append(InClause(dialect_, r + ".type_id", type_ids));
  }
  s += " AND ";
  s.Append(final.probe);
  return s;
}

Result<CompiledCriterion> QueryCompiler::Compile(std::string_view type, const fs::Criterion& c,
                                                 std::string_view rid) {
  rid_ = std::string(rid);
  if (c.has.empty() && c.chain.empty()) return CompileFinal(type, c, "r");
  CompiledCriterion out;
  CHARTROOM_ASSIGN_OR_RETURN(Sql source, NestedSource(type, c, 0, 0));
  if (!c.has.empty()) {
    // The probe tests r's own reference hash against the targets of the matching H resources.
    const fs::HasLink& link = c.has[0];
    std::vector<std::int64_t> params = link.reference_param == nullptr
                                           ? std::vector<std::int64_t>{}
                                           : ParamIds(link.type, link.reference_param->code());
    CHARTROOM_ASSIGN_OR_RETURN(Sql inner, NestedSource(link.type, c, 1, 0));
    out.probe += "r.ref_hash IN (SELECT f.target FROM idx_reference AS f WHERE ";
    out.probe.Append(InClause(dialect_, "f.param", params));
    out.probe += " AND f.rid IN (";
    out.probe.Append(inner);
    out.probe += "))";
  } else {
    const fs::ChainLink& link = c.chain[0];
    if (link.target_type.empty() || link.param == nullptr) {
      return tl::unexpected(BadValue("a chain link needs its parameter and target type"));
    }
    std::vector<std::int64_t> params = ParamIds(type, link.param->code());
    CHARTROOM_ASSIGN_OR_RETURN(Sql inner, NestedSource(link.target_type, c, 0, 1));
    std::string r = NextAlias();
    out.probe += "EXISTS (SELECT 1 FROM idx_reference AS f WHERE ";
    out.probe.Append(InClause(dialect_, "f.param", params));
    out.probe += " AND f.rid = " + rid_ + " AND f.target IN (SELECT " + r +
                 ".ref_hash FROM resources AS " + r + " WHERE " + r + ".rid IN (";
    out.probe.Append(inner);
    out.probe += ")))";
  }
  out.source = std::move(source);
  return out;
}

Result<CompiledSortKey> QueryCompiler::CompileSort(std::string_view type, const fs::SortKey& key) {
  CompiledSortKey out;
  out.descending = key.descending;
  if (key.common == fs::CommonParam::kId) {
    out.expression += "r.id";
    return out;
  }
  if (key.common == fs::CommonParam::kLastUpdated) {
    out.expression += "r.last_updated";
    return out;
  }
  if (key.param == nullptr) return tl::unexpected(Unsupported("this sort key is not supported"));
  std::vector<std::int64_t> params = ParamIds(type, key.param->code());
  // Several values: the lowest sorts ascending, the highest descending (search.html#sort).
  std::string agg = key.descending ? "max" : "min";
  std::string table, column;
  switch (key.param->type) {
    case SearchParamType::kDate:
      table = "idx_date";
      column = key.descending ? "high" : "low";
      break;
    case SearchParamType::kNumber:
      table = "idx_number";
      column = "value";
      break;
    case SearchParamType::kQuantity:
      table = "idx_quantity";
      column = "value";
      break;
    case SearchParamType::kString:
      table = "idx_string";
      column = "value";
      break;
    case SearchParamType::kUri:
      table = "idx_uri";
      column = "uri";
      break;
    default:
      return tl::unexpected(
          Unsupported("sorting by token, reference and composite parameters is not supported"));
  }
  // "+s.column" keeps SQLite from the min/max optimization, which would walk an index on
  // (param, column) for every row instead of seeking (param, rid).
  out.expression +=
      "(SELECT " + agg + "(" + dialect_.NoSeek("s." + column) + ") FROM " + table + " AS s WHERE ";
  out.expression.Append(InClause(dialect_, "s.param", params));
  out.expression +=
      dialect_.postgres ? " AND s.rid = r.rid AND s.cid = r.cid)" : " AND s.rid = r.rid)";
  return out;
}

}  // namespace chartroom::store::common
