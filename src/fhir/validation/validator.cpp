// One recursive walk over the JSON DOM, driven by the model tables. The walk allocates nothing
// per element: the FHIRPath location is a stack of string_views that is rendered only when an
// issue is reported, and per-object bookkeeping (which elements were seen) lives on one reused
// vector.

#include "fhir/validation/validator.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include "fhir/json/strict_parser.hpp"
#include "fhir/model/model.hpp"
#include "fhir/primitives/lexical.hpp"

namespace chartroom::fhir {
namespace {

namespace bj = boost::json;

std::string_view Sv(bj::string_view s) { return {s.data(), s.size()}; }

// ---------------------------------------------------------------------------------------------
// Facts about the model that the walk needs per element, computed once from the immutable tables.

enum class JsonKind : std::uint8_t { kNone, kBoolean, kInteger, kDecimal, kString };

struct PrimitiveRule {
  JsonKind json = JsonKind::kNone;
  std::int64_t min = 0;  // integer types: the value range
  std::int64_t max = 0;
  PrimitiveType lexical = PrimitiveType::kString;
};

constexpr std::int64_t kInt32Max = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kInt32Min = std::numeric_limits<std::int32_t>::min();

class ModelIndex {
 public:
  static const ModelIndex& Get() {
    static const ModelIndex index;
    return index;
  }

  const PrimitiveRule& Rule(TypeId id) const { return rules_[id]; }

  // Global indexes of the elements of `type` with min > 0.
  std::span<const std::uint32_t> Required(const TypeInfo& type) const {
    const auto [first, count] = required_ranges_[IdOf(type)];
    return {required_.data() + first, count};
  }

  std::uint32_t ElementIndex(const ElementInfo& el) const {
    return static_cast<std::uint32_t>(&el - R4().elements);
  }

  const TypeInfo* resource = nullptr;
  const TypeInfo* bundle = nullptr;
  const TypeInfo* reference = nullptr;
  const TypeInfo* coding = nullptr;
  const TypeInfo* codeable_concept = nullptr;
  const TypeInfo* extension = nullptr;
  std::uint32_t extension_value = 0;      // element index of Extension.value[x]
  std::uint32_t extension_extension = 0;  // element index of Extension.extension

 private:
  ModelIndex() {
    const ModelTables& tables = R4();
    rules_.resize(tables.type_count);
    required_ranges_.resize(tables.type_count);
    for (const TypeInfo& type : AllTypes()) {
      const TypeId id = IdOf(type);
      if (type.is_primitive()) rules_[id] = RuleFor(type.name());
      const auto first = static_cast<std::uint32_t>(required_.size());
      for (const ElementInfo& el : type.elements()) {
        if (el.min > 0) required_.push_back(ElementIndex(el));
      }
      required_ranges_[id] = {first, static_cast<std::uint32_t>(required_.size()) - first};
    }
    resource = FindType("Resource");
    bundle = FindType("Bundle");
    reference = FindType("Reference");
    coding = FindType("Coding");
    codeable_concept = FindType("CodeableConcept");
    extension = FindType("Extension");
    extension_value = ElementIndex(*extension->FindElement("value"));
    extension_extension = ElementIndex(*extension->FindElement("extension"));
  }

  static PrimitiveRule RuleFor(std::string_view name) {
    PrimitiveRule rule;
    const std::optional<PrimitiveType> lexical = PrimitiveTypeByName(name);
    if (!lexical) return rule;  // not reachable for R4 primitives; checked by a test
    rule.lexical = *lexical;
    switch (*lexical) {
      case PrimitiveType::kBoolean:
        rule.json = JsonKind::kBoolean;
        break;
      case PrimitiveType::kInteger:
        rule = {JsonKind::kInteger, kInt32Min, kInt32Max, *lexical};
        break;
      case PrimitiveType::kUnsignedInt:
        rule = {JsonKind::kInteger, 0, kInt32Max, *lexical};
        break;
      case PrimitiveType::kPositiveInt:
        rule = {JsonKind::kInteger, 1, kInt32Max, *lexical};
        break;
      case PrimitiveType::kDecimal:
        rule.json = JsonKind::kDecimal;
        break;
      default:
        rule.json = JsonKind::kString;
        break;
    }
    return rule;
  }

