#include "crypto/sha256.hpp"

#include <openssl/evp.h>

#include <memory>

namespace chartroom::crypto {

Sha256Digest Sha256(std::initializer_list<std::string_view> parts) {
  // One context per thread, set to SHA-256 once and re-initialised per digest without fetching
  // the algorithm again (EVP_DigestInit_ex2 with no type): the fetch costs more than hashing a
  // short message.
  struct Context {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    Context() { EVP_DigestInit_ex2(ctx.get(), EVP_sha256(), nullptr); }
  };
  thread_local Context context;
  Sha256Digest digest{};
  EVP_DigestInit_ex2(context.ctx.get(), nullptr, nullptr);
  for (std::string_view part : parts) EVP_DigestUpdate(context.ctx.get(), part.data(), part.size());
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.ctx.get(), digest.data(), &length);
  return digest;
}

}  // namespace chartroom::crypto
