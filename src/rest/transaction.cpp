// batch and transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction).
//
// Each entry becomes a Call answered by Dispatch, exactly as the same request over HTTP would
// be. A batch runs its entries one by one, each in its own store transaction, and reports each
// entry's outcome. A transaction runs every entry inside one store transaction: any entry that
// fails rolls everything back, and the answer is that entry's error. Transaction processing
// follows http.html#trules:
//   * order: DELETE, then POST, then PUT and PATCH, then GET (responses keep the request order);
//   * a POST entry whose fullUrl is a urn:uuid (or urn:oid) gets its id when it is created, and
//     every string equal to that fullUrl in the other entries' resources (every Reference, in
//     practice) is rewritten to Type/id before they are written. POSTs run in dependency order
//     so that each is written with its references already rewritten; POSTs that refer to each
//     other in a cycle are given ids up front and written as updates (update as create);
//   * conditional references (Patient?identifier=x) are resolved once, before any entry runs:
//     no match fails with 400, several matches with 412;
//   * no resource may be the target of two writes (400 rest.duplicate-target).

#include <algorithm>
#include <map>
#include <set>

#include <boost/json/serialize.hpp>

#include "core/result_macros.hpp"
#include "fhir/json/strict_parser.hpp"
#include "rest/bundle_writer.hpp"
#include "rest/error_response.hpp"
#include "rest/guarded_session.hpp"
#include "rest/interactions.hpp"
#include "rest/search_bundle.hpp"

