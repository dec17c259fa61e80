// Release of information's settings (roi/service.hpp) from the configuration (`roi.*`).
//
// Thread safety: a function of its argument.

#pragma once

#include "app/config.hpp"
#include "core/error.hpp"
#include "roi/service.hpp"

namespace chartroom::app {

// kInvalid "app.config" when roi.due_days_by_requester is not "type=days,...".
Result<roi::Settings> RoiSettings(const Config& config);

}  // namespace chartroom::app
