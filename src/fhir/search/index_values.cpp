// IndexExtractor: every SearchParameter of a resource type compiled once per type, then
// evaluated on each resource and its items turned into index values by search type and FHIR
// datatype (https://hl7.org/fhir/R4/search.html#ptypes).
//
// Expressions that cover several bases (`Patient.name | Practitioner.name`) are split on their
// top-level `|` and only the branches for the resource's type (or a type it specializes, or a
// relative path) are compiled for it. `X.where(resolve() is Patient)` cannot be evaluated at
// index time (the target is in the store, not in the resource), so that suffix is replaced by
// a filter on the type of the reference itself.

#include "fhir/search/index_values.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "fhir/fhirpath/fhirpath.hpp"
#include "fhir/primitives/quantity.hpp"
#include "fhir/search/params.hpp"

namespace chartroom::fhir::search {
namespace {

namespace json = boost::json;
using fhirpath::Collection;
using fhirpath::Expression;
using fhirpath::Item;
using fhirpath::ItemKind;

// At most this many composite values per selected item (the product of its components').
constexpr std::size_t kMaxCompositeCombinations = 256;

// The FHIR datatypes search knows how to index, by how it reads them.
enum class Kind : std::uint8_t {
  kOther,
  kCoding,
  kCodeableConcept,
  kIdentifier,
  kContactPoint,
  kHumanName,
  kAddress,
  kPeriod,
  kTiming,
  kQuantity,  // Quantity and its profiles: Age, Count, Distance, Duration, SimpleQuantity ...
  kMoney,
  kReference,
  kString,  // string, markdown, code, id
  kUri,     // uri, url, oid, uuid
  kCanonical,
  kBoolean,
  kDate,
  kDateTime,  // dateTime, instant
  kInteger,   // integer, positiveInt, unsignedInt
  kDecimal,
};

std::vector<Kind> BuildKinds() {
  const std::span<const TypeInfo> types = AllTypes();
  std::vector<Kind> kinds(types.size(), Kind::kOther);
  const std::pair<std::string_view, Kind> kNamed[] = {
      {"Coding", Kind::kCoding},
      {"CodeableConcept", Kind::kCodeableConcept},
      {"Identifier", Kind::kIdentifier},
      {"ContactPoint", Kind::kContactPoint},
      {"HumanName", Kind::kHumanName},
      {"Address", Kind::kAddress},
      {"Period", Kind::kPeriod},
      {"Timing", Kind::kTiming},
      {"Money", Kind::kMoney},
      {"Reference", Kind::kReference},
      {"string", Kind::kString},
      {"markdown", Kind::kString},
      {"code", Kind::kString},
      {"id", Kind::kString},
      {"uri", Kind::kUri},
      {"url", Kind::kUri},
      {"oid", Kind::kUri},
      {"uuid", Kind::kUri},
      {"canonical", Kind::kCanonical},
      {"boolean", Kind::kBoolean},
      {"date", Kind::kDate},
      {"dateTime", Kind::kDateTime},
      {"instant", Kind::kDateTime},
      {"integer", Kind::kInteger},
      {"positiveInt", Kind::kInteger},
      {"unsignedInt", Kind::kInteger},
      {"decimal", Kind::kDecimal},
  };
  for (const auto& [name, kind] : kNamed) {
    if (const TypeInfo* type = FindType(name)) kinds[IdOf(*type)] = kind;
  }
  if (const TypeInfo* quantity = FindType("Quantity")) {
    for (const TypeInfo& type : types) {
      if (!type.is_primitive() && IsA(type, *quantity)) kinds[IdOf(type)] = Kind::kQuantity;
    }
  }
  return kinds;
}

// --- JSON access ---------------------------------------------------------------------------

std::string_view AsString(const json::value* value) {
  if (value == nullptr || !value->is_string()) return {};
  const json::string& s = value->get_string();
  return {s.data(), s.size()};
}

std::string_view Field(const json::object& object, std::string_view key) {
  return AsString(object.if_contains(key));
}

const json::object* ObjectOf(const json::value* value) {
  return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

// Calls `fn` with every string of a string or string-array field.
template <typename Fn>
void ForEachString(const json::object& object, std::string_view key, Fn&& fn) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return;
  if (value->is_array()) {
    for (const json::value& element : value->get_array()) {
      if (std::string_view s = AsString(&element); !s.empty()) fn(s);
    }
  } else if (std::string_view s = AsString(value); !s.empty()) {
    fn(s);
  }
}

std::optional<Decimal> DecimalOf(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return Decimal::FromInt(value->get_int64());
  if (value->is_uint64()) {
    return Decimal::FromCoefficient(static_cast<Int128>(value->get_uint64()), 0);
  }
  // boost::json keeps no number text: a double reads as its shortest decimal form.
  if (value->is_double()) return Decimal::FromDouble(value->get_double());
  return std::nullopt;
}

std::optional<DateRange> RangeOfText(std::string_view text) {
  const std::optional<DateTime> value = DateTime::ParseDateTime(text);
  if (!value) return std::nullopt;
  return DateRangeOf(*value);
}

// --- Conversion of items -------------------------------------------------------------------

// Turns the items an expression selected into index values of one search type.
class Converter {
 public:
  Converter(const std::vector<Kind>& kinds, const json::value& resource)
      : kinds_(kinds), resource_(resource) {}

