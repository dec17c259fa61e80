#include "cli/cli.hpp"

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"

namespace chartroom::cli {
namespace {

struct Command {
  std::string_view name;
  std::string_view usage;
  int (*run)(Args);
};

int RunVersion(Args) {
  std::puts("chartroom 0.1.0");
  return 0;
}

constexpr Command kCommands[] = {
    {"validate", "validate FILE...            validate FHIR R4 JSON resources or Bundles",
     RunValidate},
    {"fhirpath", "fhirpath [--input FILE] EXPR evaluate a FHIRPath expression", RunFhirpath},
    {"generate", "generate --patients N --out DIR  write a synthetic FHIR population", RunGenerate},
    {"serve", "serve [--config FILE] [--data DIR] [--listen HOST:PORT]  run the FHIR server",
     RunServe},
    {"import", "import FILE|DIR... [--config FILE] [--data DIR]  load FHIR NDJSON and Bundles",
     RunImport},
    {"user", "user add|list|disable|enable|reset-password|grant|totp|token  manage users", RunUser},
    {"client", "client add|list|disable       manage system clients (SMART Backend Services)",
     RunClient},
    {"audit", "audit verify|export          check or export the audit trail", RunAudit},
    {"mpi", "mpi dedupe|explain           find duplicate patients, explain a pair's score", RunMpi},
    {"coding", "coding check FILE.json       run the coding edits on a set of codes", RunCoding},
    {"codes", "codes import|list            load a code set release, list those loaded", RunCodes},
    {"roi", "roi queue|show|intake|fulfil|packet|accounting  release of information", RunRoi},
    {"version", "version                      print the version", RunVersion},
};

void PrintUsage(std::FILE* out) {
  std::fputs("usage: chartroom <command> [arguments]\n\ncommands:\n", out);
  for (const Command& c : kCommands)
    std::fprintf(out, "  %.*s\n", int(c.usage.size()), c.usage.data());
}

}  // namespace

// Commands parse their own arguments: some contracts (fhirpath's expression may begin with '-')
// do not fit a generic option parser.
int Run(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return 2;
  }
  std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    PrintUsage(stdout);
    return 0;
  }
  std::vector<std::string_view> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (c.name == name) return c.run(args);
  }
  std::fprintf(stderr, "chartroom: unknown command '%s'\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}

}  // namespace chartroom::cli
