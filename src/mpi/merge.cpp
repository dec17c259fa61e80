#include "mpi/merge.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "core/result_macros.hpp"

namespace chartroom::mpi {
namespace json = boost::json;
namespace {

constexpr std::size_t kPage = 1000;

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<json::object> ParseObject(const std::string& text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCategory::kInternal, "mpi.bad-stored-json",
                std::string(what) + " is not a JSON object");
  }
  return std::move(v.get_object());
}

std::string PatientRef(std::string_view id) { return "Patient/" + std::string(id); }

// The Patient.link entries of `patient` of `type` ("replaced-by", "replaces", ...).
std::vector<std::string> LinksOf(const json::object& patient, std::string_view type) {
  std::vector<std::string> out;
  const json::value* links = patient.if_contains("link");
  if (links == nullptr || !links->is_array()) return out;
  for (const json::value& link : links->get_array()) {
    if (!link.is_object() || Text(link.get_object(), "type") != type) continue;
    const json::value* other = link.get_object().if_contains("other");
    if (other != nullptr && other->is_object())
      out.push_back(Text(other->get_object(), "reference"));
  }
  return out;
}

void AddLink(json::object& patient, std::string_view other, std::string_view type) {
  json::value& links = patient["link"];
  if (!links.is_array()) links = json::array();
  json::object link;
  link["other"] = json::object{{"reference", other}};
  link["type"] = type;
  links.get_array().push_back(std::move(link));
}

void RemoveLink(json::object& patient, std::string_view other, std::string_view type) {
  json::value* links = patient.if_contains("link");
  if (links == nullptr || !links->is_array()) return;
  json::array& list = links->get_array();
  for (auto it = list.begin(); it != list.end();) {
    const json::object* link = it->if_object();
    const json::value* ref = link != nullptr ? link->if_contains("other") : nullptr;
    if (link != nullptr && Text(*link, "type") == type && ref != nullptr && ref->is_object() &&
        Text(ref->get_object(), "reference") == other) {
      it = list.erase(it);
    } else {
      ++it;
    }
  }
  if (list.empty()) patient.erase("link");
}

// Writes `resource` as the next version after `current`; returns the change.
Result<MergeChange> Write(store::Transaction& tx, json::object resource,
                          const store::ResourceVersion& current) {
  CHARTROOM_ASSIGN_OR_RETURN(auto written, tx.Update(std::move(resource), current.version));
  return MergeChange{current.type, current.id, current.version, written.version};
}

Result<json::object> ReadObject(store::Transaction& tx, std::string_view type, std::string_view id,
                                store::ResourceVersion& version) {
  CHARTROOM_ASSIGN_OR_RETURN(version, tx.Read(type, id));
  return ParseObject(version.json, std::string(type) + "/" + std::string(id));
}

Status PutDecision(store::Transaction& tx, const MergeRecord& record, std::string_view decision,
                   std::string_view by, std::string_view at, std::string_view note) {
  json::object d;
  d["first"] = std::min(record.source, record.target);
  d["second"] = std::max(record.source, record.target);
  d["decision"] = decision;
  d["by"] = by;
  d["at"] = at;
  d["note"] = note;
  return tx.PutRecord(kDecisionKind, PairKey(record.source, record.target), json::serialize(d));
}

// Removes the worklist pairs that name `id`.
Status DropPairsOf(store::Transaction& tx, std::string_view id) {
  std::vector<std::string> doomed;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, tx.ListRecords(kPairKind, after, kPage));
    for (const store::Record& r : page) {
      const std::string_view key = r.key;
      const std::size_t bar = key.find('|');
      if (bar == std::string_view::npos) continue;
      if (key.substr(0, bar) == id || key.substr(bar + 1) == id) doomed.push_back(r.key);
    }
    if (page.size() < kPage) break;
    after = page.back().key;
  }
  for (const std::string& key : doomed) CHARTROOM_RETURN_IF_ERROR(tx.DeleteRecord(kPairKind, key));
  return Ok();
}

}  // namespace

std::string PairKey(std::string_view a, std::string_view b) {
  return a < b ? std::string(a) + "|" + std::string(b) : std::string(b) + "|" + std::string(a);
}

int RewriteReferences(json::value& value, std::string_view from, std::string_view to) {
  int rewritten = 0;
  if (json::object* o = value.if_object()) {
    for (auto& [key, child] : *o) {
      if (key == "reference" && child.is_string()) {
        const std::string_view ref = child.get_string();
        const bool history =
            ref.starts_with(from) && ref.substr(from.size()).starts_with("/_history/");
        const bool absolute = ref.size() > from.size() && ref.ends_with(from) &&
                              ref[ref.size() - from.size() - 1] == '/' &&
                              ref.find("://") != ref.npos;
        if (ref == from || history) {
          child = to;
          ++rewritten;
        } else if (absolute) {
          child = std::string(ref.substr(0, ref.size() - from.size())) + std::string(to);
          ++rewritten;
        }
      } else {
        rewritten += RewriteReferences(child, from, to);
      }
    }
  } else if (json::array* a = value.if_array()) {
    for (json::value& child : *a) rewritten += RewriteReferences(child, from, to);
  }
  return rewritten;
}