  void Convert(SearchParamType type, const Item& item, std::vector<IndexValue>& out) const {
    switch (type) {
      case SearchParamType::kToken:
        Token(item, out);
        return;
      case SearchParamType::kString:
        String(item, out);
        return;
      case SearchParamType::kDate:
        Date(item, out);
        return;
      case SearchParamType::kNumber:
        Number(item, out);
        return;
      case SearchParamType::kQuantity:
        QuantityOf(item, out);
        return;
      case SearchParamType::kReference:
        Reference(item, out);
        return;
      case SearchParamType::kUri:
        Uri(item, out);
        return;
      case SearchParamType::kComposite:
      case SearchParamType::kSpecial:
        return;  // composites are assembled by the caller; special parameters are not indexed
    }
  }

 private:
  Kind KindOf(const Item& item) const {
    return item.type == kNoType || item.type >= kinds_.size() ? Kind::kOther : kinds_[item.type];
  }

  // The text of a primitive item: a node's JSON string or boolean, or a System string/boolean.
  static std::optional<std::string_view> PrimitiveText(const Item& item) {
    switch (item.kind) {
      case ItemKind::kNode:
        if (item.u.json == nullptr) return std::nullopt;
        if (item.u.json->is_string()) return AsString(item.u.json);
        if (item.u.json->is_bool()) return item.u.json->get_bool() ? "true" : "false";
        return std::nullopt;
      case ItemKind::kString:
        return item.string();
      case ItemKind::kBoolean:
        return item.u.boolean ? "true" : "false";
      default:
        return std::nullopt;
    }
  }

  static void PushToken(std::string_view system, std::string_view code, std::string_view text,
                        std::string of_type, std::vector<IndexValue>& out) {
    if (system.empty() && code.empty() && text.empty()) return;
    out.emplace_back(
        TokenValue{std::string(system), std::string(code), std::string(text), std::move(of_type)});
  }

