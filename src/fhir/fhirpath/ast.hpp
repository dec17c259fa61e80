// The compiled form of a FHIRPath expression: a tree of Nodes built by the parser (parser.hpp)
// and completed by the checker (checker.cpp), which binds function names, resolves type
// specifiers and precompiles literal regular expressions. Immutable once Compile() returns, so
// one tree may be evaluated from many threads.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fhir/fhirpath/fhirpath.hpp"
#include "fhir/fhirpath/regex.hpp"

namespace chartroom::fhir::fhirpath {

enum class NodeKind : std::uint8_t {
  kLiteral,   // `literal`
  kEmpty,     // {}
  kThis,      // $this
  kIndex,     // $index
  kTotal,     // $total
  kVariable,  // %name (`name`)
  kMember,    // input.name; input is children[0], or $this when `implicit_input`
  kFunction,  // input.fn(args); children[0] is the input (nullptr when implicit), args follow
  kIndexer,   // children[0][children[1]]
  kUnary,     // op children[0]
  kBinary,    // children[0] op children[1]
  kIs,        // children[0] is type
  kAs,        // children[0] as type
  kError,     // a literal the grammar accepts but the spec rejects at run time (`message`)
};

enum class Op : std::uint8_t {
  kNone,
  kPlus,
  kMinus,
  kMultiply,
  kDivide,
  kDiv,
  kMod,
  kConcat,
  kUnion,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kEqual,
  kNotEqual,
  kEquivalent,
  kNotEquivalent,
  kIn,
  kContains,
  kAnd,
  kOr,
  kXor,
  kImplies,
};

// System (FHIRPath) types, for type specifiers and static checking.
enum class SystemType : std::uint8_t {
  kNone,  // not a System type (a FHIR type, or unknown)
  kBoolean,
  kInteger,
  kDecimal,
  kString,
  kDate,
  kDateTime,
  kTime,
  kQuantity,
  kAny,
};

struct TypeSpec {
  SystemType system = SystemType::kNone;  // set for System.X
  TypeId fhir = kNoType;                  // set for FHIR.X
  std::string name;                       // as written, for messages
};

enum class Fn : std::uint8_t {
  kUnknown,
  // existence
  kEmpty,
  kExists,
  kAll,
  kAllTrue,
  kAnyTrue,
  kAllFalse,
  kAnyFalse,
  kSubsetOf,
  kSupersetOf,
  kCount,
  kDistinct,
  kIsDistinct,
  // filtering and projection
  kWhere,
  kSelect,
  kRepeat,
  kOfType,
  // subsetting
  kSingle,
  kFirst,
  kLast,
  kTail,
  kSkip,
  kTake,
  kIntersect,
  kExclude,
  // combining
  kUnion,
  kCombine,
  // conversion
  kIif,
  kToBoolean,
  kConvertsToBoolean,
  kToInteger,
  kConvertsToInteger,
  kToDate,
  kConvertsToDate,
  kToDateTime,
  kConvertsToDateTime,
  kToDecimal,
  kConvertsToDecimal,
  kToQuantity,
  kConvertsToQuantity,
  kToString,
  kConvertsToString,
  kToTime,
  kConvertsToTime,
  // strings
  kIndexOf,
  kLastIndexOf,
  kSubstring,
  kStartsWith,
  kEndsWith,
  kContains,
  kUpper,
  kLower,
  kReplace,
  kMatches,
  kMatchesFull,
  kReplaceMatches,
  kLength,
  kToChars,
  kTrim,
  kSplit,
  kJoin,
  kEncode,
  kDecode,
  kEscape,
  kUnescape,
  // math
  kAbs,
  kCeiling,
  kExp,
  kFloor,
  kLn,
  kLog,
  kPower,
  kRound,
  kSqrt,
  kTruncate,
  // tree navigation
  kChildren,
  kDescendants,
  // utility
  kTrace,
  kNow,
  kTimeOfDay,
  kToday,
  kDefineVariable,
  kSort,
  kLowBoundary,
  kHighBoundary,
  kPrecision,
  kComparable,
  // aggregates
  kAggregate,
  // types
  kIs,
  kAs,
  kType,
  kNot,
  // FHIR additions
  kExtension,
  kHasValue,
  kGetValue,
  kResolve,
  kMemberOf,
  kConformsTo,
  kHtmlChecks,
};

struct Node {
  NodeKind kind = NodeKind::kEmpty;
  Op op = Op::kNone;
  Fn fn = Fn::kUnknown;
  // kMember/kFunction: the input is $this (a term, not after '.'). For kMember this also allows
  // a leading type name (`Patient.name`) to act as a filter on the context.
  bool implicit_input = false;
  int position = 0;  // offset in the text, for messages
  int height = 1;    // 1 + the tallest child: bounds every recursion over the tree
  std::string name;  // member, function or variable name
  std::vector<std::unique_ptr<Node>> children;
  Item literal;                        // kLiteral
  std::string literal_text;            // storage for a string literal
  std::unique_ptr<Quantity> quantity;  // storage for a quantity literal
  TypeSpec type;                       // kIs/kAs, and is()/as()/ofType() arguments
  std::shared_ptr<const Regex> regex;  // matches()/replaceMatches() with a literal pattern
  std::string message;                 // kError
  // kMember: a leading type name (`Patient` in `Patient.name`) filters $this to that type.
  TypeId filter_type = kNoType;
  // kMember: the element looked up on the statically known input type, reused at run time when
  // the item has that type (saves the binary search on the hot path).
  TypeId cache_type = kNoType;
  const ElementInfo* cache_element = nullptr;

  const Node* input() const { return children.empty() ? nullptr : children[0].get(); }
  // Function arguments (children after the input slot).
  std::size_t arg_count() const { return children.empty() ? 0 : children.size() - 1; }
  const Node& arg(std::size_t i) const { return *children[i + 1]; }
};

}  // namespace chartroom::fhir::fhirpath
