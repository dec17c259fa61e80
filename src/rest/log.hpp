// A structured logger: one JSON object per line ({"ts", "level", "logger", "event", fields...}),
// written to a sink the composition root chooses (stderr in the server, a buffer in tests).
// Lines carry ids of requests, codes of errors and names of routes and resource types; never
// record content, query values or resource ids (they may be PHI).
//
// Thread safety: Log() may be called from any thread; the sink is called under this logger's
// mutex, so its lines never interleave (a sink shared by several loggers locks itself).

#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.hpp"

namespace chartroom::rest {

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarn, kError, kOff };

// Reads "debug", "info", "warn", "error" or "off" into `level`; false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel& level);
std::string_view LogLevelName(LogLevel level);

struct LogField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t> value;
};

class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  // `name` is the module the lines come from ("rest", "app"). `clock` must outlive the logger.
  // Lines below `min_level` are dropped before formatting.
  Logger(std::string name, LogLevel min_level, core::Clock& clock, Sink sink);

  bool Enabled(LogLevel level) const { return level >= min_level_ && level != LogLevel::kOff; }
  // Writes one line; string fields that are empty are left out.
  void Log(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

 private:
  std::string name_;
  LogLevel min_level_;
  core::Clock& clock_;
  Sink sink_;
  std::mutex mutex_;
};

}  // namespace chartroom::rest
