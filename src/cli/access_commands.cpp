// chartroom user add|list|disable|enable|reset-password|grant|totp|token ...
// chartroom client add|list|disable ...
// chartroom audit verify|export ...
//
// Identity administration and the audit trail, on the store as `chartroom serve` opens it
// (the same --config and --data; app/security.hpp). Whoever runs these holds the server's data
// directory, so they act as the system ("cli:" and the operating-system user in the audit
// trail); every change and every token issued is audited in the transaction that makes it or
// before the command ends. Passwords are read from standard input (one line; not echoed on a
// terminal), never from arguments, which other users of the machine can see.
//
// Exit code: 0 done (audit verify: the log is intact); 1 refused (a weak password, an unknown or
// existing user, a purpose the user's roles may not use; audit verify: the log was tampered
// with, the first bad entry named on stdout); 2 usage error or invalid configuration; 4 store
// error.

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "app/security.hpp"
#include "app/store_open.hpp"
#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"

namespace chartroom::cli {
namespace {

constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitStoreError = 4;

constexpr std::string_view kUserUsage =
    "usage: chartroom user COMMAND [--config FILE] [--data DIR]\n"
    "  add NAME --role ROLE[,ROLE] [--patient ID] [--family NAME] [--postal-code CODE]\n"
    "                                                a user; the password is read from stdin;\n"
    "                                                family and postal code feed monitoring\n"
    "  list                                          users, roles and state\n"
    "  disable NAME | enable NAME                    disable (revokes sessions) or re-enable\n"
    "  reset-password NAME                           a new password from stdin; clears lockout\n"
    "  grant NAME --role ROLE[,ROLE]                 replace the roles (revokes sessions)\n"
    "  totp NAME                                     enrol TOTP; prints the otpauth:// URI\n"
    "  token NAME --purpose CODE [--ttl DURATION]    print a bearer token (e.g. 30m, 8h)\n"
    "  Roles: clinician him_technician coder cdi_specialist privacy_officer data_analyst\n"
    "         him_director patient interface admin\n"
    "  Exit code: 0 done, 1 refused, 2 usage error, 4 store error.\n";

constexpr std::string_view kClientUsage =
    "usage: chartroom client COMMAND [--config FILE] [--data DIR]\n"
    "  add ID --jwk-file FILE --scope \"system/Type.rs ...\" [--purpose CODE]\n"
    "        a system client (SMART Backend Services): its public key as a JWK (RSA for\n"
    "        RS384, EC P-384 for ES384), the system/ scopes it may be granted, and the\n"
    "        purpose of use of its tokens (default HOPERAT)\n"
    "  list | disable ID\n"
    "  Exit code: 0 done, 1 refused, 2 usage error, 4 store error.\n";

constexpr std::string_view kAuditUsage =
    "usage: chartroom audit COMMAND [--config FILE] [--data DIR]\n"
    "  verify                  check every entry's chain and every signed checkpoint\n"
    "  export [--out FILE] [--from N]   FHIR AuditEvent NDJSON (IHE BALP), from entry N\n"
    "  Exit code: 0 done (verify: intact), 1 verify found tampering, 2 usage error,\n"
    "  4 store error.\n";

struct Parsed {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // --name -> value
  std::optional<std::filesystem::path> config_file;
  std::map<std::string, std::string> overrides;
};

std::optional<Parsed> ParseArgs(Args args, std::initializer_list<std::string_view> allowed) {
  Parsed p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("--")) {
      p.positional.emplace_back(arg);
      continue;
    }
    if (i + 1 >= args.size()) return std::nullopt;
    const std::string value(args[++i]);
    if (arg == "--config") {
      p.config_file = value;
    } else if (arg == "--data") {
      p.overrides["data_dir"] = value;
    } else if (std::find(allowed.begin(), allowed.end(), arg) != allowed.end()) {
      p.options[std::string(arg)] = value;
    } else {
      return std::nullopt;
    }
  }
  return p;
}

