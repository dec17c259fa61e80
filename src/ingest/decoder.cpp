#include "ingest/decoder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/result_macros.hpp"

namespace chartroom::ingest {
namespace {

constexpr std::size_t kInputBlock = std::size_t{1} << 18;

Error ReadError(const std::string& what) {
  return Error(ErrorCategory::kUnavailable, "ingest.read", what);
}

class FileReader final : public ByteReader {
 public:
  FileReader(int fd, std::atomic<std::uint64_t>* counter) : fd_(fd), counter_(counter) {}
  ~FileReader() override { ::close(fd_); }
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  Result<std::size_t> Read(std::span<char> out) override {
    for (;;) {
      const ssize_t n = ::read(fd_, out.data(), out.size());
      if (n >= 0) {
        const auto count = static_cast<std::size_t>(n);
        if (counter_ != nullptr) counter_->fetch_add(count, std::memory_order_relaxed);
        return count;
      }
      if (errno == EINTR) continue;
      return tl::unexpected(ReadError(std::string("cannot read: ") + std::strerror(errno)));
    }
  }

 private:
  int fd_;
  std::atomic<std::uint64_t>* counter_;
};

class MemoryReader final : public ByteReader {
 public:
  explicit MemoryReader(std::string_view data) : data_(data) {}
  Result<std::size_t> Read(std::span<char> out) override {
    const std::size_t n = std::min(out.size(), data_.size());
    std::memcpy(out.data(), data_.data(), n);
    data_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view data_;
};

// Replays the bytes Decompress looked at, then reads on from the wrapped reader.
class PrefixReader final : public ByteReader {
 public:
  PrefixReader(std::string prefix, std::unique_ptr<ByteReader> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  Result<std::size_t> Read(std::span<char> out) override {
    if (offset_ < prefix_.size()) {
      const std::size_t n = std::min(out.size(), prefix_.size() - offset_);
      std::memcpy(out.data(), prefix_.data() + offset_, n);
      offset_ += n;
      return n;
    }
    return rest_->Read(out);
  }

 private:
  std::string prefix_;
  std::size_t offset_ = 0;
  std::unique_ptr<ByteReader> rest_;
};

// Input handling shared by both decompressors: a block of compressed bytes and the count of
// compressed bytes consumed, for error positions.
class CompressedInput {
 public:
  explicit CompressedInput(std::unique_ptr<ByteReader> raw)
      : raw_(std::move(raw)), block_(kInputBlock) {}
  // Refills the block when it is used up; false at the end of the raw stream.
  Result<bool> Fill() {
    if (pos_ < size_) return true;
    if (eof_) return false;
    CHARTROOM_ASSIGN_OR_RETURN(size_, raw_->Read(block_));
    consumed_before_ += pos_;
    pos_ = 0;
    if (size_ == 0) eof_ = true;
    return size_ > 0;
  }
  const char* data() const { return block_.data() + pos_; }
  std::size_t available() const { return size_ - pos_; }
  void Consume(std::size_t n) { pos_ += n; }
  std::uint64_t offset() const { return consumed_before_ + pos_; }

 private:
  std::unique_ptr<ByteReader> raw_;
  std::vector<char> block_;
  std::size_t size_ = 0;
  std::size_t pos_ = 0;
  std::uint64_t consumed_before_ = 0;
  bool eof_ = false;
};

Error Corrupt(std::string_view format, std::uint64_t offset, std::string_view detail) {
  return Error(ErrorCategory::kInvalid, "ingest.corrupt",
               std::string(format) + " data is corrupt at compressed byte " +
                   std::to_string(offset) + " (" + std::string(detail) + ")");
}

Error Truncated(std::string_view format, std::uint64_t offset) {
  return Error(ErrorCategory::kInvalid, "ingest.truncated",
               std::string(format) + " data ends early (truncated) after " +
                   std::to_string(offset) + " compressed bytes");
}

class GzipReader final : public ByteReader {
 public:
  explicit GzipReader(std::unique_ptr<ByteReader> raw) : in_(std::move(raw)) {
    // 16 + MAX_WBITS: gzip wrapper only (https://zlib.net/manual.html#Advanced).
    ok_ = inflateInit2(&stream_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipReader() override {
    if (ok_) inflateEnd(&stream_);
  }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  Result<std::size_t> Read(std::span<char> out) override {
    if (!ok_) return tl::unexpected(Corrupt("gzip", in_.offset(), "cannot initialise zlib"));
    if (done_) return std::size_t{0};
    std::size_t produced = 0;
    while (produced == 0) {
      CHARTROOM_ASSIGN_OR_RETURN(bool more, in_.Fill());
      if (!more) {
        if (between_members_) {
          done_ = true;
          return std::size_t{0};
        }
        return tl::unexpected(Truncated("gzip", in_.offset()));
      }
      if (between_members_) {
        // Another member must follow (gzip(1) concatenates them); anything else is damage.
        if (static_cast<unsigned char>(*in_.data()) != 0x1f) {
          return tl::unexpected(Corrupt("gzip", in_.offset(), "data after the gzip stream"));
        }
        between_members_ = false;
      }
      stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in_.data()));
      stream_.avail_in = static_cast<uInt>(in_.available());
      stream_.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
      stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - produced, 1u << 30));
      const uInt before_out = stream_.avail_out;
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      in_.Consume(in_.available() - stream_.avail_in);
      produced += before_out - stream_.avail_out;
      if (rc == Z_STREAM_END) {
        inflateReset(&stream_);
        between_members_ = true;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return tl::unexpected(
            Corrupt("gzip", in_.offset(), stream_.msg != nullptr ? stream_.msg : "inflate failed"));
      }
    }
    return produced;
  }

