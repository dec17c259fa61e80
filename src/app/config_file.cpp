// The TOML side of app/config.hpp: the one file that includes toml++.

#include <toml++/toml.h>

#include <sstream>
#include <vector>

#include "app/config.hpp"

namespace chartroom::app {
namespace {

const OptionSpec* FindSpec(std::string_view name) {
  for (const OptionSpec& spec : OptionSpecs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string Line(const toml::node& node) {
  return "line " + std::to_string(node.source().begin.line);
}

void ReadTable(const toml::table& table, const std::string& prefix,
               std::map<std::string, OptionValue>& out, std::vector<std::string>& errors) {
  for (const auto& [key, node] : table) {
    const std::string name = prefix + std::string(key.str());
    if (const toml::table* sub = node.as_table()) {
      if (!prefix.empty()) {
        errors.push_back(name + " (" + Line(node) + "): not an option");
        continue;
      }
      ReadTable(*sub, name + ".", out, errors);
      continue;
    }
    const OptionSpec* spec = FindSpec(name);
    if (spec == nullptr) {
      errors.push_back(name + " (" + Line(node) + "): not an option");
      continue;
    }
    if (spec->kind == OptionKind::kInteger) {
      if (const auto value = node.value_exact<std::int64_t>()) {
        out[name] = *value;
      } else {
        errors.push_back(name + " (" + Line(node) + "): must be an integer");
      }
    } else if (const auto value = node.value_exact<std::string>()) {
      out[name] = *value;
    } else {
      errors.push_back(name + " (" + Line(node) + "): must be a string");
    }
  }
}

}  // namespace

Result<std::map<std::string, OptionValue>> ReadConfigFile(const std::filesystem::path& path) {
  std::map<std::string, OptionValue> out;
  std::vector<std::string> errors;
  try {
    const toml::table table = toml::parse_file(path.string());
    ReadTable(table, "", out, errors);
  } catch (const toml::parse_error& e) {
    std::ostringstream message;
    message << path.string() << ": " << e.description() << " (line " << e.source().begin.line
            << ")";
    return Fail(ErrorCategory::kInvalid, "app.config", message.str());
  }
  if (!errors.empty()) {
    std::string message = path.string() + ":";
    for (const std::string& e : errors) message += "\n  " + e;
    return Fail(ErrorCategory::kInvalid, "app.config", message);
  }
  return out;
}

}  // namespace chartroom::app
