// Opening the access-control and audit parts over an open store, as the configuration says:
// the server's Ed25519 signing key (data_dir/signing.key, mode 0600, created on first use), which
// signs bearer tokens and audit checkpoints; the audit seal key, derived from the store's system
// compartment key; the identity service, the access gate (consent read from the store) and the
// audit trail. `chartroom serve`, `chartroom user` and `chartroom audit` all open them here.
//
// Ownership: Security borrows the store, extractor, clock and random, which must outlive it.
// Thread safety: as its parts.

#pragma once

#include <memory>

#include "access/gate.hpp"
#include "access/identity.hpp"
#include "access/monitor.hpp"
#include "app/config.hpp"
#include "app/store_open.hpp"
#include "audit/trail.hpp"
#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "crypto/signature.hpp"

namespace chartroom::app {

struct Security {
  std::unique_ptr<access::Identity> identity;
  std::unique_ptr<access::Gate> gate;
  std::unique_ptr<audit::Trail> trail;
  std::unique_ptr<access::Monitor> monitor;
  crypto::SecretKey audit_key{};
  audit::VerifyKeys verify_keys;
};

// kUnavailable / kInvalid / kForbidden for a signing key file that cannot be used (as the master
// key file); the store's errors for the system key.
[[nodiscard]] Result<Security> OpenSecurity(const Config& config, OpenedStore& store,
                                            core::Clock& clock, core::Random& random);

}  // namespace chartroom::app
