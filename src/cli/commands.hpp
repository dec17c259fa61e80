// The commands of `chartroom`. Each takes the arguments after its own name and returns the
// process exit code; each documents its own exit-code contract.
#pragma once

#include <span>
#include <string_view>

namespace chartroom::cli {

using Args = std::span<const std::string_view>;

// chartroom validate FILE...  (validate_command.cpp)
int RunValidate(Args args);
// chartroom fhirpath [--input FILE.json] EXPRESSION  (fhirpath_command.cpp)
int RunFhirpath(Args args);
// chartroom generate --patients N --out DIR [...]  (generate_command.cpp)
int RunGenerate(Args args);
// chartroom serve [--config FILE] [--data DIR] [--listen HOST:PORT]  (serve_command.cpp)
int RunServe(Args args);
// chartroom import FILE|DIR... [--config FILE] [--data DIR] [--workers N] [--batch N]
// (import_command.cpp)
int RunImport(Args args);
// chartroom user add|list|disable|enable|reset-password|grant|totp|token ...
// (access_commands.cpp)
int RunUser(Args args);
// chartroom client add|list|disable ...  (access_commands.cpp)
int RunClient(Args args);
// chartroom audit verify|export ...  (access_commands.cpp)
int RunAudit(Args args);
int RunMpi(Args args);
int RunCoding(Args args);
int RunCodes(Args args);
int RunRoi(Args args);

}  // namespace chartroom::cli