namespace chartroom::rest {
namespace {

// One entry of the request Bundle, as parsed before processing.
struct Entry {
  std::size_t index = 0;
  std::string method;
  std::string full_url;
  std::string path;  // request.url before '?', relative to the base; the Route views into it
  std::string query;
  Route route;
  boost::json::object* resource = nullptr;  // into the request Bundle
  fhir::json::NumberTexts numbers;          // of `resource`, as written (fhir/json/writer.hpp)
  boost::json::value patch;                 // PATCH: the decoded JSON Patch
  std::string if_match;
  std::string if_none_match;
  std::string if_none_exist;
  std::string if_modified_since;
  std::string assigned_id;     // a POST in a reference cycle: the id given up front
  std::optional<Reply> early;  // decided before processing (a malformed entry)
};

Error EntryError(std::size_t index, std::string message) {
  return Error(ErrorCategory::kInvalid, "rest.bad-entry",
               "Bundle.entry[" + std::to_string(index) + "]: " + std::move(message));
}

std::string_view StringAt(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// RFC 4648 base64 (Binary.data); nullopt when malformed.
std::optional<std::string> DecodeBase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    const int v = value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (padding > 2) return std::nullopt;
  return out;
}

// The JSON Patch of a PATCH entry: a Binary resource holding application/json-patch+json.
Status DecodePatchEntry(Entry& entry, const RequestContext& context) {
  const boost::json::object* binary = entry.resource;
  if (binary == nullptr || StringAt(*binary, "resourceType") != "Binary" ||
      StringAt(*binary, "contentType") != "application/json-patch+json") {
    return Fail(ErrorCategory::kUnsupported, "rest.unsupported-media-type",
                "Bundle.entry[" + std::to_string(entry.index) +
                    "]: a PATCH entry must hold a Binary with contentType "
                    "application/json-patch+json (FHIRPath Patch is not supported)");
  }
  const auto text = DecodeBase64(StringAt(*binary, "data"));
  if (!text) return tl::unexpected(EntryError(entry.index, "Binary.data is not base64"));
  fhir::json::StrictJsonOptions options;
  options.max_depth = context.options->max_json_depth;
  fhir::json::StrictJson parsed = fhir::json::ParseStrictJson(*text, {}, options);
  if (parsed.syntax_error) {
    return Fail(ErrorCategory::kInvalid, "rest.bad-patch",
                "Bundle.entry[" + std::to_string(entry.index) +
                    "]: the JSON Patch is not JSON: " + parsed.syntax_error->message);
  }
  entry.patch = std::move(parsed.value);
  entry.resource = nullptr;
  return Ok();
}

// Reads entry `index` of the request Bundle.
Status ParseEntry(boost::json::value& value, Entry& entry, const RequestContext& context) {
  if (!value.is_object()) return tl::unexpected(EntryError(entry.index, "not an object"));
  boost::json::object& object = value.get_object();
  entry.full_url = std::string(StringAt(object, "fullUrl"));
  const boost::json::value* request = object.if_contains("request");
  if (request == nullptr || !request->is_object()) {
    return tl::unexpected(EntryError(entry.index, "a batch or transaction entry needs request"));
  }
  const boost::json::object& r = request->get_object();
  entry.method = std::string(StringAt(r, "method"));
  std::string url(StringAt(r, "url"));
  entry.if_match = std::string(StringAt(r, "ifMatch"));
  entry.if_none_match = std::string(StringAt(r, "ifNoneMatch"));
  entry.if_none_exist = std::string(StringAt(r, "ifNoneExist"));
  entry.if_modified_since = std::string(StringAt(r, "ifModifiedSince"));
  if (entry.method.empty())
    return tl::unexpected(EntryError(entry.index, "request.method is missing"));
  // An absolute url must be this server's base.
  const std::string& base = context.base_url;
  if (url.compare(0, base.size(), base) == 0 &&
      (url.size() == base.size() || url[base.size()] == '/' || url[base.size()] == '?')) {
    url.erase(0, base.size());
  } else if (url.find("://") != std::string::npos) {
    return tl::unexpected(
        EntryError(entry.index, "request.url is an absolute URL of another server"));
  }
  const std::size_t q = url.find('?');
  entry.path = url.substr(0, q);
  entry.query = q == std::string::npos ? std::string() : url.substr(q + 1);
  entry.route = RouteForFhirPath(entry.path);
  if (entry.route.kind == RouteKind::kUnknown) {
    return tl::unexpected(EntryError(entry.index, "request.url is not a FHIR interaction URL"));
  }
  boost::json::value* resource = object.if_contains("resource");
  if (resource != nullptr && resource->is_object()) entry.resource = &resource->get_object();
  if (entry.method == "PATCH") return DecodePatchEntry(entry, context);
  return Ok();
}

// Calls `f(string)` for every string value inside `value`, and `g(key, string)` keyed.
template <typename F>
void ForEachString(boost::json::value& value, std::string_view key, F&& f) {
  if (value.is_string()) {
    f(key, value);
  } else if (value.is_object()) {
    for (auto& member : value.get_object()) ForEachString(member.value(), member.key(), f);
  } else if (value.is_array()) {
    for (auto& item : value.get_array()) ForEachString(item, key, f);
  }
}

// Replaces every string that `mapping` knows (a urn fullUrl, a conditional reference) with
// its Type/id.
void Rewrite(boost::json::object& resource, const std::map<std::string, std::string>& mapping) {
  if (mapping.empty()) return;
  for (auto& member : resource) {
    ForEachString(member.value(), member.key(), [&](std::string_view, boost::json::value& s) {
      auto it = mapping.find(std::string(s.get_string()));
      if (it != mapping.end()) s = it->second;
    });
  }
}

// The conditional references (Type?criteria in a `reference`) of `resource`.
void CollectConditionalReferences(boost::json::object& resource, std::set<std::string>& out) {
  for (auto& member : resource) {
    ForEachString(member.value(), member.key(), [&](std::string_view key, boost::json::value& s) {
      const std::string_view text = s.get_string();
      const std::size_t q = text.find('?');
      if (key == "reference" && q != std::string_view::npos && q > 0 &&
          text.substr(0, q).find('/') == std::string_view::npos) {
        out.emplace(text);
      }
    });
  }
}

// Resolves each conditional reference to the one resource it matches.
Status ResolveConditionalReferences(Session& session, const std::set<std::string>& references,
                                    std::map<std::string, std::string>& mapping) {
  for (const std::string& reference : references) {
    const std::size_t q = reference.find('?');
    const std::string type = reference.substr(0, q);
    if (fhir::FindResourceType(type) == nullptr) {
      return Fail(ErrorCategory::kInvalid, "rest.conditional-reference-unresolved",
                  "a conditional reference names no resource type");
    }
    CHARTROOM_ASSIGN_OR_RETURN(
        fhir::search::SearchQuery query,
        ParseConditionalQuery(type, std::string_view(reference).substr(q + 1)));
    CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, session.Search(AsConditional(query)));
    if (page.matches.empty()) {
      return Fail(ErrorCategory::kInvalid, "rest.conditional-reference-unresolved",
                  "a conditional reference to " + type + " matches nothing");
    }
    if (page.matches.size() > 1) {
      return Fail(ErrorCategory::kPrecondition, "rest.multiple-matches",
                  "a conditional reference to " + type + " matches more than one resource");
    }
    mapping[reference] = type + "/" + page.matches.front().id;
  }
  return Ok();
}

bool IsPlaceholder(std::string_view full_url) {
  return full_url.starts_with("urn:uuid:") || full_url.starts_with("urn:oid:");
}

// Runs one entry: its resource copied and rewritten through `mapping` first.
Reply RunEntry(Session& session, const RequestContext& context, Entry& entry,
               const std::map<std::string, std::string>& mapping) {
  if (entry.early) return *entry.early;
  std::optional<boost::json::object> resource;
  Call call;
  call.method = entry.method;
  call.route = entry.route;
  call.query = entry.query;
  call.if_match = entry.if_match;
  call.if_none_match = entry.if_none_match;
  call.if_none_exist = entry.if_none_exist;
  call.if_modified_since = entry.if_modified_since;
  call.from_bundle = true;
  if (entry.resource != nullptr) {
    resource.emplace(*entry.resource);
    Rewrite(*resource, mapping);
    call.resource = &*resource;
    call.numbers = &entry.numbers;
  }
  if (entry.method == "PATCH") call.patch = &entry.patch;
  if (!entry.assigned_id.empty()) {
    // A POST in a reference cycle, written as an update with the id it was given.
    call.method = "PUT";
    call.route = Route{RouteKind::kInstance, entry.route.type, entry.assigned_id, {}, {}, {}};
    if (resource) (*resource)["id"] = entry.assigned_id;
  }
  return Dispatch(session, context, call);
}

// The identity an entry writes, for the overlap check ("" for none).
std::string WriteTarget(const Entry& entry, const Reply& reply) {
  if (entry.method == "GET" || entry.method == "HEAD") return "";
  if (!reply.type.empty()) return reply.type + "/" + reply.id;
  if (!entry.route.id.empty())
    return std::string(entry.route.type) + "/" + std::string(entry.route.id);
  return "";
}

int Phase(std::string_view method) {
  if (method == "DELETE") return 0;
  if (method == "POST") return 1;
  if (method == "PUT" || method == "PATCH") return 2;
  return 3;
}

// The POST entries in an order where each comes after the POSTs whose fullUrl it refers to;
// POSTs caught in a cycle are given ids up front (and so are written as updates).
std::vector<Entry*> OrderPosts(std::vector<Entry>& entries, const RequestContext& context) {
  std::vector<Entry*> posts;
  std::map<std::string, std::size_t> by_url;  // placeholder fullUrl -> position in posts
  for (Entry& e : entries) {
    if (e.method != "POST" || e.early) continue;
    if (IsPlaceholder(e.full_url)) by_url[e.full_url] = posts.size();
    posts.push_back(&e);
  }
  std::vector<std::set<std::size_t>> depends(posts.size());
  std::vector<std::vector<std::size_t>> dependents(posts.size());
  for (std::size_t i = 0; i < posts.size(); ++i) {
    if (posts[i]->resource == nullptr || by_url.empty()) continue;
    for (auto& member : *posts[i]->resource) {
      ForEachString(member.value(), member.key(), [&](std::string_view, boost::json::value& s) {
        auto it = by_url.find(std::string(s.get_string()));
        if (it != by_url.end() && it->second != i && depends[i].insert(it->second).second) {
          dependents[it->second].push_back(i);
        }
      });
    }
  }
  std::vector<Entry*> order;
  std::vector<bool> done(posts.size(), false);
  std::vector<std::size_t> pending(posts.size());
  for (std::size_t i = 0; i < posts.size(); ++i) pending[i] = depends[i].size();
  for (;;) {
    bool progressed = false;
    for (std::size_t i = 0; i < posts.size(); ++i) {
      if (done[i] || pending[i] != 0) continue;
      done[i] = true;
      progressed = true;
      order.push_back(posts[i]);
      for (std::size_t d : dependents[i]) --pending[d];
    }
    if (!progressed) break;
  }
  std::size_t counter = 0;
  for (std::size_t i = 0; i < posts.size(); ++i) {
    if (done[i]) continue;
    posts[i]->assigned_id = context.request_id + "-" + std::to_string(counter++);
    order.push_back(posts[i]);
  }
  return order;
}

void AddResponseEntry(BundleWriter& writer, const RequestContext& context, const Reply& reply) {
  const std::string full_url =
      reply.type.empty() ? std::string() : ResourceUrl(context, reply.type, reply.id);
  const std::string status = StatusText(reply.status);
  const std::string location =
      reply.location ? full_url + "/_history/" + std::to_string(reply.version) : std::string();
  const std::string etag = reply.version > 0 ? WeakETag(reply.version) : std::string();
  const std::string last_modified =
      reply.last_modified ? core::FormatInstant(*reply.last_modified) : std::string();
  const bool outcome = reply.kind == BodyKind::kOutcome;
  BundleEntry entry;
  entry.full_url = full_url;
  if (outcome) {
    entry.response_outcome = reply.body;
  } else {
    entry.resource = reply.body;
  }
  entry.response_status = status;
  entry.response_location = location;
  entry.response_etag = etag;
  entry.response_last_modified = last_modified;
  writer.AddEntry(entry);
}

// The index N of an issue located at Bundle.entry[N]..., if it is.
std::optional<std::size_t> EntryOfIssue(const fhir::Issue& issue) {
  constexpr std::string_view kPrefix = "Bundle.entry[";
  if (!issue.expression.starts_with(kPrefix)) return std::nullopt;
  std::size_t n = 0;
  std::size_t i = kPrefix.size();
  bool any = false;
  while (i < issue.expression.size() && issue.expression[i] >= '0' && issue.expression[i] <= '9') {
    n = n * 10 + static_cast<std::size_t>(issue.expression[i] - '0');
    ++i;
    any = true;
  }
  if (!any || i >= issue.expression.size() || issue.expression[i] != ']') return std::nullopt;
  return n;
}

// Notes in `out` a Patient that `entry` wrote or deleted (its reply `reply`).
void NotePatientWrite(Reply& out, const Entry& entry, const Reply& reply) {
  if (entry.method == "GET" || entry.method == "HEAD" || reply.status >= 300) return;
  if (reply.type == "Patient" && !reply.id.empty()) {
    out.patients_written.push_back(reply.id);
  } else if (entry.route.type == "Patient" && !entry.route.id.empty()) {
    out.patients_written.emplace_back(entry.route.id);
  }
}

Reply Batch(const RequestContext& context, std::vector<Entry>& entries,
            const fhir::OperationOutcome& findings) {
  // Validation findings fail their own entry only.
  std::map<std::size_t, fhir::OperationOutcome> per_entry;
  for (const fhir::Issue& issue : findings.issues()) {
    if (auto index = EntryOfIssue(issue)) per_entry[*index].AddIssue(issue);
  }
  for (auto& [index, outcome] : per_entry) {
    if (index < entries.size() && outcome.HasErrors() && !entries[index].early) {
      entries[index].early = OutcomeReply(400, outcome, "fhir.invalid");
    }
  }
  BundleWriter writer("batch-response", context.request_id, context.now);
  StoreSession store_session(*context.store);
  std::optional<GuardedSession> guarded;
  if (context.guard != nullptr) guarded.emplace(store_session, *context.guard);
  Session& session = guarded ? static_cast<Session&>(*guarded) : store_session;
  Reply out;
  for (Entry& entry : entries) {
    std::map<std::string, std::string> mapping;
    Reply reply;
    if (!entry.early && entry.resource != nullptr) {
      std::set<std::string> references;
      CollectConditionalReferences(*entry.resource, references);
      if (auto resolved = ResolveConditionalReferences(session, references, mapping); !resolved) {
        entry.early = ErrorReply(resolved.error());
      }
    }
    reply = RunEntry(session, context, entry, mapping);
    NotePatientWrite(out, entry, reply);
    AddResponseEntry(writer, context, reply);
  }
  out.kind = BodyKind::kBundle;
  out.body = writer.Finish();
  return out;
}

Reply Transaction(const RequestContext& context, std::vector<Entry>& entries,
                  const fhir::OperationOutcome& findings) {
  if (findings.HasErrors()) return OutcomeReply(400, findings, "fhir.invalid");
  for (const Entry& entry : entries) {
    if (entry.early) return *entry.early;  // one bad entry fails the whole transaction
  }
  std::vector<Reply> replies(entries.size());
  std::optional<Reply> failure;
  Status status = context.store->InTransaction([&](store::Transaction& tx) -> Status {
    failure.reset();
    for (Entry& e : entries) e.assigned_id.clear();
    TransactionSession tx_session(tx, *context.store);
    std::optional<GuardedSession> guarded;
    if (context.guard != nullptr) guarded.emplace(tx_session, *context.guard);
    Session& session = guarded ? static_cast<Session&>(*guarded) : tx_session;
    std::map<std::string, std::string> mapping;
    std::set<std::string> references;
    for (Entry& e : entries) {
      if (e.resource != nullptr) CollectConditionalReferences(*e.resource, references);
    }
    if (auto resolved = ResolveConditionalReferences(session, references, mapping); !resolved) {
      failure = ErrorReply(resolved.error());
      return resolved;
    }
    std::vector<Entry*> order;
    for (Entry& e : entries) {
      if (Phase(e.method) == 0) order.push_back(&e);
    }
    for (Entry* e : OrderPosts(entries, context)) order.push_back(e);
    for (int phase = 2; phase <= 3; ++phase) {
      for (Entry& e : entries) {
        if (Phase(e.method) == phase && e.method != "POST") order.push_back(&e);
      }
    }
    // Cycle members got their ids up front: their fullUrls are known before any is written.
    for (Entry* e : order) {
      if (!e->assigned_id.empty() && IsPlaceholder(e->full_url)) {
        mapping[e->full_url] = std::string(e->route.type) + "/" + e->assigned_id;
      }
    }
    std::set<std::string> targets;
    for (Entry* e : order) {
      Reply reply = RunEntry(session, context, *e, mapping);
      if (reply.status >= 400) {
        failure = std::move(reply);
        return Fail(ErrorCategory::kInvalid, "rest.transaction-failed",
                    "Bundle.entry[" + std::to_string(e->index) + "] failed");
      }
      if (const std::string target = WriteTarget(*e, reply); !target.empty()) {
        if (!targets.insert(target).second) {
          failure = ErrorReply(Error(ErrorCategory::kInvalid, "rest.duplicate-target",
                                     "Bundle.entry[" + std::to_string(e->index) +
                                         "] writes a resource another entry also writes"));
          return Fail(ErrorCategory::kInvalid, "rest.duplicate-target", "duplicate target");
        }
      }
      if (e->method == "POST" && IsPlaceholder(e->full_url) && !reply.type.empty()) {
        mapping[e->full_url] = reply.type + "/" + reply.id;
      }
      replies[e->index] = std::move(reply);
    }
    return Ok();
  });
  if (!status) {
    if (failure) return std::move(*failure);
    return ErrorReply(status.error());
  }
  BundleWriter writer("transaction-response", context.request_id, context.now);
  Reply out;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    NotePatientWrite(out, entries[i], replies[i]);
    AddResponseEntry(writer, context, replies[i]);
  }
  out.kind = BodyKind::kBundle;
  out.body = writer.Finish();
  return out;
}

}  // namespace

