// read and vread (https://hl7.org/fhir/R4/http.html#read, #vread), with the conditional read
// of If-None-Match and If-Modified-Since (http.html#cread) and _summary/_elements.

#include <array>
#include <chrono>
#include <optional>

#include "core/result_macros.hpp"
#include "rest/error_response.hpp"
#include "rest/interactions.hpp"
#include "rest/subset.hpp"

namespace chartroom::rest {
namespace {

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 section 5.6.7); nullopt otherwise.
std::optional<core::Timestamp> ParseHttpDate(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  auto number = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int n = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      n = n * 10 + (text[i] - '0');
    }
    return n;
  };
  const auto day = number(5, 2);
  const auto year = number(12, 4);
  const auto hour = number(17, 2);
  const auto minute = number(20, 2);
  const auto second = number(23, 2);
  std::optional<unsigned> month;
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    if (text.substr(8, 3) == kMonths[m]) month = static_cast<unsigned>(m + 1);
  }
  if (!day || !year || !hour || !minute || !second || !month || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || *hour > 23 || *minute > 59 ||
      *second > 60) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return std::nullopt;
  return core::Timestamp(std::chrono::sys_days(date)) + std::chrono::hours(*hour) +
         std::chrono::minutes(*minute) + std::chrono::seconds(*second);
}

// True when the client's copy is current (If-None-Match matches, or nothing changed since
// If-Modified-Since; If-None-Match wins when both are sent, RFC 9110 section 13.1.3).
bool NotModified(const Call& call, const store::ResourceVersion& current) {
  if (!call.if_none_match.empty()) {
    const auto version = ParseETag(call.if_none_match);
    return version && *version == current.version;
  }
  if (!call.if_modified_since.empty()) {
    const auto since = ParseHttpDate(call.if_modified_since);
    return since && std::chrono::floor<std::chrono::seconds>(current.last_updated) <= *since;
  }
  return false;
}

Result<Reply> Answer(store::ResourceVersion&& version, const Call& call,
                     const RequestContext& context) {
  CHARTROOM_ASSIGN_OR_RETURN(Subsetting subsetting,
                             ParseReadParameters(call.route.type, call.query, context.handling));
  if (NotModified(call, version)) {
    Reply reply = VersionReply(304, std::move(version), ReturnPreference::kMinimal, false);
    return reply;
  }
  if (subsetting.active()) version.json = SubsetJson(version.json, subsetting);
  return VersionReply(200, std::move(version), ReturnPreference::kRepresentation, false);
}

}  // namespace

Result<Reply> Read(Session& session, const RequestContext& context, const Call& call) {
  CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion version,
                             session.Read(call.route.type, call.route.id));
  return Answer(std::move(version), call, context);
}

Result<Reply> VRead(Session& session, const RequestContext& context, const Call& call) {
  const std::int64_t number = std::stoll(std::string(call.route.version));  // CheckRoute'd
  CHARTROOM_ASSIGN_OR_RETURN(store::ResourceVersion version,
                             session.ReadVersion(call.route.type, call.route.id, number));
  if (version.deleted()) {
    return Fail(ErrorCategory::kGone, "rest.version-deleted",
                std::string(call.route.type) + "/" + std::string(call.route.id) + " version " +
                    std::to_string(number) + " is a deletion");
  }
  return Answer(std::move(version), call, context);
}

}  // namespace chartroom::rest
