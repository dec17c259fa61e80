#include "crypto/jwk.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>

#include <boost/json.hpp>

#include "crypto/keyed_hash.hpp"

namespace chartroom::crypto {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

Error BadJwk(std::string message) {
  return Error(ErrorCategory::kInvalid, "crypto.bad-jwk", std::move(message));
}

const unsigned char* Bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string Member(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<Pkey> FromParams(const char* type, OSSL_PARAM_BLD* builder) {
  Params params(OSSL_PARAM_BLD_to_param(builder));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0) {
    return tl::unexpected(BadJwk("the key does not load"));
  }
  return Pkey(raw);
}

Result<Pkey> RsaKey(const boost::json::object& jwk) {
  auto n = DecodeBase64Url(Member(jwk, "n"));
  auto e = DecodeBase64Url(Member(jwk, "e"));
  if (!n || !e || n->size() < 256)
    return tl::unexpected(BadJwk("an RSA JWK needs n (2048 bits or more) and e"));
  Bignum bn_n(BN_bin2bn(Bytes(*n), static_cast<int>(n->size()), nullptr));
  Bignum bn_e(BN_bin2bn(Bytes(*e), static_cast<int>(e->size()), nullptr));
  ParamBld builder(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !builder ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
      !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get())) {
    return tl::unexpected(BadJwk("the RSA key does not load"));
  }
  return FromParams("RSA", builder.get());
}

Result<Pkey> EcKey(const boost::json::object& jwk) {
  auto x = DecodeBase64Url(Member(jwk, "x"));
  auto y = DecodeBase64Url(Member(jwk, "y"));
  if (Member(jwk, "crv") != "P-384" || !x || !y || x->size() != 48 || y->size() != 48) {
    return tl::unexpected(BadJwk("an EC JWK must be P-384 with 48-byte x and y"));
  }
  std::string point = "\x04" + *x + *y;  // uncompressed SEC 1 point
  ParamBld builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      !OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0) ||
      !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size())) {
    return tl::unexpected(BadJwk("the EC key does not load"));
  }
  return FromParams("EC", builder.get());
}

// The DER form OpenSSL verifies of a JWS ECDSA signature (r || s, 48 bytes each for P-384).
std::optional<std::string> EcdsaDer(std::string_view raw) {
  if (raw.size() != 96) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  EcSig sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, 48, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + 48, 48, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  const int size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (size <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

}  // namespace

Result<bool> VerifyJwsSignature(std::string_view alg, std::string_view jwk_json,
                                std::string_view signing_input, std::string_view signature) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(jwk_json, ec);
  if (ec || !parsed.is_object()) return tl::unexpected(BadJwk("the key is not a JSON object"));
  const boost::json::object& jwk = parsed.get_object();
  const std::string kty = Member(jwk, "kty");
  Result<Pkey> key = tl::unexpected(BadJwk("unsupported"));
  std::string der;
  if (alg == "RS384" && kty == "RSA") {
    key = RsaKey(jwk);
    der = std::string(signature);
  } else if (alg == "ES384" && kty == "EC") {
    key = EcKey(jwk);
    if (!key) return tl::unexpected(key.error());
    auto converted = EcdsaDer(signature);
    if (!converted) return false;  // not 96 bytes: not a P-384 signature
    der = std::move(*converted);
  } else {
    return tl::unexpected(BadJwk("the algorithm must be RS384 or ES384 and match the key type"));
  }
  if (!key) return tl::unexpected(key.error());
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key->get()) != 1) {
    return tl::unexpected(BadJwk("the key cannot verify"));
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size()) == 1;
}

}  // namespace chartroom::crypto
