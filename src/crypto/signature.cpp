#include "crypto/signature.hpp"

#include <sodium.h>

#include <span>

#include "core/result_macros.hpp"
#include "crypto/aead.hpp"
#include "crypto/sodium.hpp"

namespace chartroom::crypto {
SigningKey SigningKey::Generate(core::Random& random) {
  std::array<std::byte, crypto_sign_ed25519_SEEDBYTES> seed;
  random.Fill(seed);
  auto key = FromSeed(std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
  sodium_memzero(seed.data(), seed.size());
  return std::move(*key);  // a seed of the right length always makes a key
}

Result<SigningKey> SigningKey::FromSeed(std::string_view seed) {
  EnsureSodium();
  if (seed.size() != crypto_sign_ed25519_SEEDBYTES) {
    return Fail(ErrorCategory::kInvalid, "crypto.bad-key", "an Ed25519 seed has 32 bytes");
  }
  SigningKey key;
  crypto_sign_ed25519_seed_keypair(key.public_.data(), key.secret_.data(),
                                   reinterpret_cast<const unsigned char*>(seed.data()));
  return key;
}

SigningKey::~SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

std::string SigningKey::seed() const {
  return std::string(reinterpret_cast<const char*>(secret_.data()), crypto_sign_ed25519_SEEDBYTES);
}

std::string SigningKey::Sign(std::string_view message) const {
  std::string signature(kSignatureBytes, '\0');
  crypto_sign_ed25519_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                               reinterpret_cast<const unsigned char*>(message.data()),
                               message.size(), secret_.data());
  return signature;
}

bool Verify(const PublicKey& key, std::string_view message, std::string_view signature) {
  EnsureSodium();
  if (signature.size() != kSignatureBytes) return false;
  return crypto_sign_ed25519_verify_detached(
             reinterpret_cast<const unsigned char*>(signature.data()),
             reinterpret_cast<const unsigned char*>(message.data()), message.size(),
             key.data()) == 0;
}

Result<SigningKey> LoadOrCreateSigningKeyFile(const std::filesystem::path& path,
                                              core::Random& random) {
  CHARTROOM_ASSIGN_OR_RETURN(auto seed,
                             LoadOrCreateSecretFile(path, "chartroom-signing-key-v1 ", random));
  auto key = SigningKey::FromSeed(
      std::string_view(reinterpret_cast<const char*>(seed.data()), seed.size()));
  sodium_memzero(seed.data(), seed.size());
  return key;
}

}  // namespace chartroom::crypto
