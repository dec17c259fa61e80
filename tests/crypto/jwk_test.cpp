// JWS signatures of outside clients: keys made and signatures computed by OpenSSL here, checked
// by crypto::VerifyJwsSignature against the keys' JWKs, as a SMART client would send them.

#include "crypto/jwk.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "crypto/keyed_hash.hpp"
#include "jws_test_signer.hpp"

namespace chartroom::crypto {
namespace {

using test::Jwk;
using test::Key;
using test::Sign;

TEST(JwsSignatureTest, Es384AndRs384VerifyAndAnythingChangedFails) {
  const Key ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  const Key rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048)));
  ASSERT_TRUE(ec && rsa);
  const std::string input = "eyJhbGciOiJFUzM4NCJ9.eyJpc3MiOiJjbGllbnQifQ";
  for (const bool is_ec : {true, false}) {
    EVP_PKEY* key = is_ec ? ec.get() : rsa.get();
    const std::string alg = is_ec ? "ES384" : "RS384";
    const std::string jwk = Jwk(key, is_ec);
    std::string sig = Sign(key, is_ec, input);
    auto ok = VerifyJwsSignature(alg, jwk, input, sig);
    ASSERT_TRUE(ok.has_value()) << ok.error().message();
    EXPECT_TRUE(*ok) << alg;
    EXPECT_FALSE(*VerifyJwsSignature(alg, jwk, input + "x", sig)) << alg;
    sig[10] = static_cast<char>(sig[10] ^ 1);
    EXPECT_FALSE(*VerifyJwsSignature(alg, jwk, input, sig)) << alg;
  }
  // Another key of the same kind does not verify; algorithms must match the key type.
  const Key other(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  EXPECT_FALSE(
      *VerifyJwsSignature("ES384", Jwk(other.get(), true), input, Sign(ec.get(), true, input)));
  EXPECT_FALSE(VerifyJwsSignature("RS384", Jwk(ec.get(), true), input, "x").has_value());
  EXPECT_FALSE(VerifyJwsSignature("HS256", Jwk(ec.get(), true), input, "x").has_value());
  EXPECT_FALSE(VerifyJwsSignature("none", "{}", input, "").has_value());
  EXPECT_FALSE(
      VerifyJwsSignature("ES384", R"({"kty":"EC","crv":"P-256","x":"AA","y":"AA"})", input, "")
          .has_value());
  EXPECT_FALSE(*VerifyJwsSignature("ES384", Jwk(ec.get(), true), input, "short"));
}

}  // namespace
}  // namespace chartroom::crypto