// The store and its security parts, opened as the server opens them.
struct Opened {
  core::SystemClock clock;
  core::SystemRandom random;
  app::OpenedStore store;
  app::Security security;
};

Result<std::unique_ptr<Opened>> Open(const Parsed& parsed, std::string_view command) {
  auto config = app::LoadConfig(parsed.config_file, app::ProcessEnvironment(), parsed.overrides);
  if (!config) return tl::unexpected(config.error());
  auto opened = std::make_unique<Opened>();
  auto store = app::OpenStore(*config, opened->clock, opened->random);
  if (!store) return tl::unexpected(store.error());
  opened->store = std::move(*store);
  auto security = app::OpenSecurity(*config, opened->store, opened->clock, opened->random);
  if (!security) return tl::unexpected(security.error());
  opened->security = std::move(*security);
  (void)command;
  return opened;
}

std::string Operator() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr ? user : "unknown");
}

// One line from stdin, not echoed when stdin is a terminal.
std::string ReadPassword(std::string_view prompt) {
  const bool tty = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "%.*s", static_cast<int>(prompt.size()), prompt.data());
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputc('\n', stderr);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// "90", "90s", "30m", "8h", "1d" -> seconds.
std::optional<std::chrono::seconds> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit = 1;
  switch (text.back()) {
    case 's':
      unit = 1;
      text.remove_suffix(1);
      break;
    case 'm':
      unit = 60;
      text.remove_suffix(1);
      break;
    case 'h':
      unit = 3600;
      text.remove_suffix(1);
      break;
    case 'd':
      unit = 86400;
      text.remove_suffix(1);
      break;
    default:
      break;
  }
  std::int64_t n = 0;
  if (text.empty() || text.size() > 9) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return std::chrono::seconds(n * unit);
}

int Report(std::string_view command, const Error& error) {
  std::fprintf(stderr, "chartroom %.*s: %s\n", static_cast<int>(command.size()), command.data(),
               error.message().c_str());
  switch (error.category()) {
    case ErrorCategory::kUnavailable:
    case ErrorCategory::kInternal:
    case ErrorCategory::kBusy:
      return kExitStoreError;
    default:
      return kExitRefused;
  }
}

// Audits a CLI action and waits until the entry is in the log.
Status AuditNow(Opened& o, audit::Action action, std::string_view detail,
                const std::string& subject) {
  audit::Event event;
  event.time = o.clock.Now();
  event.action = action;
  event.user = Operator();
  event.detail = std::string(detail) + " " + subject;
  o.security.trail->Record(std::move(event));
  return o.security.trail->Flush();
}

