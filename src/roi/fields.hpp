// Reading the ROI module's JSON documents (request bodies and its own store records) and the
// calendar dates they carry. Internal to roi/.
//
// Thread safety: pure functions.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "store/resource_store.hpp"

namespace chartroom::roi {

// A member that must be a string when present: "" when absent or null; kInvalid `code` naming
// `where` + key otherwise.
Result<std::string> OptionalString(const boost::json::object& o, std::string_view key,
                                   std::string_view code, std::string_view where = {});
Result<bool> OptionalBool(const boost::json::object& o, std::string_view key, std::string_view code,
                          std::string_view where = {});
Result<std::vector<std::string>> OptionalStrings(const boost::json::object& o, std::string_view key,
                                                 std::string_view code,
                                                 std::string_view where = {});

// A member of one of our own records: wrong types read as empty.
std::string Text(const boost::json::object& o, std::string_view key);

// A stored JSON object (kInternal "roi.bad-record" when it does not parse).
Result<boost::json::object> ParseObject(std::string_view text);

// The next number of `counter` in this transaction, as `prefix` + six digits ("R-000042").
Result<std::string> NextNumber(store::Transaction& tx, std::string_view counter,
                               std::string_view prefix);

// The patient a record is about: its own id for a Patient, else the Patient its subject, patient
// or beneficiary references; "" for none.
std::string PatientOf(const boost::json::object& resource);

// Calendar dates as YYYY-MM-DD (compared as text).
bool ValidDate(std::string_view date);
std::string AddDays(std::string_view date, int days);  // `date` valid
// Whole days from `from` to `to` (negative when `to` is earlier); both valid.
std::int64_t DaysBetween(std::string_view from, std::string_view to);

}  // namespace chartroom::roi
