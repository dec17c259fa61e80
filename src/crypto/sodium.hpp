// libsodium must be initialised once before use. Every function of this module that calls
// libsodium calls EnsureSodium first; sodium_init is idempotent and thread-safe, and a failure
// (no usable randomness source) is fatal, as nothing here can work without it.

#pragma once

namespace chartroom::crypto {

void EnsureSodium();

}  // namespace chartroom::crypto