int UserCommand(std::string_view sub, const Parsed& p) {
  const auto need = [&](std::size_t n) { return p.positional.size() == n; };
  auto roles_of = [&]() -> std::optional<std::vector<access::Role>> {
    auto it = p.options.find("--role");
    if (it == p.options.end()) return std::nullopt;
    auto roles = access::ParseRoles(it->second);
    if (!roles || roles->empty()) return std::nullopt;
    return roles;
  };
  const bool known = sub == "add" || sub == "list" || sub == "disable" || sub == "enable" ||
                     sub == "reset-password" || sub == "grant" || sub == "totp" || sub == "token";
  if (!known || (sub == "list" ? !need(0) : !need(1))) {
    std::fputs(kUserUsage.data(), stderr);
    return kExitUsage;
  }
  std::optional<std::vector<access::Role>> roles;
  if (sub == "add" || sub == "grant") {
    roles = roles_of();
    if (!roles) {
      std::fputs("chartroom user: --role needs one or more role names\n", stderr);
      return kExitUsage;
    }
  }
  std::optional<std::chrono::seconds> ttl = std::chrono::seconds(3600);
  if (sub == "token") {
    if (!p.options.contains("--purpose")) {
      std::fputs("chartroom user token: --purpose CODE is required\n", stderr);
      return kExitUsage;
    }
    if (auto it = p.options.find("--ttl"); it != p.options.end()) ttl = ParseDuration(it->second);
    if (!ttl) {
      std::fputs("chartroom user token: --ttl is a duration such as 90s, 30m, 8h or 1d\n", stderr);
      return kExitUsage;
    }
  }
  auto opened = Open(p, "user");
  if (!opened) {
    std::fprintf(stderr, "chartroom user: %s\n", opened.error().message().c_str());
    return opened.error().category() == ErrorCategory::kInvalid ? kExitUsage : kExitStoreError;
  }
  Opened& o = **opened;
  access::Identity& identity = *o.security.identity;
  const std::string name = sub == "list" ? "" : p.positional[0];
  Status done = Ok();
  if (sub == "add") {
    const std::string password = ReadPassword("password: ");
    auto patient = p.options.find("--patient");
    done =
        identity.AddUser(name, password, *roles, patient == p.options.end() ? "" : patient->second);
    if (done) std::printf("added %s\n", name.c_str());
  } else if (sub == "list") {
    auto users = identity.ListUsers();
    if (!users) return Report("user", users.error());
    std::printf("%-24s %-40s %-9s %-5s %s\n", "NAME", "ROLES", "STATE", "TOTP", "PATIENT");
    for (const auto& u : *users) {
      std::string role_list;
      for (access::Role r : u.roles) {
        if (!role_list.empty()) role_list += ',';
        role_list += access::RoleName(r);
      }
      const bool locked = u.locked_until > std::chrono::duration_cast<std::chrono::seconds>(
                                               o.clock.Now().time_since_epoch())
                                               .count();
      std::printf("%-24s %-40s %-9s %-5s %s\n", u.name.c_str(), role_list.c_str(),
                  u.disabled ? "disabled" : (locked ? "locked" : "active"), u.totp ? "yes" : "no",
                  u.patient.c_str());
    }
    return 0;
  } else if (sub == "disable") {
    done = identity.Disable(name);
  } else if (sub == "enable") {
    done = identity.Enable(name);
  } else if (sub == "reset-password") {
    done = identity.ResetPassword(name, ReadPassword("new password: "));
  } else if (sub == "grant") {
    done = identity.Grant(name, *roles);
  } else if (sub == "totp") {
    auto uri = identity.EnrollTotp(name);
    if (!uri) return Report("user", uri.error());
    std::printf("%s\n", uri->c_str());
  } else {
    auto token = identity.IssueFor(name, p.options.at("--purpose"), *ttl);
    if (!token) return Report("user", token.error());
    if (auto audited = AuditNow(o, audit::Action::kTokenIssued, "token for", name); !audited) {
      return Report("user", audited.error());
    }
    std::printf("%s\n", token->access_token.c_str());
    return 0;
  }
  if (!done) return Report("user", done.error());
  if (auto audited = AuditNow(o, audit::Action::kAdministration,
                              std::string("user ") + std::string(sub), name);
      !audited) {
    return Report("user", audited.error());
  }
  return 0;
}

int ClientCommand(std::string_view sub, const Parsed& p) {
  const bool known = sub == "add" || sub == "list" || sub == "disable";
  if (!known || p.positional.size() != (sub == "list" ? 0u : 1u) ||
      (sub == "add" && (!p.options.contains("--jwk-file") || !p.options.contains("--scope")))) {
    std::fputs(kClientUsage.data(), stderr);
    return kExitUsage;
  }
  std::string jwk;
  if (sub == "add") {
    std::ifstream in(p.options.at("--jwk-file"), std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "chartroom client: cannot read %s\n",
                   p.options.at("--jwk-file").c_str());
      return kExitUsage;
    }
    jwk.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto opened = Open(p, "client");
  if (!opened) {
    std::fprintf(stderr, "chartroom client: %s\n", opened.error().message().c_str());
    return opened.error().category() == ErrorCategory::kInvalid ? kExitUsage : kExitStoreError;
  }
  Opened& o = **opened;
  access::Identity& identity = *o.security.identity;
  if (sub == "list") {
    auto clients = identity.ListClients();
    if (!clients) return Report("client", clients.error());
    for (const std::string& line : *clients) std::printf("%s\n", line.c_str());
    return 0;
  }
  const std::string& id = p.positional[0];
  Status done = Ok();
  if (sub == "add") {
    auto purpose = p.options.find("--purpose");
    done = identity.AddClient(id, jwk, p.options.at("--scope"),
                              purpose == p.options.end() ? "HOPERAT" : purpose->second);
  } else {
    done = identity.DisableClient(id);
  }
  if (!done) return Report("client", done.error());
  if (auto audited = AuditNow(o, audit::Action::kAdministration, "client " + std::string(sub), id);
      !audited) {
    return Report("client", audited.error());
  }
  return 0;
}

