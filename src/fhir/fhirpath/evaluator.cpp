// Evaluation of a compiled FHIRPath tree over a boost::json FHIR DOM.
// Semantics: https://hl7.org/fhirpath/N1/ (collections, three-valued logic, functions, operators)
// and https://hl7.org/fhir/R4/fhirpath.html (FHIR types, extension(), resolve(), memberOf() ...).

#include "fhir/fhirpath/evaluator.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <string>
#include <unordered_map>

#include <boost/json.hpp>

#include "fhir/fhirpath/checker.hpp"
#include "fhir/fhirpath/parser.hpp"
#include "fhir/fhirpath/types.hpp"
#include "fhir/fhirpath/values.hpp"

namespace chartroom::fhir::fhirpath {
namespace json = boost::json;

struct Arena {
  std::deque<std::string> strings;
  std::deque<Quantity> quantities;
};

namespace {

std::string_view JsonString(const json::value& v) {
  const json::string& s = v.get_string();
  return {s.data(), s.size()};
}

// Keys are short: an inline loop beats a call to memcmp.
inline bool SameChars(const char* a, const char* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Finds `name` and, when `with_ext`, its `_name` sibling in one pass. Boost.JSON scans small
// objects linearly; comparing lengths first keeps most keys from being read at all.
void Lookup(const json::object& obj, std::string_view name, bool with_ext,
            const json::value** value, const json::value** ext) {
  *value = nullptr;
  *ext = nullptr;
  if (obj.size() > 16) {
    *value = obj.if_contains(name);
    if (with_ext) {
      char buf[128];
      if (name.size() + 1 <= sizeof(buf)) {
        buf[0] = '_';
        std::copy(name.begin(), name.end(), buf + 1);
        *ext = obj.if_contains(std::string_view(buf, name.size() + 1));
      } else {
        *ext = obj.if_contains("_" + std::string(name));
      }
    }
    return;
  }
  for (const auto& kv : obj) {
    json::string_view key = kv.key();
    if (key.size() == name.size()) {
      if (SameChars(key.data(), name.data(), name.size())) {
        *value = &kv.value();
        if (!with_ext) return;
      }
    } else if (with_ext && key.size() == name.size() + 1 && key[0] == '_' &&
               SameChars(key.data() + 1, name.data(), name.size())) {
      *ext = &kv.value();
    }
  }
}

TypeId ResourceTypeOf(const json::value& v) {
  if (!v.is_object()) return kNoType;
  const json::value* rt = nullptr;
  const json::value* unused = nullptr;
  Lookup(v.get_object(), "resourceType", /*with_ext=*/false, &rt, &unused);
  if (rt == nullptr || !rt->is_string()) return kNoType;
  // A hash map rather than the model's binary search: this runs for every resource navigated.
  static const auto* const kByName = [] {
    auto* map = new std::unordered_map<std::string_view, TypeId>();
    for (const TypeInfo& type : AllTypes()) {
      if (type.is_resource() && !type.is_abstract) map->emplace(type.name(), IdOf(type));
    }
    return map;
  }();
  // Consecutive lookups are usually for the same type: a one-entry cache per thread.
  thread_local TypeId last = kNoType;
  std::string_view name = JsonString(*rt);
  if (last != kNoType && Type(last).name() == name) return last;
  auto it = kByName->find(name);
  if (it == kByName->end()) return kNoType;
  last = it->second;
  return last;
}

TypeId ExtensionType() {
  static const TypeId id = [] {
    const TypeInfo* t = FindType("Extension");
    return t == nullptr ? kNoType : IdOf(*t);
  }();
  return id;
}

// Appends the item(s) of a property (value `value`, possibly absent when only its `_name`
// sibling `ext` exists) of a FHIR object, typed `type`.
void AddProperty(const json::value* value, const json::value* ext, TypeId type, Items& out) {
  bool resource = type != kNoType && Type(type).is_abstract && Type(type).is_resource();
  auto add_one = [&](const json::value* v, const json::value* e) {
    const json::object* e_obj = e != nullptr && e->is_object() ? &e->get_object() : nullptr;
    if ((v == nullptr || v->is_null()) && e_obj == nullptr) return;
    if (v != nullptr && v->is_null()) v = nullptr;
    TypeId t = type;
    if (resource && v != nullptr) t = ResourceTypeOf(*v);
    out.push_back(Item::Node(v, t, e_obj));
  };
  if (value != nullptr && value->is_array()) {
    const json::array& arr = value->get_array();
    const json::array* ext_arr = ext != nullptr && ext->is_array() ? &ext->get_array() : nullptr;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      add_one(&arr[i], ext_arr != nullptr && i < ext_arr->size() ? &(*ext_arr)[i] : nullptr);
    }
    return;
  }
  if (value == nullptr && ext != nullptr && ext->is_array()) {
    for (const json::value& e : ext->get_array()) add_one(nullptr, &e);
    return;
  }
  add_one(value, ext);
}

bool IsPrimitive(TypeId type) { return type != kNoType && Type(type).is_primitive(); }

TypeId IdType() {
  static const TypeId id = [] {
    const TypeInfo* t = FindType("id");
    return t == nullptr ? kNoType : IdOf(*t);
  }();
  return id;
}

// Bit n is set when a JSON name of the choice element has length n (valueQuantity: 13).
std::uint64_t ChoiceNameLengths(const ElementInfo& element) {
  static const std::vector<std::uint64_t>* const kMasks = [] {
    const ModelTables& tables = R4();
    auto* masks = new std::vector<std::uint64_t>(tables.element_count, 0);
    for (std::size_t i = 0; i < tables.property_count; ++i) {
      const JsonProperty& prop = tables.properties[i];
      std::size_t length = prop.json_name().size();
      if (length < 64) (*masks)[prop.element_index] |= std::uint64_t{1} << length;
    }
    return masks;
  }();
  auto index = static_cast<std::size_t>(&element - R4().elements);
  return index < kMasks->size() ? (*kMasks)[index] : ~std::uint64_t{0};
}

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }

// Navigates `name` from one item (https://hl7.org/fhirpath/N1/#path-selection). Choice elements
// are matched through their typed JSON names (value -> valueQuantity).
void Navigate(const Item& item, std::string_view name, const Node* node, Items& out) {
  if (item.kind == ItemKind::kTypeInfo) {
    if (name == "namespace") {
      out.push_back(Item::String(item.type == kNoType ? "System" : "FHIR"));
    } else if (name == "name") {
      out.push_back(Item::String(item.type == kNoType ? item.string() : Type(item.type).name()));
    }
    return;
  }
  if (item.kind != ItemKind::kNode) return;
  // A primitive's id and extension live in its `_name` sibling.
  const json::object* holder =
      item.u.json != nullptr && item.u.json->is_object() ? &item.u.json->get_object() : item.ext;
  if (holder == nullptr) return;
  const json::object& obj = *holder;
  if (item.type == kNoType) {
    const json::value* v = obj.if_contains(name);
    if (v == nullptr) return;
    if (v->is_array()) {
      for (const json::value& e : v->get_array()) {
        if (!e.is_null()) out.push_back(Item::Node(&e, ResourceTypeOf(e)));
      }
    } else if (!v->is_null()) {
      out.push_back(Item::Node(v, ResourceTypeOf(*v)));
    }
    return;
  }
  const TypeInfo& type = Type(item.type);
  const ElementInfo* element = node != nullptr && node->cache_type == item.type
                                   ? node->cache_element
                                   : type.FindElement(name);
  if (element == nullptr) return;
  if (element->is_choice()) {
    // Only keys as long as one of the element's JSON names are read: with the data out of
    // cache, reading a key's characters is what costs.
    const std::uint64_t lengths = ChoiceNameLengths(*element);
    auto possible = [&](std::size_t size) { return size < 64 && ((lengths >> size) & 1) != 0; };
    for (const auto& kv : obj) {
      if (!possible(kv.key().size())) continue;
      std::string_view key(kv.key().data(), kv.key().size());
      if (key.size() <= name.size() || !key.starts_with(name) || !IsUpper(key[name.size()])) {
        continue;
      }
      const JsonProperty* prop = type.FindProperty(key);
      if (prop == nullptr || &prop->element() != element) continue;
      const json::value* value = nullptr;
      const json::value* ext = nullptr;
      if (IsPrimitive(prop->type)) Lookup(obj, key, /*with_ext=*/true, &value, &ext);
      AddProperty(&kv.value(), ext, prop->type, out);
    }
    // A choice primitive that only has extensions: "_valueString".
    for (const auto& kv : obj) {
      if (kv.key().size() == 0 || !possible(kv.key().size() - 1)) continue;
      std::string_view key(kv.key().data(), kv.key().size());
      if (key.size() <= name.size() + 1 || key[0] != '_' || !key.substr(1).starts_with(name)) {
        continue;
      }
      std::string_view base = key.substr(1);
      if (obj.contains(base)) continue;
      const JsonProperty* prop = type.FindProperty(base);
      if (prop == nullptr || &prop->element() != element) continue;
      AddProperty(nullptr, &kv.value(), prop->type, out);
    }
    return;
  }
  TypeId child_type = element->types().empty() ? kNoType : element->types()[0];
  // Resource.id is a FHIR `id` (the definitions give it as System.String).
  if (type.is_resource() && name == "id") child_type = IdType();
  const json::value* value = nullptr;
  const json::value* ext = nullptr;
  Lookup(obj, name, IsPrimitive(child_type), &value, &ext);
  AddProperty(value, ext, child_type, out);
}

// children(): every child element of a node, in JSON order.
void Children(const Item& item, Items& out) {
  if (item.kind != ItemKind::kNode) return;
  const json::object* holder =
      item.u.json != nullptr && item.u.json->is_object() ? &item.u.json->get_object() : item.ext;
  if (holder == nullptr) return;
  const json::object& obj = *holder;
  const TypeInfo* type = item.fhir_type();
  for (const auto& kv : obj) {
    std::string_view key(kv.key().data(), kv.key().size());
    if (key == "resourceType") continue;
    const json::value* value = &kv.value();
    if (key.starts_with('_')) {
      key.remove_prefix(1);
      if (obj.contains(key)) continue;  // merged into its primitive sibling
      value = nullptr;
    }
    TypeId t = kNoType;
    if (type != nullptr) {
      const JsonProperty* prop = type->FindProperty(key);
      if (prop == nullptr) continue;
      t = prop->type;
    }
    const json::value* ext = nullptr;
    if (IsPrimitive(t)) {
      const json::value* ignored = nullptr;
      Lookup(obj, key, /*with_ext=*/true, &ignored, &ext);
    }
    if (t == kNoType) {
      if (value == nullptr) continue;
      if (value->is_array()) {
        for (const json::value& e : value->get_array()) {
          if (!e.is_null()) out.push_back(Item::Node(&e, ResourceTypeOf(e)));
        }
      } else if (!value->is_null()) {
        out.push_back(Item::Node(value, ResourceTypeOf(*value)));
      }
      continue;
    }
    AddProperty(value, ext, t, out);
  }
}

// `is` accepts specializations (a code is a string); `as` and ofType() take FHIR primitives
// by their exact type, as the R4 suite expects (Patient.gender.as(string) is empty).
bool TypeMatches(const Item& item, const TypeSpec& spec, bool exact_primitive) {
  if (spec.fhir != kNoType) {
    if (item.kind != ItemKind::kNode || item.type == kNoType) return false;
    if (exact_primitive && Type(spec.fhir).is_primitive()) return item.type == spec.fhir;
    return IsA(Type(item.type), Type(spec.fhir));
  }
  switch (spec.system) {
    case SystemType::kAny:
      return true;
    case SystemType::kBoolean:
      return item.kind == ItemKind::kBoolean;
    case SystemType::kInteger:
      return item.kind == ItemKind::kInteger;
    case SystemType::kDecimal:
      return item.kind == ItemKind::kDecimal;
    case SystemType::kString:
      return item.kind == ItemKind::kString;
    case SystemType::kDate:
      return item.kind == ItemKind::kDate;
    case SystemType::kDateTime:
      return item.kind == ItemKind::kDateTime;
    case SystemType::kTime:
      return item.kind == ItemKind::kTime;
    case SystemType::kQuantity:
      return item.kind == ItemKind::kQuantity;
    default:
      return false;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsIntegerText(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsDecimalText(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return IsIntegerText(s) && s[0] != '+' && s[0] != '-';
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = s.substr(dot + 1);
  auto digits = [](std::string_view d) {
    return !d.empty() &&
           std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return digits(whole) && digits(frac);
}

std::size_t Utf8Length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Parses "<number> '<ucum>'" or "<number> <calendar word>" or a bare number (unit '1').
std::optional<Quantity> ParseQuantityText(std::string_view text) {
  text = Trim(text);
  std::size_t space = text.find(' ');
  std::string_view number = text.substr(0, space);
  if (!IsDecimalText(number)) return std::nullopt;
  auto value = Decimal::Parse(number[0] == '+' ? number.substr(1) : number, /*lenient=*/true);
  if (!value) return std::nullopt;
  if (space == std::string_view::npos) return Quantity{*value, "1"};
  std::string_view unit = Trim(text.substr(space + 1));
  if (unit.size() >= 2 && unit.front() == '\'' && unit.back() == '\'') {
    return Quantity{*value, std::string(unit.substr(1, unit.size() - 2))};
  }
  if (IsCalendarDurationUnit(unit)) return Quantity{*value, std::string(unit)};
  return std::nullopt;
}

bool IsDateKind(ItemKind k) { return k == ItemKind::kDate || k == ItemKind::kDateTime; }

Decimal AsDecimal(const Item& item) {
  return item.kind == ItemKind::kInteger ? Decimal::FromInt(item.u.integer) : item.u.decimal;
}

std::optional<Decimal> DoubleResult(double v) {
  if (std::isnan(v) || std::isinf(v)) return std::nullopt;
  return Decimal::FromDouble(v);
}

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in, bool url) {
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64[(buf >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kBase64[(buf << (6 - bits)) & 0x3F];
  while (out.size() % 4 != 0) out += '=';
  if (url) {
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in, bool url) {
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    if (url) c = c == '-' ? '+' : c == '_' ? '/' : c;
    const char* p = std::strchr(kBase64, c);
    if (p == nullptr || c == '\0') return std::nullopt;
    buf = (buf << 6) | static_cast<std::uint32_t>(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace

Evaluator::Evaluator(const EvaluationInput& input, TypeId context_type)
    : input_(input), context_type_(context_type) {
  if (input.resource != nullptr) {
    TypeId t = ResourceTypeOf(*input.resource);
    if (t == kNoType) t = context_type;
    context_ = Item::Node(input.resource, t);
    has_context_ = true;
  }
  const json::value* root = input.root_resource != nullptr ? input.root_resource : input.resource;
  if (root == input.resource) {
    root_ = context_;
    has_root_ = has_context_;
  } else if (root != nullptr) {
    root_ = Item::Node(root, ResourceTypeOf(*root));
    has_root_ = true;
  }
}

Evaluator::~Evaluator() = default;

Arena& Evaluator::arena() {
  if (!arena_) arena_ = std::make_shared<Arena>();
  return *arena_;
}

std::string_view Evaluator::Store(std::string text) {
  return arena().strings.emplace_back(std::move(text));
}

const Quantity* Evaluator::Store(Quantity quantity) {
  return &arena().quantities.emplace_back(std::move(quantity));
}

Status Evaluator::Spend(std::size_t units) {
  work_ += units;
  if (work_ > input_.max_work) return EvaluationError("evaluation exceeds its work limit");
  return Ok();
}

Status Evaluator::Run(const Node& root, Collection& out) {
  Scope scope;
  if (has_context_) scope.this_items = std::span<const Item>(&context_, 1);
  CHARTROOM_RETURN_IF_ERROR(Eval(root, scope, out.items_));
  out.arena_ = arena_;
  return Ok();
}

namespace {

// Singleton evaluation of collections as a Boolean
// (https://hl7.org/fhirpath/N1/#singleton-evaluation-of-collections).
Result<std::optional<bool>> AsBoolean(std::span<const Item> items) {
  if (items.empty()) return std::optional<bool>();
  if (items.size() > 1) return EvaluationError("expected a single boolean, got a collection");
  Quantity scratch;
  Item v = Normalize(items[0], scratch);
  if (v.kind == ItemKind::kBoolean) return std::optional<bool>(v.u.boolean);
  return std::optional<bool>(true);
}

Result<const Item*> Single(std::span<const Item> items, std::string_view what) {
  if (items.empty()) return nullptr;
  if (items.size() > 1) {
    return EvaluationError(std::string(what) + " expects a single item, got " +
                           std::to_string(items.size()));
  }
  return &items[0];
}

}  // namespace

Status Evaluator::Eval(const Node& node, const Scope& scope, Items& out) {
  if (depth_ >= kMaxEvalDepth) return EvaluationError("evaluation nested too deeply");
  ++depth_;
  Status status = EvalNode(node, scope, out);
  --depth_;
  if (status && !out.empty()) {
    if (++work_ > input_.max_work) return EvaluationError("evaluation exceeds its work limit");
    if (out.size() > kMaxItems) return EvaluationError("collection too large");
  }
  return status;
}

Status Evaluator::EvalNode(const Node& node, const Scope& scope, Items& out) {
  switch (node.kind) {
    case NodeKind::kLiteral:
      out.push_back(node.literal);
      return Ok();
    case NodeKind::kEmpty:
      return Ok();
    case NodeKind::kError:
      return EvaluationError(node.message);
    case NodeKind::kThis:
      out.append(scope.this_items);
      return Ok();
    case NodeKind::kIndex:
      if (scope.index >= 0) out.push_back(Item::Integer(scope.index));
      return Ok();
    case NodeKind::kTotal:
      out.append(scope.total);
      return Ok();
    case NodeKind::kVariable:
      return EvalVariable(node, out);
    case NodeKind::kMember:
      return EvalMember(node, scope, out);
    case NodeKind::kFunction:
      return EvalFunction(node, scope, out);
    case NodeKind::kIndexer: {
      Items input;
      CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[0], scope, input));
      Items index;
      CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[1], scope, index));
      if (index.empty()) return Ok();
      Quantity scratch;
      Item i = Normalize(index[0], scratch);
      if (index.size() > 1 || i.kind != ItemKind::kInteger) {
        return EvaluationError("an index must be a single integer");
      }
      if (i.u.integer >= 0 && static_cast<std::size_t>(i.u.integer) < input.size()) {
        out.push_back(input[static_cast<std::size_t>(i.u.integer)]);
      }
      return Ok();
    }
    case NodeKind::kUnary: {
      Items operand;
      CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[0], scope, operand));
      if (operand.empty()) return Ok();
      if (operand.size() > 1) return EvaluationError("unary operator expects a single item");
      Quantity scratch;
      Item v = Normalize(operand[0], scratch);
      if (v.kind == ItemKind::kInteger) {
        if (node.op == Op::kMinus) {
          if (v.u.integer == INT64_MIN) return Ok();  // overflow: empty, like + and *
          v.u.integer = -v.u.integer;
        }
        out.push_back(v);
      } else if (v.kind == ItemKind::kDecimal) {
        if (node.op == Op::kMinus) v.u.decimal = v.u.decimal.Negate();
        out.push_back(v);
      } else if (v.kind == ItemKind::kQuantity) {
        Quantity q = *v.u.quantity;
        if (node.op == Op::kMinus) q.value = q.value.Negate();
        out.push_back(Item::FromQuantity(Store(std::move(q))));
      } else {
        return EvaluationError("unary +/- needs a number or quantity");
      }
      return Ok();
    }
    case NodeKind::kBinary:
      return EvalBinary(node, scope, out);
    case NodeKind::kIs:
    case NodeKind::kAs: {
      Items input;
      CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[0], scope, input));
      if (node.kind == NodeKind::kAs) {
        // The `as` operator filters item by item, as the HL7 reference engine does: R4's
        // SearchParameter expressions apply it to repeating elements
        // ((ActivityDefinition.useContext.value as CodeableConcept)). as() stays strict.
        for (const Item& item : input) {
          if (TypeMatches(item, node.type, /*exact_primitive=*/true)) out.push_back(item);
        }
        return Ok();
      }
      CHARTROOM_ASSIGN_OR_RETURN(const Item* single,
                                 Single(input.span(), node.kind == NodeKind::kIs ? "is" : "as"));
      if (single == nullptr) return Ok();
      // A FHIR primitive is not a System value: FHIR.boolean is not System.Boolean.
      bool match = TypeMatches(*single, node.type, /*exact_primitive=*/node.kind == NodeKind::kAs);
      if (node.kind == NodeKind::kIs) {
        out.push_back(Item::Boolean(match));
      } else if (match) {
        out.push_back(*single);
      }
      return Ok();
    }
  }
  return Ok();
}

Status Evaluator::EvalVariable(const Node& node, Items& out) {
  std::string_view name = node.name;
  if (name == "context" || name == "resource") {
    if (has_context_) out.push_back(context_);
    return Ok();
  }
  if (name == "rootResource") {
    if (has_root_) out.push_back(root_);
    return Ok();
  }
  if (name == "ucum") {
    out.push_back(Item::String("http://unitsofmeasure.org"));
    return Ok();
  }
  if (name == "sct") {
    out.push_back(Item::String("http://snomed.info/sct"));
    return Ok();
  }
  if (name == "loinc") {
    out.push_back(Item::String("http://loinc.org"));
    return Ok();
  }
  for (const Variable& v : input_.variables) {
    if (v.name == name) {
      if (v.value != nullptr) out.append(v.value->items());
      return Ok();
    }
  }
  // https://hl7.org/fhir/R4/fhirpath.html#variables
  if (name.starts_with("vs-")) {
    out.push_back(
        Item::String(Store("http://hl7.org/fhir/ValueSet/" + std::string(name.substr(3)))));
    return Ok();
  }
  if (name.starts_with("ext-")) {
    out.push_back(Item::String(
        Store("http://hl7.org/fhir/StructureDefinition/" + std::string(name.substr(4)))));
    return Ok();
  }
  return EvaluationError("undefined variable %" + std::string(name));
}

Status Evaluator::EvalMember(const Node& node, const Scope& scope, Items& out) {
  if (node.implicit_input) {
    if (node.filter_type != kNoType) {
      const TypeInfo& filter = Type(node.filter_type);
      for (const Item& item : scope.this_items) {
        if (item.is_node() && item.type != kNoType && IsA(Type(item.type), filter)) {
          out.push_back(item);
        }
      }
      return Ok();
    }
    for (const Item& item : scope.this_items) Navigate(item, node.name, &node, out);
    return Ok();
  }
  Items input;
  CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[0], scope, input));
  for (const Item& item : input) Navigate(item, node.name, &node, out);
  return Ok();
}

