#include "app/config.hpp"

#include <cstdlib>
#include <type_traits>
#include <vector>

#include "access/policy.hpp"
#include "rest/log.hpp"

namespace chartroom::app {
namespace {

constexpr std::int64_t kKiB = 1024;
constexpr std::int64_t kMiB = 1024 * kKiB;
constexpr std::int64_t kGiB = 1024 * kMiB;

// An integer option over the member `access(config)` returns (any integer type).
template <typename Access>
OptionSpec Integer(std::string_view name, std::int64_t min, std::int64_t max, Access access) {
  return OptionSpec{
      name,
      OptionKind::kInteger,
      min,
      max,
      [access](Config& c, const OptionValue& v) {
        auto& member = access(c);
        member = static_cast<std::remove_reference_t<decltype(member)>>(std::get<std::int64_t>(v));
      },
      [access](const Config& c) -> OptionValue { return static_cast<std::int64_t>(access(c)); }};
}

// An integer option over a std::chrono::duration member, in that duration's unit.
template <typename Access>
OptionSpec Duration(std::string_view name, std::int64_t min, std::int64_t max, Access access) {
  return OptionSpec{name,
                    OptionKind::kInteger,
                    min,
                    max,
                    [access](Config& c, const OptionValue& v) {
                      auto& member = access(c);
                      member = std::remove_reference_t<decltype(member)>(std::get<std::int64_t>(v));
                    },
                    [access](const Config& c) -> OptionValue {
                      return static_cast<std::int64_t>(access(c).count());
                    }};
}

// A string (or path) option.
template <typename Access>
OptionSpec Text(std::string_view name, Access access) {
  return OptionSpec{
      name,
      OptionKind::kString,
      0,
      0,
      [access](Config& c, const OptionValue& v) { access(c) = std::get<std::string>(v); },
      [access](const Config& c) -> OptionValue {
        if constexpr (std::is_same_v<std::decay_t<decltype(access(c))>, std::filesystem::path>) {
          return access(c).string();
        } else {
          return std::string(access(c));
        }
      }};
}

std::vector<OptionSpec> MakeSpecs() {
  std::vector<OptionSpec> s;
  s.push_back(Text(
      "listen", [](auto& c) -> auto& { return c.listen; }));
  s.push_back(Text(
      "data_dir", [](auto& c) -> auto& { return c.data_dir; }));

  s.push_back(Integer(
      "server.threads", 0, 256, [](auto& c) -> auto& { return c.server.threads; }));
  s.push_back(Integer(
      "server.max_header_bytes", 1 * kKiB, 16 * kMiB,
      [](auto& c) -> auto& { return c.server.max_header_bytes; }));
  s.push_back(Duration(
      "server.idle_timeout_seconds", 1, 3600,
      [](auto& c) -> auto& { return c.server.idle_timeout; }));
  s.push_back(Duration(
      "server.shutdown_grace_seconds", 0, 3600,
      [](auto& c) -> auto& { return c.server.shutdown_grace; }));
  s.push_back(Text(
      "server.tls_certificate_file",
      [](auto& c) -> auto& { return c.server.tls_certificate_file; }));
  s.push_back(Text(
      "server.tls_private_key_file",
      [](auto& c) -> auto& { return c.server.tls_private_key_file; }));

  s.push_back(Text(
      "store.backend", [](auto& c) -> auto& { return c.store_backend; }));
  s.push_back(Integer(
      "store.reader_connections", 1, 64,
      [](auto& c) -> auto& { return c.store.reader_connections; }));
  s.push_back(Duration(
      "store.group_commit_window_us", 0, 1000000,
      [](auto& c) -> auto& { return c.store.group_commit_window; }));
  s.push_back(Integer(
      "store.max_batch_transactions", 1, 100000,
      [](auto& c) -> auto& { return c.store.max_batch_transactions; }));
  s.push_back(Duration(
      "store.busy_timeout_ms", 0, 600000, [](auto& c) -> auto& { return c.store.busy_timeout; }));
  s.push_back(Integer(
      "store.page_cache_kib", 0, 64 * kMiB,
      [](auto& c) -> auto& { return c.store.page_cache_kib; }));
  s.push_back(Integer(
      "store.mmap_bytes", 0, 1024 * kGiB, [](auto& c) -> auto& { return c.store.mmap_bytes; }));
  s.push_back(Integer(
      "store.wal_autocheckpoint_pages", 0, 1000000000,
      [](auto& c) -> auto& { return c.store.wal_autocheckpoint_pages; }));
  s.push_back(Integer(
      "store.key_cache_entries", 0, 100000000,
      [](auto& c) -> auto& { return c.store.key_cache_entries; }));
  s.push_back(Integer(
      "store.default_page_size", 1, 10000,
      [](auto& c) -> auto& { return c.store.default_page_size; }));
  s.push_back(Integer(
      "store.max_page_size", 1, 10000, [](auto& c) -> auto& { return c.store.max_page_size; }));
  s.push_back(Integer(
      "store.max_included", 0, 100000, [](auto& c) -> auto& { return c.store.max_included; }));
  s.push_back(Integer(
      "store.max_include_iterations", 0, 16,
      [](auto& c) -> auto& { return c.store.max_include_iterations; }));

  s.push_back(Integer(
      "blobs.min_bytes", 1, 1 * kGiB, [](auto& c) -> auto& { return c.blobs.min_bytes; }));

  s.push_back(Text(
      "postgres.dsn", [](auto& c) -> auto& { return c.postgres.dsn; }));
  s.push_back(Text(
      "postgres.schema", [](auto& c) -> auto& { return c.postgres.schema; }));
  s.push_back(Integer(
      "postgres.connections", 1, 256, [](auto& c) -> auto& { return c.postgres.connections; }));
  s.push_back(Integer(
      "postgres.max_retries", 0, 100, [](auto& c) -> auto& { return c.postgres.max_retries; }));

  s.push_back(Text(
      "rest.base_url", [](auto& c) -> auto& { return c.rest.base_url; }));
  s.push_back(Integer(
      "rest.max_body_bytes", 1 * kKiB, 2 * kGiB - 1,
      [](auto& c) -> auto& { return c.rest.max_body_bytes; }));
  s.push_back(Integer(
      "rest.max_bundle_entries", 1, 1000000,
      [](auto& c) -> auto& { return c.rest.max_bundle_entries; }));
  s.push_back(Integer(
      "rest.history_page_size", 1, 1000,
      [](auto& c) -> auto& { return c.rest.history_page_size; }));
  s.push_back(Integer(
      "rest.max_json_depth", 8, 1024, [](auto& c) -> auto& { return c.rest.max_json_depth; }));

  s.push_back(Duration(
      "export.expiry_seconds", 60, 30 * 24 * 3600,
      [](auto& c) -> auto& { return c.rest.bulk_export.expiry; }));
  s.push_back(Integer(
      "export.max_jobs", 1, 64, [](auto& c) -> auto& { return c.rest.bulk_export.max_jobs; }));
  s.push_back(Integer(
      "export.max_file_bytes", 4 * kKiB, 1 * kGiB,
      [](auto& c) -> auto& { return c.rest.bulk_export.max_file_bytes; }));

  s.push_back(Text(
      "access.enforce", [](auto& c) -> auto& { return c.access.enforce; }));
  s.push_back(Text(
      "access.totp_roles", [](auto& c) -> auto& { return c.access.totp_roles; }));
  s.push_back(Duration(
      "access.access_token_ttl_seconds", 60, 24 * 3600,
      [](auto& c) -> auto& { return c.access.access_token_ttl; }));
  s.push_back(Duration(
      "access.refresh_token_ttl_seconds", 60, 30 * 24 * 3600,
      [](auto& c) -> auto& { return c.access.refresh_token_ttl; }));
  s.push_back(Integer(
      "access.monitor_daily_patients", 1, 1000000,
      [](auto& c) -> auto& { return c.access.monitor_daily_patients; }));

  s.push_back(Duration(
      "mpi.follow_interval_ms", 0, 3600 * 1000,
      [](auto& c) -> auto& { return c.mpi.follow_interval; }));

  s.push_back(Text(
      "coding.code_sets_dir", [](auto& c) -> auto& { return c.coding.code_sets_dir; }));

  s.push_back(Integer(
      "roi.access_due_days", 1, 365, [](auto& c) -> auto& { return c.roi.access_due_days; }));
  s.push_back(Integer(
      "roi.other_due_days", 1, 365, [](auto& c) -> auto& { return c.roi.other_due_days; }));
  s.push_back(Text(
      "roi.due_days_by_requester", [](auto& c) -> auto& { return c.roi.due_days_by_requester; }));
  s.push_back(Integer(
      "roi.extension_days", 0, 365,
      [](auto& c) -> auto& { return c.roi.settings.extension_days; }));
  s.push_back(Integer(
      "roi.electronic_flat_cents", 0, 100000,
      [](auto& c) -> auto& { return c.roi.settings.electronic_flat_cents; }));
  s.push_back(Integer(
      "roi.patient_per_page_cents", 0, 10000,
      [](auto& c) -> auto& { return c.roi.settings.patient_per_page_cents; }));
  s.push_back(Integer(
      "roi.retrieval_cents", 0, 1000000,
      [](auto& c) -> auto& { return c.roi.settings.retrieval_cents; }));
  s.push_back(Integer(
      "roi.per_page_cents", 0, 10000,
      [](auto& c) -> auto& { return c.roi.settings.per_page_cents; }));
  s.push_back(Text(
      "roi.facility", [](auto& c) -> auto& { return c.roi.settings.facility; }));
  s.push_back(Text(
      "roi.facility_address", [](auto& c) -> auto& { return c.roi.settings.facility_address; }));
  s.push_back(Text(
      "roi.privacy_contact", [](auto& c) -> auto& { return c.roi.settings.privacy_contact; }));

  s.push_back(Text(
      "console.dir", [](auto& c) -> auto& { return c.console.dir; }));

  s.push_back(Text(
      "log.level", [](auto& c) -> auto& { return c.log.level; }));
  return s;
}

const OptionSpec* FindSpec(std::string_view name) {
  for (const OptionSpec& spec : OptionSpecs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// Parses the text of an environment variable or command-line flag.
std::optional<OptionValue> ParseText(const OptionSpec& spec, const std::string& text) {
  if (spec.kind == OptionKind::kString) return OptionValue(text);
  std::size_t i = text.size() > 0 && text[0] == '-' ? 1 : 0;
  if (i == text.size() || text.size() > 19) return std::nullopt;
  for (std::size_t k = i; k < text.size(); ++k) {
    if (text[k] < '0' || text[k] > '9') return std::nullopt;
  }
  return OptionValue(static_cast<std::int64_t>(std::strtoll(text.c_str(), nullptr, 10)));
}

// Sets one option from `source`, or records why not.
void Apply(Config& config, const OptionSpec& spec, const OptionValue& value,
           std::string_view source, std::vector<std::string>& errors) {
  const std::string where = std::string(spec.name) + " (" + std::string(source) + ")";
  if (spec.kind == OptionKind::kInteger) {
    const auto* n = std::get_if<std::int64_t>(&value);
    if (n == nullptr) {
      errors.push_back(where + ": must be an integer");
      return;
    }
    if (*n < spec.min || *n > spec.max) {
      errors.push_back(where + ": must be between " + std::to_string(spec.min) + " and " +
                       std::to_string(spec.max));
      return;
    }
  } else if (!std::holds_alternative<std::string>(value)) {
    errors.push_back(where + ": must be a string");
    return;
  }
  spec.set(config, value);
}

}  // namespace

std::span<const OptionSpec> OptionSpecs() {
  static const std::vector<OptionSpec> specs = MakeSpecs();
  return specs;
}

std::string EnvironmentName(std::string_view option) {
  std::string name = "CHARTROOM_";
  for (char c : option) {
    if (c == '.') {
      name += '_';
    } else if (c >= 'a' && c <= 'z') {
      name += static_cast<char>(c - 'a' + 'A');
    } else {
      name += c;
    }
  }
  return name;
}

Environment ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::optional<std::pair<std::string, std::uint16_t>> ParseListen(std::string_view listen) {
  std::string host;
  std::string_view port_text;
  if (!listen.empty() && listen.front() == '[') {
    const std::size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return std::nullopt;
    }
    host = std::string(listen.substr(1, close - 1));
    port_text = listen.substr(close + 2);
  } else {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos ||
        listen.substr(0, colon).find(':') != std::string_view::npos) {
      return std::nullopt;
    }
    host = std::string(listen.substr(0, colon));
    port_text = listen.substr(colon + 1);
  }
  if (host.empty() || port_text.empty() || port_text.size() > 5) return std::nullopt;
  if (host == "localhost") host = "127.0.0.1";
  unsigned port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + static_cast<unsigned>(c - '0');
  }
  if (port > 65535) return std::nullopt;
  return std::make_pair(host, static_cast<std::uint16_t>(port));
}