Reply ProcessBundle(const RequestContext& context, boost::json::value& bundle,
                    const fhir::OperationOutcome& findings,
                    std::span<const fhir::json::NumberText> numbers) {
  if (!bundle.is_object() || StringAt(bundle.get_object(), "resourceType") != "Bundle") {
    return ErrorReply(Error(ErrorCategory::kInvalid, "rest.not-a-bundle",
                            "POST to the base URL takes a batch or transaction Bundle"));
  }
  boost::json::object& object = bundle.get_object();
  const std::string_view type = StringAt(object, "type");
  if (type != "batch" && type != "transaction") {
    // The validator's findings first: a Bundle without a valid type is reported by it too.
    if (findings.HasErrors()) return OutcomeReply(400, findings, "fhir.invalid");
    return ErrorReply(Error(ErrorCategory::kInvalid, "rest.bad-bundle-type",
                            "Bundle.type must be batch or transaction"));
  }
  const bool transaction = type == "transaction";
  // Findings outside any entry fail a batch as a whole too.
  for (const fhir::Issue& issue : findings.issues()) {
    if (!EntryOfIssue(issue) && (issue.severity == fhir::IssueSeverity::kError ||
                                 issue.severity == fhir::IssueSeverity::kFatal)) {
      return OutcomeReply(400, findings, "fhir.invalid");
    }
  }
  std::vector<Entry> entries;
  if (boost::json::value* list = object.if_contains("entry"); list != nullptr && list->is_array()) {
    auto& array = list->get_array();
    if (array.size() > context.options->max_bundle_entries) {
      return ErrorReply(Error(ErrorCategory::kInvalid, "rest.bundle-too-large",
                              "the Bundle has more than " +
                                  std::to_string(context.options->max_bundle_entries) +
                                  " entries"));
    }
    entries.resize(array.size());
    for (std::size_t i = 0; i < array.size(); ++i) {
      entries[i].index = i;
      if (auto parsed = ParseEntry(array[i], entries[i], context); !parsed) {
        entries[i].early = ErrorReply(parsed.error());
      }
    }
    std::vector<const boost::json::value*> resources;
    for (const boost::json::value& e : array) {
      const boost::json::value* r =
          e.is_object() ? e.get_object().if_contains("resource") : nullptr;
      resources.push_back(r);
    }
    std::vector<fhir::json::NumberTexts> within =
        fhir::json::NumbersWithin(bundle, resources, numbers);
    for (std::size_t i = 0; i < array.size(); ++i) entries[i].numbers = std::move(within[i]);
  }
  return transaction ? Transaction(context, entries, findings) : Batch(context, entries, findings);
}

}  // namespace chartroom::rest