  void Token(const Item& item, std::vector<IndexValue>& out) const {
    const Kind kind = KindOf(item);
    if (const json::object* object = item.is_node() ? ObjectOf(item.u.json) : nullptr) {
      switch (kind) {
        case Kind::kCoding:
          PushToken(Field(*object, "system"), Field(*object, "code"), Field(*object, "display"), "",
                    out);
          return;
        case Kind::kCodeableConcept: {
          const std::string_view text = Field(*object, "text");
          bool any = false;
          if (const json::value* codings = object->if_contains("coding");
              codings != nullptr && codings->is_array()) {
            for (const json::value& coding : codings->get_array()) {
              const json::object* c = ObjectOf(&coding);
              if (c == nullptr) continue;
              PushToken(Field(*c, "system"), Field(*c, "code"),
                        text.empty() ? Field(*c, "display") : text, "", out);
              any = true;
            }
          }
          if (!any) PushToken("", "", text, "", out);
          return;
        }
        case Kind::kIdentifier: {
          std::string_view type_text;
          std::string of_type;
          if (const json::object* type = ObjectOf(object->if_contains("type"))) {
            type_text = Field(*type, "text");
            if (const json::value* codings = type->if_contains("coding");
                codings != nullptr && codings->is_array() && !codings->get_array().empty()) {
              if (const json::object* c = ObjectOf(&codings->get_array()[0])) {
                of_type = std::string(Field(*c, "system")) + "|" + std::string(Field(*c, "code"));
              }
            }
          }
          const std::string_view system = Field(*object, "system");
          const std::string_view value = Field(*object, "value");
          if (system.empty() && value.empty()) return;
          PushToken(system, value, type_text, std::move(of_type), out);
          return;
        }
        case Kind::kContactPoint:
          PushToken("", Field(*object, "value"), "", "", out);
          return;
        default:
          return;
      }
    }
    if (item.kind == ItemKind::kInteger) {
      PushToken("", std::to_string(item.u.integer), "", "", out);
      return;
    }
    if (kind == Kind::kInteger || kind == Kind::kDecimal) {
      if (const std::optional<Decimal> d = DecimalOf(item.u.json)) {
        PushToken("", d->ToString(), "", "", out);
      }
      return;
    }
    if (const std::optional<std::string_view> text = PrimitiveText(item)) {
      PushToken("", *text, "", "", out);
    }
  }

  static void PushString(std::string_view text, std::vector<IndexValue>& out) {
    if (text.empty()) return;
    out.emplace_back(StringValue{NormalizeString(text), std::string(text)});
  }

  void String(const Item& item, std::vector<IndexValue>& out) const {
    const Kind kind = KindOf(item);
    if (const json::object* object = item.is_node() ? ObjectOf(item.u.json) : nullptr) {
      auto push = [&out](std::string_view s) { PushString(s, out); };
      if (kind == Kind::kHumanName) {
        for (const std::string_view key : {"family", "given", "prefix", "suffix", "text"}) {
          ForEachString(*object, key, push);
        }
      } else if (kind == Kind::kAddress) {
        for (const std::string_view key :
             {"line", "city", "district", "state", "postalCode", "country", "text"}) {
          ForEachString(*object, key, push);
        }
      }
      return;
    }
    if (const std::optional<std::string_view> text = PrimitiveText(item)) PushString(*text, out);
  }

  void Date(const Item& item, std::vector<IndexValue>& out) const {
    if (item.kind == ItemKind::kDate || item.kind == ItemKind::kDateTime) {
      out.emplace_back(DateRangeOf(item.u.date_time));
      return;
    }
    if (!item.is_node() || item.u.json == nullptr) return;
    switch (KindOf(item)) {
      case Kind::kDate:
      case Kind::kDateTime:
        if (const std::optional<DateRange> range = RangeOfText(AsString(item.u.json))) {
          out.emplace_back(*range);
        }
        return;
      case Kind::kPeriod:
        if (const json::object* period = ObjectOf(item.u.json)) {
          if (const std::optional<DateRange> range = PeriodRange(*period)) out.emplace_back(*range);
        }
        return;
      case Kind::kTiming:
        if (const json::object* timing = ObjectOf(item.u.json)) {
          if (const std::optional<DateRange> range = TimingRange(*timing)) out.emplace_back(*range);
        }
        return;
      default:
        return;
    }
  }

