// Monitoring of access for the privacy officer (docs/access.md "Monitoring"): rules that flag
// suspicious accesses into a review queue, where each item waits for a decision. After every
// request, Observe applies them to what the request showed:
//
//   same-family   the user opened a patient who shares their family name (UserProfile)
//   same-address  ... or their postal code
//   vip           the user opened a record labelled VIP (meta.security or meta.tag)
//   volume        the user opened more distinct patients today than `daily_patient_limit`
//                 (counted per process; flagged once a day)
//
// Items are records of kind "review" (ADR 0006), keyed by time. A flag is a lead, not a
// verdict: the privacy officer decides "appropriate" or "inappropriate" with a note.
//
// Thread safety: every method may be called from any thread.

#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "access/gate.hpp"
#include "access/identity.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "store/resource_store.hpp"

namespace chartroom::access {

struct MonitorOptions {
  std::size_t daily_patient_limit = 200;
};

struct ReviewItem {
  std::string id;
  std::string rule;  // same-family, same-address, vip, volume
  std::string user;
  std::string patient;
  std::string detail;
  std::int64_t time = 0;  // seconds since the epoch
  std::string decision;   // "" while it waits
  std::string reviewer;
  std::string note;

  // One JSON form, stored as the record and sent to the privacy officer.
  boost::json::object ToJson() const;
  static ReviewItem FromJson(std::string_view id, std::string_view text);
};

class Monitor {
 public:
  Monitor(store::ResourceStore& store, Identity& identity, core::Clock& clock, core::Random& random,
          MonitorOptions options = {});

  // Applies the rules to what `view` showed `caller` in one request; flags join the queue.
  Status Observe(const Caller& caller, const Gate::View& view);
  // The items waiting for a decision, or all of them, oldest first.
  Result<std::vector<ReviewItem>> Reviews(bool pending_only);
  // kNotFound "access.no-review"; kInvalid "access.bad-decision".
  Result<ReviewItem> Review(std::string_view id, std::string_view reviewer,
                            std::string_view decision, std::string_view note);

 private:
  Status Flag(std::string_view rule, const std::string& user, const std::string& patient,
              std::string detail);

  store::ResourceStore& store_;
  Identity& identity_;
  core::Clock& clock_;
  core::Random& random_;
  MonitorOptions options_;
  struct Day {
    std::int64_t day = 0;
    std::set<std::string> patients;
    bool flagged = false;
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Day> today_;  // by user
};

}  // namespace chartroom::access
