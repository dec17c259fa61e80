#include "rest/guarded_session.hpp"

#include <boost/json.hpp>

#include "core/result_macros.hpp"

namespace chartroom::rest {
namespace {

using access::Operation;

Error Hidden(std::string_view type, std::string_view id) {
  // The very error a missing resource gets (store/resource_store.hpp).
  return Error(ErrorCategory::kNotFound, "store.not-found",
               std::string(type) + "/" + std::string(id) + " does not exist");
}

Error Denied() {
  return Error(ErrorCategory::kForbidden, "access.denied",
               "the request is not permitted for this user, role and purpose of use");
}

// One version through the view: false when hidden.
Result<bool> ShowVersion(access::Gate::View& view, Operation operation,
                         store::ResourceVersion& version) {
  if (version.deleted()) return view.MayUse(operation, version.type);
  CHARTROOM_ASSIGN_OR_RETURN(auto shown, view.Show(operation, version.json));
  if (!shown) return false;
  version.json = std::move(*shown);
  return true;
}

audit::Action ActionOf(store::WriteMethod method, std::int64_t version) {
  switch (method) {
    case store::WriteMethod::kDelete:
      return audit::Action::kDelete;
    case store::WriteMethod::kUpdate:
      return version == 1 ? audit::Action::kCreate : audit::Action::kUpdate;
    case store::WriteMethod::kCreate:
      return audit::Action::kCreate;
  }
  return audit::Action::kUpdate;
}

// The Transaction a guarded write's work sees: reads filtered, writes decided and audited.
class GuardedTransaction final : public store::Transaction {
 public:
  GuardedTransaction(store::Transaction& inner, const Guard& guard)
      : inner_(inner), guard_(guard) {}

