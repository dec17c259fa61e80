// FHIRPath for Chartroom: normative FHIRPath N1 (https://hl7.org/fhirpath/N1/) with the FHIR R4
// additions (https://hl7.org/fhir/R4/fhirpath.html), evaluated over FHIR JSON held in a
// boost::json DOM.
//
//   CHARTROOM_ASSIGN_OR_RETURN(auto expr, fhirpath::Expression::Compile("Patient.name.given"));
//   fhirpath::EvaluationInput input{.resource = &patient_json, .now = clock_now};
//   CHARTROOM_ASSIGN_OR_RETURN(fhirpath::Collection given, expr.Evaluate(input));
//
// Compile() parses once into an immutable tree and checks it against the R4 model
// (fhir/model/model.hpp): unknown functions, wrong arity, unknown type specifiers and — where
// the input type is known (a leading resource type name such as `Patient.`, or
// CompileOptions::context_type) — path elements that do not exist on that type. Evaluate() may
// then run any number of times, from any number of threads at once: an Expression holds no
// mutable state and is cheap to copy (its tree is shared).
//
// Errors are `Result` errors of category kInvalid with one of three stable codes:
//   fhirpath.syntax      the text is not FHIRPath (Compile)
//   fhirpath.semantic    well-formed but meaningless for the model: unknown function, wrong
//                        number of arguments, unknown type, a path that cannot exist (Compile)
//   fhirpath.evaluation  the spec calls for an error at run time, e.g. a singleton was expected
//                        but the collection had several items, or operands of invalid types
//                        (Evaluate)
//
// Ownership: the items of a Collection point into the JSON DOM the evaluation ran on (they are
// never copied), into the Expression (literals) and into the Collection's own arena (computed
// strings and quantities). The DOM and the Expression must outlive every Collection evaluated
// from them. A Collection is immutable after Evaluate returns and safe to read from any thread.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/error.hpp"
#include "core/result_macros.hpp"
#include "fhir/fhirpath/small_vector.hpp"
#include "fhir/model/model.hpp"
#include "fhir/primitives/decimal.hpp"
#include "fhir/primitives/quantity.hpp"
#include "fhir/primitives/temporal.hpp"

namespace chartroom::fhir::fhirpath {

// What an Item holds. A kNode is a FHIR element in the JSON DOM (a resource, a complex datatype,
// a backbone element or a FHIR primitive); the others are FHIRPath System values produced by
// literals, operators and functions.
enum class ItemKind : std::uint8_t {
  kNode,
  kBoolean,
  kInteger,
  kDecimal,
  kString,
  kDate,      // System.Date: a DateTime with precision <= day and no zone
  kDateTime,  // System.DateTime
  kTime,      // System.Time
  kQuantity,  // System.Quantity
  kTypeInfo,  // the result of type(): a SimpleTypeInfo/ClassInfo with `namespace` and `name`
};

// One item of a collection. Trivially copyable, 48 bytes; pointers are borrowed (see the header
// comment for who owns what).
struct Item {
  ItemKind kind = ItemKind::kBoolean;
  // kNode: the FHIR type (Patient, HumanName, code, Patient.contact ...) or kNoType for JSON
  // whose type the model cannot tell. kTypeInfo: the FHIR type named, or kNoType for a System
  // type (whose name is then in `str`).
  TypeId type = kNoType;
  // kNode of a primitive type: the `_name` sibling object holding id/extension, or nullptr.
  const boost::json::object* ext = nullptr;
  struct Str {
    const char* data;
    std::size_t size;
  };
  union Payload {
    Payload() : integer(0) {}
    const boost::json::value* json;  // kNode; nullptr for a primitive that only has `_name`
    bool boolean;
    std::int64_t integer;
    Decimal decimal;
    DateTime date_time;  // kDate, kDateTime
    Time time;
    Str str;                   // kString; kTypeInfo (System type name)
    const Quantity* quantity;  // kQuantity
  } u;

  static Item Node(const boost::json::value* json, TypeId type,
                   const boost::json::object* ext = nullptr) {
    Item item;
    item.kind = ItemKind::kNode;
    item.type = type;
    item.ext = ext;
    item.u.json = json;
    return item;
  }
  static Item Boolean(bool value) {
    Item item;
    item.u.boolean = value;
    return item;
  }
  static Item Integer(std::int64_t value) {
    Item item;
    item.kind = ItemKind::kInteger;
    item.u.integer = value;
    return item;
  }
  static Item FromDecimal(const Decimal& value) {
    Item item;
    item.kind = ItemKind::kDecimal;
    item.u.decimal = value;
    return item;
  }
  // `value` must outlive the item (DOM, Expression or arena storage).
  static Item String(std::string_view value) {
    Item item;
    item.kind = ItemKind::kString;
    item.u.str = {value.data(), value.size()};
    return item;
  }
  static Item FromDateTime(const DateTime& value, bool is_date) {
    Item item;
    item.kind = is_date ? ItemKind::kDate : ItemKind::kDateTime;
    item.u.date_time = value;
    return item;
  }
  static Item FromTime(const Time& value) {
    Item item;
    item.kind = ItemKind::kTime;
    item.u.time = value;
    return item;
  }
  static Item FromQuantity(const Quantity* value) {
    Item item;
    item.kind = ItemKind::kQuantity;
    item.u.quantity = value;
    return item;
  }

