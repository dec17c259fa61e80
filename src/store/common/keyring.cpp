#include "store/common/keyring.hpp"

#include "core/result_macros.hpp"

namespace chartroom::store::common {

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

Result<CompartmentKey> Keyring::ForWrite(CompartmentTable& table,
                                         std::optional<std::string_view> patient_id,
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
  CHARTROOM_ASSIGN_OR_RETURN(auto row, table.FindByPatient(patient_id));
  std::string label = CompartmentLabel(patient_id);
  if (row) {
    if (row->patient_id.has_value() != patient_id.has_value() ||
        (patient_id && *row->patient_id != *patient_id)) {
      return Fail(ErrorCategory::kInternal, "store.corrupt",
                  "a compartment row belongs to another patient");
    }
    auto key = crypto::UnwrapKey(master_, row->wrapped_key, label);
    if (!key) {
      return Fail(ErrorCategory::kUnavailable, "store.key-unwrap",
                  "a compartment key does not unwrap under the master key");
    }
    std::unique_lock lock(mutex_);
    CacheLocked(patient_id ? std::optional<std::string>(*patient_id) : std::nullopt, row->cid,
                *key);
    return CompartmentKey{row->cid, *key};
  }
  crypto::SecretKey key = crypto::SecretKey::Generate(random);
  std::string wrapped = crypto::WrapKey(master_, key, label, random);
  CHARTROOM_ASSIGN_OR_RETURN(std::int64_t cid, table.Insert(patient_id, wrapped, now_micros));
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

Result<crypto::SecretKey> Keyring::ForRead(CompartmentTable& table, std::int64_t cid, bool writer) {
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
  CHARTROOM_ASSIGN_OR_RETURN(auto row, table.FindById(cid));
  if (!row) {
    return Fail(ErrorCategory::kInternal, "store.corrupt", "a version names a missing compartment");
  }
  std::optional<std::string> patient_id = row->patient_id;
  auto key = crypto::UnwrapKey(master_, row->wrapped_key, CompartmentLabel(patient_id));
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

}  // namespace chartroom::store::common
