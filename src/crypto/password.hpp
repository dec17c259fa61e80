// Passwords: Argon2id hashing (libsodium crypto_pwhash) in the PHC string format that
// libsodium's crypto_pwhash_str writes and verifies ("$argon2id$v=19$m=65536,t=2,p=1$salt$hash",
// unpadded base64), and the password policy users' passwords must meet.
//
// The salt comes from the injected Random, so tests are reproducible; the cost parameters are
// stored in each hash, so raising them later re-hashes at the next login (NeedsRehash).
//
// Thread safety: pure functions; hashing takes `params.memory_kib` of memory for a moment.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/random.hpp"

namespace chartroom::crypto {

struct PasswordHashParams {
  std::uint32_t iterations = 2;          // Argon2 t (libsodium's OPSLIMIT_INTERACTIVE)
  std::uint32_t memory_kib = 64 * 1024;  // Argon2 m, in KiB (MEMLIMIT_INTERACTIVE, 64 MiB)
};

// The PHC string of `password` under a fresh 16-byte salt. kInvalid "crypto.bad-params" for
// parameters below Argon2id's minimums; kUnavailable "crypto.out-of-memory" when the memory
// cannot be had.
Result<std::string> HashPassword(std::string_view password, core::Random& random,
                                 const PasswordHashParams& params = {});

// True when `password` matches `encoded`; false for a wrong password. kInvalid
// "crypto.bad-password-hash" for a string that is not an Argon2id PHC string.
Result<bool> VerifyPassword(std::string_view password, std::string_view encoded);

// True when `encoded` was made with other parameters than `params` (or is not readable).
bool NeedsRehash(std::string_view encoded, const PasswordHashParams& params);

struct PasswordPolicy {
  std::size_t min_length = 12;   // characters (code points), NIST SP 800-63B asks at least 8
  std::size_t max_length = 128;  // characters; longer inputs only cost hashing time
};

// NIST SP 800-63B section 5.1.1.2: length bounds, no composition rules, and not a commonly used
// or context-specific password (one of a list of the most common ones, the user name, or the
// user name within it, compared without case). kInvalid "access.weak-password" with the
// reason; the message never repeats the password.
Status CheckPasswordPolicy(std::string_view password, std::string_view username,
                           const PasswordPolicy& policy = {});

}  // namespace chartroom::crypto