  Result<store::ResourceVersion> Read(std::string_view type, std::string_view id) override {
    CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion v, inner_.Read(type, id));
    CHARTROOM_ASSIGN_OR_RETURN(bool shown, ShowVersion(*guard_.view, Operation::kRead, v));
    if (!shown) return tl::unexpected(Hidden(type, id));
    return v;
  }
  Result<store::ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                             std::int64_t version) override {
    CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion v, inner_.ReadVersion(type, id, version));
    CHARTROOM_ASSIGN_OR_RETURN(bool shown, ShowVersion(*guard_.view, Operation::kRead, v));
    if (!shown) return tl::unexpected(Hidden(type, id));
    return v;
  }
  Result<store::ResourceVersion> Create(boost::json::object resource) override {
    return Written(inner_.Create(std::move(resource)));
  }
  Result<store::ResourceVersion> Create(store::PreparedResource resource) override {
    return Written(inner_.Create(std::move(resource)));
  }
  Result<store::ResourceVersion> Update(boost::json::object resource,
                                        std::optional<std::int64_t> expected) override {
    const std::string type(boost::json::value_to<std::string_view>(resource["resourceType"]));
    const boost::json::value* id = resource.if_contains("id");
    CHARTROOM_RETURN_IF_ERROR(
        CheckReplaced(type, id != nullptr && id->is_string() ? std::string(id->get_string()) : "",
                      Operation::kUpdate));
    return Written(inner_.Update(std::move(resource), expected));
  }
  Result<store::ResourceVersion> Update(store::PreparedResource resource,
                                        std::optional<std::int64_t> expected) override {
    CHARTROOM_RETURN_IF_ERROR(CheckReplaced(resource.type(), resource.id(), Operation::kUpdate));
    return Written(inner_.Update(std::move(resource), expected));
  }
  Result<store::ResourceVersion> Delete(std::string_view type, std::string_view id,
                                        std::optional<std::int64_t> expected) override {
    CHARTROOM_RETURN_IF_ERROR(CheckReplaced(type, id, Operation::kDelete));
    return Written(inner_.Delete(type, id, expected));
  }
  Result<store::SearchPage> Search(const fhir::search::SearchQuery& query) override {
    CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, inner_.Search(query));
    CHARTROOM_RETURN_IF_ERROR(FilterVersions(*guard_.view, Operation::kSearch, page.matches));
    CHARTROOM_RETURN_IF_ERROR(FilterVersions(*guard_.view, Operation::kRead, page.included));
    return page;
  }
  Result<std::optional<store::Record>> GetRecord(std::string_view kind,
                                                 std::string_view key) override {
    return inner_.GetRecord(kind, key);
  }
  Result<std::vector<store::Record>> ListRecords(std::string_view kind, std::string_view after,
                                                 std::size_t limit) override {
    return inner_.ListRecords(kind, after, limit);
  }
  Status PutRecord(std::string_view kind, std::string_view key, std::string_view value) override {
    return inner_.PutRecord(kind, key, value);
  }
  Status DeleteRecord(std::string_view kind, std::string_view key) override {
    return inner_.DeleteRecord(kind, key);
  }
  Result<std::int64_t> AppendAudit(std::span<const std::string> bodies) override {
    return inner_.AppendAudit(bodies);
  }

 private:
  // The current version of type/id when there is one the write would replace.
  Result<std::optional<store::ResourceVersion>> Current(std::string_view type,
                                                        std::string_view id) {
    if (id.empty()) return std::optional<store::ResourceVersion>();
    auto current = inner_.Read(type, id);
    if (!current) {
      const ErrorCategory c = current.error().category();
      if (c == ErrorCategory::kNotFound || c == ErrorCategory::kGone) {
        return std::optional<store::ResourceVersion>();
      }
      return tl::unexpected(current.error());
    }
    return std::optional<store::ResourceVersion>(std::move(*current));
  }

  // An update or delete may change only what the caller may see and may write. A hidden
  // resource answers 403 access.denied, as one the caller may not write (docs/access.md notes
  // what that tells a caller who could have created it).
  Status CheckReplaced(std::string_view type, std::string_view id, Operation operation) {
    CHARTROOM_ASSIGN_OR_RETURN(auto current, Current(type, id));
    if (!current) return Ok();
    access::Gate::View probe(guard_.view->gate(), guard_.view->subject());
    CHARTROOM_ASSIGN_OR_RETURN(auto visible, probe.Show(Operation::kRead, current->json));
    if (!visible) return tl::unexpected(Denied());
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(current->json, ec);
    if (ec) {
      return Fail(ErrorCategory::kInternal, "rest.bad-stored", "a stored resource is damaged");
    }
    return guard_.view->CheckWrite(operation, parsed);
  }

  // Decides on the version just written and audits it in this transaction; a refusal fails
  // the work, so nothing of it commits.
  Result<store::ResourceVersion> Written(Result<store::ResourceVersion> written) {
    if (!written) return written;
    const store::ResourceVersion& v = *written;
    audit::Event event = *guard_.event;
    event.action = ActionOf(v.method, v.version);
    event.resources = {v.type + "/" + v.id + "/_history/" + std::to_string(v.version)};
    if (!v.deleted()) {
      boost::system::error_code ec;
      boost::json::value parsed = boost::json::parse(v.json, ec);
      if (ec)
        return Fail(ErrorCategory::kInternal, "rest.bad-stored", "a written resource is damaged");
      const Operation op =
          event.action == audit::Action::kCreate ? Operation::kCreate : Operation::kUpdate;
      if (auto checked = guard_.view->CheckWrite(op, parsed); !checked) {
        return tl::unexpected(checked.error());
      }
    }
    event.patients.assign(guard_.view->patients().begin(), guard_.view->patients().end());
    if (guard_.trail != nullptr) {
      CHARTROOM_RETURN_IF_ERROR(guard_.trail->RecordIn(inner_, event));
    }
    return written;
  }

  store::Transaction& inner_;
  const Guard& guard_;
};

}  // namespace

Status FilterVersions(access::Gate::View& view, Operation operation,
                      std::vector<store::ResourceVersion>& versions) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < versions.size(); ++i) {
    CHARTROOM_ASSIGN_OR_RETURN(bool shown, ShowVersion(view, operation, versions[i]));
    if (!shown) continue;
    if (kept != i) versions[kept] = std::move(versions[i]);
    ++kept;
  }
  versions.resize(kept);
  return Ok();
}