  // An open end is the extreme of the representable range (search.html#date).
  static std::optional<DateRange> PeriodRange(const json::object& period) {
    const std::optional<DateRange> start = RangeOfText(Field(period, "start"));
    const std::optional<DateRange> end = RangeOfText(Field(period, "end"));
    if (!start && !end) return std::nullopt;
    return DateRange{start ? start->low : kMinInstant, end ? end->high : kMaxInstant};
  }

  // Only the outer limits of a schedule count: its events and repeat.boundsPeriod
  // (search.html#date: "the specified scheduling details are ignored").
  static std::optional<DateRange> TimingRange(const json::object& timing) {
    std::optional<DateRange> all;
    auto widen = [&all](const DateRange& range) {
      if (!all) {
        all = range;
      } else {
        all->low = std::min(all->low, range.low);
        all->high = std::max(all->high, range.high);
      }
    };
    ForEachString(timing, "event", [&](std::string_view event) {
      if (const std::optional<DateRange> range = RangeOfText(event)) widen(*range);
    });
    if (const json::object* repeat = ObjectOf(timing.if_contains("repeat"))) {
      if (const json::object* bounds = ObjectOf(repeat->if_contains("boundsPeriod"))) {
        if (const std::optional<DateRange> range = PeriodRange(*bounds)) widen(*range);
      }
    }
    return all;
  }

  void Number(const Item& item, std::vector<IndexValue>& out) const {
    if (item.kind == ItemKind::kInteger) {
      out.emplace_back(NumberOf(Decimal::FromInt(item.u.integer)));
    } else if (item.kind == ItemKind::kDecimal) {
      out.emplace_back(NumberOf(item.u.decimal));
    } else if (item.is_node()) {
      if (const std::optional<Decimal> d = DecimalOf(item.u.json)) out.emplace_back(NumberOf(*d));
    }
  }

  void QuantityOf(const Item& item, std::vector<IndexValue>& out) const {
    const json::object* object = item.is_node() ? ObjectOf(item.u.json) : nullptr;
    if (object == nullptr) return;
    const std::optional<Decimal> value = DecimalOf(object->if_contains("value"));
    if (!value) return;
    switch (KindOf(item)) {
      case Kind::kQuantity:
        out.emplace_back(MakeQuantityValue(*value, Field(*object, "system"), Field(*object, "code"),
                                           Field(*object, "unit")));
        return;
      case Kind::kMoney:
        out.emplace_back(
            MakeQuantityValue(*value, kCurrencySystem, Field(*object, "currency"), ""));
        return;
      default:
        return;  // Range and others: quantity search on them is not defined in R4
    }
  }

  // The resource type of a contained resource "#id", or empty.
  std::string ContainedType(std::string_view local) const {
    const json::object* root = ObjectOf(&resource_);
    const json::value* contained = root != nullptr ? root->if_contains("contained") : nullptr;
    if (contained == nullptr || !contained->is_array()) return {};
    for (const json::value& entry : contained->get_array()) {
      const json::object* c = ObjectOf(&entry);
      if (c != nullptr && Field(*c, "id") == local.substr(1)) {
        return std::string(Field(*c, "resourceType"));
      }
    }
    return {};
  }

