#include "crypto/aead.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/result_macros.hpp"
#include "crypto/sodium.hpp"

namespace chartroom::crypto {
namespace {

constexpr std::string_view kKeyFileHeader = "chartroom-master-key-v1 ";

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SecretKey SecretKey::Generate(core::Random& random) {
  std::array<std::uint8_t, kKeyBytes> bytes;
  random.Fill(std::as_writable_bytes(std::span(bytes)));
  SecretKey key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

std::string Seal(const SecretKey& key, std::string_view plaintext, std::string_view aad,
                 core::Random& random) {
  EnsureSodium();
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  random.Fill(std::as_writable_bytes(std::span(nonce, kNonceBytes)));
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, Bytes(plaintext),
                                             plaintext.size(), Bytes(aad), aad.size(), nullptr,
                                             nonce, key.data());
  CHARTROOM_CHECK(written == plaintext.size() + kTagBytes);
  return out;
}

Result<std::string> Open(const SecretKey& key, std::string_view sealed, std::string_view aad) {
  EnsureSodium();
  if (sealed.size() < kSealOverhead) {
    return Fail(ErrorCategory::kInternal, "crypto.open-failed", "sealed value is truncated");
  }
  std::string out(sealed.size() - kSealOverhead, '\0');
  unsigned long long written = 0;
  const unsigned char* nonce = Bytes(sealed);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &written, nullptr, nonce + kNonceBytes,
          sealed.size() - kNonceBytes, Bytes(aad), aad.size(), nonce, key.data()) != 0) {
    return Fail(ErrorCategory::kInternal, "crypto.open-failed",
                "sealed value failed authentication (wrong key, or altered)");
  }
  out.resize(written);
  return out;
}

std::string WrapKey(const SecretKey& master, const SecretKey& data_key, std::string_view label,
                    core::Random& random) {
  std::string_view raw(reinterpret_cast<const char*>(data_key.data()), kKeyBytes);
  return Seal(master, raw, label, random);
}

Result<SecretKey> UnwrapKey(const SecretKey& master, std::string_view wrapped,
                            std::string_view label) {
  CHARTROOM_ASSIGN_OR_RETURN(std::string raw, Open(master, wrapped, label));
  if (raw.size() != kKeyBytes) {
    return Fail(ErrorCategory::kInternal, "crypto.open-failed", "wrapped key has the wrong size");
  }
  std::array<std::uint8_t, kKeyBytes> bytes;
  std::memcpy(bytes.data(), raw.data(), kKeyBytes);
  sodium_memzero(raw.data(), raw.size());
  SecretKey key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

Result<std::array<std::uint8_t, kKeyBytes>> LoadOrCreateSecretFile(
    const std::filesystem::path& path, std::string_view header, core::Random& random) {
  EnsureSodium();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    SecretKey fresh = SecretKey::Generate(random);
    std::array<std::uint8_t, kKeyBytes> bytes;
    std::copy(fresh.data(), fresh.data() + kKeyBytes, bytes.begin());
    char hex[kKeyBytes * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, bytes.data(), kKeyBytes);
    std::string content = std::string(header) + hex + "\n";
    sodium_memzero(hex, sizeof hex);
    // O_EXCL: two processes starting at once must not both create (and overwrite) a key.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Fail(ErrorCategory::kUnavailable, "crypto.key-file",
                  "cannot create the key file: " + std::string(std::strerror(errno)));
    }
    bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    ok = ::fsync(fd) == 0 && ok;
    ::close(fd);
    sodium_memzero(content.data(), content.size());
    if (!ok) {
      return Fail(ErrorCategory::kUnavailable, "crypto.key-file", "cannot write the key file");
    }
    return bytes;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Fail(ErrorCategory::kUnavailable, "crypto.key-file", "cannot stat the key file");
  }
  if ((st.st_mode & 077) != 0) {
    return Fail(ErrorCategory::kForbidden, "crypto.key-file-permissions",
                "the key file must not be readable by group or others (chmod 600)");
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return Fail(ErrorCategory::kUnavailable, "crypto.key-file", "cannot read the key file");
  }
  std::array<std::uint8_t, kKeyBytes> bytes;
  size_t decoded = 0;
  std::string_view hex = std::string_view(line).substr(std::min(line.size(), header.size()));
  bool ok = line.rfind(header, 0) == 0 &&
            sodium_hex2bin(bytes.data(), bytes.size(), hex.data(), hex.size(), nullptr, &decoded,
                           nullptr) == 0 &&
            decoded == kKeyBytes;
  sodium_memzero(line.data(), line.size());
  if (!ok) {
    sodium_memzero(bytes.data(), bytes.size());
    return Fail(ErrorCategory::kInvalid, "crypto.key-file-format", "not a Chartroom key file");
  }
  return bytes;
}

Result<SecretKey> LoadOrCreateKeyFile(const std::filesystem::path& path, core::Random& random) {
  CHARTROOM_ASSIGN_OR_RETURN(auto bytes, LoadOrCreateSecretFile(path, kKeyFileHeader, random));
  SecretKey key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

}  // namespace chartroom::crypto
