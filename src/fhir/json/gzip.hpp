// Decompression of gzip-compressed JSON text (Synthea bundles and bulk-data NDJSON are usually
// shipped as .json.gz / .ndjson.gz). In-memory only: reading files is the caller's business.
//
// Pure functions; thread-safe.

#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace chartroom::fhir::json {

// True when `data` starts with the gzip magic bytes 1f 8b (RFC 1952).
bool IsGzip(std::string_view data);

// Decompresses every gzip member of `data` (concatenated members are allowed, as gzip(1)
// writes them). Fails with kInvalid "json.gzip-corrupt" for damaged or truncated input and
// kInvalid "json.gzip-too-large" when the output would exceed `max_size` bytes.
Result<std::string> Gunzip(std::string_view data, std::size_t max_size = std::size_t{1} << 32);

}  // namespace chartroom::fhir::json