  void Reference(const Item& item, std::vector<IndexValue>& out) const {
    const Kind kind = KindOf(item);
    if (item.is_node() && item.type != kNoType && Type(item.type).is_resource()) {
      // A resource itself (Bundle `composition`: Bundle.entry[0].resource) refers to its id.
      const json::object* object = ObjectOf(item.u.json);
      const std::string_view id = object != nullptr ? Field(*object, "id") : std::string_view();
      if (!id.empty()) {
        if (std::optional<ReferenceValue> parsed =
                ParseReference(std::string(Type(item.type).name()) + "/" + std::string(id))) {
          out.emplace_back(std::move(*parsed));
        }
      }
      return;
    }
    if (kind == Kind::kReference) {
      const json::object* object = ObjectOf(item.u.json);
      if (object == nullptr) return;
      ReferenceValue value;
      bool any = false;
      if (std::optional<ReferenceValue> parsed = ParseReference(Field(*object, "reference"))) {
        value = std::move(*parsed);
        if (value.url.starts_with('#')) value.type = ContainedType(value.url);
        any = true;
      }
      if (value.type.empty()) {
        // Reference.type is a type name, or a StructureDefinition URL ending in one.
        std::string_view type = Field(*object, "type");
        if (const std::size_t slash = type.rfind('/'); slash != std::string_view::npos) {
          type = type.substr(slash + 1);
        }
        if (FindResourceType(type) != nullptr) value.type = std::string(type);
      }
      if (const json::object* identifier = ObjectOf(object->if_contains("identifier"))) {
        value.identifier_system = std::string(Field(*identifier, "system"));
        value.identifier_value = std::string(Field(*identifier, "value"));
        any = any || !value.identifier_value.empty();
      }
      if (any) out.emplace_back(std::move(value));
      return;
    }
    if (kind == Kind::kCanonical || kind == Kind::kUri || kind == Kind::kString) {
      const std::string_view text = AsString(item.u.json);
      if (text.empty()) return;
      if (std::optional<ReferenceValue> parsed = ParseReference(text)) {
        out.emplace_back(std::move(*parsed));
      } else {
        ReferenceValue value;
        value.url = std::string(text);
        out.emplace_back(std::move(value));
      }
    }
  }

  void Uri(const Item& item, std::vector<IndexValue>& out) const {
    if (const std::optional<std::string_view> text = PrimitiveText(item); text && !text->empty()) {
      out.emplace_back(UriValue{std::string(*text)});
    }
  }

  const std::vector<Kind>& kinds_;
  const json::value& resource_;
};

// --- Plans ---------------------------------------------------------------------------------

struct Branch {
  Expression expression;
  std::string resolve_type;  // from a `.where(resolve() is Type)` suffix, else empty
};

struct ComponentPlan {
  const SearchParamInfo* definition;
  std::vector<std::pair<TypeId, Expression>> by_item_type;
};

struct ParamPlan {
  const SearchParamInfo* param;
  std::vector<Branch> branches;
  std::vector<ComponentPlan> components;  // composites only
};

// Fixes the R4 definitions that select nothing as written: `ofType(DateTime)` names the System
// type, which no FHIR element has (Observation code-value-date).
std::string Corrected(std::string_view expression) {
  std::string text(expression);
  constexpr std::string_view kWrong = "ofType(DateTime)";
  for (std::size_t at = text.find(kWrong); at != std::string::npos; at = text.find(kWrong, at)) {
    text.replace(at, kWrong.size(), "ofType(dateTime)");
  }
  return text;
}

// The identifier a branch starts with: "Patient" for "(Patient.name)", "name" for "name".
std::string_view LeadingName(std::string_view branch) {
  while (!branch.empty() && (branch.front() == '(' || branch.front() == ' '))
    branch.remove_prefix(1);
  std::size_t end = 0;
  while (end < branch.size() &&
         (std::isalnum(static_cast<unsigned char>(branch[end])) != 0 || branch[end] == '_')) {
    ++end;
  }
  return branch.substr(0, end);
}

// Splits `X.where(resolve() is T)` into X and T.
std::pair<std::string_view, std::string> SplitResolveFilter(std::string_view branch) {
  constexpr std::string_view kPrefix = ".where(resolve() is ";
  const std::size_t at = branch.rfind(kPrefix);
  if (at == std::string_view::npos || !branch.ends_with(')')) return {branch, ""};
  const std::string_view type =
      branch.substr(at + kPrefix.size(), branch.size() - 1 - at - kPrefix.size());
  if (FindResourceType(type) == nullptr) return {branch, ""};
  return {branch.substr(0, at), std::string(type)};
}

// The type of the items a simple path selects: "Observation.component" -> the backbone type
// Observation.component, "Observation" -> Observation. nullptr for anything but a dotted path.
const TypeInfo* PathType(std::string_view path, const TypeInfo& resource_type) {
  std::size_t dot = path.find('.');
  const std::string_view head = path.substr(0, dot);
  const TypeInfo* type = FindType(head);
  if (type == nullptr || !IsA(resource_type, *type)) return nullptr;
  type = &resource_type;
  while (dot != std::string_view::npos) {
    const std::size_t next = path.find('.', dot + 1);
    const std::string_view step =
        path.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1);
    const ElementInfo* element = type->FindElement(step);
    if (element == nullptr || element->types().size() != 1) return nullptr;
    type = &Type(element->types()[0]);
    dot = next;
  }
  return type;
}

Result<Expression> CompileFor(const SearchParamInfo& param, const std::string& text,
                              std::string_view context_type) {
  Result<Expression> compiled = Expression::Compile(text, {.context_type = context_type});
  if (!compiled) {
    return Fail(ErrorCategory::kInternal, "search.bad-definition",
                "SearchParameter " + std::string(param.url()) + " does not compile for " +
                    std::string(context_type) + ": " + compiled.error().message());
  }
  return compiled;
}

DateTime FixedNow() {
  DateTime now;
  now.year = 2000;
  now.month = 1;
  now.day = 1;
  now.precision = TemporalPrecision::kMillisecond;
  now.tz_offset_minutes = 0;
  return now;
}

}  // namespace

