#include "store/blob/blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/result_macros.hpp"
#include "crypto/keyed_hash.hpp"

namespace chartroom::store::blob {
namespace {

constexpr std::string_view kAadPrefix = "chartroom-blob:";
// The subkey of a data key that names blobs (crypto::DeriveSubkey).
constexpr std::uint64_t kAddressSubkeyId = 1;
constexpr std::string_view kAddressContext = "blobaddr";

Error IoError(std::string_view what, int error) {
  return Error(ErrorCategory::kUnavailable, "store.blob-io",
               std::string(what) + ": " + std::strerror(error));
}

// Closes a file descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

Status SyncDirectory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return tl::unexpected(IoError("cannot open a blob directory", errno));
  if (::fsync(fd.get()) != 0) return tl::unexpected(IoError("cannot sync a blob directory", errno));
  return Ok();
}

// Creates `dir` (mode 0700) if missing and makes its entry durable in its parent.
Status EnsureDirectory(const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return SyncDirectory(dir.parent_path());
  if (errno == EEXIST) return Ok();
  return tl::unexpected(IoError("cannot create a blob directory", errno));
}

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(IoError("cannot write a blob", errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok();
}

std::string RandomHex(core::Random& random) {
  crypto::Digest bytes{};
  random.Fill(std::as_writable_bytes(std::span(bytes.data(), 8)));
  return crypto::ToHex(bytes).substr(0, 16);
}

}  // namespace

Result<std::unique_ptr<BlobStore>> BlobStore::Open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Fail(ErrorCategory::kUnavailable, "store.blob-io",
                "cannot create the blob directory: " + ec.message());
  }
  ::chmod(dir.c_str(), 0700);
  CHARTROOM_RETURN_IF_ERROR(EnsureDirectory(dir / "tmp"));
  return std::unique_ptr<BlobStore>(new BlobStore(dir));
}

std::string BlobStore::AddressOf(const crypto::SecretKey& data_key, std::string_view bytes) {
  const crypto::SecretKey naming =
      crypto::DeriveSubkey(data_key, kAddressSubkeyId, kAddressContext);
  return crypto::ToHex(crypto::KeyedHash(naming, bytes));
}

std::filesystem::path BlobStore::PathOf(std::string_view address) const {
  return dir_ / std::string(address.substr(0, 2)) / std::string(address.substr(2));
}

Result<std::string> BlobStore::Put(const crypto::SecretKey& data_key, std::string_view bytes,
                                   core::Random& random) {
  std::string address = AddressOf(data_key, bytes);
  const std::filesystem::path path = PathOf(address);
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    // Stored before, in this compartment. The sync covers a concurrent writer that has renamed
    // the file but not yet made its directory entry durable.
    CHARTROOM_RETURN_IF_ERROR(SyncDirectory(path.parent_path()));
    return address;
  }

  const std::string sealed =
      crypto::Seal(data_key, bytes, std::string(kAadPrefix) + address, random);
  const std::filesystem::path temp = dir_ / "tmp" / (address + "." + RandomHex(random));
  {
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return tl::unexpected(IoError("cannot create a blob file", errno));
    Status written = WriteAll(fd.get(), sealed);
    if (written && ::fsync(fd.get()) != 0)
      written = tl::unexpected(IoError("cannot sync a blob", errno));
    if (!written) {
      ::unlink(temp.c_str());
      return tl::unexpected(written.error());
    }
    if (::close(fd.Release()) != 0) {
      ::unlink(temp.c_str());
      return tl::unexpected(IoError("cannot close a blob file", errno));
    }
  }
  Status fanout = EnsureDirectory(path.parent_path());
  if (fanout && ::rename(temp.c_str(), path.c_str()) != 0) {
    fanout = tl::unexpected(IoError("cannot move a blob into place", errno));
  }
  if (!fanout) {
    ::unlink(temp.c_str());
    return tl::unexpected(fanout.error());
  }
  CHARTROOM_RETURN_IF_ERROR(SyncDirectory(path.parent_path()));
  return address;
}

Result<std::string> BlobStore::Get(const crypto::SecretKey& data_key,
                                   std::string_view address) const {
  const std::filesystem::path path = PathOf(address);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return Fail(ErrorCategory::kInternal, "store.corrupt",
                  "a blob that a stored version names is missing");
    }
    return tl::unexpected(IoError("cannot open a blob", errno));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return tl::unexpected(IoError("cannot stat a blob", errno));
  std::string sealed(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < sealed.size()) {
    const ssize_t n = ::read(fd.get(), sealed.data() + done, sealed.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(IoError("cannot read a blob", errno));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  sealed.resize(done);
  auto plain = crypto::Open(data_key, sealed, std::string(kAadPrefix) + std::string(address));
  if (!plain) {
    return Fail(ErrorCategory::kInternal, "store.corrupt", "a blob fails its authenticity check");
  }
  return std::move(*plain);
}

}  // namespace chartroom::store::blob