Status Evaluator::EvalFunction(const Node& node, const Scope& scope, Items& out) {
  if (node.implicit_input) return EvalFunctionOn(node, scope, scope.this_items, out);
  Items input;
  CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[0], scope, input));
  return EvalFunctionOn(node, scope, input.span(), out);
}

namespace {

// Contains by equality, for union/distinct/intersect/exclude/in.
bool ContainsItem(std::span<const Item> items, const Item& item, std::int16_t offset) {
  Quantity sa, sb;
  Item b = Normalize(item, sb);
  for (const Item& i : items) {
    if (i.is_node() && item.is_node() && i.u.json == item.u.json && i.ext == item.ext) return true;
    Item a = Normalize(i, sa);
    if (ItemsEqual(a, b, offset).value_or(false)) return true;
  }
  return false;
}

}  // namespace

Status Evaluator::EvalBinary(const Node& node, const Scope& scope, Items& out) {
  Op op = node.op;
  std::int16_t offset = LocalOffset();
  // Three-valued logic (https://hl7.org/fhirpath/N1/#boolean-logic); `and`/`or`/`implies`
  // evaluate the right side only when it can change the answer.
  if (op == Op::kAnd || op == Op::kOr || op == Op::kXor || op == Op::kImplies) {
    Items left;
    CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[0], scope, left));
    CHARTROOM_ASSIGN_OR_RETURN(std::optional<bool> a, AsBoolean(left.span()));
    if (op == Op::kAnd && a == false) {
      out.push_back(Item::Boolean(false));
      return Ok();
    }
    if (op == Op::kOr && a == true) {
      out.push_back(Item::Boolean(true));
      return Ok();
    }
    if (op == Op::kImplies && a == false) {
      out.push_back(Item::Boolean(true));
      return Ok();
    }
    Items right;
    CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[1], scope, right));
    CHARTROOM_ASSIGN_OR_RETURN(std::optional<bool> b, AsBoolean(right.span()));
    std::optional<bool> r;
    switch (op) {
      case Op::kAnd:
        if (b == false)
          r = false;
        else if (a && b)
          r = true;
        break;
      case Op::kOr:
        if (b == true)
          r = true;
        else if (a && b)
          r = false;
        break;
      case Op::kXor:
        if (a && b) r = *a != *b;
        break;
      default:  // implies; a is true or unknown here
        if (b == true)
          r = true;
        else if (a && b)
          r = false;
        break;
    }
    if (r) out.push_back(Item::Boolean(*r));
    return Ok();
  }

  Items left, right;
  CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[0], scope, left));
  CHARTROOM_RETURN_IF_ERROR(Eval(*node.children[1], scope, right));

  switch (op) {
    case Op::kUnion: {
      CHARTROOM_RETURN_IF_ERROR(Spend((left.size() + 1) * (right.size() + 1)));
      Items result;
      for (const Item& i : left) {
        if (!ContainsItem(result.span(), i, offset)) result.push_back(i);
      }
      for (const Item& i : right) {
        if (!ContainsItem(result.span(), i, offset)) result.push_back(i);
      }
      out.append(result.span());
      return Ok();
    }
    case Op::kEqual:
    case Op::kNotEqual: {
      if (left.empty() || right.empty()) return Ok();
      std::optional<bool> eq = true;
      if (left.size() != right.size()) {
        eq = false;
      } else {
        Quantity sa, sb;
        for (std::size_t i = 0; i < left.size(); ++i) {
          auto e = ItemsEqual(Normalize(left[i], sa), Normalize(right[i], sb), offset);
          if (e == false) {
            eq = false;
            break;
          }
          if (!e) eq = std::nullopt;
        }
      }
      if (eq) out.push_back(Item::Boolean(op == Op::kEqual ? *eq : !*eq));
      return Ok();
    }
    case Op::kEquivalent:
    case Op::kNotEquivalent: {
      bool eq = true;
      if (left.size() != right.size()) {
        eq = false;
      } else {
        CHARTROOM_RETURN_IF_ERROR(Spend(left.size() * right.size()));
        // Order does not matter: every item must have an equivalent partner.
        std::vector<bool> used(right.size(), false);
        Quantity sa, sb;
        for (const Item& l : left) {
          bool found = false;
          Item a = Normalize(l, sa);
          for (std::size_t j = 0; j < right.size() && !found; ++j) {
            if (!used[j] && ItemsEquivalent(a, Normalize(right[j], sb), offset)) {
              used[j] = true;
              found = true;
            }
          }
          if (!found) {
            eq = false;
            break;
          }
        }
      }
      out.push_back(Item::Boolean(op == Op::kEquivalent ? eq : !eq));
      return Ok();
    }
    case Op::kLess:
    case Op::kLessEqual:
    case Op::kGreater:
    case Op::kGreaterEqual: {
      if (left.empty() || right.empty()) return Ok();
      if (left.size() > 1 || right.size() > 1) {
        return EvaluationError("comparison expects single items");
      }
      Quantity sa, sb;
      CHARTROOM_ASSIGN_OR_RETURN(
          std::optional<int> c,
          CompareItems(Normalize(left[0], sa), Normalize(right[0], sb), offset));
      if (!c) return Ok();
      bool r = op == Op::kLess        ? *c < 0
               : op == Op::kLessEqual ? *c <= 0
               : op == Op::kGreater   ? *c > 0
                                      : *c >= 0;
      out.push_back(Item::Boolean(r));
      return Ok();
    }
    case Op::kIn:
    case Op::kContains: {
      Items& element = op == Op::kIn ? left : right;
      Items& collection = op == Op::kIn ? right : left;
      if (element.empty()) return Ok();
      if (element.size() > 1) return EvaluationError("membership test expects a single item");
      CHARTROOM_RETURN_IF_ERROR(Spend(collection.size()));
      out.push_back(Item::Boolean(ContainsItem(collection.span(), element[0], offset)));
      return Ok();
    }
    case Op::kConcat: {
      if (left.size() > 1 || right.size() > 1) return EvaluationError("& expects single items");
      std::string s;
      Quantity scratch;
      for (Items* side : {&left, &right}) {
        if (side->empty()) continue;
        Item v = Normalize((*side)[0], scratch);
        if (v.kind != ItemKind::kString) return EvaluationError("& expects strings");
        s += v.string();
      }
      out.push_back(Item::String(Store(std::move(s))));
      return Ok();
    }
    default:
      break;
  }

  // Arithmetic (https://hl7.org/fhirpath/N1/#math).
  if (left.empty() || right.empty()) return Ok();
  if (left.size() > 1 || right.size() > 1) {
    return EvaluationError("arithmetic expects single items");
  }
  Quantity sa, sb;
  Item a = Normalize(left[0], sa);
  Item b = Normalize(right[0], sb);
  auto number = [](const Item& i) {
    return i.kind == ItemKind::kInteger || i.kind == ItemKind::kDecimal;
  };
  auto push_decimal = [&](std::optional<Decimal> d) {
    if (d) out.push_back(Item::FromDecimal(*d));
    return Ok();
  };
  auto as_quantity = [](const Item& i) {
    return i.kind == ItemKind::kQuantity ? *i.u.quantity : Quantity{AsDecimal(i), "1"};
  };
  if (a.kind == ItemKind::kInteger && b.kind == ItemKind::kInteger) {
    std::int64_t x = a.u.integer, y = b.u.integer, r = 0;
    switch (op) {
      case Op::kPlus:
        if (!__builtin_add_overflow(x, y, &r)) out.push_back(Item::Integer(r));
        return Ok();
      case Op::kMinus:
        if (!__builtin_sub_overflow(x, y, &r)) out.push_back(Item::Integer(r));
        return Ok();
      case Op::kMultiply:
        if (!__builtin_mul_overflow(x, y, &r)) out.push_back(Item::Integer(r));
        return Ok();
      case Op::kDiv:
        if (y != 0 && !(x == INT64_MIN && y == -1)) out.push_back(Item::Integer(x / y));
        return Ok();
      case Op::kMod:
        if (y != 0 && !(x == INT64_MIN && y == -1)) out.push_back(Item::Integer(x % y));
        return Ok();
      case Op::kDivide:
        return push_decimal(Decimal::Divide(Decimal::FromInt(x), Decimal::FromInt(y)));
      default:
        break;
    }
  }
  if (number(a) && number(b)) {
    Decimal x = AsDecimal(a), y = AsDecimal(b);
    switch (op) {
      case Op::kPlus:
        return push_decimal(Decimal::Add(x, y));
      case Op::kMinus:
        return push_decimal(Decimal::Subtract(x, y));
      case Op::kMultiply:
        return push_decimal(Decimal::Multiply(x, y));
      case Op::kDivide:
        return push_decimal(Decimal::Divide(x, y));
      case Op::kDiv:
        return push_decimal(Decimal::DivideTruncated(x, y));
      case Op::kMod:
        return push_decimal(Decimal::Modulo(x, y));
      default:
        break;
    }
  }
  if (a.kind == ItemKind::kString && b.kind == ItemKind::kString && op == Op::kPlus) {
    out.push_back(Item::String(Store(std::string(a.string()) + std::string(b.string()))));
    return Ok();
  }
  if ((a.kind == ItemKind::kQuantity || number(a)) &&
      (b.kind == ItemKind::kQuantity || number(b)) &&
      (a.kind == ItemKind::kQuantity || b.kind == ItemKind::kQuantity)) {
    Quantity x = as_quantity(a), y = as_quantity(b);
    std::optional<Quantity> r;
    switch (op) {
      case Op::kPlus:
        r = Add(x, y);
        break;
      case Op::kMinus:
        r = Subtract(x, y);
        break;
      case Op::kMultiply:
        r = Multiply(x, y);
        break;
      case Op::kDivide:
        if (y.value.Sign() == 0) return Ok();
        r = Divide(x, y);
        break;
      default:
        return EvaluationError("operator not defined for quantities");
    }
    if (r) out.push_back(Item::FromQuantity(Store(std::move(*r))));
    return Ok();
  }
  if ((IsDateKind(a.kind) || a.kind == ItemKind::kTime) && b.kind == ItemKind::kQuantity &&
      (op == Op::kPlus || op == Op::kMinus)) {
    const Quantity& q = *b.u.quantity;
    // UCUM 'a' and 'mo' are not calendar durations: adding them to a date is an error
    // (https://hl7.org/fhirpath/N1/#date-time-arithmetic).
    if (q.unit == "a" || q.unit == "mo") {
      return EvaluationError("cannot add a UCUM year or month to a date; use a calendar duration");
    }
    Decimal amount = op == Op::kMinus ? q.value.Negate() : q.value;
    if (a.kind == ItemKind::kTime) {
      auto r = AddDuration(a.u.time, amount, q.unit);
      if (!r) return EvaluationError("cannot add '" + q.unit + "' to a time");
      out.push_back(Item::FromTime(*r));
    } else {
      auto r = AddDuration(a.u.date_time, amount, q.unit);
      if (!r) return EvaluationError("cannot add '" + q.unit + "' to a date");
      out.push_back(Item::FromDateTime(*r, a.kind == ItemKind::kDate));
    }
    return Ok();
  }
  return EvaluationError("operator not defined for " + std::string(a.TypeName()) + " and " +
                         std::string(b.TypeName()));
}

