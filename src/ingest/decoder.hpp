// Byte streams for loaders: a file read in blocks, and transparent decompression of gzip
// (RFC 1952, concatenated members allowed) and zstd (RFC 8878, concatenated frames allowed),
// recognised by their magic bytes, never by the file name. Everything streams through buffers
// of a fixed size, so reading a file of any size, or a decompression bomb, takes bounded memory.
//
// Ownership: a decompressing reader owns the reader it wraps. Thread safety: a ByteReader is used
// by one thread at a time; the byte counter of OpenFile may be read from any thread.

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "core/error.hpp"

namespace chartroom::ingest {

// A source of bytes, read front to back.
class ByteReader {
 public:
  virtual ~ByteReader() = default;
  // Reads up to out.size() (> 0) bytes into `out` and returns how many; 0 only at the end.
  // Errors: kUnavailable "ingest.read" (the file system), kInvalid "ingest.corrupt" (damaged
  // compressed data) and kInvalid "ingest.truncated" (compressed data that ends early); the
  // message says where, in bytes of the underlying (compressed) stream. After an error the
  // reader is spent.
  [[nodiscard]] virtual Result<std::size_t> Read(std::span<char> out) = 0;
};

enum class Compression : std::uint8_t { kNone, kGzip, kZstd };

// The compression whose magic bytes begin `head` (gzip 1f 8b, zstd 28 b5 2f fd); kNone otherwise,
// also when `head` is too short to tell.
Compression DetectCompression(std::string_view head);

// "gzip", "zstd" or "plain".
std::string_view CompressionName(Compression compression);

// Opens `path` for reading. Every byte read is added to `*bytes_read` when given (progress
// reports). kNotFound "ingest.open" when it does not exist, kUnavailable "ingest.open" when it
// cannot be opened (permissions, a directory).
[[nodiscard]] Result<std::unique_ptr<ByteReader>> OpenFile(
    const std::filesystem::path& path, std::atomic<std::uint64_t>* bytes_read = nullptr);

// Reads `data`, which must outlive the reader.
std::unique_ptr<ByteReader> ReadMemory(std::string_view data);

// Looks at the first bytes of `raw` and returns a reader of its decompressed content (or `raw`
// itself, replaying the bytes looked at, when it is not compressed). `compression`, when given,
// receives what was detected. Errors of `raw` unchanged.
[[nodiscard]] Result<std::unique_ptr<ByteReader>> Decompress(std::unique_ptr<ByteReader> raw,
                                                             Compression* compression = nullptr);

}  // namespace chartroom::ingest