json::object MergeRecord::ToJson() const {
  json::object o;
  o["id"] = id;
  o["source"] = source;
  o["target"] = target;
  o["status"] = status;
  o["by"] = by;
  o["at"] = at;
  if (!note.empty()) o["note"] = note;
  if (!unmerged_by.empty()) o["unmerged_by"] = unmerged_by;
  if (!unmerged_at.empty()) o["unmerged_at"] = unmerged_at;
  json::array list;
  for (const MergeChange& c : changes) {
    list.push_back(
        json::object{{"type", c.type}, {"id", c.id}, {"before", c.before}, {"after", c.after}});
  }
  o["changes"] = std::move(list);
  if (!partly_restored.empty()) {
    json::array partly;
    for (const std::string& r : partly_restored) partly.push_back(json::string(r));
    o["partly_restored"] = std::move(partly);
  }
  return o;
}

Result<MergeRecord> MergeRecord::FromJson(const json::object& o) {
  MergeRecord r;
  r.id = Text(o, "id");
  r.source = Text(o, "source");
  r.target = Text(o, "target");
  r.status = Text(o, "status");
  r.by = Text(o, "by");
  r.at = Text(o, "at");
  r.note = Text(o, "note");
  r.unmerged_by = Text(o, "unmerged_by");
  r.unmerged_at = Text(o, "unmerged_at");
  const json::value* changes = o.if_contains("changes");
  if (r.id.empty() || r.source.empty() || r.target.empty() || changes == nullptr ||
      !changes->is_array()) {
    return Fail(ErrorCategory::kInternal, "mpi.bad-merge-record", "a merge record is malformed");
  }
  for (const json::value& c : changes->get_array()) {
    const json::object* co = c.if_object();
    if (co == nullptr || !co->contains("before") || !co->contains("after")) {
      return Fail(ErrorCategory::kInternal, "mpi.bad-merge-record", "a merge record is malformed");
    }
    r.changes.push_back(MergeChange{Text(*co, "type"), Text(*co, "id"),
                                    co->at("before").to_number<std::int64_t>(),
                                    co->at("after").to_number<std::int64_t>()});
  }
  if (const json::value* partly = o.if_contains("partly_restored"); partly && partly->is_array()) {
    for (const json::value& p : partly->get_array()) {
      if (p.is_string()) r.partly_restored.emplace_back(p.get_string());
    }
  }
  return r;
}

Result<MergeRecord> Merge(store::ResourceStore& store, const MergeRequest& request,
                          const Witness& witness) {
  if (request.source.empty() || request.target.empty() || request.source == request.target) {
    return Fail(ErrorCategory::kInvalid, "mpi.bad-merge",
                "a merge names two different patients: the source, which is retired, and the "
                "target, which survives");
  }
  const std::string from = PatientRef(request.source);
  const std::string to = PatientRef(request.target);
  // The compartment as it stands now; each member is read again inside the transaction, and a
  // member written meanwhile fails the transaction (expected version) rather than being lost.
  CHARTROOM_ASSIGN_OR_RETURN(auto compartment, store.Everything(request.source, {}, std::nullopt));

  MergeRecord record;
  record.id = request.source + "@" + core::FormatInstant(request.now);
  record.source = request.source;
  record.target = request.target;
  record.status = "merged";
  record.by = request.by;
  record.at = core::FormatInstant(request.now);
  record.note = request.note;

  Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    record.changes.clear();
    store::ResourceVersion source_version;
    store::ResourceVersion target_version;
    CHARTROOM_ASSIGN_OR_RETURN(json::object source,
                               ReadObject(tx, "Patient", request.source, source_version));
    CHARTROOM_ASSIGN_OR_RETURN(json::object target,
                               ReadObject(tx, "Patient", request.target, target_version));
    if (auto into = LinksOf(source, "replaced-by"); !into.empty()) {
      return Fail(ErrorCategory::kConflict, "mpi.already-merged",
                  "the source is already merged into " + into.front());
    }
    if (auto into = LinksOf(target, "replaced-by"); !into.empty()) {
      return Fail(ErrorCategory::kConflict, "mpi.already-merged",
                  "the target is itself merged into " + into.front() + "; merge into that record");
    }
    for (const store::ResourceVersion& member : compartment) {
      if (member.type == "Patient" &&
          (member.id == request.source || member.id == request.target)) {
        continue;
      }
      store::ResourceVersion current;
      auto read = ReadObject(tx, member.type, member.id, current);
      if (!read) {
        const ErrorCategory c = read.error().category();
        if (c == ErrorCategory::kGone || c == ErrorCategory::kNotFound) continue;
        return tl::unexpected(read.error());
      }
      json::value value = std::move(*read);
      if (RewriteReferences(value, from, to) == 0) continue;
      CHARTROOM_ASSIGN_OR_RETURN(auto change, Write(tx, std::move(value.get_object()), current));
      record.changes.push_back(std::move(change));
    }
    source["active"] = false;
    AddLink(source, to, "replaced-by");
    CHARTROOM_ASSIGN_OR_RETURN(auto source_change, Write(tx, std::move(source), source_version));
    record.changes.push_back(std::move(source_change));
    AddLink(target, from, "replaces");
    CHARTROOM_ASSIGN_OR_RETURN(auto target_change, Write(tx, std::move(target), target_version));
    record.changes.push_back(std::move(target_change));

    CHARTROOM_RETURN_IF_ERROR(PutDecision(tx, record, "same", record.by, record.at, "merged"));
    CHARTROOM_RETURN_IF_ERROR(DropPairsOf(tx, record.source));
    CHARTROOM_RETURN_IF_ERROR(
        tx.PutRecord(kMergeKind, record.id, json::serialize(record.ToJson())));
    if (witness) CHARTROOM_RETURN_IF_ERROR(witness(tx, record));
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return record;
}

