// BlobStore: content-addressed, sealed files for large binary content (attachments) under one
// directory, usually <data_dir>/blobs. A blob is sealed like resource content
// (crypto::Seal, XChaCha20-Poly1305) under the data key of its compartment, and named by a keyed
// hash of its plaintext: BLAKE2b-256 keyed with a subkey of that same data key. So equal content
// in one compartment is stored once, while equal content in two compartments gets unrelated
// names (the names reveal nothing across patients), and shredding a compartment's key leaves its
// blobs unreadable and unnameable.
//
// Layout: <dir>/<first 2 hex digits>/<other 62>, each file nonce || ciphertext || tag with the
// associated data "chartroom-blob:<address>" (a file moved to another name fails to open);
// <dir>/tmp/ holds files being written. Put writes to tmp/, fsyncs, renames into place and
// fsyncs the directory before it returns, so a blob is durable before any version that names it
// can commit. Blobs are never changed or deleted (every version keeps its blobs); after a crash
// only unreferenced blobs or tmp/ files can be left over, which are harmless.
//
// Thread safety: every method may be called concurrently, also from several processes on one
// directory (writes of one blob race only to rename equal content into place).

#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"

namespace chartroom::store::blob {

class BlobStore {
 public:
  // Creates `dir` and dir/tmp (mode 0700) when missing. kUnavailable ("store.blob-io") when
  // they cannot be created.
  [[nodiscard]] static Result<std::unique_ptr<BlobStore>> Open(const std::filesystem::path& dir);

  // The address `bytes` has under `data_key`: 64 lower-case hex digits.
  static std::string AddressOf(const crypto::SecretKey& data_key, std::string_view bytes);

  // Stores `bytes` sealed under `data_key` (nonces from `random`, which must be thread-safe when
  // Put runs concurrently) unless that blob exists already, and returns its address; the blob is
  // durable when Put returns. kUnavailable ("store.blob-io") when the file system fails.
  [[nodiscard]] Result<std::string> Put(const crypto::SecretKey& data_key, std::string_view bytes,
                                        core::Random& random);

  // The plaintext of the blob at `address`. kInternal ("store.corrupt") when the blob is missing
  // or fails to open under `data_key` (tampered with, truncated, moved): never wrong content.
  // kUnavailable ("store.blob-io") when the file cannot be read.
  [[nodiscard]] Result<std::string> Get(const crypto::SecretKey& data_key,
                                        std::string_view address) const;

  // Where the blob at `address` lives (for tests and operators).
  std::filesystem::path PathOf(std::string_view address) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  explicit BlobStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace chartroom::store::blob