  bool is_node() const { return kind == ItemKind::kNode; }
  std::string_view string() const { return {u.str.data, u.str.size}; }
  const TypeInfo* fhir_type() const { return type == kNoType ? nullptr : &Type(type); }

  // The FHIRPath or FHIR type name reported for this item: a node's FHIR type ("HumanName",
  // "code", "Patient"; "BackboneElement" for inline elements), or the lower-case System name of
  // a value: boolean, integer, decimal, string, date, dateTime, time, and "Quantity".
  std::string_view TypeName() const;
  // The item as JSON: a node's own JSON (a primitive's value; complex types as their FHIR JSON),
  // numbers as JSON numbers, date/dateTime/time as their string without '@', a Quantity as
  // {"value": number, "unit": string}, a type as {"namespace": ..., "name": ...}.
  boost::json::value ToJson() const;
};
static_assert(std::is_trivially_copyable_v<Item>);

// An ordered FHIRPath collection: the result of an evaluation.
class Collection {
 public:
  Collection() = default;

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const Item& operator[](std::size_t i) const { return items_[i]; }
  const Item* begin() const { return items_.begin(); }
  const Item* end() const { return items_.end(); }
  std::span<const Item> items() const { return items_.span(); }

  // The collection as a JSON array of {"type": TypeName(), "value": ToJson()}.
  boost::json::value ToJson() const;

 private:
  friend class Evaluator;
  SmallVector<Item, 8> items_;         // the evaluator's own collection type, moved in whole
  std::shared_ptr<const void> arena_;  // owns computed strings and quantities
};

// A caller-supplied environment variable: %name in the expression.
struct Variable {
  std::string_view name;  // without '%'
  const Collection* value;
};

// Receives trace(name [, projection]) output. Called synchronously on the evaluating thread.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void Trace(std::string_view name, const Collection& values) = 0;
};

struct CompileOptions {
  // FHIR type of the evaluation context (the resource or element the expression will run on),
  // e.g. "Patient" or "HumanName". When set, every path is checked against the model from the
  // root; when empty, checks start at a leading type name (`Patient.name`). Unknown names fail
  // with fhirpath.semantic.
  std::string_view context_type;
  // Reject first(), last(), tail(), skip(), take() and [] applied to the unordered results of
  // children() and descendants() (fhirpath.semantic), as FHIRPath allows implementations to.
  bool check_ordered_functions = false;
};

struct EvaluationInput {
  // The context: $this at the root, %context and %resource. nullptr evaluates against an empty
  // context. Its FHIR type is taken from "resourceType", else from CompileOptions::context_type.
  const boost::json::value* resource = nullptr;
  // %rootResource, and where resolve() looks for Bundle entries; defaults to `resource`.
  const boost::json::value* root_resource = nullptr;
  // The clock for now(), today() and timeOfDay(): the engine never reads the system clock. It
  // should have millisecond precision and a zone; values without a zone compare as if in this
  // zone.
  DateTime now;
  // Caller-supplied %variables, looked up by name; they shadow nothing (the FHIR names %resource,
  // %context, %rootResource, %ucum, %sct, %loinc, %vs-*, %ext-* are always defined).
  std::span<const Variable> variables;
  // Where trace() writes; nullptr discards.
  TraceSink* trace = nullptr;
  // Work budget: roughly the number of items produced plus the pairs compared by distinct(),
  // union, repeat() and the like. An evaluation that exceeds it fails with fhirpath.evaluation
  // rather than running for minutes. The default allows quadratic operations on about 10,000
  // items; collections are also capped at 1,000,000 items.
  std::size_t max_work = 200'000'000;
};

struct Node;

class Expression {
 public:
  // Parses and checks `text`. Fails with fhirpath.syntax or fhirpath.semantic (see above).
  [[nodiscard]] static Result<Expression> Compile(std::string_view text,
                                                  const CompileOptions& options = {});

  // Evaluates the expression. Fails only with fhirpath.evaluation. Thread-safe.
  [[nodiscard]] Result<Collection> Evaluate(const EvaluationInput& input) const;

  // Evaluates and converts the result to a boolean per FHIRPath's singleton evaluation of
  // collections: empty -> nullopt, one boolean -> its value, one other item -> true, several
  // items -> fhirpath.evaluation error.
  [[nodiscard]] Result<std::optional<bool>> EvaluateBoolean(const EvaluationInput& input) const;

  const std::string& text() const;

 private:
  struct Compiled;
  explicit Expression(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace chartroom::fhir::fhirpath