Result<MergeRecord> Unmerge(store::ResourceStore& store, std::string_view merge_id,
                            std::string_view by, core::Timestamp now, const Witness& witness) {
  MergeRecord record;
  Status done = store.InTransaction([&](store::Transaction& tx) -> Status {
    CHARTROOM_ASSIGN_OR_RETURN(auto stored, tx.GetRecord(kMergeKind, merge_id));
    if (!stored) {
      return Fail(ErrorCategory::kNotFound, "mpi.no-merge",
                  "there is no merge " + std::string(merge_id));
    }
    CHARTROOM_ASSIGN_OR_RETURN(json::object o, ParseObject(stored->value, "a merge record"));
    CHARTROOM_ASSIGN_OR_RETURN(record, MergeRecord::FromJson(o));
    if (record.status != "merged") {
      return Fail(ErrorCategory::kConflict, "mpi.already-unmerged",
                  "merge " + record.id + " was undone on " + record.unmerged_at);
    }
    const std::string from = PatientRef(record.source);
    const std::string to = PatientRef(record.target);
    for (const MergeChange& change : record.changes) {
      store::ResourceVersion current;
      auto read = ReadObject(tx, change.type, change.id, current);
      if (!read) {
        const ErrorCategory c = read.error().category();
        if (c != ErrorCategory::kGone && c != ErrorCategory::kNotFound) {
          return tl::unexpected(read.error());
        }
        record.partly_restored.push_back(change.type + "/" + change.id + " (deleted since)");
        continue;
      }
      if (current.version == change.after) {
        // Untouched since the merge: the content before it, exactly.
        CHARTROOM_ASSIGN_OR_RETURN(auto before,
                                   tx.ReadVersion(change.type, change.id, change.before));
        CHARTROOM_ASSIGN_OR_RETURN(json::object content,
                                   ParseObject(before.json, change.type + "/" + change.id));
        CHARTROOM_RETURN_IF_ERROR(Write(tx, std::move(content), current));
        continue;
      }
      // Changed since: keep those changes, undo only what the merge did.
      json::object content = std::move(*read);
      if (change.type == "Patient" && change.id == record.source) {
        CHARTROOM_ASSIGN_OR_RETURN(auto before,
                                   tx.ReadVersion(change.type, change.id, change.before));
        CHARTROOM_ASSIGN_OR_RETURN(json::object prior, ParseObject(before.json, "the source"));
        if (const json::value* active = prior.if_contains("active")) {
          content["active"] = *active;
        } else {
          content.erase("active");
        }
        RemoveLink(content, to, "replaced-by");
      } else if (change.type == "Patient" && change.id == record.target) {
        RemoveLink(content, from, "replaces");
      } else {
        json::value value = std::move(content);
        RewriteReferences(value, to, from);
        content = std::move(value.get_object());
      }
      CHARTROOM_RETURN_IF_ERROR(Write(tx, std::move(content), current));
      record.partly_restored.push_back(change.type + "/" + change.id);
    }
    record.status = "unmerged";
    record.unmerged_by = std::string(by);
    record.unmerged_at = core::FormatInstant(now);
    CHARTROOM_RETURN_IF_ERROR(
        PutDecision(tx, record, "different", record.unmerged_by, record.unmerged_at, "unmerged"));
    CHARTROOM_RETURN_IF_ERROR(
        tx.PutRecord(kMergeKind, record.id, json::serialize(record.ToJson())));
    if (witness) CHARTROOM_RETURN_IF_ERROR(witness(tx, record));
    return Ok();
  });
  if (!done) return tl::unexpected(done.error());
  return record;
}

Result<std::vector<MergeRecord>> ListMerges(store::ResourceStore& store) {
  std::vector<MergeRecord> out;
  std::string after;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(auto page, store.ListRecords(kMergeKind, after, kPage));
    for (const store::Record& r : page) {
      CHARTROOM_ASSIGN_OR_RETURN(json::object o, ParseObject(r.value, "a merge record"));
      CHARTROOM_ASSIGN_OR_RETURN(MergeRecord m, MergeRecord::FromJson(o));
      out.push_back(std::move(m));
    }
    if (page.size() < kPage) break;
    after = page.back().key;
  }
  return out;
}

}  // namespace chartroom::mpi
