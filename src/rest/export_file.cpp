#include "rest/export_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace chartroom::rest {
namespace {

std::string ChunkAad(std::string_view label, std::uint64_t index, bool last) {
  std::string aad(label);
  aad += ':';
  aad += std::to_string(index);
  aad += last ? ":end" : ":more";
  return aad;
}

tl::unexpected<Error> IoError(std::string_view what) {
  return Fail(ErrorCategory::kUnavailable, "rest.export-io",
              std::string("cannot ") + std::string(what) + " an export file (errno " +
                  std::to_string(errno) + ")");
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok();
}

tl::unexpected<Error> Corrupt() {
  return Fail(ErrorCategory::kInternal, "rest.export-file-corrupt",
              "an export file failed its authenticity check");
}

}  // namespace

Result<SealedFileWriter> SealedFileWriter::Create(const std::filesystem::path& path,
                                                  const crypto::SecretKey& key, std::string label,
                                                  core::Random& random) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create");
  return SealedFileWriter(fd, key, std::move(label), random);
}

SealedFileWriter::SealedFileWriter(int fd, const crypto::SecretKey& key, std::string label,
                                   core::Random& random)
    : fd_(fd), key_(&key), label_(std::move(label)), random_(&random) {
  buffer_.reserve(kSealedChunkBytes);
}

SealedFileWriter::SealedFileWriter(SealedFileWriter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      key_(other.key_),
      label_(std::move(other.label_)),
      random_(other.random_),
      buffer_(std::move(other.buffer_)),
      chunks_(other.chunks_),
      size_(other.size_) {}

SealedFileWriter& SealedFileWriter::operator=(SealedFileWriter&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    key_ = other.key_;
    label_ = std::move(other.label_);
    random_ = other.random_;
    buffer_ = std::move(other.buffer_);
    chunks_ = other.chunks_;
    size_ = other.size_;
  }
  return *this;
}

SealedFileWriter::~SealedFileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status SealedFileWriter::WriteChunk(bool last) {
  const std::string sealed =
      crypto::Seal(*key_, buffer_, ChunkAad(label_, chunks_, last), *random_);
  ++chunks_;
  buffer_.clear();
  const auto length = static_cast<std::uint32_t>(sealed.size());
  const char header[4] = {static_cast<char>(length & 0xff), static_cast<char>((length >> 8) & 0xff),
                          static_cast<char>((length >> 16) & 0xff),
                          static_cast<char>((length >> 24) & 0xff)};
  if (auto written = WriteAll(fd_, std::string_view(header, 4)); !written) return written;
  return WriteAll(fd_, sealed);
}

Status SealedFileWriter::Append(std::string_view text) {
  size_ += text.size();
  while (!text.empty()) {
    const std::size_t room = kSealedChunkBytes - buffer_.size();
    const std::size_t take = std::min(room, text.size());
    buffer_.append(text.substr(0, take));
    text.remove_prefix(take);
    if (buffer_.size() == kSealedChunkBytes && !text.empty()) {
      if (auto written = WriteChunk(false); !written) return written;
    }
  }
  return Ok();
}

Status SealedFileWriter::Finish() {
  if (fd_ < 0) return Ok();
  Status status = WriteChunk(true);
  if (::close(fd_) != 0 && status) status = IoError("close");
  fd_ = -1;
  return status;
}

Result<std::string> ReadSealedFile(const std::filesystem::path& path, const crypto::SecretKey& key,
                                   std::string_view label) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open");
  std::string raw;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && info.st_size > 0) {
    raw.reserve(static_cast<std::size_t>(info.st_size));
  }
  char block[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, block, sizeof block);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return IoError("read");
    }
    if (n == 0) break;
    raw.append(block, static_cast<std::size_t>(n));
  }
  ::close(fd);

  std::string plaintext;
  plaintext.reserve(raw.size());
  std::string_view rest = raw;
  for (std::uint64_t index = 0;; ++index) {
    if (rest.size() < 4) return Corrupt();
    const auto byte = [&](std::size_t i) {
      return static_cast<std::uint32_t>(static_cast<unsigned char>(rest[i]));
    };
    const std::size_t length = byte(0) | (byte(1) << 8) | (byte(2) << 16) | (byte(3) << 24);
    rest.remove_prefix(4);
    if (length > rest.size()) return Corrupt();
    const std::string_view sealed = rest.substr(0, length);
    rest.remove_prefix(length);
    const bool last = rest.empty();
    auto opened = crypto::Open(key, sealed, ChunkAad(label, index, last));
    if (!opened) return Corrupt();
    plaintext += *opened;
    if (last) return plaintext;
  }
}

}  // namespace chartroom::rest
