// Where a server or command finds its code sets (coding/load.hpp): the directory of the files
// Chartroom ships (config coding.code_sets_dir, else this source tree's data/codes) and
// data_dir/codes, where `chartroom codes import` keeps newer releases.

#pragma once

#include <filesystem>
#include <vector>

#include "app/config.hpp"

namespace chartroom::app {

std::vector<std::filesystem::path> CodeSetDirs(const Config& config);

}  // namespace chartroom::app
