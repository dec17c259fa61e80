#include "app/roi_settings.hpp"

#include <charconv>

namespace chartroom::app {

Result<roi::Settings> RoiSettings(const Config& config) {
  const RoiConfig& c = config.roi;
  roi::Settings s = c.settings;
  for (std::size_t i = 0; i < roi::kRequesterCount; ++i) {
    const auto type = static_cast<roi::Requester>(i);
    const bool access =
        type == roi::Requester::kPatient || type == roi::Requester::kPersonalRepresentative;
    s.due_days[i] = static_cast<int>(access ? c.access_due_days : c.other_due_days);
  }
  std::string_view rest = c.due_days_by_requester;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    const auto type = roi::ParseRequester(item.substr(0, eq));
    int days = 0;
    const std::string_view number =
        eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
    const auto parsed = std::from_chars(number.data(), number.data() + number.size(), days);
    if (!type || number.empty() || parsed.ec != std::errc() ||
        parsed.ptr != number.data() + number.size() || days < 1 || days > 365) {
      return Fail(ErrorCategory::kInvalid, "app.config",
                  "roi.due_days_by_requester is \"type=days,...\" (days 1 to 365; types: "
                  "patient, personal-representative, attorney, insurer, provider, "
                  "law-enforcement, court-order, subpoena, public-health, researcher): \"" +
                      std::string(item) + "\" is not");
    }
    s.due_days[static_cast<std::size_t>(*type)] = days;
  }
  return s;
}

}  // namespace chartroom::app