struct IndexExtractor::Impl {
  std::vector<Kind> kinds;
  std::vector<std::vector<ParamPlan>> by_type;  // indexed by TypeId
  std::vector<SkippedParam> skipped;
  DateTime now = FixedNow();

  Status Plan(const TypeInfo& type);
  Status Values(const ParamPlan& plan, const json::value& resource, const Converter& converter,
                std::vector<IndexValue>& out) const;
  Status CompositeValues(const ParamPlan& plan, const Item& item, const json::value& resource,
                         const Converter& converter, std::vector<IndexValue>& out) const;
};

Status IndexExtractor::Impl::Plan(const TypeInfo& type) {
  std::vector<ParamPlan>& plans = by_type[IdOf(type)];
  for (const SearchParamInfo& param : AllSearchParams()) {
    if (!AppliesTo(param, type) || param.expression().empty() ||
        param.type == SearchParamType::kSpecial) {
      continue;
    }
    ParamPlan plan{&param, {}, {}};
    std::vector<const TypeInfo*> item_types;
    for (const std::string_view branch : SplitUnion(param.expression())) {
      const std::string_view lead = LeadingName(branch);
      const TypeInfo* lead_type = FindType(lead);
      if (lead_type != nullptr && lead_type->is_resource() && !IsA(type, *lead_type)) continue;
      auto [path, resolve_type] = SplitResolveFilter(branch);
      CHARTROOM_ASSIGN_OR_RETURN(Expression expression,
                                 CompileFor(param, Corrected(path), type.name()));
      plan.branches.push_back(Branch{std::move(expression), std::move(resolve_type)});
      if (param.type == SearchParamType::kComposite) {
        const TypeInfo* item_type = PathType(path, type);
        if (item_type == nullptr) {
          return Fail(ErrorCategory::kInternal, "search.bad-definition",
                      "composite SearchParameter " + std::string(param.url()) +
                          " selects items of no single type");
        }
        item_types.push_back(item_type);
      }
    }
    if (plan.branches.empty()) {
      if (param.HasBase(type.name())) {
        skipped.push_back(
            {&param, "no branch of the expression selects " + std::string(type.name())});
      }
      continue;
    }
    if (param.type == SearchParamType::kComposite) {
      for (const Component& component : ComponentsOf(param)) {
        if (component.definition == nullptr) {
          return Fail(ErrorCategory::kInternal, "search.bad-definition",
                      "a component of SearchParameter " + std::string(param.url()) +
                          " has no known definition");
        }
        ComponentPlan component_plan{component.definition, {}};
        // The component runs on the item, so %resource (which FHIRPath sets to the context)
        // has to become %rootResource, the resource the item is in.
        std::string text = Corrected(component.expression);
        for (std::size_t at = text.find("%resource"); at != std::string::npos;
             at = text.find("%resource", at)) {
          text.replace(at, 9, "%rootResource");
        }
        for (const TypeInfo* item_type : item_types) {
          CHARTROOM_ASSIGN_OR_RETURN(Expression expression,
                                     CompileFor(param, text, item_type->name()));
          component_plan.by_item_type.emplace_back(IdOf(*item_type), std::move(expression));
        }
        plan.components.push_back(std::move(component_plan));
      }
    }
    plans.push_back(std::move(plan));
  }
  return Ok();
}

