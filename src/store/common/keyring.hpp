// The data keys of the key compartments: one random key per patient, plus the system key, each
// stored only wrapped by the master key (crypto::WrapKey, labelled "compartment:Patient/<id>" or
// "compartment:system") in the backend's compartments table, and cached unwrapped in memory. The
// backend reaches its table through CompartmentTable; the keyring holds no connection.
//
// Keys the writer creates inside a transaction stay pending (seen only by the writer) until the
// transaction commits; a rolled-back savepoint or batch drops them, so the cache never names a
// compartment row that does not exist.
//
// Thread safety: ForRead may be called from any thread; ForWrite and the pending-key functions
// only from the writer thread.

#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store::common {

struct CompartmentKey {
  std::int64_t cid = 0;
  crypto::SecretKey key;
};

// A backend's compartments table, seen through the connection at hand.
class CompartmentTable {
 public:
  struct Row {
    std::int64_t cid = 0;
    std::optional<std::string> patient_id;  // nullopt: the system compartment
    std::string wrapped_key;
  };
  virtual ~CompartmentTable() = default;
  // The row of patient `patient_id` (the system row for nullopt), if stored.
  virtual Result<std::optional<Row>> FindByPatient(std::optional<std::string_view> patient_id) = 0;
  virtual Result<std::optional<Row>> FindById(std::int64_t cid) = 0;
  // Stores a new row in the open transaction and returns its cid.
  virtual Result<std::int64_t> Insert(std::optional<std::string_view> patient_id,
                                      std::string_view wrapped_key, std::int64_t now_micros) = 0;
};

class Keyring {
 public:
  // Keeps at most `capacity` unwrapped keys (the cache is emptied when it grows past that).
  Keyring(const crypto::SecretKey& master, std::size_t capacity)
      : master_(master), capacity_(capacity) {}

  // The key of patient `patient_id`'s compartment, or of the system compartment when
  // `patient_id` is nullopt; creates the compartment in the writer's open transaction when it
  // does not exist. kUnavailable "store.key-unwrap" when a stored key does not unwrap under the
  // master key (a wrong key file or a tampered row).
  Result<CompartmentKey> ForWrite(CompartmentTable& table,
                                  std::optional<std::string_view> patient_id, core::Random& random,
                                  std::int64_t now_micros);

  // The unwrapped key of patient `patient_id`'s compartment (system when nullopt) if it is in
  // the cache of committed keys; any thread.
  std::optional<crypto::SecretKey> Cached(std::optional<std::string_view> patient_id) const;

  // The key of compartment `cid`. `writer` is true on the writer thread, whose transaction may
  // hold pending compartments.
  Result<crypto::SecretKey> ForRead(CompartmentTable& table, std::int64_t cid, bool writer);

  // Pending keys: Mark() before a unit of work, RollbackTo(mark) when it is rolled back,
  // Publish() after the commit, Discard() when the transaction failed.
  std::size_t Mark() const { return pending_.size(); }
  void RollbackTo(std::size_t mark) { pending_.resize(mark); }
  void Publish();
  void Discard() { pending_.clear(); }

 private:
  struct Pending {
    std::optional<std::string> patient_id;
    std::int64_t cid;
    crypto::SecretKey key;
  };
  void CacheLocked(std::optional<std::string> patient_id, std::int64_t cid,
                   const crypto::SecretKey& key);

  const crypto::SecretKey master_;
  const std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::int64_t, crypto::SecretKey> by_cid_;
  std::unordered_map<std::string, std::int64_t> by_patient_;
  std::optional<std::int64_t> system_cid_;
  std::vector<Pending> pending_;  // writer thread only
};

std::string CompartmentLabel(std::optional<std::string_view> patient_id);

// KeyProvider::CompartmentKey for a backend whose writer transactions are `WriterTx` (with
// `Key(const Impl*, patient_id)`) and whose `Impl` has `keyring_` and `InTransaction`: through
// `open` when the caller is inside a transaction, else from the cache, else read or created by the
// writer in a transaction of its own.
template <typename WriterTx, typename Impl>
Result<crypto::SecretKey> BackendCompartmentKey(Impl& impl,
                                                std::optional<std::string_view> patient_id,
                                                Transaction* open) {
  if (open != nullptr) {
    auto* tx = dynamic_cast<WriterTx*>(open);
    if (tx == nullptr) {
      return Fail(ErrorCategory::kInternal, "store.foreign-transaction",
                  "the transaction belongs to another store");
    }
    return tx->Key(&impl, patient_id);
  }
  if (auto cached = impl.keyring_.Cached(patient_id)) return *cached;
  std::optional<crypto::SecretKey> key;
  Status status = impl.InTransaction([&](Transaction& tx) -> Status {
    auto found = static_cast<WriterTx&>(tx).Key(&impl, patient_id);
    if (!found) return tl::unexpected(found.error());
    key = std::move(*found);
    return Ok();
  });
  if (!status) return tl::unexpected(status.error());
  return *key;
}

}  // namespace chartroom::store::common
