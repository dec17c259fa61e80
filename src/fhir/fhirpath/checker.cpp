// Compile-time binding and checking of a parsed FHIRPath tree against the FHIR R4 model: binds
// function names (https://hl7.org/fhirpath/N1/#functions and the FHIR additions in
// https://hl7.org/fhir/R4/fhirpath.html#functions), checks arity, resolves type specifiers
// (https://hl7.org/fhirpath/N1/#models), and infers a static type for each node so that a path
// step that cannot exist on a known type is rejected (fhirpath.semantic).

#include "fhir/fhirpath/checker.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "fhir/fhirpath/parser.hpp"
#include "fhir/fhirpath/types.hpp"

namespace chartroom::fhir::fhirpath {
namespace {

struct FunctionDef {
  std::string_view name;
  Fn fn;
  int min_args;
  int max_args;
};

// Argument counts from the specification. Functions whose arguments are evaluated per input
// item ($this bound) are listed in IsLambda below.
constexpr FunctionDef kFunctions[] = {
    {"empty", Fn::kEmpty, 0, 0},
    {"exists", Fn::kExists, 0, 1},
    {"all", Fn::kAll, 1, 1},
    {"allTrue", Fn::kAllTrue, 0, 0},
    {"anyTrue", Fn::kAnyTrue, 0, 0},
    {"allFalse", Fn::kAllFalse, 0, 0},
    {"anyFalse", Fn::kAnyFalse, 0, 0},
    {"subsetOf", Fn::kSubsetOf, 1, 1},
    {"supersetOf", Fn::kSupersetOf, 1, 1},
    {"count", Fn::kCount, 0, 0},
    {"distinct", Fn::kDistinct, 0, 0},
    {"isDistinct", Fn::kIsDistinct, 0, 0},
    {"where", Fn::kWhere, 1, 1},
    {"select", Fn::kSelect, 1, 1},
    {"repeat", Fn::kRepeat, 1, 1},
    {"ofType", Fn::kOfType, 1, 1},
    {"single", Fn::kSingle, 0, 0},
    {"first", Fn::kFirst, 0, 0},
    {"last", Fn::kLast, 0, 0},
    {"tail", Fn::kTail, 0, 0},
    {"skip", Fn::kSkip, 1, 1},
    {"take", Fn::kTake, 1, 1},
    {"intersect", Fn::kIntersect, 1, 1},
    {"exclude", Fn::kExclude, 1, 1},
    {"union", Fn::kUnion, 1, 1},
    {"combine", Fn::kCombine, 1, 1},
    {"iif", Fn::kIif, 2, 3},
    {"toBoolean", Fn::kToBoolean, 0, 0},
    {"convertsToBoolean", Fn::kConvertsToBoolean, 0, 0},
    {"toInteger", Fn::kToInteger, 0, 0},
    {"convertsToInteger", Fn::kConvertsToInteger, 0, 0},
    {"toDate", Fn::kToDate, 0, 0},
    {"convertsToDate", Fn::kConvertsToDate, 0, 0},
    {"toDateTime", Fn::kToDateTime, 0, 0},
    {"convertsToDateTime", Fn::kConvertsToDateTime, 0, 0},
    {"toDecimal", Fn::kToDecimal, 0, 0},
    {"convertsToDecimal", Fn::kConvertsToDecimal, 0, 0},
    {"toQuantity", Fn::kToQuantity, 0, 1},
    {"convertsToQuantity", Fn::kConvertsToQuantity, 0, 1},
    {"toString", Fn::kToString, 0, 0},
    {"convertsToString", Fn::kConvertsToString, 0, 0},
    {"toTime", Fn::kToTime, 0, 0},
    {"convertsToTime", Fn::kConvertsToTime, 0, 0},
    {"indexOf", Fn::kIndexOf, 1, 1},
    {"lastIndexOf", Fn::kLastIndexOf, 1, 1},
    {"substring", Fn::kSubstring, 1, 2},
    {"startsWith", Fn::kStartsWith, 1, 1},
    {"endsWith", Fn::kEndsWith, 1, 1},
    {"contains", Fn::kContains, 1, 1},
    {"upper", Fn::kUpper, 0, 0},
    {"lower", Fn::kLower, 0, 0},
    {"replace", Fn::kReplace, 2, 2},
    {"matches", Fn::kMatches, 1, 1},
    {"matchesFull", Fn::kMatchesFull, 1, 1},
    {"replaceMatches", Fn::kReplaceMatches, 2, 2},
    {"length", Fn::kLength, 0, 0},
    {"toChars", Fn::kToChars, 0, 0},
    {"trim", Fn::kTrim, 0, 0},
    {"split", Fn::kSplit, 1, 1},
    {"join", Fn::kJoin, 0, 1},
    {"encode", Fn::kEncode, 1, 1},
    {"decode", Fn::kDecode, 1, 1},
    {"escape", Fn::kEscape, 1, 1},
    {"unescape", Fn::kUnescape, 1, 1},
    {"abs", Fn::kAbs, 0, 0},
    {"ceiling", Fn::kCeiling, 0, 0},
    {"exp", Fn::kExp, 0, 0},
    {"floor", Fn::kFloor, 0, 0},
    {"ln", Fn::kLn, 0, 0},
    {"log", Fn::kLog, 1, 1},
    {"power", Fn::kPower, 1, 1},
    {"round", Fn::kRound, 0, 1},
    {"sqrt", Fn::kSqrt, 0, 0},
    {"truncate", Fn::kTruncate, 0, 0},
    {"children", Fn::kChildren, 0, 0},
    {"descendants", Fn::kDescendants, 0, 0},
    {"trace", Fn::kTrace, 1, 2},
    {"now", Fn::kNow, 0, 0},
    {"timeOfDay", Fn::kTimeOfDay, 0, 0},
    {"today", Fn::kToday, 0, 0},
    {"defineVariable", Fn::kDefineVariable, 1, 2},
    {"sort", Fn::kSort, 0, 8},
    {"lowBoundary", Fn::kLowBoundary, 0, 1},
    {"highBoundary", Fn::kHighBoundary, 0, 1},
    {"precision", Fn::kPrecision, 0, 0},
    {"comparable", Fn::kComparable, 1, 1},
    {"aggregate", Fn::kAggregate, 1, 2},
    {"is", Fn::kIs, 1, 1},
    {"as", Fn::kAs, 1, 1},
    {"type", Fn::kType, 0, 0},
    {"not", Fn::kNot, 0, 0},
    {"extension", Fn::kExtension, 1, 1},
    {"hasValue", Fn::kHasValue, 0, 0},
    {"getValue", Fn::kGetValue, 0, 0},
    {"resolve", Fn::kResolve, 0, 0},
    {"memberOf", Fn::kMemberOf, 1, 1},
    {"conformsTo", Fn::kConformsTo, 1, 1},
    {"htmlChecks", Fn::kHtmlChecks, 0, 0},
};

const FunctionDef* FindFunction(std::string_view name) {
  for (const FunctionDef& def : kFunctions) {
    if (def.name == name) return &def;
  }
  return nullptr;
}

// Functions whose arguments are evaluated once per input item, with $this bound to it.
bool IsLambda(Fn fn) {
  switch (fn) {
    case Fn::kExists:
    case Fn::kAll:
    case Fn::kWhere:
    case Fn::kSelect:
    case Fn::kRepeat:
    case Fn::kSort:
    case Fn::kAggregate:
    case Fn::kTrace:
      return true;
    default:
      return false;
  }
}

bool IsStringFunction(Fn fn) {
  switch (fn) {
    case Fn::kIndexOf:
    case Fn::kLastIndexOf:
    case Fn::kSubstring:
    case Fn::kStartsWith:
    case Fn::kEndsWith:
    case Fn::kContains:
    case Fn::kUpper:
    case Fn::kLower:
    case Fn::kReplace:
    case Fn::kMatches:
    case Fn::kMatchesFull:
    case Fn::kReplaceMatches:
    case Fn::kLength:
    case Fn::kToChars:
    case Fn::kTrim:
    case Fn::kSplit:
    case Fn::kEncode:
    case Fn::kDecode:
    case Fn::kEscape:
    case Fn::kUnescape:
      return true;
    default:
      return false;
  }
}

// What the checker knows about the values a node yields: nothing, one System type, or a set of
// FHIR types (several for a choice element).
struct StaticType {
  SystemType system = SystemType::kNone;
  std::vector<TypeId> fhir;

