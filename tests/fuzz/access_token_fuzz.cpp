// libFuzzer target: the credentials a client sends. The input's first line is tried as a bearer
// token (access::VerifyToken against a fixed key), and the rest as a JWK with the first line as
// an RS384 and an ES384 signing input and signature (crypto::VerifyJwsSignature, what the token
// endpoint runs on client assertions). Nothing may verify, crash, hang or leak; errors returned
// as Result are fine. Seeds: tests/fuzz/corpus/access_token/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "access/token.hpp"
#include "core/random.hpp"
#include "crypto/jwk.hpp"
#include "crypto/signature.hpp"

namespace {

using namespace chartroom;

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "access_token_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;
  static core::SeededRandom random(7);
  static const crypto::SigningKey key = crypto::SigningKey::Generate(random);
  static const access::TokenKeys keys = {{"server", key.public_key()}};
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view token = input.substr(0, newline);
  const std::string_view jwk =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  const auto now = core::Timestamp(std::chrono::seconds(1767225600));
  // No forged input can carry a signature of a key it does not have.
  Check(!access::VerifyToken(token, keys, "chartroom", now).has_value(), "a token verified");
  for (const char* alg : {"RS384", "ES384"}) {
    const std::size_t dot = token.rfind('.');
    const std::string_view signing_input = token.substr(0, dot);
    const std::string signature(dot == std::string_view::npos ? "" : token.substr(dot + 1));
    auto verified = crypto::VerifyJwsSignature(alg, jwk, signing_input, signature);
    (void)verified;  // a random key may verify nothing; only crashes and leaks matter
  }
  return 0;
}