  std::vector<PrimitiveRule> rules_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> required_ranges_;
  std::vector<std::uint32_t> required_;
};

// ---------------------------------------------------------------------------------------------
// Small helpers.

std::string_view KindName(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null:
      return "null";
    case bj::kind::bool_:
      return "a boolean";
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_:
      return "a number";
    case bj::kind::string:
      return "a string";
    case bj::kind::array:
      return "an array";
    case bj::kind::object:
      return "an object";
  }
  return "a value";
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

// A JSON key as it appears in an expression: plain when it is an identifier, else in FHIRPath
// backquotes (https://hl7.org/fhirpath/N1/#identifiers), control characters escaped, cut at 64
// bytes.
void AppendKey(std::string& out, std::string_view key) {
  if (IsIdentifier(key)) {
    out += key;
    return;
  }
  out += '`';
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const auto u = static_cast<unsigned char>(c);
    if (i >= 64 && (u & 0xC0) != 0x80) {  // cut at a character boundary: keep valid UTF-8
      out += "...";
      break;
    }
    if (c == '`' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  out += '`';
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool IsFhirId(std::string_view s) { return MatchesLexicalForm(PrimitiveType::kId, s); }

// RFC 3986 scheme followed by ':'.
bool HasScheme(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ':') return true;
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return false;
}

// Splits `s` at '/' into at most `N` parts; returns the number of parts, or N + 1 if there are
// more.
template <std::size_t N>
std::size_t SplitSlash(std::string_view s, std::array<std::string_view, N>& parts) {
  std::size_t n = 0;
  while (true) {
    const std::size_t slash = s.find('/');
    if (n == N) return N + 1;
    parts[n++] = s.substr(0, slash);
    if (slash == std::string_view::npos) return n;
    s.remove_prefix(slash + 1);
  }
}

// What a Reference.reference string says (https://hl7.org/fhir/R4/references.html#literal).
struct ParsedReference {
  enum class Kind : std::uint8_t {
    kInvalid,
    kContainer,    // "#": the resource that contains this one
    kLocal,        // "#id": a contained resource
    kUrn,          // urn:uuid: or urn:oid:
    kAbsolute,     // any other absolute URI
    kRelative,     // Type/id or Type/id/_history/vid
    kConditional,  // Type?query (transactions and batches only)
  };
  Kind kind = Kind::kInvalid;
  const TypeInfo* type = nullptr;  // when the text names the target type
  std::string_view local_id;       // kLocal
  const char* problem = "";        // kInvalid: why
};

// "Type/id" or "Type/id/_history/vid" at the end of `path` (the last 2 or 4 segments).
const TypeInfo* RestfulTail(std::string_view path) {
  std::array<std::string_view, 4> tail;
  std::size_t n = 0;
  std::string_view rest = path;
  while (n < 4) {
    const std::size_t slash = rest.rfind('/');
    tail[n++] = rest.substr(slash == std::string_view::npos ? 0 : slash + 1);
    if (slash == std::string_view::npos) break;
    rest = rest.substr(0, slash);
  }
  if (n >= 4 && tail[1] == "_history" && IsFhirId(tail[0]) && IsFhirId(tail[2])) {
    return FindResourceType(tail[3]);
  }
  if (n >= 2 && IsFhirId(tail[0])) return FindResourceType(tail[1]);
  return nullptr;
}

ParsedReference ParseReference(std::string_view ref) {
  using Kind = ParsedReference::Kind;
  ParsedReference out;
  if (ref[0] == '#') {
    out.local_id = ref.substr(1);
    if (out.local_id.empty()) {
      out.kind = Kind::kContainer;
    } else if (IsFhirId(out.local_id)) {
      out.kind = Kind::kLocal;
    } else {
      out.problem = "a local reference is '#' followed by the id of a contained resource";
    }
    return out;
  }
  if (StartsWith(ref, "urn:uuid:")) {
    if (MatchesLexicalForm(PrimitiveType::kUuid, ref)) {
      out.kind = Kind::kUrn;
    } else {
      out.problem = "a urn:uuid: reference needs a lower-case RFC 4122 UUID";
    }
    return out;
  }
  if (StartsWith(ref, "urn:oid:")) {
    if (MatchesLexicalForm(PrimitiveType::kOid, ref)) {
      out.kind = Kind::kUrn;
    } else {
      out.problem = "a urn:oid: reference needs a valid OID";
    }
    return out;
  }
  if (HasScheme(ref)) {
    if (!MatchesLexicalForm(PrimitiveType::kUri, ref)) {
      out.problem = "an absolute reference must be a valid URI";
      return out;
    }
    out.kind = Kind::kAbsolute;
    if (StartsWith(ref, "http://") || StartsWith(ref, "https://")) {
      std::string_view path = ref.substr(0, ref.find_first_of("?#"));
      out.type = RestfulTail(path);
    }
    return out;
  }
  const std::size_t question = ref.find('?');
  const std::size_t slash = ref.find('/');
  if (question != std::string_view::npos && question < slash) {
    out.type = FindResourceType(ref.substr(0, question));
    if (out.type == nullptr) {
      out.problem = "a conditional reference starts with a FHIR R4 resource type";
    } else if (question + 1 == ref.size()) {
      out.problem = "a conditional reference needs search parameters after '?'";
    } else {
      out.kind = Kind::kConditional;
    }
    return out;
  }
  std::array<std::string_view, 4> parts;
  const std::size_t n = SplitSlash(ref, parts);
  if (n != 2 && !(n == 4 && parts[2] == "_history")) {
    out.problem = "a relative reference is Type/id or Type/id/_history/version";
    return out;
  }
  out.type = FindResourceType(parts[0]);
  if (out.type == nullptr) {
    out.problem = "a relative reference starts with a FHIR R4 resource type";
  } else if (!IsFhirId(parts[1]) || (n == 4 && !IsFhirId(parts[3]))) {
    out.problem = "the id in a relative reference must be a valid FHIR id";
  } else {
    out.kind = Kind::kRelative;
  }
  return out;
}

bool TargetAllowed(const ElementInfo& el, const TypeInfo& target) {
  const std::span<const StrRef> targets = el.targets();
  if (targets.empty()) return true;
  for (StrRef t : targets) {
    const std::string_view name = Str(t);
    if (name == target.name() || name == "Resource") return true;
    if (name == "DomainResource" && IsA(target, *FindType("DomainResource"))) return true;
  }
  return false;
}

// Where a resource object sits, which decides the rules that apply to it.
enum class ResourceRole : std::uint8_t {
  kRoot,       // the document itself
  kNested,     // Bundle.entry.resource, Parameters.parameter.resource: a resource of its own
  kContained,  // DomainResource.contained
};

// What kind of object ValidateMembers is looking at.
enum class ObjectRole : std::uint8_t {
  kResource,
  kComplex,                // a datatype or backbone element
  kPrimitiveWithValue,     // a `_name` object whose primitive has a value
  kPrimitiveWithoutValue,  // a `_name` object standing alone
};

struct PendingDuplicate {
  const bj::object* object;  // where the walk meets it; nullptr if the path did not resolve
  json::DuplicateKey where;
  std::size_t order;  // position in the document
  bool reported;
};

bool DuplicateLess(const PendingDuplicate& a, const PendingDuplicate& b) {
  if (a.object != b.object) return std::less<const void*>()(a.object, b.object);
  if (a.where.key != b.where.key) return a.where.key < b.where.key;
  return a.order < b.order;
}

// ---------------------------------------------------------------------------------------------

class Walker {
 public:
  Walker(const ValidationOptions& options, OperationOutcome& out)
      : index_(ModelIndex::Get()), options_(options), out_(out) {
    path_.reserve(32);
    seen_.reserve(128);
  }

  void SetDuplicates(const bj::value& root, std::vector<json::DuplicateKey> duplicates) {
    for (json::DuplicateKey& dup : duplicates) {
      const bj::value* at = &root;
      for (const json::JsonPathStep& step : dup.object_path) {
        if (at == nullptr) break;
        if (step.index) {
          const bj::array* a = at->if_array();
          at = a != nullptr && *step.index < a->size() ? &(*a)[*step.index] : nullptr;
        } else {
          const bj::object* o = at->if_object();
          at = o != nullptr ? o->if_contains(step.key) : nullptr;
        }
      }
      pending_duplicates_.push_back({at != nullptr ? at->if_object() : nullptr, std::move(dup),
                                     pending_duplicates_.size(), false});
    }
    // Sorted by object, then key, so that the walk finds an object's duplicates by binary
    // search: a document may hold very many of them.
    std::sort(pending_duplicates_.begin(), pending_duplicates_.end(), DuplicateLess);
  }

  void ValidateRoot(const bj::value& value) {
    if (!value.is_object()) {
      Report(IssueType::kStructure, "fhir.wrong-json-type",
             "A FHIR resource is a JSON object, not " + std::string(KindName(value)));
    } else {
      ValidateResource(value.get_object(), ResourceRole::kRoot);
    }
    ReportUnvisitedDuplicates(value);
  }

 private:
  static constexpr std::uint32_t kNoIndex = 0xFFFFFFFF;

  struct Segment {
    explicit Segment(std::string_view n, std::uint32_t i = kNoIndex, bool document = false)
        : name(n), index(i), from_document(document) {}
    std::string_view name;
    std::uint32_t index;
    const TypeInfo* of_type = nullptr;
    bool from_document;  // a key that is not an element name: escape when rendering
  };

  struct Seen {
    std::uint32_t element;
    const JsonProperty* property;
  };

  struct ContainedEntry {
    std::string_view id;
    const TypeInfo* type;
    std::uint32_t position;
    bool referenced;
  };

  // The resource that local references resolve in: the root, or a resource of its own inside
  // it (https://hl7.org/fhir/R4/references.html#contained).
  struct Scope {
    std::vector<ContainedEntry> contained;
    std::int64_t current = -1;  // index into `contained` while walking a contained resource
  };

  struct BundleContext {
    bool conditional_allowed = false;
    std::unordered_map<std::string_view, const TypeInfo*> type_by_full_url;
  };

  // ----- reporting -----------------------------------------------------------------------------

  std::string Expression() const {
    std::string out;
    for (std::size_t i = 0; i < path_.size(); ++i) {
      const Segment& s = path_[i];
      if (i > 0) out += '.';
      if (s.from_document) {
        AppendKey(out, s.name);
      } else {
        out += s.name;
      }
      if (s.index != kNoIndex) {
        out += '[';
        out += std::to_string(s.index);
        out += ']';
      }
      if (s.of_type != nullptr) {
        out += ".ofType(";
        out += s.of_type->name();
        out += ')';
      }
    }
    return out;
  }

  void Report(IssueType type, std::string_view code, std::string diagnostics,
              IssueSeverity severity = IssueSeverity::kError) {
    Issue issue;
    issue.severity = severity;
    issue.code = type;
    issue.details_code = std::string(code);
    issue.diagnostics = std::move(diagnostics);
    issue.expression = Expression();
    out_.AddIssue(std::move(issue));
  }

  // Reports at `name`, a child of the current location.
  void ReportAt(std::string_view name, bool from_document, IssueType type, std::string_view code,
                std::string diagnostics, IssueSeverity severity = IssueSeverity::kError) {
    path_.emplace_back(name, kNoIndex, from_document);
    Report(type, code, std::move(diagnostics), severity);
    path_.pop_back();
  }

  // ----- resources -----------------------------------------------------------------------------

  void ValidateResource(const bj::object& obj, ResourceRole role) {
    const bj::value* resource_type = obj.if_contains("resourceType");
    if (resource_type == nullptr) {
      Report(IssueType::kRequired, "fhir.resource-type-missing",
             "A resource needs a resourceType property");
      return;
    }
    if (!resource_type->is_string()) {
      ReportAt("resourceType", false, IssueType::kStructure, "fhir.wrong-json-type",
               "resourceType is a JSON string, not " + std::string(KindName(*resource_type)));
      return;
    }
    const std::string_view type_name = Sv(resource_type->get_string());
    const TypeInfo* type = FindResourceType(type_name);
    if (type == nullptr) {
      std::string diagnostics = "resourceType ";
      if (IsIdentifier(type_name)) diagnostics += "'" + std::string(type_name) + "' ";
      diagnostics += "is not a concrete FHIR R4 resource type";
      ReportAt("resourceType", false, IssueType::kStructure, "fhir.unknown-resource-type",
               std::move(diagnostics));
      return;
    }
    if (role == ResourceRole::kRoot) {
      path_.emplace_back(type->name());
    } else {
      path_.back().of_type = type;
    }
    const bool own_scope = role != ResourceRole::kContained;
    if (own_scope) EnterScope(obj);

    const BundleContext* outer_bundle = bundle_;
    BundleContext bundle_context;
    if (type == index_.bundle) {
      BuildBundleContext(obj, bundle_context);
      bundle_ = &bundle_context;
    }

    ValidateMembers(obj, *type, ObjectRole::kResource, role);
    if (role == ResourceRole::kContained) CheckContainedMeta(obj);

    bundle_ = outer_bundle;
    if (own_scope) LeaveScope();
    if (role == ResourceRole::kRoot) {
      path_.pop_back();
    } else {
      path_.back().of_type = nullptr;
    }
  }

  void BuildBundleContext(const bj::object& bundle, BundleContext& context) {
    if (const bj::value* type = bundle.if_contains("type"); type != nullptr && type->is_string()) {
      const std::string_view t = Sv(type->get_string());
      context.conditional_allowed = t == "transaction" || t == "batch";
    }
    const bj::value* entries = bundle.if_contains("entry");
    if (entries == nullptr || !entries->is_array()) return;
    for (const bj::value& entry : entries->get_array()) {
      const bj::object* e = entry.if_object();
      if (e == nullptr) continue;
      const bj::value* full_url = e->if_contains("fullUrl");
      const bj::value* resource = e->if_contains("resource");
      if (full_url == nullptr || !full_url->is_string() || resource == nullptr ||
          !resource->is_object()) {
        continue;
      }
      const bj::value* rt = resource->get_object().if_contains("resourceType");
      if (rt == nullptr || !rt->is_string()) continue;
      if (const TypeInfo* t = FindResourceType(Sv(rt->get_string())); t != nullptr) {
        context.type_by_full_url.emplace(Sv(full_url->get_string()), t);
      }
    }
  }

  void EnterScope(const bj::object& resource) {
    if (scope_depth_ == scopes_.size()) scopes_.emplace_back();
    Scope& scope = scopes_[scope_depth_++];
    scope.contained.clear();
    scope.current = -1;
    const bj::value* contained = resource.if_contains("contained");
    if (contained == nullptr || !contained->is_array()) return;
    std::uint32_t position = 0;
    for (const bj::value& item : contained->get_array()) {
      ContainedEntry entry{{}, nullptr, position++, false};
      if (const bj::object* o = item.if_object(); o != nullptr) {
        if (const bj::value* id = o->if_contains("id"); id != nullptr && id->is_string()) {
          entry.id = Sv(id->get_string());
        }
        if (const bj::value* rt = o->if_contains("resourceType");
            rt != nullptr && rt->is_string()) {
          entry.type = FindResourceType(Sv(rt->get_string()));
        }
      }
      scope.contained.push_back(entry);
    }
  }

  // dom-3: every contained resource is referenced from the rest of its container, or refers to
  // the container itself (https://hl7.org/fhir/R4/domainresource.html#invs).
  void LeaveScope() {
    Scope& scope = scopes_[--scope_depth_];
    for (const ContainedEntry& entry : scope.contained) {
      if (entry.referenced || entry.type == nullptr) continue;
      path_.emplace_back("contained", entry.position);
      Report(IssueType::kInvariant, "fhir.contained-unreferenced",
             entry.id.empty() ? "A contained resource needs an id so that it can be referenced "
                                "(dom-3)"
                              : "A contained resource must be referenced from elsewhere in the "
                                "resource or refer to it (dom-3)");
      path_.pop_back();
    }
  }

  Scope* CurrentScope() { return scope_depth_ == 0 ? nullptr : &scopes_[scope_depth_ - 1]; }

  // Marks '#id' as referenced; returns the contained resource it names, or nullptr.
  const ContainedEntry* MarkLocal(std::string_view local_id) {
    Scope* scope = CurrentScope();
    if (scope == nullptr) return nullptr;
    if (local_id.empty()) {  // "#": the container itself
      if (scope->current >= 0) {
        scope->contained[static_cast<std::size_t>(scope->current)].referenced = true;
      }
      return nullptr;
    }
    for (ContainedEntry& entry : scope->contained) {
      if (entry.id == local_id) {
        entry.referenced = true;
        return &entry;
      }
    }
    return nullptr;
  }

  // dom-4 and dom-5.
  void CheckContainedMeta(const bj::object& resource) {
    const bj::value* meta = resource.if_contains("meta");
    if (meta == nullptr || !meta->is_object()) return;
    path_.emplace_back("meta");
    for (const auto& member : meta->get_object()) {
      const std::string_view key = Sv(member.key());
      if (key == "versionId" || key == "lastUpdated") {
        ReportAt(key, false, IssueType::kInvariant, "fhir.contained-meta",
                 "A contained resource has no meta.versionId or meta.lastUpdated (dom-4)");
      } else if (key == "security") {
        ReportAt(key, false, IssueType::kInvariant, "fhir.contained-security",
                 "A contained resource has no security labels (dom-5)");
      }
    }
    path_.pop_back();
  }

  // ----- objects -------------------------------------------------------------------------------

  void ValidateMembers(const bj::object& obj, const TypeInfo& type, ObjectRole role,
                       ResourceRole resource_role = ResourceRole::kRoot) {
    if (depth_ >= options_.max_depth) {
      if (!reported_too_deep_) {
        reported_too_deep_ = true;
        Report(IssueType::kStructure, "fhir.json-too-deep",
               "The document nests deeper than " + std::to_string(options_.max_depth) +
                   " levels; what lies below was not validated");
      }
      return;
    }
    if (obj.empty()) {
      Report(IssueType::kStructure, "fhir.empty-value",
             "An object must have at least one property");
      return;
    }
    ++depth_;
    const bool is_resource = role == ObjectRole::kResource;
    const std::size_t seen_base = seen_.size();
    const bool has_duplicates = !pending_duplicates_.empty() && HasPendingDuplicates(obj);
    bool has_children = false;  // anything but id, for ele-1

    for (const bj::key_value_pair& member : obj) {
      const std::string_view key = Sv(member.key());
      if (has_duplicates) ReportDuplicates(obj, key);
      if (is_resource && key == "resourceType") continue;
      const bool underscore = !key.empty() && key[0] == '_';
      const std::string_view name = underscore ? key.substr(1) : key;
      const JsonProperty* prop = type.FindProperty(name);
      // Anything but id counts as a child for ele-1, unknown properties too: they are reported
      // on their own, and a second issue for the same mistake would only be noise.
      if (name != "id") has_children = true;
      if (prop == nullptr || (underscore && !Type(prop->type).is_primitive())) {
        ReportUnknown(type, key, underscore && prop != nullptr);
        continue;
      }
      if (!NoteSeen(seen_base, *prop)) {
        ReportAt(key, false, IssueType::kStructure, "fhir.choice-conflict",
                 "Only one type of the choice element " + std::string(prop->element().path()) +
                     " may be present");
        continue;
      }
      path_.emplace_back(prop->json_name());
      if (underscore) {
        ValidatePrimitiveExtension(obj, name, member.value(), *prop);
      } else {
        ValidateElement(obj, member.value(), *prop, is_resource, resource_role);
      }
      path_.pop_back();
    }

    for (std::uint32_t required : index_.Required(type)) {
      if (!SeenElement(seen_base, required)) {
        const ElementInfo& el = R4().elements[required];
        ReportAt(el.name(), false, IssueType::kRequired, "fhir.cardinality-min",
                 "Element " + std::string(el.path()) + " is required (min " +
                     std::to_string(el.min) + ")");
      }
    }
    if (&type == index_.extension) {
      // ext-1: https://hl7.org/fhir/R4/extensibility.html#Extension
      const bool value = SeenElement(seen_base, index_.extension_value);
      const bool children = SeenElement(seen_base, index_.extension_extension);
      if (value == children) {
        Report(IssueType::kInvariant, "fhir.extension-content",
               value ? "An extension has either a value or nested extensions, not both (ext-1)"
                     : "An extension needs a value or nested extensions (ext-1)");
      }
    }
    // ele-1: every element has a value or children (https://hl7.org/fhir/R4/element.html#invs).
    if (!has_children &&
        (role == ObjectRole::kComplex || role == ObjectRole::kPrimitiveWithoutValue)) {
      Report(IssueType::kInvariant, "fhir.empty-value",
             "An element needs a value or child elements besides id (ele-1)");
    }
    seen_.resize(seen_base);
    --depth_;
  }

  // Records that `prop` is present in the object whose entries start at `base`. False when
  // another type of the same choice element is already there.
  bool NoteSeen(std::size_t base, const JsonProperty& prop) {
    for (std::size_t i = base; i < seen_.size(); ++i) {
      if (seen_[i].element == prop.element_index) return seen_[i].property == &prop;
    }
    seen_.push_back({prop.element_index, &prop});
    return true;
  }

  bool SeenElement(std::size_t base, std::uint32_t element) const {
    for (std::size_t i = base; i < seen_.size(); ++i) {
      if (seen_[i].element == element) return true;
    }
    return false;
  }

  void ReportUnknown(const TypeInfo& type, std::string_view key, bool underscore_on_complex) {
    std::string diagnostics;
    if (key == "resourceType") {
      diagnostics = "resourceType is only allowed on a resource";
    } else if (underscore_on_complex) {
      diagnostics = "A '_' property only extends a primitive element, and " +
                    std::string(key.substr(1)) + " of " + std::string(type.name()) +
                    " is not primitive";
    } else {
      const ElementInfo* choice = nullptr;
      for (const ElementInfo& el : type.elements()) {
        if (el.is_choice() && key.size() > el.name().size() && StartsWith(key, el.name())) {
          choice = &el;
        }
      }
      if (choice != nullptr && IsIdentifier(key)) {
        diagnostics = "'" + std::string(key) + "' names no type of the choice element " +
                      std::string(choice->path());
      } else if (IsIdentifier(key)) {
        diagnostics = "'" + std::string(key) + "' is not an element of " + std::string(type.name());
      } else {
        diagnostics = "This property is not an element of " + std::string(type.name());
      }
    }
    ReportAt(key, true, IssueType::kStructure, "fhir.unknown-element", std::move(diagnostics));
  }

  // ----- elements ------------------------------------------------------------------------------

  void ValidateElement(const bj::object& parent, const bj::value& value, const JsonProperty& prop,
                       bool in_resource, ResourceRole resource_role) {
    const ElementInfo& el = prop.element();
    const TypeInfo& type = Type(prop.type);
    const bool contained = in_resource && &type == index_.resource && el.name() == "contained";
    if (contained && resource_role == ResourceRole::kContained) {
      Report(IssueType::kInvariant, "fhir.contained-nested",
             "A contained resource cannot contain resources (dom-2)");
      return;
    }
    if (el.max == 0) {
      Report(IssueType::kStructure, "fhir.cardinality-max",
             "Element " + std::string(el.path()) + " is not allowed here (max 0)");
      return;
    }
    if (!el.is_array()) {
      if (value.is_array()) {
        Report(IssueType::kStructure, "fhir.wrong-json-type",
               "Element " + std::string(el.path()) + " has at most one value, so it is not a " +
                   "JSON array");
        return;
      }
      if (value.is_null()) {
        Report(IssueType::kStructure, "fhir.null-value",
               "null is only allowed inside an array of primitives with a matching '_' array");
        return;
      }
      ValidateValue(value, type, el, ResourceRole::kNested);
      return;
    }
    const bj::array* items = value.if_array();
    if (items == nullptr) {
      Report(IssueType::kStructure, "fhir.wrong-json-type",
             "Element " + std::string(el.path()) + " repeats, so its value is a JSON array, not " +
                 std::string(KindName(value)));
      return;
    }
    if (items->empty()) {
      Report(IssueType::kStructure, "fhir.empty-value", "An array must have at least one item");
      return;
    }
    if (items->size() > el.max) {
      Report(IssueType::kStructure, "fhir.cardinality-max",
             "Element " + std::string(el.path()) + " has at most " + std::to_string(el.max) +
                 " values");
    }
    Scope* scope = contained ? CurrentScope() : nullptr;
    const bj::array* extensions = nullptr;
    bool looked_for_extensions = false;
    for (std::size_t i = 0; i < items->size(); ++i) {
      path_.back().index = static_cast<std::uint32_t>(i);
      const bj::value& item = (*items)[i];
      if (item.is_null()) {
        if (type.is_primitive()) {
          if (!looked_for_extensions) {
            looked_for_extensions = true;
            const bj::value* ext = FindUnderscored(parent, prop.json_name());
            extensions = ext != nullptr ? ext->if_array() : nullptr;
          }
          if (extensions != nullptr && i < extensions->size() && (*extensions)[i].is_object()) {
            continue;  // the value is absent but the element has an id or extensions
          }
        }
        Report(IssueType::kStructure, "fhir.null-value",
               "null is only allowed inside an array of primitives, where the '_' array has "
               "an object at the same position");
        continue;
      }
      if (scope != nullptr) scope->current = static_cast<std::int64_t>(i);
      ValidateValue(item, type, el, contained ? ResourceRole::kContained : ResourceRole::kNested);
      if (scope != nullptr) scope->current = -1;
    }
    path_.back().index = kNoIndex;
  }

  static const bj::value* FindUnderscored(const bj::object& parent, std::string_view name) {
    for (const auto& member : parent) {
      const std::string_view key = Sv(member.key());
      if (key.size() == name.size() + 1 && key[0] == '_' && key.substr(1) == name) {
        return &member.value();
      }
    }
    return nullptr;
  }

  // One value (not null, not an array) of element `el`, of type `type`.
  void ValidateValue(const bj::value& value, const TypeInfo& type, const ElementInfo& el,
                     ResourceRole resource_role) {
    if (type.is_primitive()) {
      ValidatePrimitive(value, type, el);
      return;
    }
    const bj::object* obj = value.if_object();
    if (obj == nullptr) {
      Report(IssueType::kStructure, "fhir.wrong-json-type",
             std::string(type.name()) + " is a JSON object, not " + std::string(KindName(value)));
      return;
    }
    if (&type == index_.resource) {
      ValidateResource(*obj, resource_role);
      return;
    }
    ValidateMembers(*obj, type, ObjectRole::kComplex);
    if (&type == index_.reference) {
      CheckReference(*obj, el);
    } else if (const RequiredBinding* binding = el.required_binding();
               binding != nullptr && binding->enumerable) {
      if (&type == index_.coding) {
        CheckCodingBinding(*obj, *binding);
      } else if (&type == index_.codeable_concept) {
        CheckCodeableConceptBinding(*obj, *binding);
      }
    }
  }

  void ValidatePrimitive(const bj::value& value, const TypeInfo& type, const ElementInfo& el) {
    const PrimitiveRule& rule = index_.Rule(IdOf(type));
    switch (rule.json) {
      case JsonKind::kBoolean:
        if (!value.is_bool()) ReportWrongPrimitiveKind(value, type, "a JSON boolean");
        return;
      case JsonKind::kInteger: {
        bool in_range = false;
        if (const std::int64_t* i = value.if_int64(); i != nullptr) {
          in_range = *i >= rule.min && *i <= rule.max;
        } else if (!value.is_uint64()) {  // uint64 only holds values above INT64_MAX
          if (!value.is_double()) {
            ReportWrongPrimitiveKind(value, type, "a JSON number");
            return;
          }
          Report(IssueType::kValue, "fhir.invalid-primitive",
                 "A value of type " + std::string(type.name()) +
                     " is a whole number without fraction or exponent");
          return;
        }
        if (!in_range) {
          Report(IssueType::kValue, "fhir.invalid-primitive",
                 "The value is out of range for " + std::string(type.name()) + " (" +
                     std::to_string(rule.min) + " to " + std::to_string(rule.max) + ")");
        }
        return;
      }
      case JsonKind::kDecimal:
        // The JSON number grammar is the decimal lexical form
        // (https://hl7.org/fhir/R4/datatypes.html#decimal), so any JSON number is one.
        if (!value.is_number()) ReportWrongPrimitiveKind(value, type, "a JSON number");
        return;
      case JsonKind::kString:
        break;
      case JsonKind::kNone:
        return;
    }
    const bj::string* s = value.if_string();
    if (s == nullptr) {
      ReportWrongPrimitiveKind(value, type, "a JSON string");
      return;
    }
    const std::string_view text = Sv(*s);
    if (text.empty()) {
      Report(IssueType::kStructure, "fhir.empty-value",
             "A string value cannot be empty; leave the element out instead");
      return;
    }
    if (!MatchesLexicalForm(rule.lexical, text)) {
      Report(IssueType::kValue, "fhir.invalid-primitive",
             "The value is not a valid " + std::string(type.name()));
      return;
    }
    if (text[0] == '#' &&
        (rule.lexical == PrimitiveType::kUri || rule.lexical == PrimitiveType::kUrl ||
         rule.lexical == PrimitiveType::kCanonical)) {
      MarkLocal(text.substr(1));  // counts as a reference to a contained resource (dom-3)
    }
    if (const RequiredBinding* binding = el.required_binding();
        binding != nullptr && binding->enumerable && rule.lexical == PrimitiveType::kCode &&
        !BindingHasCode(*binding, text)) {
      Report(IssueType::kCodeInvalid, "fhir.binding-code",
             "The code is not in the required value set " + std::string(binding->url()));
    }
  }

  void ReportWrongPrimitiveKind(const bj::value& value, const TypeInfo& type,
                                std::string_view expected) {
    Report(IssueType::kStructure, "fhir.wrong-json-type",
           "A value of type " + std::string(type.name()) + " is " + std::string(expected) +
               ", not " + std::string(KindName(value)));
  }

  // `_name` beside primitive element `name` (https://hl7.org/fhir/R4/json.html#primitive).
  void ValidatePrimitiveExtension(const bj::object& parent, std::string_view name,
                                  const bj::value& value, const JsonProperty& prop) {
    const ElementInfo& el = prop.element();
    const TypeInfo& type = Type(prop.type);
    const bj::value* base = parent.if_contains(name);
    if (!el.is_array()) {
      const bj::object* obj = value.if_object();
      if (obj == nullptr) {
        Report(IssueType::kStructure, "fhir.wrong-json-type",
               "The '_' property of a primitive is a JSON object holding id and extension, not " +
                   std::string(KindName(value)));
        return;
      }
      const bool has_value = base != nullptr && !base->is_null();
      ValidateMembers(
          *obj, type,
          has_value ? ObjectRole::kPrimitiveWithValue : ObjectRole::kPrimitiveWithoutValue);
      return;
    }
    const bj::array* items = value.if_array();
    if (items == nullptr) {
      Report(IssueType::kStructure, "fhir.wrong-json-type",
             "Element " + std::string(el.path()) +
                 " repeats, so its '_' property is a JSON array, not " +
                 std::string(KindName(value)));
      return;
    }
    if (items->empty()) {
      Report(IssueType::kStructure, "fhir.empty-value", "An array must have at least one item");
      return;
    }
    const bj::array* values = base != nullptr ? base->if_array() : nullptr;
    if (values != nullptr && values->size() != items->size()) {
      Report(IssueType::kStructure, "fhir.primitive-array-mismatch",
             "The arrays of " + std::string(el.path()) + " and its '_' property must have the " +
                 "same length (" + std::to_string(values->size()) + " and " +
                 std::to_string(items->size()) + ")");
    } else if (base == nullptr && items->size() > el.max) {
      Report(IssueType::kStructure, "fhir.cardinality-max",
             "Element " + std::string(el.path()) + " has at most " + std::to_string(el.max) +
                 " values");
    }
    for (std::size_t i = 0; i < items->size(); ++i) {
      path_.back().index = static_cast<std::uint32_t>(i);
      const bj::value& item = (*items)[i];
      const bool has_value = values != nullptr && i < values->size() && !(*values)[i].is_null();
      if (item.is_null()) {
        if (!has_value) {
          Report(IssueType::kStructure, "fhir.null-value",
                 "A position that is null in the '_' array needs a value in the primitive array");
        }
        continue;
      }
      const bj::object* obj = item.if_object();
      if (obj == nullptr) {
        Report(IssueType::kStructure, "fhir.wrong-json-type",
               "The items of a '_' array are JSON objects or null, not " +
                   std::string(KindName(item)));
        continue;
      }
      ValidateMembers(
          *obj, type,
          has_value ? ObjectRole::kPrimitiveWithValue : ObjectRole::kPrimitiveWithoutValue);
    }
    path_.back().index = kNoIndex;
  }

  // ----- references and bindings ---------------------------------------------------------------

  void CheckReference(const bj::object& reference, const ElementInfo& el) {
    const bj::value* value = reference.if_contains("reference");
    if (value == nullptr || !value->is_string() || value->get_string().empty()) return;
    const std::string_view text = Sv(value->get_string());
    path_.emplace_back("reference");
    const ParsedReference parsed = ParseReference(text);
    const TypeInfo* target = parsed.type;
    using Kind = ParsedReference::Kind;
    switch (parsed.kind) {
      case Kind::kInvalid:
        Report(IssueType::kValue, "fhir.invalid-reference",
               std::string("The reference is not valid: ") + parsed.problem);
        break;
      case Kind::kContainer:
        MarkLocal({});
        break;
      case Kind::kLocal: {
        const ContainedEntry* entry = MarkLocal(parsed.local_id);
        if (entry == nullptr) {
          Report(IssueType::kInvariant, "fhir.reference-unresolved",
                 "A local reference must name a contained resource of the same resource (ref-1)");
        } else {
          target = entry->type;
        }
        break;
      }
      case Kind::kUrn:
      case Kind::kAbsolute:
        if (bundle_ != nullptr) {
          if (auto it = bundle_->type_by_full_url.find(text);
              it != bundle_->type_by_full_url.end()) {
            target = it->second;
          }
        }
        break;
      case Kind::kRelative:
        break;
      case Kind::kConditional:
        if (bundle_ == nullptr || !bundle_->conditional_allowed) {
          Report(IssueType::kBusinessRule, "fhir.conditional-reference",
                 "A conditional reference is only resolved inside a transaction or batch Bundle",
                 IssueSeverity::kWarning);
        }
        break;
    }
    if (target != nullptr && !TargetAllowed(el, *target)) {
      Report(IssueType::kValue, "fhir.reference-target",
             "Element " + std::string(el.path()) + " cannot refer to a " +
                 std::string(target->name()));
    }
    path_.pop_back();
  }

  static bool CodingInBinding(const bj::object& coding, const RequiredBinding& binding) {
    const bj::value* code = coding.if_contains("code");
    if (code == nullptr || !code->is_string()) return false;
    const bj::value* system = coding.if_contains("system");
    std::optional<std::string_view> system_text;
    if (system != nullptr && system->is_string()) system_text = Sv(system->get_string());
    return BindingHasCode(binding, Sv(code->get_string()), system_text);
  }

  void CheckCodingBinding(const bj::object& coding, const RequiredBinding& binding) {
    if (!CodingInBinding(coding, binding)) {
      Report(IssueType::kCodeInvalid, "fhir.binding-code",
             "The coding is not in the required value set " + std::string(binding.url()));
    }
  }

  // A CodeableConcept bound with strength `required` has at least one coding from the value set
  // (https://hl7.org/fhir/R4/terminologies.html#required).
  void CheckCodeableConceptBinding(const bj::object& codeable_concept,
                                   const RequiredBinding& binding) {
    if (const bj::value* codings = codeable_concept.if_contains("coding");
        codings != nullptr && codings->is_array()) {
      for (const bj::value& coding : codings->get_array()) {
        const bj::object* c = coding.if_object();
        if (c != nullptr && CodingInBinding(*c, binding)) return;
      }
    }
    Report(IssueType::kCodeInvalid, "fhir.binding-code",
           "No coding is in the required value set " + std::string(binding.url()));
  }

  // ----- duplicate keys ------------------------------------------------------------------------

  // The first pending duplicate of `obj` with a key not less than `key`.
  std::vector<PendingDuplicate>::iterator FirstDuplicate(const bj::object& obj,
                                                         std::string_view key) {
    return std::lower_bound(pending_duplicates_.begin(), pending_duplicates_.end(), 0,
                            [&](const PendingDuplicate& dup, int) {
                              if (dup.object != &obj) {
                                return std::less<const void*>()(dup.object, &obj);
                              }
                              return std::string_view(dup.where.key) < key;
                            });
  }

  bool HasPendingDuplicates(const bj::object& obj) {
    const auto it = FirstDuplicate(obj, {});
    return it != pending_duplicates_.end() && it->object == &obj;
  }

  void ReportDuplicates(const bj::object& obj, std::string_view key) {
    for (auto it = FirstDuplicate(obj, key);
         it != pending_duplicates_.end() && it->object == &obj && it->where.key == key; ++it) {
      if (it->reported) continue;
      it->reported = true;
      ReportAt(key, true, IssueType::kStructure, "fhir.duplicate-key",
               "The key appears more than once in this JSON object; the last value was used");
    }
  }

  // Duplicates inside parts the walk did not enter (an unknown element, a wrong type): located
  // by their JSON path.
  void ReportUnvisitedDuplicates(const bj::value& root) {
    std::sort(
        pending_duplicates_.begin(), pending_duplicates_.end(),
        [](const PendingDuplicate& a, const PendingDuplicate& b) { return a.order < b.order; });
    for (PendingDuplicate& dup : pending_duplicates_) {
      if (dup.reported) continue;
      dup.reported = true;
      std::string expression;
      if (const bj::object* o = root.if_object(); o != nullptr) {
        if (const bj::value* rt = o->if_contains("resourceType");
            rt != nullptr && rt->is_string()) {
          if (const TypeInfo* t = FindResourceType(Sv(rt->get_string())); t != nullptr) {
            expression = std::string(t->name());
          }
        }
      }
      for (const json::JsonPathStep& step : dup.where.object_path) {
        if (step.index) {
          expression += "[" + std::to_string(*step.index) + "]";
        } else {
          if (!expression.empty()) expression += '.';
          AppendKey(expression, step.key);
        }
      }
      if (!expression.empty()) expression += '.';
      AppendKey(expression, dup.where.key);
      Issue issue;
      issue.code = IssueType::kStructure;
      issue.details_code = "fhir.duplicate-key";
      issue.diagnostics =
          "The key appears more than once in this JSON object; the last value was "
          "used";
      issue.expression = std::move(expression);
      out_.AddIssue(std::move(issue));
    }
  }

  const ModelIndex& index_;
  const ValidationOptions& options_;
  OperationOutcome& out_;
  std::vector<Segment> path_;
  std::vector<Seen> seen_;
  std::vector<Scope> scopes_;
  std::size_t scope_depth_ = 0;
  const BundleContext* bundle_ = nullptr;
  std::vector<PendingDuplicate> pending_duplicates_;
  std::size_t depth_ = 0;
  bool reported_too_deep_ = false;
};

}  // namespace

OperationOutcome Validate(const boost::json::value& resource, const ValidationOptions& options) {
  OperationOutcome outcome;
  Walker walker(options, outcome);
  walker.ValidateRoot(resource);
  return outcome;
}

ParsedDocument ParseAndValidate(std::string_view json_text, boost::json::storage_ptr storage,
                                const ValidationOptions& options) {
  json::StrictJson parsed =
      json::ParseStrictJson(json_text, std::move(storage), {.max_depth = options.max_depth});
  // Moved in at construction, which keeps the DOM in `storage` (assignment would copy it).
  ParsedDocument document{std::move(parsed.value), OperationOutcome(), std::move(parsed.numbers)};
  if (parsed.syntax_error) {
    const json::JsonSyntaxError& error = *parsed.syntax_error;
    const bool too_deep = error.kind == json::JsonSyntaxError::Kind::kTooDeep;
    Issue issue;
    issue.code = IssueType::kStructure;
    issue.details_code = too_deep ? "fhir.json-too-deep" : "fhir.json-syntax";
    issue.diagnostics = (too_deep ? "The document nests deeper than " +
                                        std::to_string(options.max_depth) + " levels at line "
                                  : std::string("JSON syntax error at line ")) +
                        std::to_string(error.line) + ", column " + std::to_string(error.column) +
                        (too_deep ? std::string() : ": " + error.message);
    issue.line = error.line;
    issue.column = error.column;
    document.outcome.AddIssue(std::move(issue));
    return document;
  }
  Walker walker(options, document.outcome);
  if (!parsed.duplicate_keys.empty()) {
    walker.SetDuplicates(document.value, std::move(parsed.duplicate_keys));
  }
  walker.ValidateRoot(document.value);
  return document;
}

}  // namespace chartroom::fhir