  bool known() const { return system != SystemType::kNone || !fhir.empty(); }
  static StaticType System(SystemType t) { return {t, {}}; }
  static StaticType Fhir(TypeId t) { return {SystemType::kNone, {t}}; }
  // The System type the values convert to, when known and the same for all.
  SystemType AsSystem() const {
    if (system != SystemType::kNone) return system;
    SystemType result = SystemType::kNone;
    for (TypeId t : fhir) {
      SystemType s = SystemTypeOfFhir(Type(t));
      if (s == SystemType::kNone) return SystemType::kNone;
      if (result != SystemType::kNone && result != s) return SystemType::kNone;
      result = s;
    }
    return result;
  }
};

class Checker {
 public:
  Result<StaticType> Check(Node& node, const StaticType& this_type, int depth) {
    if (depth > 4 * kMaxDepth) return SemanticError("expression nested too deeply");
    switch (node.kind) {
      case NodeKind::kLiteral:
        return StaticType::System(SystemTypeOfKind(node.literal.kind));
      case NodeKind::kEmpty:
      case NodeKind::kTotal:
      case NodeKind::kError:
        return StaticType{};
      case NodeKind::kThis:
        return this_type;
      case NodeKind::kIndex:
        return StaticType::System(SystemType::kInteger);
      case NodeKind::kVariable:
        if (node.name == "context" || node.name == "resource" || node.name == "rootResource") {
          return node.name == "context" ? context_type_ : StaticType{};
        }
        if (node.name == "ucum" || node.name == "sct" || node.name == "loinc" ||
            node.name.starts_with("vs-") || node.name.starts_with("ext-")) {
          return StaticType::System(SystemType::kString);
        }
        return StaticType{};
      case NodeKind::kMember:
        return CheckMember(node, this_type, depth);
      case NodeKind::kFunction:
        return CheckFunction(node, this_type, depth);
      case NodeKind::kIndexer: {
        auto input = Check(*node.children[0], this_type, depth + 1);
        if (!input) return input;
        auto index = Check(*node.children[1], this_type, depth + 1);
        if (!index) return index;
        return input;
      }
      case NodeKind::kUnary:
        return Check(*node.children[0], this_type, depth + 1);
      case NodeKind::kBinary:
        return CheckBinary(node, this_type, depth);
      case NodeKind::kIs:
      case NodeKind::kAs: {
        auto input = Check(*node.children[0], this_type, depth + 1);
        if (!input) return input;
        CHARTROOM_RETURN_IF_ERROR(ResolveTypeSpec(node.type));
        if (node.kind == NodeKind::kIs) return StaticType::System(SystemType::kBoolean);
        return TypeOfSpec(node.type);
      }
    }
    return StaticType{};
  }

