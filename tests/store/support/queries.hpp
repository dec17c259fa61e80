// Builders of fhir::search::SearchQuery values for the store tests, written the way a parsed
// query comes out of the search parser (values normalized with the same functions the index
// uses). Terse on purpose: Search("Patient", {Param("Patient", "family", {Str("smi")})}).
//
// Thread safety: pure functions.

#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "fhir/search/query.hpp"

namespace chartroom::store::test {

namespace fs = fhir::search;

// ---- values -----------------------------------------------------------------------------------
// "code", "system|code", "|code" or "system|".
fs::QueryValue Tok(std::string_view text);
// A token for :of-type: type system, type code, value.
fs::QueryValue OfType(std::string_view type_system, std::string_view type_code,
                      std::string_view value);
fs::QueryValue Str(std::string_view text);    // normalized, for the default and :contains
fs::QueryValue Exact(std::string_view text);  // as written, for :exact
fs::QueryValue Text(std::string_view text);   // token :text
// A FHIR date or dateTime ("1974", "1974-12-25", "2024-03-01T09:00:00Z") with a prefix.
fs::QueryValue Date(fs::Prefix prefix, std::string_view text);
fs::QueryValue Num(fs::Prefix prefix, std::string_view text);
fs::QueryValue Qty(fs::Prefix prefix, std::string_view number, std::string_view system,
                   std::string_view code);
fs::QueryValue Ref(std::string_view reference);  // "Patient/1", "1", an absolute URL
fs::QueryValue Uri(std::string_view uri);
fs::QueryValue Missing(bool missing);
fs::QueryValue Composite(std::vector<fs::QueryValue> parts);

// ---- criteria ---------------------------------------------------------------------------------
fs::Criterion Param(std::string_view type, std::string_view code,
                    std::vector<fs::QueryValue> values,
                    fs::Modifier modifier = fs::Modifier::kNone);
fs::Criterion Common(fs::CommonParam common, std::vector<fs::QueryValue> values,
                     fs::Modifier modifier = fs::Modifier::kNone);
// type?ref_code:target.<inner>: the inner criterion is on `target`.
fs::Criterion Chain(std::string_view type, std::string_view ref_code, std::string_view target,
                    fs::Criterion inner);
// type?_has:source:ref_code:<inner>: the inner criterion is on `source`.
fs::Criterion Has(std::string_view source, std::string_view ref_code, fs::Criterion inner);

fs::SortKey SortBy(std::string_view type, std::string_view code, bool descending = false);
fs::SortKey SortByCommon(fs::CommonParam common, bool descending = false);
fs::Include Include(std::string_view source, std::string_view code, bool iterate = false,
                    std::string_view target = "");
fs::Include RevInclude(std::string_view source, std::string_view code, bool iterate = false);

fs::SearchQuery Search(std::string_view type, std::vector<fs::Criterion> criteria = {});

// ---- resources --------------------------------------------------------------------------------
// Parses a JSON object literal; aborts the test binary on malformed JSON (a bug in the test).
boost::json::object Json(std::string_view text);

}  // namespace chartroom::store::test
