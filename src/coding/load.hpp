// Loading a catalog from a directory of release files listed in its `releases.tsv`: one line per
// file, `kind<TAB>effective date<TAB>path` (kinds as importers.hpp names them; '#' starts a
// comment). Files are read oldest first, so validity periods follow the releases; gzip files
// are decompressed.
//
// Thread safety: functions of their arguments.

#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "coding/catalog.hpp"
#include "coding/importers.hpp"
#include "core/error.hpp"

namespace chartroom::coding {

struct ReleaseFile {
  FileKind kind;
  Date effective = 0;
  std::filesystem::path path;
};

// The entries of `dir`/releases.tsv; an absent list is empty. kInvalid "coding.bad-manifest".
Result<std::vector<ReleaseFile>> ReadManifest(const std::filesystem::path& dir);

// Reads every file of every directory's manifest, oldest first, into one catalog.
Result<std::shared_ptr<const Catalog>> LoadCatalog(const std::vector<std::filesystem::path>& dirs);

// The text of a release file, decompressed when it is gzip. kUnavailable "coding.unreadable".
Result<std::string> ReadReleaseText(const std::filesystem::path& path);

// The catalog of a server or command: loaded from `dirs` on first use (the code sets take a
// second or two to read), then shared. A load that fails is tried again at the next use.
// Thread safety: Get may be called from any thread.
class CatalogSource {
 public:
  explicit CatalogSource(std::vector<std::filesystem::path> dirs) : dirs_(std::move(dirs)) {}
  Result<std::shared_ptr<const Catalog>> Get();

 private:
  std::vector<std::filesystem::path> dirs_;
  std::mutex mutex_;
  std::shared_ptr<const Catalog> catalog_;
};

}  // namespace chartroom::coding
