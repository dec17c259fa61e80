#include "mpi/follower.hpp"

#include <set>
#include <string>

#include <boost/json.hpp>

#include "core/result_macros.hpp"

namespace chartroom::mpi {
namespace {

// Versions written up to this long before the last pass are read again: another server's clock
// may run behind ours, and putting a patient twice changes nothing.
constexpr std::chrono::seconds kMargin{30};
constexpr std::uint32_t kPage = 500;

}  // namespace

Follower::Follower(Index& index, store::ResourceStore& store, core::Clock& clock,
                   core::Timestamp since, std::chrono::milliseconds interval)
    : index_(index), store_(store), clock_(clock), since_(since), interval_(interval) {
  if (interval_.count() > 0) thread_ = std::thread([this] { Loop(); });
}

Follower::~Follower() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<std::size_t> Follower::CatchUp() {
  const core::Timestamp started = clock_.Now();
  store::HistoryQuery query;
  query.type = "Patient";
  query.since = since_ - kMargin;
  query.count = kPage;
  std::set<std::string> ids;
  for (;;) {
    CHARTROOM_ASSIGN_OR_RETURN(store::HistoryPage page, store_.History(query));
    for (const store::ResourceVersion& v : page.versions) ids.insert(v.id);
    if (!page.next_page) break;
    query.page_token = page.next_page;
  }
  for (const std::string& id : ids) {
    auto current = store_.Read("Patient", id);
    if (!current) {
      const ErrorCategory c = current.error().category();
      if (c != ErrorCategory::kGone && c != ErrorCategory::kNotFound) {
        return tl::unexpected(current.error());
      }
      index_.Remove(id);
      continue;
    }
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(current->json, ec);
    if (ec || !value.is_object()) continue;
    index_.Put(PersonFromPatient(value.get_object()));
  }
  since_ = started;
  return ids.size();
}

void Follower::Loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    (void)CatchUp();  // a store that does not answer now is asked again next time
    lock.lock();
  }
}

}  // namespace chartroom::mpi
