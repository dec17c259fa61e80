// Symmetric encryption of record content at rest: XChaCha20-Poly1305 (IETF) from libsodium, and
// the master-key file that the key hierarchy starts from.
//
// Key hierarchy: a master key lives in a key file (created with mode 0600 on first start); each
// patient compartment has its own random data key, stored only wrapped (sealed) by the master
// key; resource content is sealed with its compartment's data key. Destroying a data key makes
// that patient's content unreadable (crypto-shredding, NIST SP 800-88 cryptographic erase).
//
// Sealed format: 24-byte random nonce || ciphertext || 16-byte tag. The associated data (AAD)
// binds a ciphertext to where it belongs (e.g. resource row and version), so a sealed value
// copied elsewhere fails to open.
//
// Thread safety: all functions are safe to call concurrently; SecretKey is a value type.

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

inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kNonceBytes = 24;
inline constexpr std::size_t kTagBytes = 16;
inline constexpr std::size_t kSealOverhead = kNonceBytes + kTagBytes;

// A 256-bit symmetric key; its bytes are wiped when it is destroyed.
class SecretKey {
 public:
  SecretKey() { bytes_.fill(0); }
  explicit SecretKey(const std::array<std::uint8_t, kKeyBytes>& bytes) : bytes_(bytes) {}
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey();

  static SecretKey Generate(core::Random& random);
  const std::uint8_t* data() const { return bytes_.data(); }

 private:
  std::array<std::uint8_t, kKeyBytes> bytes_;
};

// Seals `plaintext` under `key`, binding `aad`. Never fails.
std::string Seal(const SecretKey& key, std::string_view plaintext, std::string_view aad,
                 core::Random& random);
// Opens a sealed value. Fails with kInternal ("crypto.open-failed") when the key is wrong or the
// value or its AAD was changed: stored data is never silently accepted when tampered with.
Result<std::string> Open(const SecretKey& key, std::string_view sealed, std::string_view aad);

// Data keys are stored wrapped by the master key; `label` (e.g. the compartment) is bound as AAD.
std::string WrapKey(const SecretKey& master, const SecretKey& data_key, std::string_view label,
                    core::Random& random);
Result<SecretKey> UnwrapKey(const SecretKey& master, std::string_view wrapped,
                            std::string_view label);

// Reads the master key from `path`, or creates the file (mode 0600, parent directories as needed)
// with a new random key when it does not exist. Fails with kUnavailable ("crypto.key-file") when
// the file cannot be read or written, kInvalid ("crypto.key-file-format") when it is not a key
// file, and kForbidden ("crypto.key-file-permissions") when others can read it.
Result<SecretKey> LoadOrCreateKeyFile(const std::filesystem::path& path, core::Random& random);

// The same file handling for any 32-byte secret: a file holding `header` and the secret in hex,
// read, or created with a new random secret. The errors of LoadOrCreateKeyFile.
Result<std::array<std::uint8_t, kKeyBytes>> LoadOrCreateSecretFile(
    const std::filesystem::path& path, std::string_view header, core::Random& random);

}  // namespace chartroom::crypto
