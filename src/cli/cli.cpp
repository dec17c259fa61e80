#include "cli/cli.hpp"

#include <CLI/CLI.hpp>

namespace chartroom::cli {

int Run(int argc, char** argv) {
  CLI::App app{"Chartroom: health information management server"};
  app.require_subcommand(1);
  app.add_subcommand("version", "Print the version")->callback([] { std::puts("chartroom 0.1.0"); });
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace chartroom::cli