Result<store::ResourceVersion> GuardedSession::Read(std::string_view type, std::string_view id) {
  auto read = inner_.Read(type, id);
  if (!read && read.error().category() == ErrorCategory::kGone) {
    // A deletion has no content to decide on: its last version before the deletion decides,
    // so that 410 tells only a caller who could have seen the resource that it was deleted.
    store::HistoryQuery query;
    query.type = std::string(type);
    query.id = std::string(id);
    query.count = 10;
    CHARTROOM_ASSIGN_OR_RETURN(store::HistoryPage history, inner_.History(query));
    for (store::ResourceVersion& v : history.versions) {
      if (v.deleted()) continue;
      access::Gate::View probe(guard_.view->gate(), guard_.view->subject());
      CHARTROOM_ASSIGN_OR_RETURN(bool shown, ShowVersion(probe, Operation::kRead, v));
      if (!shown) return tl::unexpected(Hidden(type, id));
      break;
    }
    return tl::unexpected(read.error());
  }
  if (!read) return tl::unexpected(read.error());
  store::ResourceVersion v = std::move(*read);
  CHARTROOM_ASSIGN_OR_RETURN(bool shown, ShowVersion(*guard_.view, Operation::kRead, v));
  if (!shown) return tl::unexpected(Hidden(type, id));
  return v;
}

Result<store::ResourceVersion> GuardedSession::ReadVersion(std::string_view type,
                                                           std::string_view id,
                                                           std::int64_t version) {
  CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion v, inner_.ReadVersion(type, id, version));
  CHARTROOM_ASSIGN_OR_RETURN(bool shown, ShowVersion(*guard_.view, Operation::kRead, v));
  if (!shown) return tl::unexpected(Hidden(type, id));
  return v;
}

Result<store::SearchPage> GuardedSession::Search(const fhir::search::SearchQuery& query) {
  access::Gate::View& view = *guard_.view;
  if (!query.type.empty() && !view.MayUse(Operation::kSearch, query.type)) {
    return tl::unexpected(Denied());
  }
  CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage first, inner_.Search(query));
  store::SearchPage out;
  out.previous_page = first.previous_page;
  const std::size_t want = query.count ? *query.count : first.matches.size();
  CHARTROOM_RETURN_IF_ERROR(FilterVersions(view, Operation::kSearch, first.matches));
  CHARTROOM_RETURN_IF_ERROR(FilterVersions(view, Operation::kRead, first.included));
  out.matches = std::move(first.matches);
  out.included = std::move(first.included);
  out.next_page = first.next_page;
  // Refill: take the next matches from the following pages, as many as are missing, so that the
  // page ends where a caller who sees everything it holds would expect the next one to begin.
  fhir::search::SearchQuery more = query;
  more.total = fhir::search::TotalMode::kNone;
  while (out.matches.size() < want && out.next_page) {
    more.page_token = *out.next_page;
    more.count = static_cast<std::uint32_t>(want - out.matches.size());
    CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, inner_.Search(more));
    CHARTROOM_RETURN_IF_ERROR(FilterVersions(view, Operation::kSearch, page.matches));
    CHARTROOM_RETURN_IF_ERROR(FilterVersions(view, Operation::kRead, page.included));
    for (auto& v : page.matches) out.matches.push_back(std::move(v));
    for (auto& v : page.included) {
      const bool seen = std::any_of(out.included.begin(), out.included.end(), [&](const auto& i) {
        return i.type == v.type && i.id == v.id;
      });
      if (!seen) out.included.push_back(std::move(v));
    }
    out.next_page = page.next_page;
  }
  // A next link only when something the caller may see follows: hidden matches at the end of
  // the results must not show as a link to an empty page.
  if (out.next_page && out.matches.size() >= want) {
    fhir::search::SearchQuery probe = query;
    probe.total = fhir::search::TotalMode::kNone;
    probe.includes.clear();
    probe.count = 1;
    std::optional<std::string> at = out.next_page;
    bool visible = false;
    while (at && !visible) {
      probe.page_token = *at;
      CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, inner_.Search(probe));
      access::Gate::View counter(view.gate(), view.subject());
      CHARTROOM_RETURN_IF_ERROR(FilterVersions(counter, Operation::kSearch, page.matches));
      visible = !page.matches.empty();
      at = page.next_page;
    }
    if (!visible) out.next_page.reset();
  }
  if (first.total) {
    // Recount over what the caller may see: the store's count would tell of hidden matches.
    fhir::search::SearchQuery all = query;
    all.total = fhir::search::TotalMode::kNone;
    all.includes.clear();
    all.page_token.reset();
    all.count = 1000;
    all.summary = fhir::search::SummaryMode::kFalse;
    std::int64_t scanned = 0;
    std::int64_t visible = 0;
    for (;;) {
      CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, inner_.Search(all));
      scanned += static_cast<std::int64_t>(page.matches.size());
      if (scanned > kMaxRecount) break;
      for (store::ResourceVersion& v : page.matches) {
        access::Gate::View counter(view.gate(), view.subject());  // counting shows nothing
        CHARTROOM_ASSIGN_OR_RETURN(bool shown, ShowVersion(counter, Operation::kSearch, v));
        visible += shown ? 1 : 0;
      }
      if (!page.next_page) {
        out.total = visible;
        break;
      }
      all.page_token = *page.next_page;
    }
  }
  return out;
}

