// Ed25519 signatures (libsodium crypto_sign_ed25519): the server's token-signing key and the
// verification of what it signed, and of SMART Backend Services clients' assertions.
//
// Thread safety: SigningKey is a value type; all functions may run concurrently.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/random.hpp"

namespace chartroom::crypto {

inline constexpr std::size_t kPublicKeyBytes = 32;
inline constexpr std::size_t kSignatureBytes = 64;

using PublicKey = std::array<std::uint8_t, kPublicKeyBytes>;

// An Ed25519 key pair; the secret half is wiped when the key is destroyed.
class SigningKey {
 public:
  // A new key from 32 bytes of `random` (the seed).
  static SigningKey Generate(core::Random& random);
  // The key a 32-byte seed determines (the form key files keep); kInvalid "crypto.bad-key" for
  // another length.
  static Result<SigningKey> FromSeed(std::string_view seed);

  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey();

  const PublicKey& public_key() const { return public_; }
  std::string seed() const;
  // The 64-byte detached signature of `message`.
  std::string Sign(std::string_view message) const;

 private:
  SigningKey() = default;
  PublicKey public_{};
  std::array<std::uint8_t, 64> secret_{};  // libsodium's form: seed || public key
};

// The server's signing key from its key file ("chartroom-signing-key-v1 " and the seed in hex,
// mode 0600), created with a new key on first use; the errors of crypto::LoadOrCreateKeyFile.
Result<SigningKey> LoadOrCreateSigningKeyFile(const std::filesystem::path& path,
                                              core::Random& random);

// True when `signature` is `key`'s signature of `message`.
bool Verify(const PublicKey& key, std::string_view message, std::string_view signature);

}  // namespace chartroom::crypto
