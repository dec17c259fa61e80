#include "roi/fields.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace chartroom::roi {
namespace json = boost::json;
namespace {

Error Wrong(std::string_view code, std::string_view where, std::string_view key,
            std::string_view what) {
  return Error(ErrorCategory::kInvalid, std::string(code),
               std::string(where) + std::string(key) + " is " + std::string(what));
}

std::optional<std::chrono::sys_days> DaysOf(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (date[i] < '0' || date[i] > '9') return std::nullopt;
  }
  const int y = std::atoi(std::string(date.substr(0, 4)).c_str());
  const unsigned m = static_cast<unsigned>(std::atoi(std::string(date.substr(5, 2)).c_str()));
  const unsigned d = static_cast<unsigned>(std::atoi(std::string(date.substr(8, 2)).c_str()));
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

}  // namespace

Result<std::string> OptionalString(const json::object& o, std::string_view key,
                                   std::string_view code, std::string_view where) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return tl::unexpected(Wrong(code, where, key, "a string"));
  return std::string(v->get_string());
}

Result<bool> OptionalBool(const json::object& o, std::string_view key, std::string_view code,
                          std::string_view where) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return false;
  if (!v->is_bool()) return tl::unexpected(Wrong(code, where, key, "true or false"));
  return v->get_bool();
}

Result<std::vector<std::string>> OptionalStrings(const json::object& o, std::string_view key,
                                                 std::string_view code, std::string_view where) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return out;
  if (!v->is_array()) return tl::unexpected(Wrong(code, where, key, "an array of strings"));
  for (const json::value& item : v->get_array()) {
    if (!item.is_string()) return tl::unexpected(Wrong(code, where, key, "an array of strings"));
    out.emplace_back(item.get_string());
  }
  return out;
}

Result<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCategory::kInternal, "roi.bad-record", "a stored record does not parse");
  }
  return std::move(v.get_object());
}

Result<std::string> NextNumber(store::Transaction& tx, std::string_view counter,
                               std::string_view prefix) {
  constexpr std::string_view kCounterKind = "roi-counter";
  auto current = tx.GetRecord(kCounterKind, counter);
  if (!current) return tl::unexpected(current.error());
  const long next = *current ? std::atol((*current)->value.c_str()) + 1 : 1;
  if (auto put = tx.PutRecord(kCounterKind, counter, std::to_string(next)); !put) {
    return tl::unexpected(put.error());
  }
  char id[32];
  std::snprintf(id, sizeof id, "%.*s%06ld", static_cast<int>(prefix.size()), prefix.data(), next);
  return std::string(id);
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string PatientOf(const json::object& resource) {
  if (Text(resource, "resourceType") == "Patient") return Text(resource, "id");
  for (std::string_view key : {"subject", "patient", "beneficiary"}) {
    if (const json::value* v = resource.if_contains(key); v != nullptr && v->is_object()) {
      const std::string ref = Text(v->get_object(), "reference");
      if (ref.starts_with("Patient/")) return ref.substr(8);
    }
  }
  return "";
}

bool ValidDate(std::string_view date) { return DaysOf(date).has_value(); }

std::string AddDays(std::string_view date, int days) {
  const auto start = DaysOf(date);
  if (!start) return std::string(date);
  const std::chrono::year_month_day ymd{*start + std::chrono::days(days)};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return out;
}

std::int64_t DaysBetween(std::string_view from, std::string_view to) {
  const auto a = DaysOf(from);
  const auto b = DaysOf(to);
  if (!a || !b) return 0;
  return (*b - *a).count();
}

}  // namespace chartroom::roi