Status IndexExtractor::Impl::Values(const ParamPlan& plan, const json::value& resource,
                                    const Converter& converter,
                                    std::vector<IndexValue>& out) const {
  fhirpath::EvaluationInput input;
  input.resource = &resource;
  input.now = now;
  for (const Branch& branch : plan.branches) {
    CHARTROOM_ASSIGN_OR_RETURN(const Collection items, branch.expression.Evaluate(input));
    for (const Item& item : items) {
      if (plan.param->type == SearchParamType::kComposite) {
        CHARTROOM_RETURN_IF_ERROR(CompositeValues(plan, item, resource, converter, out));
        continue;
      }
      const std::size_t first = out.size();
      converter.Convert(plan.param->type, item, out);
      if (!branch.resolve_type.empty()) {
        // `.where(resolve() is Type)`: keep the references known to point at that type.
        const auto wrong_type = [&](const IndexValue& value) {
          const auto* reference = std::get_if<ReferenceValue>(&value);
          return reference == nullptr || reference->type != branch.resolve_type;
        };
        out.erase(
            std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(), wrong_type),
            out.end());
      }
    }
  }
  return Ok();
}

Status IndexExtractor::Impl::CompositeValues(const ParamPlan& plan, const Item& item,
                                             const json::value& resource,
                                             const Converter& converter,
                                             std::vector<IndexValue>& out) const {
  if (!item.is_node() || item.u.json == nullptr) return Ok();
  fhirpath::EvaluationInput input;
  input.resource = item.u.json;
  input.root_resource = &resource;
  input.now = now;
  std::vector<std::vector<IndexValue>> per_component;
  per_component.reserve(plan.components.size());
  std::size_t combinations = 1;
  for (const ComponentPlan& component : plan.components) {
    const auto compiled = std::find_if(component.by_item_type.begin(), component.by_item_type.end(),
                                       [&](const auto& entry) { return entry.first == item.type; });
    if (compiled == component.by_item_type.end()) return Ok();
    CHARTROOM_ASSIGN_OR_RETURN(const Collection items, compiled->second.Evaluate(input));
    std::vector<IndexValue>& values = per_component.emplace_back();
    for (const Item& component_item : items) {
      converter.Convert(component.definition->type, component_item, values);
    }
    if (values.empty()) return Ok();  // a composite value needs every component
    combinations *= values.size();
    if (combinations > kMaxCompositeCombinations) return Ok();
  }
  // Every combination of the components' values, the first component varying slowest.
  std::vector<std::size_t> index(per_component.size(), 0);
  for (std::size_t n = 0; n < combinations; ++n) {
    auto composite = std::make_shared<CompositeValue>();
    composite->components.reserve(per_component.size());
    for (std::size_t c = 0; c < per_component.size(); ++c) {
      composite->components.push_back(per_component[c][index[c]]);
    }
    out.emplace_back(std::move(composite));
    for (std::size_t c = per_component.size(); c-- > 0;) {
      if (++index[c] < per_component[c].size()) break;
      index[c] = 0;
    }
  }
  return Ok();
}

