// One-time passwords for multi-factor login: HOTP (RFC 4226) and TOTP (RFC 6238) with
// HMAC-SHA-1, 6 digits and 30-second steps, the parameters authenticator apps use by default,
// and the otpauth:// URI that enrols a secret in one (as a QR code).
//
// Replay: a code stays valid for its whole step (and the steps the window allows), so the caller
// keeps the last accepted step per user and refuses codes at or before it (VerifyTotp returns
// the step it matched).
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/random.hpp"

namespace chartroom::crypto {

inline constexpr std::int64_t kTotpStepSeconds = 30;

// A new 20-byte TOTP secret (RFC 4226 recommends 160 bits).
std::string NewTotpSecret(core::Random& random);

// The `digits`-digit HOTP value of `secret` for `counter`, zero-padded.
std::string Hotp(std::string_view secret, std::uint64_t counter, int digits = 6);

// The TOTP step of `now`.
std::int64_t TotpStep(core::Timestamp now);

// The step `code` matches among the steps within `window` of now's (window 1: the previous,
// current and next step); nullopt when none does or the code is malformed. Compares in constant
// time.
std::optional<std::int64_t> VerifyTotp(std::string_view secret, std::string_view code,
                                       core::Timestamp now, int window = 1);

// Base32 without padding (RFC 4648 section 6), as otpauth URIs carry secrets.
std::string EncodeBase32(std::string_view bytes);

// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string TotpUri(std::string_view secret, std::string_view issuer, std::string_view account);

}  // namespace chartroom::crypto