std::vector<std::string> ValidateConfig(const Config& config) {
  std::vector<std::string> errors;
  if (!ParseListen(config.listen)) {
    errors.push_back("listen: must be host:port, e.g. 127.0.0.1:8080 or [::1]:8080");
  }
  if (config.data_dir.empty()) errors.push_back("data_dir: must not be empty");
  if (config.server.tls_certificate_file.empty() != config.server.tls_private_key_file.empty()) {
    errors.push_back(
        "server.tls_certificate_file and server.tls_private_key_file: set both (TLS) or neither");
  }
  if (config.store_backend != "sqlite" && config.store_backend != "postgres") {
    errors.push_back("store.backend: must be sqlite or postgres");
  }
  if (config.store_backend == "postgres" && config.postgres.dsn.empty()) {
    errors.push_back("postgres.dsn: must be set when store.backend is postgres");
  }
  if (config.store.max_page_size < config.store.default_page_size) {
    errors.push_back("store.max_page_size: must be at least store.default_page_size");
  }
  rest::LogLevel level;
  if (!rest::ParseLogLevel(config.log.level, level)) {
    errors.push_back("log.level: must be debug, info, warn, error or off");
  }
  if (config.access.enforce != "on" && config.access.enforce != "off") {
    errors.push_back("access.enforce: must be on or off");
  }
  if (config.access.enforce == "off") {
    const auto listen = ParseListen(config.listen);
    const bool loopback = listen && (listen->first == "127.0.0.1" || listen->first == "::1" ||
                                     listen->first == "localhost");
    if (!loopback) {
      errors.push_back("access.enforce: off is allowed only on a loopback address");
    }
  }
  if (!access::ParseRoles(config.access.totp_roles)) {
    errors.push_back("access.totp_roles: a comma-separated list of role names");
  }
  if (!config.rest.base_url.empty() && config.rest.base_url.back() == '/') {
    errors.push_back("rest.base_url: must not end with '/'");
  }
  return errors;
}

