// Chartroom's configuration: every option of every module, loaded once at startup from
// defaults, then a TOML file, then CHARTROOM_* environment variables, then command-line
// overrides (each source overriding the one before), and validated as a whole: a bad
// configuration fails with every problem listed, not just the first.
//
// Options are declared once, in the table of config.cpp (OptionSpecs()), which names each
// option's TOML key, its environment variable, its type, its range and the member it sets. The
// TOML reader, the environment and command-line overrides, config/chartroom.example.toml (a
// test proves it lists every option with its real default) and docs/config.md all follow it.
// There is no global configuration: app/ passes each module its Options by const reference.
//
// Thread safety: pure functions over values.

#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/error.hpp"
#include "http/server.hpp"
#include "rest/options.hpp"
#include "roi/service.hpp"
#include "store/blob/blob_resource_store.hpp"
#include "store/sqlite/sqlite_resource_store.hpp"

namespace chartroom::app {

// Options of the composition root itself.
struct LogOptions {
  // Lowest level written to stderr: debug, info (one line per request), warn, error, off.
  std::string level = "info";
};

// The PostgreSQL store, used when store.backend is "postgres" (the store.* options that are not
// SQLite's own apply to it too).
struct PostgresConfig {
  // libpq connection string: "host=/run/postgresql dbname=chartroom" or a postgresql:// URI.
  // Secrets belong in ~/.pgpass or PGPASSWORD rather than here.
  std::string dsn;
  // The schema holding Chartroom's tables (created when missing); "" for the server's
  // search_path.
  std::string schema = "chartroom";
  // Connections for reads and searches (the writer has one more of its own).
  int connections = 4;
  // How often a commit that failed with a serialization failure or deadlock runs again.
  int max_retries = 3;
};

struct AccessConfig {
  // "on": every FHIR request needs a bearer token and passes the access policy (docs/access.md).
  // "off": every caller is trusted, for development and tests only; allowed only when the
  // server listens on a loopback address.
  std::string enforce = "on";
  // Roles that must log in with a TOTP code as well, comma separated ("privacy_officer,admin").
  std::string totp_roles;
  std::chrono::seconds access_token_ttl{15 * 60};
  std::chrono::seconds refresh_token_ttl{12 * 60 * 60};
  // Monitoring: a user opening more distinct patients than this in a day is flagged for review.
  std::int64_t monitor_daily_patients = 200;
};

// The master patient index (docs/mpi.md).
struct MpiConfig {
  // How often the server reads the Patients other processes wrote to the store (other servers on
  // one PostgreSQL database, an import) into its patient index; 0: never (it reads them at its
  // next start).
  std::chrono::milliseconds follow_interval{5000};
};

// Code sets and coding (docs/coding.md).
struct CodingConfig {
  // The directory of the code set files Chartroom ships (its releases.tsv lists them); "" for
  // the one this build knows. Releases imported with `chartroom codes import` live in
  // data_dir/codes and are read as well.
  std::string code_sets_dir;
};

// Release of information (docs/roi.md): deadlines, fees and the letterhead of packets.
struct RoiConfig {
  // Days from receipt to the due date: the right of access (patient, personal representative;
  // 45 CFR 164.524(b)(2) says 30, some states fewer) and every other requester, with overrides
  // per requester type, "attorney=15,subpoena=10" ("" for none). app/roi_settings.hpp makes
  // settings.due_days of them.
  std::int64_t access_due_days = 30;
  std::int64_t other_due_days = 30;
  std::string due_days_by_requester;
  // The rest as roi/service.hpp reads it: extension, fees, letterhead.
  roi::Settings settings;
};

// The web console (docs/console.md).
struct ConsoleConfig {
  // The directory of its built files; "" for this source tree's web/dist; "off" serves none.
  std::string dir;
};

struct Config {
  // Where the database (chartroom.db), the attachment blobs (blobs/) and the master key file
  // (master.key, mode 0600) live.
  std::filesystem::path data_dir = "./chartroom-data";
  // host:port to listen on; the host is an IP address ("0.0.0.0" for all interfaces, "[::1]"
  // for IPv6) or localhost. Port 0 picks a free port.
  std::string listen = "127.0.0.1:8080";
  // The HTTP server (host, port and max_body_bytes are derived from listen and rest).
  http::ServerOptions server;
  // Which store holds the records: "sqlite" (a file in data_dir) or "postgres".
  std::string store_backend = "sqlite";
  // The SQLite store (path and index are set by App from data_dir and the index extractor).
  store::SqliteResourceStore::Options store;
  // Attachments in the blob store under data_dir/blobs (index is set by App, as for the store).
  store::blob::BlobResourceStore::Options blobs;
  PostgresConfig postgres;
  rest::Options rest;
  AccessConfig access;
  MpiConfig mpi;
  CodingConfig coding;
  RoiConfig roi;
  ConsoleConfig console;
  LogOptions log;
};

using OptionValue = std::variant<std::int64_t, std::string>;

enum class OptionKind : std::uint8_t { kInteger, kString };

struct OptionSpec {
  std::string_view name;  // TOML key: "listen", or "section.key"
  OptionKind kind;
  std::int64_t min = 0;  // integers only
  std::int64_t max = 0;
  std::function<void(Config&, const OptionValue&)> set;
  std::function<OptionValue(const Config&)> get;
};

// Every option, in the order of the example file.
std::span<const OptionSpec> OptionSpecs();

// The environment variable of an option: CHARTROOM_ + the name upper-cased, '.' -> '_'
// (listen -> CHARTROOM_LISTEN, store.reader_connections -> CHARTROOM_STORE_READER_CONNECTIONS).
std::string EnvironmentName(std::string_view option);

// Looks up an environment variable; nullopt when unset. Tests pass their own.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment ProcessEnvironment();

// The options a TOML file sets, by option name. kInvalid ("app.config") listing every problem:
// unreadable file, TOML syntax errors (with line), unknown keys, values of the wrong type.
Result<std::map<std::string, OptionValue>> ReadConfigFile(const std::filesystem::path& path);

// Loads the configuration: defaults, then `file` (if any), then the environment, then
// `overrides` (option name -> text, e.g. from command-line flags), and validates it. Fails with
// kInvalid ("app.config") whose message lists every problem, one per line.
Result<Config> LoadConfig(const std::optional<std::filesystem::path>& file,
                          const Environment& environment,
                          const std::map<std::string, std::string>& overrides = {});

// Checks a configuration as a whole (ranges, listen, TLS files set in pairs, page sizes, log
// level); the problems, empty when it is sound.
std::vector<std::string> ValidateConfig(const Config& config);

// Splits "host:port" ("[v6]:port" for IPv6; "localhost" is 127.0.0.1); nullopt when malformed.
std::optional<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view listen);

}  // namespace chartroom::app