Status GuardedSession::Write(const std::function<Status(store::Transaction&)>& work) {
  return inner_.Write([&](store::Transaction& tx) -> Status {
    GuardedTransaction guarded(tx, guard_);
    return work(guarded);
  });
}

Result<store::HistoryPage> GuardedSession::History(const store::HistoryQuery& query) {
  if (!query.type.empty() && !guard_.view->MayUse(Operation::kRead, query.type)) {
    return tl::unexpected(Denied());
  }
  CHARTROOM_ASSIGN_OR_RETURN(store::HistoryPage page, inner_.History(query));
  const bool had_versions = !page.versions.empty();
  CHARTROOM_RETURN_IF_ERROR(FilterVersions(*guard_.view, Operation::kRead, page.versions));
  if (!query.id.empty() && had_versions && page.versions.empty()) {
    return tl::unexpected(Hidden(query.type, query.id));  // as for a resource that never was
  }
  // The total, recounted as a search's; -1 (left out) beyond kMaxRecount versions.
  store::HistoryQuery all = query;
  all.count = 1000;
  all.page_token.reset();
  std::int64_t scanned = 0;
  std::int64_t visible = 0;
  page.total = -1;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(store::HistoryPage scan, inner_.History(all));
    scanned += static_cast<std::int64_t>(scan.versions.size());
    if (scanned > kMaxRecount) break;
    access::Gate::View counter(guard_.view->gate(), guard_.view->subject());
    CHARTROOM_RETURN_IF_ERROR(FilterVersions(counter, Operation::kRead, scan.versions));
    visible += static_cast<std::int64_t>(scan.versions.size());
    if (!scan.next_page) {
      page.total = visible;
      break;
    }
    all.page_token = *scan.next_page;
  }
  return page;
}

Result<std::vector<store::ResourceVersion>> GuardedSession::Everything(
    std::string_view patient_id, const std::vector<std::string>& types,
    std::optional<core::Timestamp> since) {
  CHARTROOM_ASSIGN_OR_RETURN(auto versions, inner_.Everything(patient_id, types, since));
  // The Patient itself decides first: when it is hidden, so is the whole operation.
  if (!versions.empty() && versions.front().type == "Patient") {
    store::ResourceVersion patient = versions.front();
    access::Gate::View probe(guard_.view->gate(), guard_.view->subject());
    CHARTROOM_ASSIGN_OR_RETURN(bool shown, ShowVersion(probe, Operation::kRead, patient));
    if (!shown) return tl::unexpected(Hidden("Patient", patient_id));
  }
  CHARTROOM_RETURN_IF_ERROR(FilterVersions(*guard_.view, Operation::kRead, versions));
  return versions;
}

}  // namespace chartroom::rest