namespace {

// Conversion functions (https://hl7.org/fhirpath/N1/#conversion). `v` is normalized; the result
// is empty when the value does not convert.
std::optional<Item> ToBooleanValue(const Item& v) {
  switch (v.kind) {
    case ItemKind::kBoolean:
      return v;
    case ItemKind::kInteger:
      if (v.u.integer == 1) return Item::Boolean(true);
      if (v.u.integer == 0) return Item::Boolean(false);
      return std::nullopt;
    case ItemKind::kDecimal:
      if (Decimal::Compare(v.u.decimal, Decimal::FromInt(1)) == 0) return Item::Boolean(true);
      if (v.u.decimal.Sign() == 0) return Item::Boolean(false);
      return std::nullopt;
    case ItemKind::kString: {
      std::string s = Lower(v.string());
      if (s == "true" || s == "t" || s == "yes" || s == "y" || s == "1" || s == "1.0") {
        return Item::Boolean(true);
      }
      if (s == "false" || s == "f" || s == "no" || s == "n" || s == "0" || s == "0.0") {
        return Item::Boolean(false);
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<Item> ToIntegerValue(const Item& v) {
  switch (v.kind) {
    case ItemKind::kInteger:
      return v;
    case ItemKind::kBoolean:
      return Item::Integer(v.u.boolean ? 1 : 0);
    case ItemKind::kString: {
      std::string_view s = v.string();
      if (!IsIntegerText(s)) return std::nullopt;
      if (s[0] == '+') s.remove_prefix(1);
      std::int64_t value = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
      if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
      return Item::Integer(value);
    }
    default:
      return std::nullopt;
  }
}

std::optional<Item> ToDecimalValue(const Item& v) {
  switch (v.kind) {
    case ItemKind::kDecimal:
      return v;
    case ItemKind::kInteger:
      return Item::FromDecimal(Decimal::FromInt(v.u.integer));
    case ItemKind::kBoolean:
      return Item::FromDecimal(v.u.boolean ? Decimal::Parse("1.0").value_or(Decimal())
                                           : Decimal::Parse("0.0").value_or(Decimal()));
    case ItemKind::kString: {
      std::string_view s = v.string();
      if (!IsDecimalText(s)) return std::nullopt;
      auto d = Decimal::Parse(s[0] == '+' ? s.substr(1) : s, /*lenient=*/true);
      if (!d) return std::nullopt;
      return Item::FromDecimal(*d);
    }
    default:
      return std::nullopt;
  }
}

std::optional<DateTime> ToDateValue(const Item& v) {
  if (v.kind == ItemKind::kDate) return v.u.date_time;
  if (v.kind == ItemKind::kDateTime) {
    DateTime d = v.u.date_time;
    if (d.precision > TemporalPrecision::kDay) d.precision = TemporalPrecision::kDay;
    d.hour = d.minute = d.second = 0;
    d.millisecond = 0;
    d.tz_offset_minutes.reset();
    return d;
  }
  if (v.kind == ItemKind::kString) {
    if (auto d = DateTime::ParseDate(v.string())) return d;
    if (auto dt = DateTime::ParseDateTime(v.string(), /*fhir_strict=*/false)) {
      return ToDateValue(Item::FromDateTime(*dt, false));
    }
  }
  return std::nullopt;
}

std::optional<DateTime> ToDateTimeValue(const Item& v) {
  if (v.kind == ItemKind::kDate || v.kind == ItemKind::kDateTime) return v.u.date_time;
  if (v.kind == ItemKind::kString) {
    if (auto dt = DateTime::ParseDateTime(v.string(), /*fhir_strict=*/false)) return dt;
    return DateTime::ParseDate(v.string());
  }
  return std::nullopt;
}

std::optional<Time> ToTimeValue(const Item& v) {
  if (v.kind == ItemKind::kTime) return v.u.time;
  if (v.kind == ItemKind::kString) {
    std::string_view s = v.string();
    if (s.starts_with('T')) s.remove_prefix(1);
    return Time::Parse(s, /*fhir_strict=*/false);
  }
  return std::nullopt;
}

std::optional<Quantity> ToQuantityValue(const Item& v) {
  switch (v.kind) {
    case ItemKind::kQuantity:
      return *v.u.quantity;
    case ItemKind::kInteger:
    case ItemKind::kDecimal:
      return Quantity{AsDecimal(v), "1"};
    case ItemKind::kBoolean:
      return Quantity{Decimal::Parse(v.u.boolean ? "1.0" : "0.0").value_or(Decimal()), "1"};
    case ItemKind::kString:
      return ParseQuantityText(v.string());
    default:
      return std::nullopt;
  }
}

// lowBoundary()/highBoundary() of a decimal: the value +/- half a unit of its last digit,
// rounded outward to `digits` decimal places (https://build.fhir.org/ig/HL7/FHIRPath/#lowboundary).
std::optional<Decimal> DecimalBoundary(const Decimal& value, int digits, bool high) {
  if (digits < 0 || digits > 28) return std::nullopt;
  int scale = value.scale();
  auto half = Decimal::Parse("0." + std::string(static_cast<std::size_t>(scale), '0') + "5");
  if (!half) return std::nullopt;
  auto bound = high ? Decimal::Add(value, *half) : Decimal::Subtract(value, *half);
  if (!bound) return std::nullopt;
  if (digits > scale) {
    // Pad to the requested number of decimal places.
    auto pad = Decimal::Parse("0." + std::string(static_cast<std::size_t>(digits), '0'));
    if (!pad) return std::nullopt;
    auto padded = Decimal::Add(*bound, *pad);
    if (!padded) return std::nullopt;
    return padded;
  }
  // Cut to `digits` places toward the outside of the interval, keeping the sign of zero.
  auto factor = Decimal::Parse("1" + std::string(static_cast<std::size_t>(digits), '0'));
  if (!factor) return std::nullopt;
  auto scaled = Decimal::Multiply(*bound, *factor);
  if (!scaled) return std::nullopt;
  Decimal cut = high ? scaled->Ceiling() : scaled->Floor();
  if ((value.Sign() >= 0) != (bound->Sign() >= 0) || digits < scale) {
    cut = scaled->Truncate();
    if (value.Sign() < 0 && !high && Decimal::Compare(cut, *scaled) != 0 && bound->Sign() < 0 &&
        Decimal::Compare(bound->Abs(), Decimal::FromInt(1)) >= 0) {
      cut = scaled->Floor();
    }
    if (value.Sign() > 0 && high && Decimal::Compare(cut, *scaled) != 0 &&
        Decimal::Compare(bound->Abs(), Decimal::FromInt(1)) >= 0) {
      cut = scaled->Ceiling();
    }
  }
  auto result = Decimal::Divide(cut, *factor);
  if (!result) return std::nullopt;
  auto pad =
      Decimal::Parse(digits == 0 ? "0" : "0." + std::string(static_cast<std::size_t>(digits), '0'));
  if (!pad) return std::nullopt;
  return Decimal::Add(*result, *pad);
}

int PrecisionDigits(TemporalPrecision p, bool time) {
  static constexpr int kDate[] = {4, 6, 8, 10, 12, 14, 17};
  static constexpr int kTime[] = {2, 2, 2, 2, 4, 6, 9};
  return time ? kTime[static_cast<int>(p)] : kDate[static_cast<int>(p)];
}

std::optional<TemporalPrecision> PrecisionOfDigits(int digits, bool time) {
  for (int p = 0; p <= static_cast<int>(TemporalPrecision::kMillisecond); ++p) {
    auto tp = static_cast<TemporalPrecision>(p);
    if (time && tp < TemporalPrecision::kHour) continue;
    if (PrecisionDigits(tp, time) == digits) return tp;
  }
  return std::nullopt;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[(month - 1) % 12];
}

// lowBoundary()/highBoundary() of a date/time: fills the missing fields with their least or
// greatest value (and the zone with +14:00 / -12:00 when absent).
DateTime DateTimeBoundary(DateTime v, TemporalPrecision to, bool high, bool is_date) {
  if (v.precision < TemporalPrecision::kMonth) v.month = high ? 12 : 1;
  if (v.precision < TemporalPrecision::kDay)
    v.day = high ? static_cast<std::uint8_t>(DaysInMonth(v.year, v.month)) : 1;
  if (v.precision < TemporalPrecision::kHour) v.hour = high ? 23 : 0;
  if (v.precision < TemporalPrecision::kMinute) v.minute = high ? 59 : 0;
  if (v.precision < TemporalPrecision::kSecond) v.second = high ? 59 : 0;
  if (v.precision < TemporalPrecision::kMillisecond) v.millisecond = high ? 999 : 0;
  if (!is_date && to > TemporalPrecision::kDay && !v.tz_offset_minutes) {
    v.tz_offset_minutes = static_cast<std::int16_t>(high ? -12 * 60 : 14 * 60);
  }
  v.precision = to;
  if (to < TemporalPrecision::kMonth) v.month = 0;
  if (to < TemporalPrecision::kDay) v.day = 0;
  if (to < TemporalPrecision::kHour) {
    v.hour = 0;
    v.tz_offset_minutes.reset();
  }
  if (to < TemporalPrecision::kMinute) v.minute = 0;
  if (to < TemporalPrecision::kSecond) v.second = 0;
  if (to < TemporalPrecision::kMillisecond) v.millisecond = 0;
  return v;
}

std::string EscapeHtml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string UnescapeHtml(std::string_view s) {
  std::string out;
  static constexpr std::pair<std::string_view, char> kEntities[] = {
      {"&lt;", '<'},   {"&gt;", '>'},   {"&amp;", '&'},
      {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
  for (std::size_t i = 0; i < s.size();) {
    bool done = false;
    for (auto [entity, c] : kEntities) {
      if (s.substr(i).starts_with(entity)) {
        out += c;
        i += entity.size();
        done = true;
        break;
      }
    }
    if (!done) out += s[i++];
  }
  return out;
}

std::string EscapeJson(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string UnescapeJson(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char e = s[++i];
      out += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
    } else {
      out += s[i];
    }
  }
  return out;
}

const RequiredBinding* FindBinding(std::string_view url) {
  if (std::size_t bar = url.find('|'); bar != std::string_view::npos) url = url.substr(0, bar);
  const ModelTables& tables = R4();
  for (std::size_t i = 0; i < tables.binding_count; ++i) {
    std::string_view u = tables.bindings[i].url();
    if (std::size_t bar = u.find('|'); bar != std::string_view::npos) u = u.substr(0, bar);
    if (u == url) return &tables.bindings[i];
  }
  return nullptr;
}

}  // namespace

Status Evaluator::EvalFunctionOn(const Node& node, const Scope& scope, std::span<const Item> input,
                                 Items& out) {
  const std::int16_t offset = LocalOffset();
  CHARTROOM_RETURN_IF_ERROR(Spend(input.size()));
  // Evaluates argument `i` in the caller's scope.
  auto arg = [&](std::size_t i, Items& values) { return Eval(node.arg(i), scope, values); };
  // Evaluates argument `i` with $this bound to one input item.
  auto arg_for = [&](std::size_t i, const Item& item, std::int64_t index, Items& values) {
    Scope s;
    s.this_items = std::span<const Item>(&item, 1);
    s.index = index;
    s.total = scope.total;
    s.has_total = scope.has_total;
    return Eval(node.arg(i), s, values);
  };
  // A single argument converted to a System value; nullopt-like empty when absent.
  auto single_arg = [&](std::size_t i, Item* value, Quantity& scratch) -> Result<bool> {
    Items values;
    CHARTROOM_RETURN_IF_ERROR(arg(i, values));
    CHARTROOM_ASSIGN_OR_RETURN(const Item* one, Single(values.span(), node.name));
    if (one == nullptr) return false;
    *value = Normalize(*one, scratch);
    return true;
  };
  auto string_arg = [&](std::size_t i, std::string_view* s) -> Result<bool> {
    Quantity scratch;
    Item v;
    CHARTROOM_ASSIGN_OR_RETURN(bool present, single_arg(i, &v, scratch));
    if (!present) return false;
    if (v.kind != ItemKind::kString) return EvaluationError(node.name + "() expects a string");
    *s = v.string();
    return true;
  };
  auto integer_arg = [&](std::size_t i, std::int64_t* n) -> Result<bool> {
    Quantity scratch;
    Item v;
    CHARTROOM_ASSIGN_OR_RETURN(bool present, single_arg(i, &v, scratch));
    if (!present) return false;
    if (v.kind != ItemKind::kInteger) return EvaluationError(node.name + "() expects an integer");
    *n = v.u.integer;
    return true;
  };
  // The single input item, normalized; nullptr for an empty input.
  Quantity input_scratch;
  Item input_value;
  auto single_input = [&]() -> Result<const Item*> {
    CHARTROOM_ASSIGN_OR_RETURN(const Item* one, Single(input, node.name));
    if (one == nullptr) return nullptr;
    input_value = Normalize(*one, input_scratch);
    return &input_value;
  };
  auto string_input = [&](std::string_view* s) -> Result<bool> {
    CHARTROOM_ASSIGN_OR_RETURN(const Item* one, single_input());
    if (one == nullptr) return false;
    if (one->kind != ItemKind::kString) return EvaluationError(node.name + "() expects a string");
    *s = one->string();
    return true;
  };
  auto push_bool = [&](bool b) {
    out.push_back(Item::Boolean(b));
    return Ok();
  };
  auto push_string = [&](std::string s) {
    out.push_back(Item::String(Store(std::move(s))));
    return Ok();
  };

  switch (node.fn) {
    // --- existence (https://hl7.org/fhirpath/N1/#existence)
    case Fn::kEmpty:
      return push_bool(input.empty());
    case Fn::kExists:
      if (node.arg_count() == 0) return push_bool(!input.empty());
      for (std::size_t i = 0; i < input.size(); ++i) {
        Items r;
        CHARTROOM_RETURN_IF_ERROR(arg_for(0, input[i], static_cast<std::int64_t>(i), r));
        CHARTROOM_ASSIGN_OR_RETURN(std::optional<bool> b, AsBoolean(r.span()));
        if (b == true) return push_bool(true);
      }
      return push_bool(false);
    case Fn::kAll:
      for (std::size_t i = 0; i < input.size(); ++i) {
        Items r;
        CHARTROOM_RETURN_IF_ERROR(arg_for(0, input[i], static_cast<std::int64_t>(i), r));
        CHARTROOM_ASSIGN_OR_RETURN(std::optional<bool> b, AsBoolean(r.span()));
        if (b != true) return push_bool(false);
      }
      return push_bool(true);
    case Fn::kAllTrue:
    case Fn::kAnyTrue:
    case Fn::kAllFalse:
    case Fn::kAnyFalse: {
      bool want = node.fn == Fn::kAllTrue || node.fn == Fn::kAnyTrue;
      bool all = node.fn == Fn::kAllTrue || node.fn == Fn::kAllFalse;
      bool result = all;
      for (const Item& item : input) {
        Quantity scratch;
        Item v = Normalize(item, scratch);
        if (v.kind != ItemKind::kBoolean) return EvaluationError(node.name + "() expects booleans");
        if (all && v.u.boolean != want) result = false;
        if (!all && v.u.boolean == want) result = true;
      }
      return push_bool(result);
    }
    case Fn::kSubsetOf:
    case Fn::kSupersetOf: {
      Items other;
      CHARTROOM_RETURN_IF_ERROR(arg(0, other));
      CHARTROOM_RETURN_IF_ERROR(Spend(input.size() * other.size()));
      std::span<const Item> sub = node.fn == Fn::kSubsetOf ? input : other.span();
      std::span<const Item> super = node.fn == Fn::kSubsetOf ? other.span() : input;
      for (const Item& i : sub) {
        if (!ContainsItem(super, i, offset)) return push_bool(false);
      }
      return push_bool(true);
    }
    case Fn::kCount:
      out.push_back(Item::Integer(static_cast<std::int64_t>(input.size())));
      return Ok();
    case Fn::kDistinct:
    case Fn::kIsDistinct: {
      CHARTROOM_RETURN_IF_ERROR(Spend(input.size() * input.size()));
      Items result;
      for (const Item& i : input) {
        if (!ContainsItem(result.span(), i, offset)) result.push_back(i);
      }
      if (node.fn == Fn::kIsDistinct) return push_bool(result.size() == input.size());
      out.append(result.span());
      return Ok();
    }
    // --- filtering and projection
    case Fn::kWhere:
      for (std::size_t i = 0; i < input.size(); ++i) {
        Items r;
        CHARTROOM_RETURN_IF_ERROR(arg_for(0, input[i], static_cast<std::int64_t>(i), r));
        CHARTROOM_ASSIGN_OR_RETURN(std::optional<bool> b, AsBoolean(r.span()));
        if (b == true) out.push_back(input[i]);
      }
      return Ok();
    case Fn::kSelect:
      for (std::size_t i = 0; i < input.size(); ++i) {
        CHARTROOM_RETURN_IF_ERROR(arg_for(0, input[i], static_cast<std::int64_t>(i), out));
      }
      return Ok();
    case Fn::kRepeat: {
      Items result;
      Items current;
      current.append(input);
      while (!current.empty()) {
        Items next;
        for (std::size_t i = 0; i < current.size(); ++i) {
          Items r;
          CHARTROOM_RETURN_IF_ERROR(arg_for(0, current[i], static_cast<std::int64_t>(i), r));
          CHARTROOM_RETURN_IF_ERROR(Spend(r.size() * (result.size() + 1)));
          for (const Item& item : r) {
            if (!ContainsItem(result.span(), item, offset)) {
              result.push_back(item);
              next.push_back(item);
            }
          }
        }
        current = std::move(next);
      }
      out.append(result.span());
      return Ok();
    }
    case Fn::kOfType:
      for (const Item& item : input) {
        if (TypeMatches(item, node.type, /*exact_primitive=*/true)) out.push_back(item);
      }
      return Ok();
    case Fn::kIs:
    case Fn::kAs: {
      CHARTROOM_ASSIGN_OR_RETURN(const Item* one, Single(input, node.name));
      if (one == nullptr) return Ok();
      bool match = TypeMatches(*one, node.type, /*exact_primitive=*/node.fn == Fn::kAs);
      if (node.fn == Fn::kIs) return push_bool(match);
      if (match) out.push_back(*one);
      return Ok();
    }
    // --- subsetting
    case Fn::kSingle:
      if (input.size() > 1) return EvaluationError("single() on a collection of several items");
      out.append(input);
      return Ok();
    case Fn::kFirst:
      if (!input.empty()) out.push_back(input.front());
      return Ok();
    case Fn::kLast:
      if (!input.empty()) out.push_back(input.back());
      return Ok();
    case Fn::kTail:
      if (input.size() > 1) out.append(input.subspan(1));
      return Ok();
    case Fn::kSkip:
    case Fn::kTake: {
      std::int64_t n = 0;
      CHARTROOM_ASSIGN_OR_RETURN(bool present, integer_arg(0, &n));
      if (!present) return Ok();
      std::size_t count =
          n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), input.size());
      if (node.fn == Fn::kSkip) {
        out.append(input.subspan(count));
      } else {
        out.append(input.subspan(0, count));
      }
      return Ok();
    }
    case Fn::kIntersect:
    case Fn::kExclude: {
      Items other;
      CHARTROOM_RETURN_IF_ERROR(arg(0, other));
      CHARTROOM_RETURN_IF_ERROR(Spend((input.size() + 1) * (other.size() + 1)));
      Items result;
      for (const Item& i : input) {
        bool in_other = ContainsItem(other.span(), i, offset);
        if (node.fn == Fn::kExclude) {
          if (!in_other) result.push_back(i);
        } else if (in_other && !ContainsItem(result.span(), i, offset)) {
          result.push_back(i);
        }
      }
      out.append(result.span());
      return Ok();
    }
    // --- combining
    case Fn::kUnion:
    case Fn::kCombine: {
      Items other;
      CHARTROOM_RETURN_IF_ERROR(arg(0, other));
      if (node.fn == Fn::kCombine) {
        out.append(input);
        out.append(other.span());
        return Ok();
      }
      CHARTROOM_RETURN_IF_ERROR(Spend((input.size() + 1) * (other.size() + 1)));
      Items result;
      for (std::span<const Item> side : {input, other.span()}) {
        for (const Item& i : side) {
          if (!ContainsItem(result.span(), i, offset)) result.push_back(i);
        }
      }
      out.append(result.span());
      return Ok();
    }
    // --- conversion
    case Fn::kIif: {
      if (input.size() > 1) return EvaluationError("iif() on a collection of several items");
      Scope s = scope;
      if (!node.implicit_input) {
        s.this_items = input;
        s.index = -1;
      }
      Items criterion;
      CHARTROOM_RETURN_IF_ERROR(Eval(node.arg(0), s, criterion));
      CHARTROOM_ASSIGN_OR_RETURN(std::optional<bool> b, AsBoolean(criterion.span()));
      if (b == true) return Eval(node.arg(1), s, out);
      if (node.arg_count() > 2) return Eval(node.arg(2), s, out);
      return Ok();
    }
    case Fn::kToBoolean:
    case Fn::kConvertsToBoolean:
    case Fn::kToInteger:
    case Fn::kConvertsToInteger:
    case Fn::kToDecimal:
    case Fn::kConvertsToDecimal:
    case Fn::kToDate:
    case Fn::kConvertsToDate:
    case Fn::kToDateTime:
    case Fn::kConvertsToDateTime:
    case Fn::kToTime:
    case Fn::kConvertsToTime:
    case Fn::kToString:
    case Fn::kConvertsToString:
    case Fn::kToQuantity:
    case Fn::kConvertsToQuantity: {
      CHARTROOM_ASSIGN_OR_RETURN(const Item* v, single_input());
      if (v == nullptr) return Ok();
      std::optional<Item> r;
      switch (node.fn) {
        case Fn::kToBoolean:
        case Fn::kConvertsToBoolean:
          r = ToBooleanValue(*v);
          break;
        case Fn::kToInteger:
        case Fn::kConvertsToInteger:
          r = ToIntegerValue(*v);
          break;
        case Fn::kToDecimal:
        case Fn::kConvertsToDecimal:
          r = ToDecimalValue(*v);
          break;
        case Fn::kToDate:
        case Fn::kConvertsToDate:
          if (auto d = ToDateValue(*v)) r = Item::FromDateTime(*d, true);
          break;
        case Fn::kToDateTime:
        case Fn::kConvertsToDateTime:
          if (auto d = ToDateTimeValue(*v)) r = Item::FromDateTime(*d, false);
          break;
        case Fn::kToTime:
        case Fn::kConvertsToTime:
          if (auto t = ToTimeValue(*v)) r = Item::FromTime(*t);
          break;
        case Fn::kToString:
        case Fn::kConvertsToString:
          if (v->kind == ItemKind::kString) {
            r = *v;
          } else if (auto s = ItemToString(*v)) {
            r = Item::String(node.fn == Fn::kToString ? Store(std::move(*s)) : std::string_view());
          }
          break;
        default: {  // quantities
          auto q = ToQuantityValue(*v);
          if (q && node.arg_count() > 0) {
            std::string_view unit;
            CHARTROOM_ASSIGN_OR_RETURN(bool present, string_arg(0, &unit));
            if (!present) return Ok();
            q = ConvertTo(*q, unit);
          }
          if (q)
            r = Item::FromQuantity(node.fn == Fn::kToQuantity ? Store(std::move(*q)) : nullptr);
          break;
        }
      }
      bool converts = node.fn == Fn::kConvertsToBoolean || node.fn == Fn::kConvertsToInteger ||
                      node.fn == Fn::kConvertsToDecimal || node.fn == Fn::kConvertsToDate ||
                      node.fn == Fn::kConvertsToDateTime || node.fn == Fn::kConvertsToTime ||
                      node.fn == Fn::kConvertsToString || node.fn == Fn::kConvertsToQuantity;
      if (converts) return push_bool(r.has_value());
      if (r) out.push_back(*r);
      return Ok();
    }
    // --- strings (https://hl7.org/fhirpath/N1/#string-manipulation)
    case Fn::kIndexOf:
    case Fn::kLastIndexOf:
    case Fn::kStartsWith:
    case Fn::kEndsWith:
    case Fn::kContains: {
      std::string_view s, sub;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_s, string_input(&s));
      CHARTROOM_ASSIGN_OR_RETURN(bool has_sub, string_arg(0, &sub));
      if (!has_s || !has_sub) return Ok();
      switch (node.fn) {
        case Fn::kIndexOf: {
          std::size_t p = s.find(sub);
          out.push_back(
              Item::Integer(p == std::string_view::npos ? -1 : static_cast<std::int64_t>(p)));
          return Ok();
        }
        case Fn::kLastIndexOf: {
          std::size_t p = s.rfind(sub);
          out.push_back(
              Item::Integer(p == std::string_view::npos ? -1 : static_cast<std::int64_t>(p)));
          return Ok();
        }
        case Fn::kStartsWith:
          return push_bool(s.starts_with(sub));
        case Fn::kEndsWith:
          return push_bool(s.ends_with(sub));
        default:
          return push_bool(s.find(sub) != std::string_view::npos);
      }
    }
    case Fn::kSubstring: {
      std::string_view s;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_s, string_input(&s));
      std::int64_t start = 0;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_start, integer_arg(0, &start));
      if (!has_s || !has_start) return Ok();
      if (start < 0 || static_cast<std::size_t>(start) >= s.size()) return Ok();
      std::size_t length = std::string_view::npos;
      if (node.arg_count() > 1) {
        std::int64_t n = 0;
        CHARTROOM_ASSIGN_OR_RETURN(bool has_n, integer_arg(1, &n));
        if (has_n) length = n < 0 ? 0 : static_cast<std::size_t>(n);
      }
      out.push_back(Item::String(s.substr(static_cast<std::size_t>(start), length)));
      return Ok();
    }
    case Fn::kUpper:
    case Fn::kLower:
    case Fn::kTrim:
    case Fn::kLength:
    case Fn::kToChars: {
      std::string_view s;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_s, string_input(&s));
      if (!has_s) return Ok();
      switch (node.fn) {
        case Fn::kUpper: {
          std::string u(s);
          for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          return push_string(std::move(u));
        }
        case Fn::kLower:
          return push_string(Lower(s));
        case Fn::kTrim:
          out.push_back(Item::String(Trim(s)));
          return Ok();
        case Fn::kLength:
          out.push_back(Item::Integer(static_cast<std::int64_t>(Utf8Length(s))));
          return Ok();
        default:
          CHARTROOM_RETURN_IF_ERROR(Spend(s.size()));
          for (std::size_t i = 0; i < s.size();) {
            std::size_t n = 1;
            while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
            out.push_back(Item::String(s.substr(i, n)));
            i += n;
          }
          return Ok();
      }
    }
    case Fn::kReplace: {
      std::string_view s, pattern, substitution;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_s, string_input(&s));
      CHARTROOM_ASSIGN_OR_RETURN(bool has_p, string_arg(0, &pattern));
      CHARTROOM_ASSIGN_OR_RETURN(bool has_r, string_arg(1, &substitution));
      if (!has_s || !has_p || !has_r) return Ok();
      CHARTROOM_RETURN_IF_ERROR(Spend(s.size() * (substitution.size() + 1)));
      std::string result;
      if (pattern.empty()) {
        result += substitution;
        for (char c : s) {
          result += c;
          result += substitution;
        }
      } else {
        std::size_t pos = 0;
        while (true) {
          std::size_t hit = s.find(pattern, pos);
          if (hit == std::string_view::npos) break;
          result += s.substr(pos, hit - pos);
          result += substitution;
          pos = hit + pattern.size();
        }
        result += s.substr(pos);
      }
      return push_string(std::move(result));
    }
    case Fn::kMatches:
    case Fn::kMatchesFull:
    case Fn::kReplaceMatches: {
      std::string_view s, pattern, substitution;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_s, string_input(&s));
      CHARTROOM_ASSIGN_OR_RETURN(bool has_p, string_arg(0, &pattern));
      bool has_r = true;
      if (node.fn == Fn::kReplaceMatches) {
        CHARTROOM_ASSIGN_OR_RETURN(has_r, string_arg(1, &substitution));
      }
      if (!has_s || !has_p || !has_r) return Ok();
      if (s.size() > kMaxRegexSubject) return EvaluationError("string too long for a regex");
      std::shared_ptr<const Regex> regex = node.regex;
      if (!regex) {
        auto compiled = CompileRegex(pattern);
        if (!compiled) return EvaluationError(compiled.error().message());
        regex = std::move(*compiled);
      }
      CHARTROOM_RETURN_IF_ERROR(Spend(regex->Cost(s.size())));
      if (node.fn == Fn::kReplaceMatches) {
        if (pattern.empty()) {
          out.push_back(Item::String(s));
          return Ok();
        }
        return push_string(regex->ReplaceAll(s, substitution));
      }
      return push_bool(node.fn == Fn::kMatchesFull ? regex->FullMatch(s) : regex->Search(s));
    }
    case Fn::kSplit: {
      std::string_view s, sep;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_s, string_input(&s));
      CHARTROOM_ASSIGN_OR_RETURN(bool has_sep, string_arg(0, &sep));
      if (!has_s || !has_sep) return Ok();
      CHARTROOM_RETURN_IF_ERROR(Spend(s.size()));
      if (sep.empty()) {
        for (std::size_t i = 0; i < s.size(); ++i) out.push_back(Item::String(s.substr(i, 1)));
        return Ok();
      }
      std::size_t pos = 0;
      while (true) {
        std::size_t hit = s.find(sep, pos);
        out.push_back(Item::String(s.substr(pos, hit == std::string_view::npos ? hit : hit - pos)));
        if (hit == std::string_view::npos) break;
        pos = hit + sep.size();
      }
      return Ok();
    }
    case Fn::kJoin: {
      std::string_view sep;
      if (node.arg_count() > 0) {
        CHARTROOM_ASSIGN_OR_RETURN(bool has_sep, string_arg(0, &sep));
        (void)has_sep;
      }
      std::string result;
      for (std::size_t i = 0; i < input.size(); ++i) {
        Quantity scratch;
        Item v = Normalize(input[i], scratch);
        if (v.kind != ItemKind::kString) return EvaluationError("join() expects strings");
        if (i > 0) result += sep;
        result += v.string();
      }
      return push_string(std::move(result));
    }
    case Fn::kEncode:
    case Fn::kDecode:
    case Fn::kEscape:
    case Fn::kUnescape: {
      std::string_view s, format;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_s, string_input(&s));
      CHARTROOM_ASSIGN_OR_RETURN(bool has_f, string_arg(0, &format));
      if (!has_s || !has_f) return Ok();
      if (node.fn == Fn::kEncode) {
        if (format == "base64" || format == "urlbase64") {
          return push_string(Base64Encode(s, format == "urlbase64"));
        }
        if (format == "hex") {
          static constexpr char kHex[] = "0123456789abcdef";
          std::string hex;
          for (char ch : s) {
            auto c = static_cast<unsigned char>(ch);
            hex += kHex[c >> 4];
            hex += kHex[c & 0xF];
          }
          return push_string(std::move(hex));
        }
        return Ok();
      }
      if (node.fn == Fn::kDecode) {
        if (format == "base64" || format == "urlbase64") {
          auto decoded = Base64Decode(s, format == "urlbase64");
          if (decoded) return push_string(std::move(*decoded));
          return Ok();
        }
        if (format == "hex") {
          if (s.size() % 2 != 0) return Ok();
          std::string bytes;
          for (std::size_t i = 0; i < s.size(); i += 2) {
            unsigned value = 0;
            auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + i + 2, value, 16);
            if (ec != std::errc() || ptr != s.data() + i + 2) return Ok();
            bytes += static_cast<char>(value);
          }
          return push_string(std::move(bytes));
        }
        return Ok();
      }
      if (format == "html") {
        return push_string(node.fn == Fn::kEscape ? EscapeHtml(s) : UnescapeHtml(s));
      }
      if (format == "json") {
        return push_string(node.fn == Fn::kEscape ? EscapeJson(s) : UnescapeJson(s));
      }
      return Ok();
    }
    // --- math (https://hl7.org/fhirpath/N1/#math-1)
    case Fn::kAbs:
    case Fn::kCeiling:
    case Fn::kFloor:
    case Fn::kTruncate:
    case Fn::kExp:
    case Fn::kLn:
    case Fn::kSqrt:
    case Fn::kRound:
    case Fn::kLog:
    case Fn::kPower: {
      CHARTROOM_ASSIGN_OR_RETURN(const Item* v, single_input());
      if (v == nullptr) return Ok();
      if (node.fn == Fn::kAbs && v->kind == ItemKind::kQuantity) {
        Quantity q = *v->u.quantity;
        q.value = q.value.Abs();
        out.push_back(Item::FromQuantity(Store(std::move(q))));
        return Ok();
      }
      if (v->kind != ItemKind::kInteger && v->kind != ItemKind::kDecimal) {
        return EvaluationError(node.name + "() expects a number");
      }
      bool integer = v->kind == ItemKind::kInteger;
      Decimal d = AsDecimal(*v);
      auto push_int = [&](const Decimal& x) {
        if (auto i = x.ToInt64()) out.push_back(Item::Integer(*i));
        return Ok();
      };
      switch (node.fn) {
        case Fn::kAbs:
          if (integer) {
            if (v->u.integer != INT64_MIN) out.push_back(Item::Integer(std::abs(v->u.integer)));
            return Ok();
          }
          out.push_back(Item::FromDecimal(d.Abs()));
          return Ok();
        case Fn::kCeiling:
          return push_int(d.Ceiling());
        case Fn::kFloor:
          return push_int(d.Floor());
        case Fn::kTruncate:
          return push_int(d.Truncate());
        case Fn::kRound: {
          std::int64_t digits = 0;
          if (node.arg_count() > 0) {
            CHARTROOM_ASSIGN_OR_RETURN(bool present, integer_arg(0, &digits));
            if (!present) return Ok();
          }
          if (digits < 0 || digits > 28) return EvaluationError("round() precision out of range");
          if (auto r = d.Round(static_cast<int>(digits))) out.push_back(Item::FromDecimal(*r));
          return Ok();
        }
        case Fn::kLog:
        case Fn::kPower: {
          Quantity scratch;
          Item a;
          CHARTROOM_ASSIGN_OR_RETURN(bool present, single_arg(0, &a, scratch));
          if (!present) return Ok();
          if (a.kind != ItemKind::kInteger && a.kind != ItemKind::kDecimal) {
            return EvaluationError(node.name + "() expects a number");
          }
          double x = d.ToDouble(), y = AsDecimal(a).ToDouble();
          if (node.fn == Fn::kLog) {
            if (auto r = DoubleResult(std::log(x) / std::log(y)))
              out.push_back(Item::FromDecimal(*r));
            return Ok();
          }
          double p = std::pow(x, y);
          if (integer && a.kind == ItemKind::kInteger && a.u.integer >= 0 && std::abs(p) < 9e15) {
            out.push_back(Item::Integer(static_cast<std::int64_t>(p)));
            return Ok();
          }
          if (auto r = DoubleResult(p)) out.push_back(Item::FromDecimal(*r));
          return Ok();
        }
        default: {
          double x = d.ToDouble();
          double r = node.fn == Fn::kExp  ? std::exp(x)
                     : node.fn == Fn::kLn ? std::log(x)
                                          : std::sqrt(x);
          if (auto dr = DoubleResult(r)) out.push_back(Item::FromDecimal(*dr));
          return Ok();
        }
      }
    }
    // --- tree navigation
    case Fn::kChildren:
      for (const Item& item : input) Children(item, out);
      return Ok();
    case Fn::kDescendants: {
      Items current;
      current.append(input);
      while (!current.empty()) {
        Items next;
        for (const Item& item : current) Children(item, next);
        CHARTROOM_RETURN_IF_ERROR(Spend(next.size()));
        out.append(next.span());
        current = std::move(next);
      }
      return Ok();
    }
    // --- utility
    case Fn::kTrace: {
      std::string_view name;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_name, string_arg(0, &name));
      if (input_.trace != nullptr) {
        Collection traced;
        Items values;
        if (node.arg_count() > 1) {
          for (std::size_t i = 0; i < input.size(); ++i) {
            CHARTROOM_RETURN_IF_ERROR(arg_for(1, input[i], static_cast<std::int64_t>(i), values));
          }
        } else {
          values.append(input);
        }
        traced.items_.append(values.span());
        traced.arena_ = arena_;
        input_.trace->Trace(has_name ? name : std::string_view(), traced);
      }
      out.append(input);
      return Ok();
    }
    case Fn::kNow:
      out.push_back(Item::FromDateTime(input_.now, false));
      return Ok();
    case Fn::kToday: {
      out.push_back(Item::FromDateTime(*ToDateValue(Item::FromDateTime(input_.now, false)), true));
      return Ok();
    }
    case Fn::kTimeOfDay: {
      Time t;
      t.hour = input_.now.hour;
      t.minute = input_.now.minute;
      t.second = input_.now.second;
      t.millisecond = input_.now.millisecond;
      t.precision = std::max(input_.now.precision, TemporalPrecision::kHour);
      out.push_back(Item::FromTime(t));
      return Ok();
    }
    case Fn::kDefineVariable:
      return EvaluationError("defineVariable() is not supported");
    case Fn::kSort: {
      struct Keyed {
        Item item;
        std::vector<Item> keys;  // one per criterion; kind kNode with null json = empty
      };
      std::vector<Keyed> rows;
      std::vector<Quantity> scratch_quantities;
      for (std::size_t i = 0; i < input.size(); ++i) {
        Keyed row{input[i], {}};
        for (std::size_t c = 0; c < std::max<std::size_t>(node.arg_count(), 1); ++c) {
          Items key;
          if (node.arg_count() == 0) {
            key.push_back(input[i]);
          } else {
            const Node& criterion = node.arg(c);
            const Node& expr = criterion.kind == NodeKind::kUnary && criterion.op == Op::kMinus
                                   ? *criterion.children[0]
                                   : criterion;
            Scope s;
            s.this_items = std::span<const Item>(&input[i], 1);
            s.index = static_cast<std::int64_t>(i);
            CHARTROOM_RETURN_IF_ERROR(Eval(expr, s, key));
          }
          if (key.size() > 1) return EvaluationError("sort() key must be a single item");
          Quantity scratch;
          Item k = key.empty() ? Item::Node(nullptr, kNoType) : Normalize(key[0], scratch);
          if (k.kind == ItemKind::kQuantity) k = Item::FromQuantity(Store(*k.u.quantity));
          row.keys.push_back(k);
        }
        rows.push_back(std::move(row));
      }
      CHARTROOM_RETURN_IF_ERROR(Spend(rows.size() * rows.size()));
      std::optional<Error> failure;
      std::stable_sort(rows.begin(), rows.end(), [&](const Keyed& a, const Keyed& b) {
        for (std::size_t c = 0; c < a.keys.size(); ++c) {
          bool descending = node.arg_count() > 0 && node.arg(c).kind == NodeKind::kUnary &&
                            node.arg(c).op == Op::kMinus;
          const Item& x = a.keys[c];
          const Item& y = b.keys[c];
          bool x_empty = x.kind == ItemKind::kNode && x.u.json == nullptr;
          bool y_empty = y.kind == ItemKind::kNode && y.u.json == nullptr;
          if (x_empty || y_empty) {
            if (x_empty == y_empty) continue;
            return x_empty == descending;  // empty keys sort last (first when descending)
          }
          auto cmp = CompareItems(x, y, offset);
          if (!cmp) {
            if (!failure) failure = cmp.error();
            return false;
          }
          if (!*cmp || **cmp == 0) continue;
          return descending ? **cmp > 0 : **cmp < 0;
        }
        return false;
      });
      if (failure) return tl::unexpected(*failure);
      for (const Keyed& row : rows) out.push_back(row.item);
      return Ok();
    }
    case Fn::kLowBoundary:
    case Fn::kHighBoundary: {
      CHARTROOM_ASSIGN_OR_RETURN(const Item* v, single_input());
      if (v == nullptr) return Ok();
      bool high = node.fn == Fn::kHighBoundary;
      std::int64_t digits = -1;
      if (node.arg_count() > 0) {
        CHARTROOM_ASSIGN_OR_RETURN(bool present, integer_arg(0, &digits));
        if (!present) return Ok();
      }
      switch (v->kind) {
        case ItemKind::kInteger:
        case ItemKind::kDecimal: {
          auto b = DecimalBoundary(
              AsDecimal(*v), digits < 0 && node.arg_count() == 0 ? 8 : static_cast<int>(digits),
              high);
          if (b) out.push_back(Item::FromDecimal(*b));
          return Ok();
        }
        case ItemKind::kQuantity: {
          auto b = DecimalBoundary(
              v->u.quantity->value,
              digits < 0 && node.arg_count() == 0 ? 8 : static_cast<int>(digits), high);
          if (b) out.push_back(Item::FromQuantity(Store(Quantity{*b, v->u.quantity->unit})));
          return Ok();
        }
        case ItemKind::kDate:
        case ItemKind::kDateTime: {
          bool is_date = v->kind == ItemKind::kDate;
          auto to = digits < 0
                        ? std::optional<TemporalPrecision>(
                              is_date ? TemporalPrecision::kDay : TemporalPrecision::kMillisecond)
                        : PrecisionOfDigits(static_cast<int>(digits), false);
          if (!to || (is_date && *to > TemporalPrecision::kDay)) return Ok();
          out.push_back(Item::FromDateTime(DateTimeBoundary(v->u.date_time, *to, high, is_date),
                                           is_date || *to <= TemporalPrecision::kDay));
          return Ok();
        }
        case ItemKind::kTime: {
          auto to = digits < 0 ? std::optional<TemporalPrecision>(TemporalPrecision::kMillisecond)
                               : PrecisionOfDigits(static_cast<int>(digits), true);
          if (!to) return Ok();
          Time t = v->u.time;
          if (t.precision < TemporalPrecision::kMinute) t.minute = high ? 59 : 0;
          if (t.precision < TemporalPrecision::kSecond) t.second = high ? 59 : 0;
          if (t.precision < TemporalPrecision::kMillisecond) t.millisecond = high ? 999 : 0;
          t.precision = *to;
          out.push_back(Item::FromTime(t));
          return Ok();
        }
        default:
          return Ok();
      }
    }
    case Fn::kPrecision: {
      CHARTROOM_ASSIGN_OR_RETURN(const Item* v, single_input());
      if (v == nullptr) return Ok();
      switch (v->kind) {
        case ItemKind::kDecimal:
          out.push_back(Item::Integer(v->u.decimal.scale()));
          return Ok();
        case ItemKind::kInteger:
          out.push_back(Item::Integer(0));
          return Ok();
        case ItemKind::kDate:
        case ItemKind::kDateTime:
          out.push_back(Item::Integer(PrecisionDigits(v->u.date_time.precision, false)));
          return Ok();
        case ItemKind::kTime:
          out.push_back(Item::Integer(PrecisionDigits(v->u.time.precision, true)));
          return Ok();
        default:
          return Ok();
      }
    }
    case Fn::kComparable: {
      CHARTROOM_ASSIGN_OR_RETURN(const Item* v, single_input());
      Quantity scratch;
      Item other;
      CHARTROOM_ASSIGN_OR_RETURN(bool present, single_arg(0, &other, scratch));
      if (v == nullptr || !present) return Ok();
      if (v->kind != ItemKind::kQuantity || other.kind != ItemKind::kQuantity) {
        return EvaluationError("comparable() expects quantities");
      }
      return push_bool(ConvertTo(*v->u.quantity, other.u.quantity->unit).has_value());
    }
    // --- aggregates
    case Fn::kAggregate: {
      Items total;
      if (node.arg_count() > 1) CHARTROOM_RETURN_IF_ERROR(arg(1, total));
      for (std::size_t i = 0; i < input.size(); ++i) {
        Scope s;
        s.this_items = std::span<const Item>(&input[i], 1);
        s.index = static_cast<std::int64_t>(i);
        s.total = total.span();
        s.has_total = true;
        Items next;
        CHARTROOM_RETURN_IF_ERROR(Eval(node.arg(0), s, next));
        total = std::move(next);
      }
      out.append(total.span());
      return Ok();
    }
    // --- types
    case Fn::kType:
      for (const Item& item : input) {
        Item t;
        t.kind = ItemKind::kTypeInfo;
        if (item.is_node() && item.type != kNoType) {
          t.type = item.type;
          t.u.str = {nullptr, 0};
        } else {
          Quantity scratch;
          Item v = Normalize(item, scratch);
          std::string_view name;
          switch (v.kind) {
            case ItemKind::kBoolean:
              name = "Boolean";
              break;
            case ItemKind::kInteger:
              name = "Integer";
              break;
            case ItemKind::kDecimal:
              name = "Decimal";
              break;
            case ItemKind::kString:
              name = "String";
              break;
            case ItemKind::kDate:
              name = "Date";
              break;
            case ItemKind::kDateTime:
              name = "DateTime";
              break;
            case ItemKind::kTime:
              name = "Time";
              break;
            case ItemKind::kQuantity:
              name = "Quantity";
              break;
            default:
              continue;
          }
          t.type = kNoType;
          t.u.str = {name.data(), name.size()};
        }
        out.push_back(t);
      }
      return Ok();
    case Fn::kNot: {
      CHARTROOM_ASSIGN_OR_RETURN(std::optional<bool> b, AsBoolean(input));
      if (b) out.push_back(Item::Boolean(!*b));
      return Ok();
    }
    // --- FHIR additions (https://hl7.org/fhir/R4/fhirpath.html#functions)
    case Fn::kExtension: {
      std::string_view url;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_url, string_arg(0, &url));
      if (!has_url) return Ok();
      for (const Item& item : input) {
        if (!item.is_node()) continue;
        const json::object* holder = nullptr;
        if (item.ext != nullptr) {
          holder = item.ext;
        } else if (item.u.json != nullptr && item.u.json->is_object()) {
          holder = &item.u.json->get_object();
        }
        if (holder == nullptr) continue;
        const json::value* exts = holder->if_contains("extension");
        if (exts == nullptr || !exts->is_array()) continue;
        for (const json::value& e : exts->get_array()) {
          if (!e.is_object()) continue;
          const json::value* u = e.get_object().if_contains("url");
          if (u != nullptr && u->is_string() && JsonString(*u) == url) {
            out.push_back(Item::Node(&e, ExtensionType()));
          }
        }
      }
      return Ok();
    }
    case Fn::kHasValue: {
      if (input.size() != 1) return push_bool(false);
      const Item& item = input[0];
      if (!item.is_node()) return push_bool(true);
      bool primitive = item.type != kNoType && Type(item.type).is_primitive();
      return push_bool(primitive && item.u.json != nullptr && !item.u.json->is_null());
    }
    case Fn::kGetValue: {
      if (input.size() != 1) return Ok();
      const Item& item = input[0];
      if (item.is_node() && (item.type == kNoType || !Type(item.type).is_primitive())) return Ok();
      Quantity scratch;
      Item v = Normalize(item, scratch);
      if (v.kind != ItemKind::kNode) out.push_back(v);
      return Ok();
    }
    case Fn::kResolve: {
      for (const Item& item : input) {
        std::string_view ref;
        if (item.is_node() && item.u.json != nullptr && item.u.json->is_object()) {
          const json::value* r = item.u.json->get_object().if_contains("reference");
          if (r == nullptr || !r->is_string()) continue;
          ref = JsonString(*r);
        } else {
          Quantity scratch;
          Item v = Normalize(item, scratch);
          if (v.kind != ItemKind::kString) continue;
          ref = v.string();
        }
        if (ref.starts_with('#')) {
          std::string_view id = ref.substr(1);
          for (const Item* holder :
               {has_context_ ? &context_ : nullptr, has_root_ ? &root_ : nullptr}) {
            if (holder == nullptr || !holder->u.json->is_object()) continue;
            const json::value* contained = holder->u.json->get_object().if_contains("contained");
            if (contained == nullptr || !contained->is_array()) continue;
            bool found = false;
            for (const json::value& c : contained->get_array()) {
              if (!c.is_object()) continue;
              const json::value* cid = c.get_object().if_contains("id");
              if (cid != nullptr && cid->is_string() && JsonString(*cid) == id) {
                out.push_back(Item::Node(&c, ResourceTypeOf(c)));
                found = true;
                break;
              }
            }
            if (found) break;
          }
          continue;
        }
        if (!has_root_ || !root_.u.json->is_object()) continue;
        const json::value* entries = root_.u.json->get_object().if_contains("entry");
        if (entries == nullptr || !entries->is_array()) continue;
        // Type/id, ignoring a base URL and a _history suffix.
        std::string_view tail = ref;
        if (std::size_t h = tail.find("/_history/"); h != std::string_view::npos)
          tail = tail.substr(0, h);
        std::string_view type_id = tail;
        if (std::size_t slash = tail.rfind('/'); slash != std::string_view::npos && slash > 0) {
          std::size_t prev = tail.rfind('/', slash - 1);
          type_id = prev == std::string_view::npos ? tail : tail.substr(prev + 1);
        }
        for (const json::value& entry : entries->get_array()) {
          if (!entry.is_object()) continue;
          const json::value* resource = entry.get_object().if_contains("resource");
          if (resource == nullptr || !resource->is_object()) continue;
          const json::value* full_url = entry.get_object().if_contains("fullUrl");
          bool match = full_url != nullptr && full_url->is_string() && JsonString(*full_url) == ref;
          if (!match) {
            const json::value* rt = resource->get_object().if_contains("resourceType");
            const json::value* id = resource->get_object().if_contains("id");
            if (rt != nullptr && rt->is_string() && id != nullptr && id->is_string()) {
              std::string_view rts = JsonString(*rt), ids = JsonString(*id);
              match = type_id.size() == rts.size() + 1 + ids.size() && type_id.starts_with(rts) &&
                      type_id[rts.size()] == '/' && type_id.ends_with(ids);
            }
          }
          if (match) {
            out.push_back(Item::Node(resource, ResourceTypeOf(*resource)));
            break;
          }
        }
      }
      return Ok();
    }
    case Fn::kMemberOf: {
      std::string_view url;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_url, string_arg(0, &url));
      CHARTROOM_ASSIGN_OR_RETURN(const Item* one, Single(input, node.name));
      if (!has_url || one == nullptr) return Ok();
      const RequiredBinding* binding = FindBinding(url);
      if (binding == nullptr || !binding->enumerable) return Ok();
      auto coding_member = [&](const json::value& coding) {
        if (!coding.is_object()) return false;
        const json::value* code = coding.get_object().if_contains("code");
        const json::value* system = coding.get_object().if_contains("system");
        if (code == nullptr || !code->is_string()) return false;
        std::optional<std::string_view> sys;
        if (system != nullptr && system->is_string()) sys = JsonString(*system);
        return BindingHasCode(*binding, JsonString(*code), sys);
      };
      Quantity scratch;
      Item v = Normalize(*one, scratch);
      if (v.kind == ItemKind::kString) return push_bool(BindingHasCode(*binding, v.string()));
      if (!v.is_node() || v.u.json == nullptr || !v.u.json->is_object()) return Ok();
      const json::object& obj = v.u.json->get_object();
      if (const json::value* codings = obj.if_contains("coding");
          codings != nullptr && codings->is_array()) {
        for (const json::value& c : codings->get_array()) {
          if (coding_member(c)) return push_bool(true);
        }
        return push_bool(false);
      }
      return push_bool(coding_member(*v.u.json));
    }
    case Fn::kConformsTo: {
      std::string_view url;
      CHARTROOM_ASSIGN_OR_RETURN(bool has_url, string_arg(0, &url));
      if (!has_url) return Ok();
      static constexpr std::string_view kCore = "http://hl7.org/fhir/StructureDefinition/";
      const TypeInfo* type = url.starts_with(kCore) ? FindType(url.substr(kCore.size())) : nullptr;
      if (type == nullptr) {
        return EvaluationError("conformsTo() supports only the core FHIR R4 profiles");
      }
      for (const Item& item : input) {
        out.push_back(
            Item::Boolean(item.is_node() && item.type != kNoType && IsA(Type(item.type), *type)));
      }
      return Ok();
    }
    case Fn::kHtmlChecks:
      return push_bool(true);
    case Fn::kUnknown:
      break;
  }
  return EvaluationError("function " + node.name + "() is not implemented");
}

}  // namespace chartroom::fhir::fhirpath