int AuditCommand(std::string_view sub, const Parsed& p) {
  if ((sub != "verify" && sub != "export") || !p.positional.empty()) {
    std::fputs(kAuditUsage.data(), stderr);
    return kExitUsage;
  }
  auto opened = Open(p, "audit");
  if (!opened) {
    std::fprintf(stderr, "chartroom audit: %s\n", opened.error().message().c_str());
    return opened.error().category() == ErrorCategory::kInvalid ? kExitUsage : kExitStoreError;
  }
  Opened& o = **opened;
  if (sub == "verify") {
    const auto started = std::chrono::steady_clock::now();
    auto result = audit::VerifyLog(*o.store.store, o.security.verify_keys);
    if (!result) return Report("audit", result.error());
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (result->first_bad) {
      std::printf("TAMPERED: entry %lld: %s\n", static_cast<long long>(result->first_bad->sequence),
                  result->first_bad->problem.c_str());
      return kExitRefused;
    }
    std::printf("intact: %lld entries, %lld checkpoints, verified in %.2f s\n",
                static_cast<long long>(result->entries),
                static_cast<long long>(result->checkpoints), seconds);
    return 0;
  }
  std::int64_t from = 1;
  if (auto it = p.options.find("--from"); it != p.options.end()) {
    from = std::strtoll(it->second.c_str(), nullptr, 10);
    if (from < 1) {
      std::fputs("chartroom audit export: --from is an entry number from 1\n", stderr);
      return kExitUsage;
    }
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (auto it = p.options.find("--out"); it != p.options.end()) {
    file.open(it->second, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "chartroom audit export: cannot write %s\n", it->second.c_str());
      return kExitUsage;
    }
    out = &file;
  }
  auto count = audit::ExportLog(*o.store.store, o.security.audit_key, *out, from);
  if (!count) return Report("audit", count.error());
  out->flush();
  std::fprintf(stderr, "exported %lld audit events\n", static_cast<long long>(*count));
  return 0;
}

}  // namespace

int RunUser(Args args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUserUsage.data(), args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : 0;
  }
  auto parsed = ParseArgs(
      args.subspan(1), {"--role", "--patient", "--purpose", "--ttl", "--family", "--postal-code"});
  if (!parsed) {
    std::fputs(kUserUsage.data(), stderr);
    return kExitUsage;
  }
  return UserCommand(args[0], *parsed);
}

int RunClient(Args args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kClientUsage.data(), args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : 0;
  }
  auto parsed = ParseArgs(args.subspan(1), {"--jwk-file", "--scope", "--purpose"});
  if (!parsed) {
    std::fputs(kClientUsage.data(), stderr);
    return kExitUsage;
  }
  return ClientCommand(args[0], *parsed);
}

int RunAudit(Args args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kAuditUsage.data(), args.empty() ? stderr : stdout);
    return args.empty() ? kExitUsage : 0;
  }
  auto parsed = ParseArgs(args.subspan(1), {"--out", "--from"});
  if (!parsed) {
    std::fputs(kAuditUsage.data(), stderr);
    return kExitUsage;
  }
  return AuditCommand(args[0], *parsed);
}

}  // namespace chartroom::cli