Result<Config> LoadConfig(const std::optional<std::filesystem::path>& file,
                          const Environment& environment,
                          const std::map<std::string, std::string>& overrides) {
  Config config;
  std::vector<std::string> errors;
  if (file) {
    auto values = ReadConfigFile(*file);
    if (!values) {
      errors.push_back(values.error().message());
    } else {
      for (const auto& [name, value] : *values) {
        Apply(config, *FindSpec(name), value, file->string(), errors);
      }
    }
  }
  for (const OptionSpec& spec : OptionSpecs()) {
    const std::string variable = EnvironmentName(spec.name);
    const std::optional<std::string> text = environment ? environment(variable) : std::nullopt;
    if (!text) continue;
    auto value = ParseText(spec, *text);
    if (!value) {
      errors.push_back(std::string(spec.name) + " (" + variable + "): must be an integer");
      continue;
    }
    Apply(config, spec, *value, variable, errors);
  }
  for (const auto& [name, text] : overrides) {
    const OptionSpec* spec = FindSpec(name);
    if (spec == nullptr) {
      errors.push_back(name + ": not an option");
      continue;
    }
    auto value = ParseText(*spec, text);
    if (!value) {
      errors.push_back(name + " (command line): must be an integer");
      continue;
    }
    Apply(config, *spec, *value, "command line", errors);
  }
  // Values that were refused above left their defaults, so this adds only new problems.
  for (std::string& problem : ValidateConfig(config)) errors.push_back(std::move(problem));
  if (!errors.empty()) {
    std::string message = "the configuration has " + std::to_string(errors.size()) +
                          (errors.size() == 1 ? " problem:" : " problems:");
    for (const std::string& e : errors) message += "\n  " + e;
    return Fail(ErrorCategory::kInvalid, "app.config", message);
  }
  return config;
}

}  // namespace chartroom::app
