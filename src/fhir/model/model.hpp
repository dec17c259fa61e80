// The FHIR R4 (4.0.1) structure model: every resource, datatype, primitive and backbone element
// with its elements, the codes of the required value sets, and every SearchParameter. The tables
// are generated from HL7's definitions by tools/codegen/gen_fhir_r4.py into r4_tables.cpp
// (committed; docs/fhir-model.md tells how to regenerate) and are constant for the life of the
// process.
//
// Thread safety: everything here is immutable static data; all functions are safe to call from
// any thread. Pointers and string_views returned point into static storage and never dangle.

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace chartroom::fhir {

// Index of a type in the R4 type table. Types are sorted by name, so ids are stable for a given
// version of the definitions but are not meant to be persisted.
using TypeId = std::uint16_t;
inline constexpr TypeId kNoType = 0xFFFF;
inline constexpr std::uint32_t kUnbounded = 0xFFFFFFFF;

enum class TypeKind : std::uint8_t {
  kPrimitive,  // boolean, string, date ... (JSON scalars, with an optional `_name` sibling)
  kDatatype,   // complex datatypes: HumanName, Quantity, Element, BackboneElement ...
  kResource,   // Patient, Observation ... and the abstract Resource and DomainResource
  kBackbone,   // an element defined inline in a resource or datatype; named by its path,
               // e.g. "Patient.contact" or "Timing.repeat"
};

enum ElementFlags : std::uint8_t {
  kElementChoice = 1,    // value[x]: the JSON name carries the type, e.g. valueQuantity
  kElementSummary = 2,   // part of the _summary=true view
  kElementModifier = 4,  // isModifier
};

struct TypeInfo;

// A string in the generated tables: a slice of one static character blob. The tables hold only
// integers so that the generated source compiles in seconds; use the accessors below.
struct StrRef {
  std::uint32_t offset;
  std::uint32_t size;
};
namespace generated {
extern const char kR4Blob[];
}  // namespace generated
inline std::string_view Str(StrRef ref) { return {generated::kR4Blob + ref.offset, ref.size}; }

// A required binding's value set. When `enumerable` is false the codes cannot be listed from the
// definitions (e.g. BCP-47 languages, MIME types) and are not checked.
struct RequiredBinding {
  StrRef url_ref;
  bool enumerable;
  std::uint32_t first_code;
  std::uint32_t code_count;

  std::string_view url() const { return Str(url_ref); }
};

struct BoundCode {
  StrRef system_ref;
  StrRef code_ref;

  std::string_view system() const { return Str(system_ref); }
  std::string_view code() const { return Str(code_ref); }
};

struct ElementInfo {
  StrRef name_ref;  // JSON name; for a choice element the stem ("value" for value[x])
  StrRef path_ref;  // as in the definitions, e.g. "Observation.value[x]"
  std::uint16_t first_type;
  std::uint16_t type_count;
  std::uint8_t flags;  // ElementFlags
  std::uint32_t min;
  std::uint32_t max;           // kUnbounded for "*"
  std::int32_t binding;        // index of the required binding, or -1
  std::uint32_t first_target;  // Reference/canonical target type names
  std::uint32_t target_count;

  std::string_view name() const { return Str(name_ref); }
  std::string_view path() const { return Str(path_ref); }
  bool is_choice() const { return (flags & kElementChoice) != 0; }
  bool is_summary() const { return (flags & kElementSummary) != 0; }
  bool is_modifier() const { return (flags & kElementModifier) != 0; }
  bool is_array() const { return max > 1; }

  // The possible types; more than one only for a choice element.
  std::span<const TypeId> types() const;
  // For Reference and canonical elements: the allowed target type names ("Resource" = any).
  std::span<const StrRef> targets() const;
  // The required binding, if the element has one.
  const RequiredBinding* required_binding() const;
};

// A JSON property name of a type resolved to its element and, for choice elements, its type:
// "valueQuantity" on Observation -> {element value[x], Quantity}.
struct JsonProperty {
  StrRef json_name_ref;
  std::uint32_t element_index;
  TypeId type;

  std::string_view json_name() const { return Str(json_name_ref); }
  const ElementInfo& element() const;
};

struct TypeInfo {
  StrRef name_ref;
  TypeKind kind;
  TypeId base;  // the type it specializes or constrains (Patient -> DomainResource); kNoType
  bool is_abstract;
  std::uint32_t first_element;
  std::uint32_t element_count;
  std::uint32_t first_property;
  std::uint32_t property_count;
  StrRef regex_ref;                       // primitives: the spec's regular expression for the value
  std::uint32_t first_compartment_param;  // resources: see patient_compartment_params()
  std::uint32_t compartment_param_count;

  std::string_view name() const { return Str(name_ref); }
  std::string_view regex() const { return Str(regex_ref); }
  bool is_primitive() const { return kind == TypeKind::kPrimitive; }
  bool is_resource() const { return kind == TypeKind::kResource; }

  // Resources: the search parameters whose references put a resource of this type in a
  // patient's compartment (https://hl7.org/fhir/R4/compartmentdefinition-patient.html), e.g.
  // {"subject", "performer"} for Observation; empty when the type is not in the compartment.
  // A Patient is in its own compartment by id.
  std::span<const StrRef> patient_compartment_params() const;

  std::span<const ElementInfo> elements() const;     // sorted by name
  std::span<const JsonProperty> properties() const;  // sorted by json_name

  // Element by its (stem) name, e.g. "value" or "name"; nullptr if none.
  const ElementInfo* FindElement(std::string_view name) const;
  // Resolves a JSON property name, including choice names like "valueQuantity".
  const JsonProperty* FindProperty(std::string_view json_name) const;
};

enum class SearchParamType : std::uint8_t {
  kNumber,
  kDate,
  kString,
  kToken,
  kReference,
  kComposite,
  kQuantity,
  kUri,
  kSpecial,
};

// The SearchParameter.type code of `type` ("number", "date", ..., "special").
std::string_view SearchParamTypeCode(SearchParamType type);

struct SearchParamInfo {
  StrRef code_ref;
  StrRef url_ref;
  SearchParamType type;
  StrRef expression_ref;  // FHIRPath; may cover several bases joined with |
  std::uint32_t first_base, base_count;
  std::uint32_t first_target, target_count;
  std::uint32_t first_modifier, modifier_count;
  std::uint32_t first_comparator, comparator_count;
  std::uint32_t first_component, component_count;  // pairs: definition url, expression
  bool multiple_or;
  bool multiple_and;

  std::string_view code() const { return Str(code_ref); }
  std::string_view url() const { return Str(url_ref); }
  std::string_view expression() const { return Str(expression_ref); }
  std::span<const StrRef> bases() const;
  std::span<const StrRef> targets() const;
  std::span<const StrRef> modifiers() const;
  std::span<const StrRef> comparators() const;
  // Component i is {components()[2*i] = definition url, components()[2*i+1] = expression}.
  std::span<const StrRef> components() const;
  bool HasBase(std::string_view resource_type) const;
};

// The raw generated tables; use the functions below rather than this.
struct ModelTables {
  const TypeInfo* types;
  std::size_t type_count;
  const ElementInfo* elements;
  std::size_t element_count;
  const JsonProperty* properties;
  std::size_t property_count;
  const TypeId* type_refs;
  const StrRef* strings;  // lists of names (targets, bases, modifiers ...)
  const RequiredBinding* bindings;
  std::size_t binding_count;
  const BoundCode* codes;
  std::size_t code_count;
  const SearchParamInfo* search_params;
  std::size_t search_param_count;
};

// The R4 model.
const ModelTables& R4();

std::span<const TypeInfo> AllTypes();
const TypeInfo& Type(TypeId id);
TypeId IdOf(const TypeInfo& type);
// Type by name ("Patient", "HumanName", "string", "Patient.contact"); nullptr if unknown.
const TypeInfo* FindType(std::string_view name);
// A concrete resource type by name; nullptr for unknown or abstract names.
const TypeInfo* FindResourceType(std::string_view name);
// True if `type` is `ancestor` or specializes it, directly or indirectly.
bool IsA(const TypeInfo& type, const TypeInfo& ancestor);

// Codes of a binding, sorted by code.
std::span<const BoundCode> Codes(const RequiredBinding& binding);
// True if `code` (and, when given, `system`) is in an enumerable binding.
bool BindingHasCode(const RequiredBinding& binding, std::string_view code,
                    std::optional<std::string_view> system = std::nullopt);

std::span<const SearchParamInfo> AllSearchParams();
// The search parameter `code` that applies to `resource_type` (directly, or through its base
// Resource/DomainResource); nullptr if none.
const SearchParamInfo* FindSearchParam(std::string_view resource_type, std::string_view code);

}  // namespace chartroom::fhir
