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

namespace chartroom::crypto {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

std::string Bin(const BIGNUM* bn, int pad = 0) {
  std::string out(static_cast<std::size_t>(pad > 0 ? pad : BN_num_bytes(bn)), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (pad > 0) {
    BN_bn2binpad(bn, p, pad);
  } else {
    BN_bn2bin(bn, p);
  }
  return out;
}

std::string Jwk(EVP_PKEY* key, bool ec) {
  if (ec) {
    unsigned char point[200];
    std::size_t length = 0;
    EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &length);
    const std::string p(reinterpret_cast<char*>(point), length);  // 0x04 || x || y
    return R"({"kty":"EC","crv":"P-384","x":")" + EncodeBase64Url(p.substr(1, 48)) + R"(","y":")" +
           EncodeBase64Url(p.substr(49, 48)) + R"("})";
  }
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
  std::string jwk = R"({"kty":"RSA","n":")" + EncodeBase64Url(Bin(n)) + R"(","e":")" +
                    EncodeBase64Url(Bin(e)) + R"("})";
  BN_free(n);
  BN_free(e);
  return jwk;
}

// The JWS signature bytes of `input` (ES384: DER converted to r || s).
std::string Sign(EVP_PKEY* key, bool ec, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestSignInit(ctx, nullptr, EVP_sha384(), nullptr, key);
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx, nullptr, &length, data, input.size());
  std::string sig(length, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &length, data, input.size());
  EVP_MD_CTX_free(ctx);
  sig.resize(length);
  if (!ec) return sig;
  const auto* der = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size()));
  std::string raw = Bin(ECDSA_SIG_get0_r(parsed), 48) + Bin(ECDSA_SIG_get0_s(parsed), 48);
  ECDSA_SIG_free(parsed);
  return raw;
}

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
