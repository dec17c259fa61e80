#include <cstdio>

#include "cli/commands.hpp"

namespace chartroom::cli {

int RunFhirpath(Args) {
  std::fputs("chartroom fhirpath: not available yet\n", stderr);
  return 2;
}

}  // namespace chartroom::cli
