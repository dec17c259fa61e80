#include "app/code_sets.hpp"

namespace chartroom::app {

std::vector<std::filesystem::path> CodeSetDirs(const Config& config) {
  const std::filesystem::path shipped = config.coding.code_sets_dir.empty()
                                            ? std::filesystem::path(CHARTROOM_CODE_SETS_DIR)
                                            : std::filesystem::path(config.coding.code_sets_dir);
  return {shipped, config.data_dir / "codes"};
}

}  // namespace chartroom::app