 private:
  CompressedInput in_;
  z_stream stream_{};
  bool ok_ = false;
  bool done_ = false;
  bool between_members_ = false;
};

class ZstdReader final : public ByteReader {
 public:
  explicit ZstdReader(std::unique_ptr<ByteReader> raw)
      : in_(std::move(raw)), ctx_(ZSTD_createDCtx()) {}
  ~ZstdReader() override { ZSTD_freeDCtx(ctx_); }
  ZstdReader(const ZstdReader&) = delete;
  ZstdReader& operator=(const ZstdReader&) = delete;

  Result<std::size_t> Read(std::span<char> out) override {
    if (ctx_ == nullptr) return tl::unexpected(Corrupt("zstd", 0, "cannot initialise zstd"));
    if (done_) return std::size_t{0};
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    while (output.pos == 0) {
      CHARTROOM_ASSIGN_OR_RETURN(bool more, in_.Fill());
      if (!more) {
        // 0 from the last call: a frame ended exactly here.
        if (frame_complete_) {
          done_ = true;
          return std::size_t{0};
        }
        return tl::unexpected(Truncated("zstd", in_.offset()));
      }
      ZSTD_inBuffer input{in_.data(), in_.available(), 0};
      const std::size_t rc = ZSTD_decompressStream(ctx_, &output, &input);
      in_.Consume(input.pos);
      if (ZSTD_isError(rc) != 0) {
        return tl::unexpected(Corrupt("zstd", in_.offset(), ZSTD_getErrorName(rc)));
      }
      frame_complete_ = rc == 0;
    }
    return output.pos;
  }

 private:
  CompressedInput in_;
  ZSTD_DCtx* ctx_;
  bool done_ = false;
  bool frame_complete_ = false;
};

}  // namespace

Compression DetectCompression(std::string_view head) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
  if (head.size() >= 2 && byte(0) == 0x1f && byte(1) == 0x8b) return Compression::kGzip;
  if (head.size() >= 4 && byte(0) == 0x28 && byte(1) == 0xb5 && byte(2) == 0x2f &&
      byte(3) == 0xfd) {
    return Compression::kZstd;
  }
  return Compression::kNone;
}

std::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return "gzip";
    case Compression::kZstd:
      return "zstd";
    case Compression::kNone:
      break;
  }
  return "plain";
}

Result<std::unique_ptr<ByteReader>> OpenFile(const std::filesystem::path& path,
                                             std::atomic<std::uint64_t>* bytes_read) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return Fail(err == ENOENT ? ErrorCategory::kNotFound : ErrorCategory::kUnavailable,
                "ingest.open", std::string("cannot open: ") + std::strerror(err));
  }
  struct stat info {};
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    return Fail(ErrorCategory::kUnavailable, "ingest.open", "cannot open: it is a directory");
  }
  // Sequential reading: let the kernel read ahead generously.
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<ByteReader>(std::make_unique<FileReader>(fd, bytes_read));
}

std::unique_ptr<ByteReader> ReadMemory(std::string_view data) {
  return std::make_unique<MemoryReader>(data);
}

Result<std::unique_ptr<ByteReader>> Decompress(std::unique_ptr<ByteReader> raw,
                                               Compression* compression) {
  std::string head(4, '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    CHARTROOM_ASSIGN_OR_RETURN(std::size_t n,
                               raw->Read(std::span<char>(head.data() + got, head.size() - got)));
    if (n == 0) break;
    got += n;
  }
  head.resize(got);
  const Compression detected = DetectCompression(head);
  if (compression != nullptr) *compression = detected;
  auto replay = std::make_unique<PrefixReader>(std::move(head), std::move(raw));
  switch (detected) {
    case Compression::kGzip:
      return std::unique_ptr<ByteReader>(std::make_unique<GzipReader>(std::move(replay)));
    case Compression::kZstd:
      return std::unique_ptr<ByteReader>(std::make_unique<ZstdReader>(std::move(replay)));
    case Compression::kNone:
      break;
  }
  return std::unique_ptr<ByteReader>(std::move(replay));
}

}  // namespace chartroom::ingest
