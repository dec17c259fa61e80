#include "store/sqlite/keyring.hpp"

#include "core/result_macros.hpp"

namespace chartroom::store::sqlite {

std::string CompartmentLabel(std::optional<std::string_view> patient_id) {
  if (!patient_id) return "compartment:system";
  return "compartment:Patient/" + std::string(*patient_id);
}

void Keyring::CacheLocked(std::optional<std::string> patient_id, std::int64_t cid,
                          const crypto::SecretKey& key) {
  if (by_cid_.size() >= capacity_) {
    by_cid_.clear();
    by_patient_.clear();
  }
  by_cid_[cid] = key;
  if (patient_id) {
    by_patient_[*patient_id] = cid;
  } else {
    system_cid_ = cid;
  }
}

Result<CompartmentKey> Keyring::ForWrite(Connection& db, std::optional<std::string_view> patient_id,
                                         core::Random& random, std::int64_t now_micros) {
  for (const Pending& p : pending_) {
    if (p.patient_id.has_value() == patient_id.has_value() &&
        (!patient_id || *p.patient_id == *patient_id)) {
      return CompartmentKey{p.cid, p.key};
    }
  }
  {
    std::shared_lock lock(mutex_);
    std::optional<std::int64_t> cid;
    if (patient_id) {
      auto it = by_patient_.find(std::string(*patient_id));
      if (it != by_patient_.end()) cid = it->second;
    } else {
      cid = system_cid_;
    }
    if (cid) {
      auto it = by_cid_.find(*cid);
      if (it != by_cid_.end()) return CompartmentKey{*cid, it->second};
    }
  }
  // Not cached: read the stored row, or create the compartment.
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt select,
      db.Prepare(patient_id ? "SELECT cid, wrapped_key FROM compartments WHERE patient_id = ?"
                            : "SELECT cid, wrapped_key FROM compartments WHERE patient_id "
                              "IS NULL"));
  if (patient_id) select.Bind(1, *patient_id);
  CHARTROOM_ASSIGN_OR_RETURN(bool found, select.Step());
  std::string label = CompartmentLabel(patient_id);
  if (found) {
    std::int64_t cid = select.Int(0);
    auto key = crypto::UnwrapKey(master_, select.BlobView(1), label);
    if (!key) {
      return Fail(ErrorCategory::kUnavailable, "store.key-unwrap",
                  "a compartment key does not unwrap under the master key");
    }
    std::unique_lock lock(mutex_);
    CacheLocked(patient_id ? std::optional<std::string>(*patient_id) : std::nullopt, cid, *key);
    return CompartmentKey{cid, *key};
  }
  select.Reset();
  crypto::SecretKey key = crypto::SecretKey::Generate(random);
  std::string wrapped = crypto::WrapKey(master_, key, label, random);
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt insert,
      db.Prepare(
          "INSERT OR ROLLBACK INTO compartments (patient_id, wrapped_key, created_at) VALUES "
          "(?, ?, ?)"));
  if (patient_id) {
    insert.Bind(1, *patient_id);
  } else {
    insert.BindNull(1);
  }
  insert.BindBlob(2, wrapped).Bind(3, now_micros);
  CHARTROOM_RETURN_IF_ERROR(insert.Run());
  std::int64_t cid = db.LastInsertRowid();
  pending_.push_back(
      {patient_id ? std::optional<std::string>(*patient_id) : std::nullopt, cid, key});
  return CompartmentKey{cid, key};
}

std::optional<crypto::SecretKey> Keyring::Cached(std::optional<std::string_view> patient_id) const {
  std::shared_lock lock(mutex_);
  std::optional<std::int64_t> cid = system_cid_;
  if (patient_id) {
    auto it = by_patient_.find(std::string(*patient_id));
    cid = it == by_patient_.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
  }
  if (!cid) return std::nullopt;
  auto it = by_cid_.find(*cid);
  if (it == by_cid_.end()) return std::nullopt;
  return it->second;
}

Result<crypto::SecretKey> Keyring::ForRead(Connection& db, std::int64_t cid, bool writer) {
  if (writer) {
    for (const Pending& p : pending_) {
      if (p.cid == cid) return p.key;
    }
  }
  {
    std::shared_lock lock(mutex_);
    auto it = by_cid_.find(cid);
    if (it != by_cid_.end()) return it->second;
  }
  CHARTROOM_ASSIGN_OR_RETURN(
      Stmt select, db.Prepare("SELECT patient_id, wrapped_key FROM compartments WHERE cid = ?"));
  select.Bind(1, cid);
  CHARTROOM_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) {
    return Fail(ErrorCategory::kInternal, "store.corrupt", "a version names a missing compartment");
  }
  std::optional<std::string> patient_id;
  if (!select.IsNull(0)) patient_id = std::string(select.Text(0));
  auto key = crypto::UnwrapKey(master_, select.BlobView(1), CompartmentLabel(patient_id));
  if (!key) {
    return Fail(ErrorCategory::kUnavailable, "store.key-unwrap",
                "a compartment key does not unwrap under the master key");
  }
  std::unique_lock lock(mutex_);
  CacheLocked(std::move(patient_id), cid, *key);
  return *key;
}

void Keyring::Publish() {
  std::unique_lock lock(mutex_);
  for (Pending& p : pending_) CacheLocked(std::move(p.patient_id), p.cid, p.key);
  pending_.clear();
}

}  // namespace chartroom::store::sqlite
