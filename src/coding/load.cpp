#include "coding/load.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/result_macros.hpp"
#include "fhir/json/gzip.hpp"

namespace chartroom::coding {

Result<std::string> ReadReleaseText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(ErrorCategory::kUnavailable, "coding.unreadable", "cannot read " + path.string());
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string text = std::move(bytes).str();
  if (fhir::json::IsGzip(text)) {
    CHARTROOM_ASSIGN_OR_RETURN(text, fhir::json::Gunzip(text, std::size_t{1} << 30));
  }
  return text;
}

Result<std::vector<ReleaseFile>> ReadManifest(const std::filesystem::path& dir) {
  std::vector<ReleaseFile> out;
  std::ifstream in(dir / "releases.tsv");
  if (!in) return out;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::size_t a = line.find('\t');
    const std::size_t b = a == std::string::npos ? a : line.find('\t', a + 1);
    auto kind = a == std::string::npos ? std::nullopt : ParseFileKind(line.substr(0, a));
    auto date = b == std::string::npos ? std::nullopt : ParseDate(line.substr(a + 1, b - a - 1));
    if (!kind || !date || b + 1 >= line.size()) {
      return Fail(ErrorCategory::kInvalid, "coding.bad-manifest",
                  (dir / "releases.tsv").string() + ":" + std::to_string(number) +
                      ": expected kind<TAB>yyyy-mm-dd<TAB>file");
    }
    out.push_back({*kind, *date, dir / line.substr(b + 1)});
  }
  return out;
}

Result<std::shared_ptr<const Catalog>> LoadCatalog(const std::vector<std::filesystem::path>& dirs) {
  std::vector<ReleaseFile> files;
  for (const auto& dir : dirs) {
    CHARTROOM_ASSIGN_OR_RETURN(auto listed, ReadManifest(dir));
    files.insert(files.end(), listed.begin(), listed.end());
  }
  // Oldest first; an order file before the tabular list of the same date, so that the list's
  // notes land on codes whose validity is known.
  std::stable_sort(files.begin(), files.end(), [](const ReleaseFile& x, const ReleaseFile& y) {
    return std::tie(x.effective, x.kind) < std::tie(y.effective, y.kind);
  });
  auto catalog = std::make_shared<Catalog>();
  for (const ReleaseFile& f : files) {
    CHARTROOM_ASSIGN_OR_RETURN(std::string text, ReadReleaseText(f.path));
    CHARTROOM_RETURN_IF_ERROR(
        ReadRelease(f.kind, text, f.effective, *catalog, f.path.filename().string()));
  }
  catalog->BuildSearch();
  return std::shared_ptr<const Catalog>(std::move(catalog));
}

Result<std::shared_ptr<const Catalog>> CatalogSource::Get() {
  std::lock_guard lock(mutex_);
  if (!catalog_) {
    CHARTROOM_ASSIGN_OR_RETURN(catalog_, LoadCatalog(dirs_));
  }
  return catalog_;
}

}  // namespace chartroom::coding
