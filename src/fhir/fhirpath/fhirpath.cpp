#include "fhir/fhirpath/fhirpath.hpp"

#include <boost/json.hpp>

#include "fhir/fhirpath/ast.hpp"
#include "fhir/fhirpath/checker.hpp"
#include "fhir/fhirpath/evaluator.hpp"
#include "fhir/fhirpath/parser.hpp"
#include "fhir/fhirpath/values.hpp"

namespace chartroom::fhir::fhirpath {
namespace json = boost::json;

struct Expression::Compiled {
  std::string text;
  std::unique_ptr<Node> root;
  TypeId context_type = kNoType;
};

Result<Expression> Expression::Compile(std::string_view text, const CompileOptions& options) {
  auto compiled = std::make_shared<Compiled>();
  compiled->text = std::string(text);
  CHARTROOM_ASSIGN_OR_RETURN(compiled->root, Parse(compiled->text));
  CHARTROOM_RETURN_IF_ERROR(
      CheckTree(*compiled->root, options.context_type, options.check_ordered_functions));
  if (!options.context_type.empty()) {
    if (const TypeInfo* type = FindType(options.context_type)) compiled->context_type = IdOf(*type);
  }
  return Expression(std::move(compiled));
}

Result<Collection> Expression::Evaluate(const EvaluationInput& input) const {
  Evaluator evaluator(input, compiled_->context_type);
  Collection result;
  CHARTROOM_RETURN_IF_ERROR(evaluator.Run(*compiled_->root, result));
  return result;
}

Result<std::optional<bool>> Expression::EvaluateBoolean(const EvaluationInput& input) const {
  CHARTROOM_ASSIGN_OR_RETURN(Collection result, Evaluate(input));
  if (result.empty()) return std::optional<bool>();
  if (result.size() > 1) return EvaluationError("expected a single boolean, got a collection");
  Quantity scratch;
  Item v = Normalize(result[0], scratch);
  return std::optional<bool>(v.kind == ItemKind::kBoolean ? v.u.boolean : true);
}

const std::string& Expression::text() const { return compiled_->text; }

std::string_view Item::TypeName() const {
  switch (kind) {
    case ItemKind::kNode:
      if (type == kNoType) {
        if (u.json == nullptr) return "Element";
        switch (u.json->kind()) {
          case json::kind::bool_:
            return "boolean";
          case json::kind::int64:
          case json::kind::uint64:
            return "integer";
          case json::kind::double_:
            return "decimal";
          case json::kind::string:
            return "string";
          default:
            return "Element";
        }
      }
      if (Type(type).kind == TypeKind::kBackbone) return "BackboneElement";
      return Type(type).name();
    case ItemKind::kBoolean:
      return "boolean";
    case ItemKind::kInteger:
      return "integer";
    case ItemKind::kDecimal:
      return "decimal";
    case ItemKind::kString:
      return "string";
    case ItemKind::kDate:
      return "date";
    case ItemKind::kDateTime:
      return "dateTime";
    case ItemKind::kTime:
      return "time";
    case ItemKind::kQuantity:
      return "Quantity";
    case ItemKind::kTypeInfo:
      return "TypeInfo";
  }
  return "";
}

json::value Item::ToJson() const {
  switch (kind) {
    case ItemKind::kNode: {
      if (u.json != nullptr) return *u.json;
      // A primitive with only id/extension: show its `_name` object.
      if (ext != nullptr) return *ext;
      return nullptr;
    }
    case ItemKind::kBoolean:
      return u.boolean;
    case ItemKind::kInteger:
      return u.integer;
    case ItemKind::kDecimal: {
      // Keep the exact digits: parse the decimal's own text as a JSON number.
      std::error_code ec;
      json::value v = json::parse(u.decimal.ToString(), ec);
      if (!ec) return v;
      return u.decimal.ToDouble();
    }
    case ItemKind::kString:
      return json::string(string());
    case ItemKind::kDate:
    case ItemKind::kDateTime:
      return json::string(u.date_time.ToString());
    case ItemKind::kTime:
      return json::string(u.time.ToString());
    case ItemKind::kQuantity: {
      json::object o;
      std::error_code ec;
      json::value v = json::parse(u.quantity->value.ToString(), ec);
      o["value"] = ec ? json::value(u.quantity->value.ToDouble()) : v;
      o["unit"] = u.quantity->unit;
      return o;
    }
    case ItemKind::kTypeInfo: {
      json::object o;
      o["namespace"] = type == kNoType ? "System" : "FHIR";
      o["name"] = type == kNoType ? string() : Type(type).name();
      return o;
    }
  }
  return nullptr;
}

json::value Collection::ToJson() const {
  json::array out;
  out.reserve(size());
  for (const Item& item : *this) {
    json::object o;
    o["type"] = item.TypeName();
    o["value"] = item.ToJson();
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace chartroom::fhir::fhirpath
