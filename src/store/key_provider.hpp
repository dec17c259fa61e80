// KeyProvider: the one seam through which code layered over a ResourceStore backend (the blob
// store of store/blob/) seals data the way the backend seals resource content, under the data key
// of a patient compartment (or the system key), without knowing how the backend keeps its keys.
// Keys stay wrapped by the master key in the backend's own storage; destroying a compartment's
// key there shreds everything sealed under it, here included.
//
// Thread safety: CompartmentKey may be called from any thread, concurrently.

#pragma once

#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "crypto/aead.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store {

class KeyProvider {
 public:
  virtual ~KeyProvider() = default;

  // The data key of the compartment of Patient `patient_id`, or of the system compartment when
  // nullopt: the key the backend seals that compartment's resource content with. When the
  // compartment has no key yet one is created: inside `open` when given (kept only if that
  // transaction commits), otherwise committed durably on its own (a key for a compartment that
  // ends up holding nothing is harmless). `open` must be the Transaction an InTransaction work
  // of this same store was given when the caller runs inside one (the backend's writer is busy
  // with it), nullptr otherwise. Errors: the backend's (kUnavailable "store.key-unwrap" for a key
  // that does not unwrap, ...), kInternal "store.foreign-transaction" for another store's
  // transaction.
  [[nodiscard]] virtual Result<crypto::SecretKey> CompartmentKey(
      std::optional<std::string_view> patient_id, Transaction* open) = 0;
};

}  // namespace chartroom::store
