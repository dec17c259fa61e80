// chartroom serve [--config FILE] [--data DIR] [--listen HOST:PORT]
//
// Runs the server: loads the configuration (defaults, FILE, CHARTROOM_* environment variables,
// then these flags; docs/config.md), starts the App, and runs until SIGTERM or SIGINT, then
// shuts down gracefully: stops accepting connections, lets requests in flight finish, closes
// the store.
//
// Exit code: 0 after a clean shutdown; 1 when the server cannot start (the reason on stderr);
// 2 on usage errors or an invalid configuration (every problem on stderr).

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "app/app.hpp"
#include "app/config.hpp"
#include "cli/commands.hpp"

namespace chartroom::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: chartroom serve [--config FILE] [--data DIR] [--listen HOST:PORT]\n"
    "  Serves the FHIR R4 API under /fhir, /healthz and /metrics until SIGTERM or SIGINT.\n"
    "  --config FILE      a TOML configuration file (config/chartroom.example.toml lists all)\n"
    "  --data DIR         the data directory (default ./chartroom-data; CHARTROOM_DATA_DIR)\n"
    "  --listen HOST:PORT where to listen (default 127.0.0.1:8080; CHARTROOM_LISTEN)\n";

}  // namespace

int RunServe(Args args) {
  std::optional<std::filesystem::path> config_file;
  std::map<std::string, std::string> overrides;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
    const bool takes_value = arg == "--config" || arg == "--data" || arg == "--listen";
    if (!takes_value || i + 1 >= args.size()) {
      std::fputs(kUsage.data(), stderr);
      return 2;
    }
    const std::string value(args[++i]);
    if (arg == "--config") {
      config_file = value;
    } else if (arg == "--data") {
      overrides["data_dir"] = value;
    } else {
      overrides["listen"] = value;
    }
  }
  auto config = app::LoadConfig(config_file, app::ProcessEnvironment(), overrides);
  if (!config) {
    std::fprintf(stderr, "chartroom serve: %s\n", config.error().message().c_str());
    return 2;
  }

  // Block the shutdown signals before any thread starts, so that every thread inherits the mask
  // and only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto app = app::App::Start(*config);
  if (!app) {
    std::fprintf(stderr, "chartroom serve: cannot start (%s): %s\n", app.error().code().c_str(),
                 app.error().message().c_str());
    return 1;
  }
  std::fprintf(stderr, "chartroom serve: listening on port %u, data in %s\n",
               static_cast<unsigned>((*app)->port()), config->data_dir.c_str());
  int received = 0;
  sigwait(&signals, &received);
  std::fprintf(stderr, "chartroom serve: %s received, shutting down\n",
               received == SIGINT ? "SIGINT" : "SIGTERM");
  (*app)->Stop();
  return 0;
}

}  // namespace chartroom::cli
