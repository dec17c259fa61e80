// libFuzzer target: arbitrary bytes as every kind of code set release file (coding/importers.hpp:
// order files, the tabular list, index and ICD-10-PCS tables XML through expat, MCE, POA-exempt,
// HCPCS and CPT tables) and as a coding check request (coding/edits.hpp), checked against what
// the file built. Whatever the
// input, this must not crash, leak, hang or trip a sanitizer, and a file that fails must leave
// the catalog as it was.
//
//   cmake --preset fuzz && cmake --build --preset fuzz --target chartroom_coding_files_fuzz
//   build/fuzz/tests/fuzz/chartroom_coding_files_fuzz tests/fuzz/corpus/coding_files
//       -max_total_time=300   (one command line)

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <boost/json.hpp>

#include "coding/edits.hpp"
#include "coding/importers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chartroom::coding;
  if (size == 0) return 0;
  // The first byte picks the kind of file; the rest is its text.
  const auto kind = static_cast<FileKind>(data[0] % 9);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  Catalog catalog;
  const std::size_t before = catalog.size(System::kIcd10Cm);
  if (!ReadRelease(kind, text, 20201001, catalog) && catalog.size(System::kIcd10Cm) != before) {
    std::abort();  // a failed file changed the catalog
  }
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(text, ec);
  if (!ec) {
    if (auto request = ParseCheckRequest(body)) {
      for (const Edit& e : Check(catalog, *request)) {
        if (e.code.empty() || e.target.empty()) std::abort();
      }
    }
  }
  return 0;
}
