// GuardedSession: a Session whose every result passes the request's access::Gate::View, and
// whose every write is decided and audited in its own transaction. Interactions are written
// against Session and need not know: read and vread of a hidden resource fail exactly as for a
// missing one (404 store.not-found); search pages are refilled from the following pages so that
// hidden matches shorten no page and move no link, totals are recounted over what the caller
// may see (or left out beyond `kMaxRecount` matches), includes and history entries are filtered
// alike; writes are checked on the version they replace and on the version they write, and a
// refused one rolls back (403 access.denied) before anything commits. docs/access.md.
//
// Thread safety: belongs to one request, like the Session it wraps.

#pragma once

#include "access/gate.hpp"
#include "audit/trail.hpp"
#include "rest/session.hpp"

namespace chartroom::rest {

// What the guard needs of a request: the caller's view, the audit trail and the request's
// event (who, role, purpose, address, request id) that write events start from.
struct Guard {
  access::Gate::View* view = nullptr;
  audit::Trail* trail = nullptr;
  const audit::Event* event = nullptr;
};

class GuardedSession final : public Session {
 public:
  // Search totals are recounted over at most this many matches; beyond it they are left out.
  static constexpr std::int64_t kMaxRecount = 10000;

  GuardedSession(Session& inner, const Guard& guard) : inner_(inner), guard_(guard) {}

  Result<store::ResourceVersion> Read(std::string_view type, std::string_view id) override;
  Result<store::ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                             std::int64_t version) override;
  Result<store::SearchPage> Search(const fhir::search::SearchQuery& query) override;
  Status Write(const std::function<Status(store::Transaction&)>& work) override;
  Result<store::HistoryPage> History(const store::HistoryQuery& query) override;
  Result<std::vector<store::ResourceVersion>> Everything(
      std::string_view patient_id, const std::vector<std::string>& types,
      std::optional<core::Timestamp> since) override;
  bool in_transaction() const override { return inner_.in_transaction(); }

 private:
  Session& inner_;
  const Guard& guard_;
};

// Filters `versions` in place through `view` for `operation` (hidden ones removed, masked ones
// replaced); deletion versions are kept only when the caller may read their type.
Status FilterVersions(access::Gate::View& view, access::Operation operation,
                      std::vector<store::ResourceVersion>& versions);

}  // namespace chartroom::rest
