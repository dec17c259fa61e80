// Merging two Patient records of one person, and undoing it (docs/mpi.md, "Merge and unmerge").
//
// Merge(source → target), in one store transaction:
//   * every current resource in the source's patient compartment has each reference to
//     Patient/<source> rewritten to Patient/<target> (a new version; the old one stays);
//   * the source gets active = false and a `replaced-by` link to the target, the target a
//     `replaces` link to the source;
//   * the pair's decision is recorded as "same", its worklist entries naming the source leave;
//   * a merge record (store record kind `mpi-merge`) lists every version written with the
//     version before it, so that Unmerge can put each resource back.
// Unmerge, in one transaction: each resource whose current version is still the one the merge
// wrote gets its pre-merge content back as a new version (exactly: the same JSON but meta);
// one changed since the merge keeps those changes and has only the merge's own edits undone
// (references back to the source, the links and active flag put back). The pair's decision
// becomes "different". Resources created after the merge against the survivor stay with it.
//
// Both take a `witness` run inside the transaction (the audit entry of the change), so the change
// and its record commit together or not at all.
//
// Thread safety: reentrant; the store is thread-safe.

#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "store/resource_store.hpp"

namespace chartroom::mpi {

inline constexpr std::string_view kMergeKind = "mpi-merge";
inline constexpr std::string_view kPairKind = "mpi-pair";          // the worklist
inline constexpr std::string_view kDecisionKind = "mpi-decision";  // what a person decided

// One key per unordered pair: the smaller id first.
std::string PairKey(std::string_view a, std::string_view b);

// One version a merge wrote.
struct MergeChange {
  std::string type;
  std::string id;
  std::int64_t before = 0;  // the version the merge replaced
  std::int64_t after = 0;   // the version the merge wrote
};

struct MergeRecord {
  std::string id;  // "<source>@<time of the merge>"
  std::string source;
  std::string target;
  std::string status;  // "merged" or "unmerged"
  std::string by;
  std::string at;
  std::string note;
  std::string unmerged_by;
  std::string unmerged_at;
  std::vector<MergeChange> changes;
  // Unmerge: the resources that had changed since the merge and so had only its edits undone.
  std::vector<std::string> partly_restored;

  boost::json::object ToJson() const;
  static Result<MergeRecord> FromJson(const boost::json::object& o);
};

struct MergeRequest {
  std::string source;  // the record that is retired
  std::string target;  // the record that survives
  std::string by;      // the user deciding
  std::string note;
  core::Timestamp now;
};

using Witness = std::function<Status(store::Transaction& tx, const MergeRecord& record)>;

// kInvalid "mpi.bad-merge" (same id twice), kNotFound/kGone for a missing patient, kConflict
// "mpi.already-merged" when the source is already merged or the target merged away.
Result<MergeRecord> Merge(store::ResourceStore& store, const MergeRequest& request,
                          const Witness& witness = nullptr);

// kNotFound "mpi.no-merge" for an unknown id, kConflict "mpi.already-unmerged".
Result<MergeRecord> Unmerge(store::ResourceStore& store, std::string_view merge_id,
                            std::string_view by, core::Timestamp now,
                            const Witness& witness = nullptr);

// Every merge record, oldest key first.
Result<std::vector<MergeRecord>> ListMerges(store::ResourceStore& store);

// Rewrites every `reference` under `value` equal to `from` ("Patient/x", also as the end of an
// absolute URL or with a /_history/n suffix) to `to`; returns how many it rewrote.
int RewriteReferences(boost::json::value& value, std::string_view from, std::string_view to);

}  // namespace chartroom::mpi