  StaticType context_type_;

 private:
  static SystemType SystemTypeOfKind(ItemKind kind) {
    switch (kind) {
      case ItemKind::kBoolean:
        return SystemType::kBoolean;
      case ItemKind::kInteger:
        return SystemType::kInteger;
      case ItemKind::kDecimal:
        return SystemType::kDecimal;
      case ItemKind::kString:
        return SystemType::kString;
      case ItemKind::kDate:
        return SystemType::kDate;
      case ItemKind::kDateTime:
        return SystemType::kDateTime;
      case ItemKind::kTime:
        return SystemType::kTime;
      case ItemKind::kQuantity:
        return SystemType::kQuantity;
      default:
        return SystemType::kNone;
    }
  }

  static StaticType TypeOfSpec(const TypeSpec& spec) {
    if (spec.fhir != kNoType) return StaticType::Fhir(spec.fhir);
    if (spec.system != SystemType::kNone && spec.system != SystemType::kAny) {
      return StaticType::System(spec.system);
    }
    return StaticType{};
  }

  Result<StaticType> CheckMember(Node& node, const StaticType& this_type, int depth) {
    StaticType input = this_type;
    if (!node.implicit_input) {
      auto checked = Check(*node.children[0], this_type, depth + 1);
      if (!checked) return checked;
      input = std::move(*checked);
    } else if (!node.name.empty() && node.name[0] >= 'A' && node.name[0] <= 'Z') {
      // A leading type name filters the context: `Patient.name`.
      if (const TypeInfo* type = FindType(node.name); type != nullptr) {
        node.filter_type = IdOf(*type);
        return StaticType::Fhir(node.filter_type);
      }
    }
    if (input.fhir.empty()) return StaticType{};
    StaticType result;
    bool lenient = false;
    for (TypeId t : input.fhir) {
      const TypeInfo& type = Type(t);
      const ElementInfo* element = type.FindElement(node.name);
      if (element == nullptr) {
        // Abstract bases (Resource, DomainResource, Element) stand for any specialization.
        if (type.is_abstract) lenient = true;
        continue;
      }
      if (input.fhir.size() == 1) {
        node.cache_type = t;
        node.cache_element = element;
      }
      for (TypeId et : element->types()) {
        if (std::find(result.fhir.begin(), result.fhir.end(), et) == result.fhir.end()) {
          result.fhir.push_back(et);
        }
      }
    }
    if (result.fhir.empty()) {
      if (lenient) return StaticType{};
      std::string types;
      for (TypeId t : input.fhir) types += (types.empty() ? "" : "|") + std::string(Type(t).name());
      return SemanticError("'" + node.name + "' is not an element of " + types);
    }
    for (TypeId t : result.fhir) {
      if (Type(t).is_abstract) return StaticType{};  // e.g. Resource: the JSON tells
    }
    return result;
  }

