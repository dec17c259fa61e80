#include "fhir/json/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace chartroom::fhir::json {

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

Result<std::string> Gunzip(std::string_view data, std::size_t max_size) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (zlib.h, inflateInit2).
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return Fail(ErrorCategory::kInternal, "json.gzip-init", "zlib could not be initialized");
  }
  std::string out;
  out.resize(std::min(max_size, std::max<std::size_t>(data.size() * 4, 1024)));
  std::size_t produced = 0;
  std::size_t consumed = 0;
  int status = Z_OK;
  while (true) {
    const std::size_t in_chunk = std::min<std::size_t>(data.size() - consumed, UINT_MAX);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    stream.avail_in = static_cast<uInt>(in_chunk);
    if (produced == out.size()) {
      if (out.size() >= max_size) {
        inflateEnd(&stream);
        return Fail(ErrorCategory::kInvalid, "json.gzip-too-large",
                    "the decompressed data exceeds " + std::to_string(max_size) + " bytes");
      }
      out.resize(std::min(max_size, out.size() * 2));
    }
    const std::size_t out_chunk = std::min<std::size_t>(out.size() - produced, UINT_MAX);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    stream.avail_out = static_cast<uInt>(out_chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    consumed += in_chunk - stream.avail_in;
    produced += out_chunk - stream.avail_out;
    if (status == Z_STREAM_END) {
      if (consumed == data.size()) break;
      // Another gzip member follows.
      if (inflateReset(&stream) != Z_OK) break;
      continue;
    }
    if (status == Z_BUF_ERROR && stream.avail_out != 0) break;  // input ended early
    if (status != Z_OK && status != Z_BUF_ERROR) break;
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) {
    return Fail(ErrorCategory::kInvalid, "json.gzip-corrupt",
                "the gzip data is damaged or truncated");
  }
  out.resize(produced);
  return out;
}

}  // namespace chartroom::fhir::json