IndexExtractor::IndexExtractor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IndexExtractor::~IndexExtractor() = default;

Result<std::unique_ptr<IndexExtractor>> IndexExtractor::Create() {
  auto impl = std::make_unique<Impl>();
  impl->kinds = BuildKinds();
  impl->by_type.resize(AllTypes().size());
  for (const TypeInfo& type : AllTypes()) {
    if (type.is_resource() && !type.is_abstract) CHARTROOM_RETURN_IF_ERROR(impl->Plan(type));
  }
  for (const SearchParamInfo& param : AllSearchParams()) {
    if (param.type == SearchParamType::kSpecial) {
      impl->skipped.push_back(
          {&param,
           "special parameter: its matching (e.g. distance for near) is not an index value"});
    } else if (param.expression().empty()) {
      impl->skipped.push_back(
          {&param, "no expression: searched by other means (_text/_content full text, _query)"});
    }
  }
  return std::unique_ptr<IndexExtractor>(new IndexExtractor(std::move(impl)));
}

std::span<const SkippedParam> IndexExtractor::skipped() const { return impl_->skipped; }

Result<std::vector<IndexEntry>> IndexExtractor::Extract(const json::value& resource) const {
  const json::object* object = ObjectOf(&resource);
  const TypeInfo* type =
      object != nullptr ? FindResourceType(Field(*object, "resourceType")) : nullptr;
  if (type == nullptr) {
    return Fail(ErrorCategory::kInvalid, "search.bad-resource",
                "the resource is not an object with a known resourceType");
  }
  const Converter converter(impl_->kinds, resource);
  std::vector<IndexEntry> entries;
  entries.reserve(64);
  std::vector<IndexValue> values;
  for (const ParamPlan& plan : impl_->by_type[IdOf(*type)]) {
    values.clear();
    CHARTROOM_RETURN_IF_ERROR(impl_->Values(plan, resource, converter, values));
    const std::size_t first = entries.size();
    for (IndexValue& value : values) {
      const bool seen =
          std::any_of(entries.begin() + static_cast<std::ptrdiff_t>(first), entries.end(),
                      [&](const IndexEntry& entry) { return SameValue(entry.value, value); });
      if (!seen) entries.push_back(IndexEntry{plan.param, std::move(value)});
    }
  }
  return entries;
}

Result<std::optional<std::string>> IndexExtractor::CompartmentPatient(
    const json::value& resource) const {
  const json::object* object = ObjectOf(&resource);
  const TypeInfo* type =
      object != nullptr ? FindResourceType(Field(*object, "resourceType")) : nullptr;
  if (type == nullptr) {
    return Fail(ErrorCategory::kInvalid, "search.bad-resource",
                "the resource is not an object with a known resourceType");
  }
  if (type->name() == "Patient") {
    const std::string_view id = Field(*object, "id");
    return id.empty() ? std::nullopt : std::optional<std::string>(id);
  }
  const Converter converter(impl_->kinds, resource);
  std::vector<IndexValue> values;
  for (StrRef code_ref : type->patient_compartment_params()) {
    const std::string_view code = Str(code_ref);
    for (const ParamPlan& plan : impl_->by_type[IdOf(*type)]) {
      if (plan.param->code() != code) continue;
      values.clear();
      CHARTROOM_RETURN_IF_ERROR(impl_->Values(plan, resource, converter, values));
      for (const IndexValue& value : values) {
        const auto* ref = std::get_if<ReferenceValue>(&value);
        if (ref != nullptr && ref->type == "Patient" && !ref->id.empty()) return ref->id;
      }
    }
  }
  return std::optional<std::string>();
}

}  // namespace chartroom::fhir::search