  static bool IsTypeSpecArgument(const Node& arg, std::string* name) {
    if (arg.kind == NodeKind::kMember) {
      if (arg.implicit_input) {
        *name = arg.name;
        return true;
      }
      std::string prefix;
      if (!IsTypeSpecArgument(*arg.children[0], &prefix)) return false;
      *name = prefix + "." + arg.name;
      return true;
    }
    return false;
  }

  Result<StaticType> CheckFunction(Node& node, const StaticType& this_type, int depth) {
    const FunctionDef* def = FindFunction(node.name);
    if (def == nullptr) return SemanticError("unknown function '" + node.name + "'");
    int args = static_cast<int>(node.arg_count());
    if (args < def->min_args || args > def->max_args) {
      return SemanticError("wrong number of arguments for " + node.name + "()");
    }
    node.fn = def->fn;
    StaticType input = this_type;
    if (!node.implicit_input) {
      auto checked = Check(*node.children[0], this_type, depth + 1);
      if (!checked) return checked;
      input = std::move(*checked);
    }
    // Type-specifier arguments.
    if (node.fn == Fn::kIs || node.fn == Fn::kAs || node.fn == Fn::kOfType) {
      if (!IsTypeSpecArgument(node.arg(0), &node.type.name)) {
        return SemanticError(node.name + "() needs a type name");
      }
      CHARTROOM_RETURN_IF_ERROR(ResolveTypeSpec(node.type));
      if (node.fn == Fn::kIs) return StaticType::System(SystemType::kBoolean);
      return TypeOfSpec(node.type);
    }
    if (IsStringFunction(node.fn) && input.known()) {
      SystemType s = input.AsSystem();
      if (s != SystemType::kString) {
        return SemanticError(node.name + "() needs a string input");
      }
    }
    StaticType arg_this = IsLambda(node.fn) ? input : this_type;
    if (node.fn == Fn::kIif) arg_this = node.implicit_input ? this_type : input;
    std::vector<StaticType> arg_types;
    for (std::size_t i = 0; i < node.arg_count(); ++i) {
      auto checked = Check(*node.children[i + 1], arg_this, depth + 1);
      if (!checked) return checked;
      arg_types.push_back(std::move(*checked));
    }
    if (node.fn == Fn::kIif && arg_types[0].known() &&
        arg_types[0].AsSystem() != SystemType::kBoolean) {
      return SemanticError("iif() criterion must be a Boolean");
    }
    if ((node.fn == Fn::kMatches || node.fn == Fn::kMatchesFull ||
         node.fn == Fn::kReplaceMatches) &&
        node.arg(0).kind == NodeKind::kLiteral && node.arg(0).literal.kind == ItemKind::kString) {
      auto regex = CompileRegex(node.arg(0).literal.string());
      if (!regex) return tl::unexpected(regex.error());
      node.regex = std::move(*regex);
    }
    switch (node.fn) {
      case Fn::kWhere:
      case Fn::kFirst:
      case Fn::kLast:
      case Fn::kTail:
      case Fn::kSkip:
      case Fn::kTake:
      case Fn::kSingle:
      case Fn::kDistinct:
      case Fn::kIntersect:
      case Fn::kExclude:
      case Fn::kTrace:
      case Fn::kSort:
        return input;
      case Fn::kSelect:
        return arg_types[0];
      case Fn::kExtension:
        if (const TypeInfo* ext = FindType("Extension")) return StaticType::Fhir(IdOf(*ext));
        return StaticType{};
      case Fn::kEmpty:
      case Fn::kExists:
      case Fn::kAll:
      case Fn::kAllTrue:
      case Fn::kAnyTrue:
      case Fn::kAllFalse:
      case Fn::kAnyFalse:
      case Fn::kSubsetOf:
      case Fn::kSupersetOf:
      case Fn::kIsDistinct:
      case Fn::kNot:
      case Fn::kHasValue:
      case Fn::kStartsWith:
      case Fn::kEndsWith:
      case Fn::kContains:
      case Fn::kMatches:
      case Fn::kMatchesFull:
      case Fn::kConvertsToBoolean:
      case Fn::kConvertsToInteger:
      case Fn::kConvertsToDecimal:
      case Fn::kConvertsToDate:
      case Fn::kConvertsToDateTime:
      case Fn::kConvertsToTime:
      case Fn::kConvertsToString:
      case Fn::kConvertsToQuantity:
      case Fn::kToBoolean:
      case Fn::kMemberOf:
      case Fn::kConformsTo:
      case Fn::kComparable:
      case Fn::kHtmlChecks:
        return StaticType::System(SystemType::kBoolean);
      case Fn::kCount:
      case Fn::kLength:
      case Fn::kIndexOf:
      case Fn::kLastIndexOf:
      case Fn::kToInteger:
      case Fn::kPrecision:
        return StaticType::System(SystemType::kInteger);
      case Fn::kToDecimal:
        return StaticType::System(SystemType::kDecimal);
      case Fn::kToString:
      case Fn::kSubstring:
      case Fn::kUpper:
      case Fn::kLower:
      case Fn::kReplace:
      case Fn::kReplaceMatches:
      case Fn::kToChars:
      case Fn::kTrim:
      case Fn::kSplit:
      case Fn::kJoin:
      case Fn::kEncode:
      case Fn::kDecode:
      case Fn::kEscape:
      case Fn::kUnescape:
        return StaticType::System(SystemType::kString);
      case Fn::kToDate:
      case Fn::kToday:
        return StaticType::System(SystemType::kDate);
      case Fn::kToDateTime:
      case Fn::kNow:
        return StaticType::System(SystemType::kDateTime);
      case Fn::kToTime:
      case Fn::kTimeOfDay:
        return StaticType::System(SystemType::kTime);
      case Fn::kToQuantity:
        return StaticType::System(SystemType::kQuantity);
      default:
        return StaticType{};
    }
  }

