// Verifying JWS signatures of outside clients (SMART Backend Services, RFC 7523 client
// assertions): RS384 (RSASSA-PKCS1-v1_5 with SHA-384) and ES384 (ECDSA P-384 with SHA-384), the
// two algorithms SMART servers must accept, against a public key given as a JWK (RFC 7517:
// kty RSA with n and e, or kty EC, crv P-384, x and y). OpenSSL does the mathematics.
//
// Thread safety: pure functions.

#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace chartroom::crypto {

// True when `signature` (the JWS signature bytes, base64url-decoded: for ES384 the 96 bytes
// r || s) is the signature by `jwk_json`'s key of `signing_input` under `alg`. kInvalid
// "crypto.bad-jwk" for a key that is not a usable RSA (2048 bits or more) or P-384 JWK, or an
// `alg` other than RS384 and ES384.
Result<bool> VerifyJwsSignature(std::string_view alg, std::string_view jwk_json,
                                std::string_view signing_input, std::string_view signature);

}  // namespace chartroom::crypto
