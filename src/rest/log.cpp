#include "rest/log.hpp"

#include <array>
#include <utility>

#include "rest/json_text.hpp"

namespace chartroom::rest {
namespace {

constexpr std::array<std::string_view, 5> kLevelNames = {"debug", "info", "warn", "error", "off"};

}  // namespace

bool ParseLogLevel(std::string_view text, LogLevel& level) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (text == kLevelNames[i]) {
      level = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

std::string_view LogLevelName(LogLevel level) {
  return kLevelNames[static_cast<std::size_t>(level)];
}

Logger::Logger(std::string name, LogLevel min_level, core::Clock& clock, Sink sink)
    : name_(std::move(name)), min_level_(min_level), clock_(clock), sink_(std::move(sink)) {}

void Logger::Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (!Enabled(level) || !sink_) return;
  std::string line;
  line.reserve(256);
  line += "{\"ts\":";
  AppendJsonString(line, core::FormatInstant(clock_.Now()));
  line += ",\"level\":";
  AppendJsonString(line, LogLevelName(level));
  line += ",\"logger\":";
  AppendJsonString(line, name_);
  line += ",\"event\":";
  AppendJsonString(line, event);
  for (const LogField& field : fields) {
    const auto* text = std::get_if<std::string_view>(&field.value);
    if (text != nullptr && text->empty()) continue;  // absent, e.g. no error code
    line += ',';
    AppendJsonString(line, field.key);
    line += ':';
    if (text != nullptr) {
      AppendJsonString(line, *text);
    } else {
      line += std::to_string(std::get<std::int64_t>(field.value));
    }
  }
  line += "}\n";
  std::lock_guard lock(mutex_);
  sink_(line);
}

}  // namespace chartroom::rest
