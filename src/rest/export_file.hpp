// Sealed files: how bulk export output (rest/export.hpp) sits on disk. Export files hold PHI, so
// they are never written in plaintext: the NDJSON is cut into chunks, each sealed with
// crypto::Seal (XChaCha20-Poly1305) under the job's key, which lives in memory only.
//
// Format: a sequence of records, each a 4-byte little-endian length followed by that many bytes
// of one sealed chunk (nonce || ciphertext || tag). The AAD of chunk i is
// "<label>:<i>:more", or "<label>:<i>:end" for the last chunk, so chunks cannot be reordered,
// dropped, moved to another file (the label names the job and the file) or cut off at the end
// without Open failing.
//
// Ownership: a SealedFileWriter owns its file descriptor and borrows the key and random, which
// must outlive it. Thread safety: a writer belongs to one thread; ReadSealedFile is reentrant.

#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"

namespace chartroom::rest {

// Plaintext bytes per sealed chunk (the last chunk of a file may be shorter).
inline constexpr std::size_t kSealedChunkBytes = 256 * 1024;

class SealedFileWriter {
 public:
  // Creates `path` (mode 0600; it must not exist). kUnavailable ("rest.export-io") when it cannot.
  [[nodiscard]] static Result<SealedFileWriter> Create(const std::filesystem::path& path,
                                                       const crypto::SecretKey& key,
                                                       std::string label, core::Random& random);
  SealedFileWriter(SealedFileWriter&& other) noexcept;
  SealedFileWriter& operator=(SealedFileWriter&& other) noexcept;
  SealedFileWriter(const SealedFileWriter&) = delete;
  SealedFileWriter& operator=(const SealedFileWriter&) = delete;
  ~SealedFileWriter();  // closes the descriptor; a file not Finish()ed stays unreadable

  // Appends plaintext; full chunks are sealed and written as they fill. kUnavailable
  // ("rest.export-io") when the disk refuses.
  [[nodiscard]] Status Append(std::string_view text);
  // Seals what is buffered as the last chunk and closes the file. Call once.
  [[nodiscard]] Status Finish();

  // Plaintext bytes appended so far.
  std::uint64_t size() const { return size_; }

 private:
  SealedFileWriter(int fd, const crypto::SecretKey& key, std::string label, core::Random& random);
  Status WriteChunk(bool last);

  int fd_ = -1;
  const crypto::SecretKey* key_;
  std::string label_;
  core::Random* random_;
  std::string buffer_;
  std::uint64_t chunks_ = 0;
  std::uint64_t size_ = 0;
};

// Reads and opens a whole sealed file: its plaintext. kUnavailable ("rest.export-io") when it
// cannot be read; kInternal ("rest.export-file-corrupt") when it fails its authenticity check
// (wrong key or label, a chunk changed, moved, missing or cut off).
[[nodiscard]] Result<std::string> ReadSealedFile(const std::filesystem::path& path,
                                                 const crypto::SecretKey& key,
                                                 std::string_view label);

}  // namespace chartroom::rest
