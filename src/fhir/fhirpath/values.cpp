#include "fhir/fhirpath/values.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "fhir/fhirpath/parser.hpp"
#include "fhir/fhirpath/types.hpp"

namespace chartroom::fhir::fhirpath {
namespace json = boost::json;

namespace {

std::optional<Decimal> JsonDecimal(const json::value& v) {
  if (v.is_int64()) return Decimal::FromInt(v.get_int64());
  if (v.is_uint64()) {
    std::uint64_t u = v.get_uint64();
    if (u > static_cast<std::uint64_t>(INT64_MAX))
      return Decimal::FromDouble(static_cast<double>(u));
    return Decimal::FromInt(static_cast<std::int64_t>(u));
  }
  if (v.is_double()) return Decimal::FromDouble(v.get_double());
  if (v.is_string()) return Decimal::Parse(std::string_view(v.get_string()));
  return std::nullopt;
}

std::string_view JsonString(const json::value& v) {
  const json::string& s = v.get_string();
  return {s.data(), s.size()};
}

bool IsTemporal(ItemKind k) {
  return k == ItemKind::kDate || k == ItemKind::kDateTime || k == ItemKind::kTime;
}
bool IsNumber(ItemKind k) { return k == ItemKind::kInteger || k == ItemKind::kDecimal; }

Decimal AsDecimal(const Item& item) {
  return item.kind == ItemKind::kInteger ? Decimal::FromInt(item.u.integer) : item.u.decimal;
}

// Comparison of date-times where exactly one carries a zone is only known when it holds for
// every possible zone of the other (UTC-12:00 .. UTC+14:00).
std::optional<int> CompareDateTimes(const DateTime& a, const DateTime& b, std::int16_t offset) {
  if (a.tz_offset_minutes.has_value() == b.tz_offset_minutes.has_value() ||
      a.precision < TemporalPrecision::kHour || b.precision < TemporalPrecision::kHour) {
    return Compare(a, b, offset);
  }
  auto west = Compare(a, b, static_cast<std::int16_t>(-12 * 60));
  auto east = Compare(a, b, static_cast<std::int16_t>(14 * 60));
  if (west == east) return west;
  return std::nullopt;
}

std::string NormalizeWhitespaceLower(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

Item Normalize(const Item& item, Quantity& scratch) {
  if (item.kind != ItemKind::kNode) return item;
  const json::value* v = item.u.json;
  if (v == nullptr) return item;
  if (item.type == kNoType) {
    switch (v->kind()) {
      case json::kind::bool_:
        return Item::Boolean(v->get_bool());
      case json::kind::int64:
        return Item::Integer(v->get_int64());
      case json::kind::uint64:
      case json::kind::double_:
        if (auto d = JsonDecimal(*v)) return Item::FromDecimal(*d);
        return item;
      case json::kind::string:
        return Item::String(JsonString(*v));
      default:
        return item;
    }
  }
  SystemType system = SystemTypeOfFhir(Type(item.type));
  switch (system) {
    case SystemType::kBoolean:
      if (v->is_bool()) return Item::Boolean(v->get_bool());
      return item;
    case SystemType::kInteger:
      if (v->is_int64()) return Item::Integer(v->get_int64());
      if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return Item::Integer(static_cast<std::int64_t>(v->get_uint64()));
      }
      if (v->is_double()) {
        if (auto d = JsonDecimal(*v); d && d->ToInt64()) return Item::Integer(*d->ToInt64());
      }
      return item;
    case SystemType::kDecimal:
      if (auto d = JsonDecimal(*v)) return Item::FromDecimal(*d);
      return item;
    case SystemType::kString:
      if (v->is_string()) return Item::String(JsonString(*v));
      return item;
    case SystemType::kDate:
      if (v->is_string()) {
        if (auto d = DateTime::ParseDate(JsonString(*v))) return Item::FromDateTime(*d, true);
      }
      return item;
    case SystemType::kDateTime:
      if (v->is_string()) {
        auto d = DateTime::ParseDateTime(JsonString(*v), /*fhir_strict=*/true);
        if (!d) d = DateTime::ParseDateTime(JsonString(*v), /*fhir_strict=*/false);
        if (d) return Item::FromDateTime(*d, false);
      }
      return item;
    case SystemType::kTime:
      if (v->is_string()) {
        auto t = Time::Parse(JsonString(*v), /*fhir_strict=*/true);
        if (!t) t = Time::Parse(JsonString(*v), /*fhir_strict=*/false);
        if (t) return Item::FromTime(*t);
      }
      return item;
    case SystemType::kQuantity: {
      if (!v->is_object()) return item;
      const json::object& obj = v->get_object();
      const json::value* value = obj.if_contains("value");
      if (value == nullptr) return item;
      auto d = JsonDecimal(*value);
      if (!d) return item;
      scratch.value = *d;
      // https://hl7.org/fhir/R4/fhirpath.html#quantity: the UCUM code when the system is UCUM,
      // else the unit text.
      const json::value* code = obj.if_contains("code");
      const json::value* system_v = obj.if_contains("system");
      const json::value* unit = obj.if_contains("unit");
      if (code != nullptr && code->is_string() &&
          (system_v == nullptr ||
           (system_v->is_string() && JsonString(*system_v) == "http://unitsofmeasure.org"))) {
        scratch.unit = std::string(JsonString(*code));
      } else if (unit != nullptr && unit->is_string()) {
        scratch.unit = std::string(JsonString(*unit));
      } else {
        scratch.unit = "1";
      }
      return Item::FromQuantity(&scratch);
    }
    default:
      return item;
  }
}

std::optional<bool> ItemsEqual(const Item& a, const Item& b, std::int16_t offset) {
  if (a.kind == ItemKind::kNode || b.kind == ItemKind::kNode) {
    if (a.kind != b.kind) return false;
    if (a.u.json == nullptr || b.u.json == nullptr) return a.u.json == b.u.json;
    return *a.u.json == *b.u.json;
  }
  if (IsNumber(a.kind) && IsNumber(b.kind)) {
    if (a.kind == ItemKind::kInteger && b.kind == ItemKind::kInteger) {
      return a.u.integer == b.u.integer;
    }
    return Decimal::Compare(AsDecimal(a), AsDecimal(b)) == 0;
  }
  if ((a.kind == ItemKind::kDate || a.kind == ItemKind::kDateTime) &&
      (b.kind == ItemKind::kDate || b.kind == ItemKind::kDateTime)) {
    auto c = CompareDateTimes(a.u.date_time, b.u.date_time, offset);
    if (!c) return std::nullopt;
    return *c == 0;
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ItemKind::kBoolean:
      return a.u.boolean == b.u.boolean;
    case ItemKind::kString:
      return a.string() == b.string();
    case ItemKind::kTime: {
      auto c = Compare(a.u.time, b.u.time);
      if (!c) return std::nullopt;
      return *c == 0;
    }
    case ItemKind::kQuantity: {
      auto c = Compare(*a.u.quantity, *b.u.quantity);
      if (!c) return std::nullopt;
      return *c == 0;
    }
    case ItemKind::kTypeInfo:
      return a.type == b.type && a.string() == b.string();
    default:
      return false;
  }
}

bool ItemsEquivalent(const Item& a, const Item& b, std::int16_t offset) {
  if (a.kind == ItemKind::kNode || b.kind == ItemKind::kNode) {
    return ItemsEqual(a, b, offset).value_or(false);
  }
  if (IsNumber(a.kind) && IsNumber(b.kind)) {
    return Decimal::Equivalent(AsDecimal(a), AsDecimal(b));
  }
  if ((a.kind == ItemKind::kDate || a.kind == ItemKind::kDateTime) &&
      (b.kind == ItemKind::kDate || b.kind == ItemKind::kDateTime)) {
    return Equivalent(a.u.date_time, b.u.date_time, offset);
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case ItemKind::kString:
      return NormalizeWhitespaceLower(a.string()) == NormalizeWhitespaceLower(b.string());
    case ItemKind::kTime:
      return Equivalent(a.u.time, b.u.time);
    case ItemKind::kQuantity:
      return Equivalent(*a.u.quantity, *b.u.quantity);
    default:
      return ItemsEqual(a, b, offset).value_or(false);
  }
}

Result<std::optional<int>> CompareItems(const Item& a, const Item& b, std::int16_t offset) {
  if (IsNumber(a.kind) && IsNumber(b.kind)) {
    if (a.kind == ItemKind::kInteger && b.kind == ItemKind::kInteger) {
      return std::optional<int>(a.u.integer < b.u.integer ? -1 : a.u.integer > b.u.integer ? 1 : 0);
    }
    return std::optional<int>(Decimal::Compare(AsDecimal(a), AsDecimal(b)));
  }
  if ((a.kind == ItemKind::kDate || a.kind == ItemKind::kDateTime) &&
      (b.kind == ItemKind::kDate || b.kind == ItemKind::kDateTime)) {
    return CompareDateTimes(a.u.date_time, b.u.date_time, offset);
  }
  if (a.kind == b.kind) {
    switch (a.kind) {
      case ItemKind::kString: {
        int c = a.string().compare(b.string());
        return std::optional<int>(c < 0 ? -1 : c > 0 ? 1 : 0);
      }
      case ItemKind::kTime:
        return Compare(a.u.time, b.u.time);
      case ItemKind::kQuantity:
        return Compare(*a.u.quantity, *b.u.quantity);
      default:
        break;
    }
  }
  if (IsTemporal(a.kind) && IsTemporal(b.kind)) return std::optional<int>();
  return EvaluationError("cannot compare " + std::string(a.TypeName()) + " with " +
                         std::string(b.TypeName()));
}

std::string QuantityToString(const Quantity& quantity) {
  std::string out = quantity.value.ToString();
  out += ' ';
  if (IsCalendarDurationUnit(quantity.unit)) {
    out += quantity.unit;
  } else {
    out += '\'';
    out += quantity.unit;
    out += '\'';
  }
  return out;
}

std::optional<std::string> ItemToString(const Item& item) {
  switch (item.kind) {
    case ItemKind::kBoolean:
      return item.u.boolean ? "true" : "false";
    case ItemKind::kInteger:
      return std::to_string(item.u.integer);
    case ItemKind::kDecimal:
      return item.u.decimal.ToString();
    case ItemKind::kString:
      return std::string(item.string());
    case ItemKind::kDate:
    case ItemKind::kDateTime:
      return item.u.date_time.ToString();
    case ItemKind::kTime:
      return item.u.time.ToString();
    case ItemKind::kQuantity:
      return QuantityToString(*item.u.quantity);
    default:
      return std::nullopt;
  }
}

}  // namespace chartroom::fhir::fhirpath