  Result<StaticType> CheckBinary(Node& node, const StaticType& this_type, int depth) {
    auto lhs = Check(*node.children[0], this_type, depth + 1);
    if (!lhs) return lhs;
    auto rhs = Check(*node.children[1], this_type, depth + 1);
    if (!rhs) return rhs;
    SystemType a = lhs->AsSystem();
    SystemType b = rhs->AsSystem();
    auto temporal = [](SystemType t) {
      return t == SystemType::kDate || t == SystemType::kDateTime || t == SystemType::kTime;
    };
    auto number = [](SystemType t) {
      return t == SystemType::kInteger || t == SystemType::kDecimal;
    };
    switch (node.op) {
      case Op::kPlus:
      case Op::kMinus:
        // Date/time arithmetic takes a time-valued quantity, never a bare number.
        if ((temporal(a) && number(b)) || (number(a) && temporal(b))) {
          return SemanticError("cannot add or subtract a number and a date/time; use a quantity");
        }
        if (a == SystemType::kInteger && b == SystemType::kInteger) return *lhs;
        if (number(a) && number(b)) return StaticType::System(SystemType::kDecimal);
        if (temporal(a) && b == SystemType::kQuantity) return StaticType::System(a);
        if (a == SystemType::kString && b == SystemType::kString) return *lhs;
        return StaticType{};
      case Op::kMultiply:
      case Op::kDiv:
      case Op::kMod:
        if (a == SystemType::kInteger && b == SystemType::kInteger) return *lhs;
        if (number(a) && number(b)) return StaticType::System(SystemType::kDecimal);
        return StaticType{};
      case Op::kDivide:
        if (number(a) && number(b)) return StaticType::System(SystemType::kDecimal);
        return StaticType{};
      case Op::kConcat:
        return StaticType::System(SystemType::kString);
      case Op::kUnion:
        if (lhs->system != SystemType::kNone && lhs->system == rhs->system) return *lhs;
        if (!lhs->fhir.empty() && lhs->fhir == rhs->fhir) return *lhs;
        return StaticType{};
      default:
        return StaticType::System(SystemType::kBoolean);
    }
  }
};

}  // namespace

Status ResolveTypeSpec(TypeSpec& spec) {
  std::string_view name = spec.name;
  std::string_view ns;
  if (std::size_t dot = name.find('.'); dot != std::string_view::npos) {
    ns = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  if (ns.empty() || ns == "FHIR") {
    if (const TypeInfo* type = FindType(name); type != nullptr) {
      spec.fhir = IdOf(*type);
      return Ok();
    }
    if (!ns.empty()) return SemanticError("unknown FHIR type '" + std::string(name) + "'");
  } else if (ns != "System") {
    return SemanticError("unknown type namespace '" + std::string(ns) + "'");
  }
  spec.system = SystemTypeByName(name);
  if (spec.system == SystemType::kNone) {
    if (ns == "System") return Ok();  // a System type that does not exist: matches nothing
    return SemanticError("unknown type '" + spec.name + "'");
  }
  return Ok();
}

Result<std::shared_ptr<const Regex>> CompileRegex(std::string_view pattern) {
  if (pattern.size() > kMaxRegexLength) return SemanticError("regular expression too long");
  auto regex = Regex::Compile(pattern);
  if (!regex) return SemanticError("invalid or unsupported regular expression");
  return std::make_shared<const Regex>(std::move(*regex));
}

namespace {

// Whether a node's result has no defined order: children() and descendants() do not promise one
// (https://hl7.org/fhirpath/N1/#children-collection), and navigation or filtering keeps that.
// Ordered functions (first(), skip(), [] ...) on such a result are rejected when asked.
Result<bool> CheckOrder(const Node& node) {
  bool input_unordered = false;
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    if (!node.children[i]) continue;
    CHARTROOM_ASSIGN_OR_RETURN(bool unordered, CheckOrder(*node.children[i]));
    if (i == 0) input_unordered = unordered;
  }
  switch (node.kind) {
    case NodeKind::kMember:
    case NodeKind::kAs:
      return input_unordered;
    case NodeKind::kIndexer:
      if (input_unordered) return SemanticError("[] on an unordered collection");
      return false;
    case NodeKind::kFunction:
      switch (node.fn) {
        case Fn::kChildren:
        case Fn::kDescendants:
          return true;
        case Fn::kWhere:
        case Fn::kSelect:
        case Fn::kOfType:
        case Fn::kRepeat:
        case Fn::kDistinct:
        case Fn::kExtension:
          return input_unordered;
        case Fn::kFirst:
        case Fn::kLast:
        case Fn::kTail:
        case Fn::kSkip:
        case Fn::kTake:
          if (input_unordered) {
            return SemanticError(node.name + "() on an unordered collection");
          }
          return false;
        default:
          return false;
      }
    default:
      return false;
  }
}

}  // namespace

Status CheckTree(Node& root, std::string_view context_type, bool check_ordered_functions) {
  Checker checker;
  StaticType this_type;
  if (!context_type.empty()) {
    const TypeInfo* type = FindType(context_type);
    if (type == nullptr) {
      return SemanticError("unknown context type '" + std::string(context_type) + "'");
    }
    this_type = StaticType::Fhir(IdOf(*type));
    checker.context_type_ = this_type;
  }
  auto checked = checker.Check(root, this_type, 0);
  if (!checked) return tl::unexpected(checked.error());
  if (check_ordered_functions) {
    auto order = CheckOrder(root);
    if (!order) return tl::unexpected(order.error());
  }
  return Ok();
}

}  // namespace chartroom::fhir::fhirpath
