#include <cstdio>

#include "cli/commands.hpp"

namespace chartroom::cli {

int RunValidate(Args) {
  std::fputs("chartroom validate: not available yet\n", stderr);
  return 2;
}

}  // namespace chartroom::cli
