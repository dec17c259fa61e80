// Test support: keys made and JWS signatures computed with OpenSSL, as an outside client
// (a SMART Backend Services client) would, for the tests of what Chartroom verifies. Header
// only; shared by tests/crypto and tests/integration.

#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "crypto/keyed_hash.hpp"

namespace chartroom::crypto::test {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

inline std::string Bin(const BIGNUM* bn, int pad = 0) {
  std::string out(static_cast<std::size_t>(pad > 0 ? pad : BN_num_bytes(bn)), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (pad > 0) {
    BN_bn2binpad(bn, p, pad);
  } else {
    BN_bn2bin(bn, p);
  }
  return out;
}

inline std::string Jwk(EVP_PKEY* key, bool ec) {
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
inline std::string Sign(EVP_PKEY* key, bool ec, std::string_view input) {
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

// A compact JWS of `header` and `payload` (JSON texts) signed by `key`.
inline std::string CompactJws(EVP_PKEY* key, bool ec, std::string_view header,
                              std::string_view payload) {
  const std::string input = EncodeBase64Url(header) + "." + EncodeBase64Url(payload);
  return input + "." + EncodeBase64Url(Sign(key, ec, input));
}

}  // namespace chartroom::crypto::test
