// Page tokens of the record stores: an opaque, URL-safe encoding of a keyset cursor (the sort
// values and row id of the last row of a page, or the first for a previous page) plus a
// fingerprint of the query it belongs to. Decoding is strict and bounded; a token of another
// query, a truncated or altered token fails with kInvalid ("store.bad-page-token"). The values in
// a token only ever reach the database as bound parameters, so a forged token can at most move the
// cursor of a query the caller may run anyway.
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "fhir/search/query.hpp"
#include "store/common/bind_value.hpp"
#include "store/resource_store.hpp"

namespace chartroom::store::common {

struct PageCursor {
  bool backward = false;          // the token asks for the page before the cursor
  std::uint64_t fingerprint = 0;  // of the query that made it
  std::vector<BindValue> keys;    // sort values at the cursor (null, integer, real or text)
  std::int64_t rid = 0;           // row id at the cursor (the final tie-breaker)
};

std::string EncodeCursor(const PageCursor& cursor);
Result<PageCursor> DecodeCursor(std::string_view token);

// A hash of everything in `query` that decides its matches and their order (not the page).
std::uint64_t QueryFingerprint(const fhir::search::SearchQuery& query);
std::uint64_t HistoryFingerprint(const HistoryQuery& query);

}  // namespace chartroom::store::common
