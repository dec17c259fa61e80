// `chartroom <command>`: argument parsing and dispatch to the services. Commands never call rest/
// or go through HTTP; they print results on stdout, messages on stderr, and return an exit code.
#pragma once

namespace chartroom::cli {

// Runs the command line; returns the process exit code.
int Run(int argc, char** argv);

}  // namespace chartroom::cli
