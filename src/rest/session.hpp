// Session: the data access one interaction uses. A plain request gets a StoreSession, where
// reads use the store's snapshots and each write runs in its own store transaction; the entries
// of a transaction Bundle share one TransactionSession, where everything runs inside the one
// open store::Transaction, so the Bundle commits or rolls back as a whole. Interactions are
// written once against this interface and serve both.
//
// Thread safety: a Session belongs to one request.

#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "fhir/search/query.hpp"
#include "store/resource_store.hpp"

namespace chartroom::rest {

class Session {
 public:
  virtual ~Session() = default;
  // As store::Transaction (within a transaction, these see its uncommitted writes).
  [[nodiscard]] virtual Result<store::ResourceVersion> Read(std::string_view type,
                                                            std::string_view id) = 0;
  [[nodiscard]] virtual Result<store::ResourceVersion> ReadVersion(std::string_view type,
                                                                   std::string_view id,
                                                                   std::int64_t version) = 0;
  [[nodiscard]] virtual Result<store::SearchPage> Search(
      const fhir::search::SearchQuery& query) = 0;
  // Runs `work` against a store transaction: a new one that commits when `work` succeeds
  // (StoreSession), or the enclosing one (TransactionSession). `work` may run more than once.
  [[nodiscard]] virtual Status Write(const std::function<Status(store::Transaction&)>& work) = 0;
  // History and $everything read committed data (the store's snapshot) in both kinds of
  // session: inside a transaction Bundle they do not see its own uncommitted writes.
  [[nodiscard]] virtual Result<store::HistoryPage> History(const store::HistoryQuery& query) = 0;
  [[nodiscard]] virtual Result<std::vector<store::ResourceVersion>> Everything(
      std::string_view patient_id, const std::vector<std::string>& types,
      std::optional<core::Timestamp> since) = 0;
  // True inside a transaction Bundle.
  virtual bool in_transaction() const = 0;
};

class StoreSession final : public Session {
 public:
  explicit StoreSession(store::ResourceStore& store) : store_(store) {}
  Result<store::ResourceVersion> Read(std::string_view type, std::string_view id) override {
    return store_.Read(type, id);
  }
  Result<store::ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                             std::int64_t version) override {
    return store_.ReadVersion(type, id, version);
  }
  Result<store::SearchPage> Search(const fhir::search::SearchQuery& query) override {
    return store_.Search(query);
  }
  Status Write(const std::function<Status(store::Transaction&)>& work) override {
    return store_.InTransaction(work);
  }
  Result<store::HistoryPage> History(const store::HistoryQuery& query) override {
    return store_.History(query);
  }
  Result<std::vector<store::ResourceVersion>> Everything(
      std::string_view patient_id, const std::vector<std::string>& types,
      std::optional<core::Timestamp> since) override {
    return store_.Everything(patient_id, types, since);
  }
  bool in_transaction() const override { return false; }

 private:
  store::ResourceStore& store_;
};

class TransactionSession final : public Session {
 public:
  TransactionSession(store::Transaction& tx, store::ResourceStore& store)
      : tx_(tx), store_(store) {}
  Result<store::ResourceVersion> Read(std::string_view type, std::string_view id) override {
    return tx_.Read(type, id);
  }
  Result<store::ResourceVersion> ReadVersion(std::string_view type, std::string_view id,
                                             std::int64_t version) override {
    return tx_.ReadVersion(type, id, version);
  }
  Result<store::SearchPage> Search(const fhir::search::SearchQuery& query) override {
    return tx_.Search(query);
  }
  Status Write(const std::function<Status(store::Transaction&)>& work) override {
    return work(tx_);
  }
  Result<store::HistoryPage> History(const store::HistoryQuery& query) override {
    return store_.History(query);
  }
  Result<std::vector<store::ResourceVersion>> Everything(
      std::string_view patient_id, const std::vector<std::string>& types,
      std::optional<core::Timestamp> since) override {
    return store_.Everything(patient_id, types, since);
  }
  bool in_transaction() const override { return true; }

 private:
  store::Transaction& tx_;
  store::ResourceStore& store_;
};

}  // namespace chartroom::rest
