#include "rest/json_patch.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result_macros.hpp"

namespace chartroom::rest {
namespace {

Error BadPatch(std::string message) {
  return Error(ErrorCategory::kInvalid, "rest.bad-patch", std::move(message));
}
Error PatchFailed(std::string message) {
  return Error(ErrorCategory::kInvalid, "rest.patch-failed", std::move(message));
}

// RFC 6901: "" is the whole document; otherwise '/'-separated tokens with ~1 -> '/', ~0 -> '~'.
Result<std::vector<std::string>> ParsePointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return tl::unexpected(BadPatch("a path must start with '/'"));
  pointer.remove_prefix(1);
  for (;;) {
    const std::size_t slash = pointer.find('/');
    const std::string_view raw = pointer.substr(0, slash);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '~') {
        token += raw[i];
      } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        return tl::unexpected(BadPatch("a path has a '~' not followed by 0 or 1"));
      }
    }
    tokens.push_back(std::move(token));
    if (slash == std::string_view::npos) break;
    pointer.remove_prefix(slash + 1);
  }
  return tokens;
}

// An array index token: digits without leading zeros (RFC 6901 section 4).
std::optional<std::size_t> ArrayIndex(std::string_view token) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0')) {
    return std::nullopt;
  }
  std::size_t n = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n;
}

// The value at `tokens`; nullptr when absent.
boost::json::value* Resolve(boost::json::value& root, const std::vector<std::string>& tokens,
                            std::size_t count) {
  boost::json::value* current = &root;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& token = tokens[i];
    if (current->is_object()) {
      current = current->get_object().if_contains(token);
    } else if (current->is_array()) {
      const auto index = ArrayIndex(token);
      auto& array = current->get_array();
      if (!index || *index >= array.size()) return nullptr;
      current = &array[*index];
    } else {
      return nullptr;
    }
    if (current == nullptr) return nullptr;
  }
  return current;
}

Status Add(boost::json::value& root, const std::vector<std::string>& path,
           boost::json::value value) {
  if (path.empty()) {
    root = std::move(value);
    return Ok();
  }
  boost::json::value* parent = Resolve(root, path, path.size() - 1);
  if (parent == nullptr)
    return tl::unexpected(PatchFailed("add: the parent of the path is absent"));
  const std::string& last = path.back();
  if (parent->is_object()) {
    parent->get_object()[last] = std::move(value);
    return Ok();
  }
  if (parent->is_array()) {
    auto& array = parent->get_array();
    if (last == "-") {
      array.push_back(std::move(value));
      return Ok();
    }
    const auto index = ArrayIndex(last);
    if (!index || *index > array.size()) {
      return tl::unexpected(PatchFailed("add: the array index is out of range"));
    }
    array.insert(array.begin() + static_cast<std::ptrdiff_t>(*index), std::move(value));
    return Ok();
  }
  return tl::unexpected(PatchFailed("add: the parent of the path is not an object or array"));
}

Result<boost::json::value> Remove(boost::json::value& root, const std::vector<std::string>& path,
                                  std::string_view op) {
  if (path.empty())
    return tl::unexpected(PatchFailed(std::string(op) + ": cannot remove the root"));
  boost::json::value* parent = Resolve(root, path, path.size() - 1);
  const std::string& last = path.back();
  if (parent != nullptr && parent->is_object()) {
    auto& object = parent->get_object();
    auto it = object.find(last);
    if (it != object.end()) {
      boost::json::value removed = std::move(it->value());
      // Rebuild to keep member order (object::erase moves the last member into the gap).
      boost::json::object kept(object.storage());
      kept.reserve(object.size());
      for (auto& member : object) {
        if (member.key() != last) kept.emplace(member.key(), std::move(member.value()));
      }
      object = std::move(kept);
      return removed;
    }
  } else if (parent != nullptr && parent->is_array()) {
    auto& array = parent->get_array();
    const auto index = ArrayIndex(last);
    if (index && *index < array.size()) {
      boost::json::value removed = std::move(array[*index]);
      array.erase(array.begin() + static_cast<std::ptrdiff_t>(*index));
      return removed;
    }
  }
  return tl::unexpected(PatchFailed(std::string(op) + ": the path does not exist"));
}

Result<std::string_view> StringMember(const boost::json::object& op, std::string_view name) {
  const boost::json::value* v = op.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return tl::unexpected(
        BadPatch("an operation lacks the string member '" + std::string(name) + "'"));
  }
  return std::string_view(v->get_string());
}

Status ApplyOne(boost::json::value& target, const boost::json::object& op) {
  CHARTROOM_ASSIGN_OR_RETURN(std::string_view name, StringMember(op, "op"));
  CHARTROOM_ASSIGN_OR_RETURN(std::string_view path_text, StringMember(op, "path"));
  CHARTROOM_ASSIGN_OR_RETURN(std::vector<std::string> path, ParsePointer(path_text));
  const boost::json::value* value = op.if_contains("value");
  if (name == "add" || name == "replace" || name == "test") {
    if (value == nullptr) return tl::unexpected(BadPatch(std::string(name) + " needs a value"));
  }
  if (name == "add") return Add(target, path, boost::json::value(*value));
  if (name == "remove") {
    CHARTROOM_ASSIGN_OR_RETURN(boost::json::value removed, Remove(target, path, name));
    (void)removed;
    return Ok();
  }
  if (name == "replace") {
    boost::json::value* at = Resolve(target, path, path.size());
    if (at == nullptr) return tl::unexpected(PatchFailed("replace: the path does not exist"));
    *at = *value;
    return Ok();
  }
  if (name == "test") {
    boost::json::value* at = Resolve(target, path, path.size());
    if (at == nullptr) return tl::unexpected(PatchFailed("test: the path does not exist"));
    if (!JsonEqual(*at, *value)) return tl::unexpected(PatchFailed("test: the value differs"));
    return Ok();
  }
  if (name == "move" || name == "copy") {
    CHARTROOM_ASSIGN_OR_RETURN(std::string_view from_text, StringMember(op, "from"));
    CHARTROOM_ASSIGN_OR_RETURN(std::vector<std::string> from, ParsePointer(from_text));
    if (name == "move") {
      if (from == path) return Ok();
      // RFC 6902 section 4.4: "from" must not be a proper prefix of "path".
      if (from.size() < path.size() && std::equal(from.begin(), from.end(), path.begin())) {
        return tl::unexpected(PatchFailed("move: cannot move a value into one of its children"));
      }
      CHARTROOM_ASSIGN_OR_RETURN(boost::json::value moved, Remove(target, from, name));
      return Add(target, path, std::move(moved));
    }
    boost::json::value* source = Resolve(target, from, from.size());
    if (source == nullptr) return tl::unexpected(PatchFailed("copy: the from path does not exist"));
    return Add(target, path, boost::json::value(*source));
  }
  return tl::unexpected(
      BadPatch("unknown op; JSON Patch has add, remove, replace, move, copy, test"));
}

}  // namespace

bool JsonEqual(const boost::json::value& a, const boost::json::value& b) {
  const bool a_number = a.is_number();
  const bool b_number = b.is_number();
  if (a_number || b_number) {
    if (!a_number || !b_number) return false;
    if (!a.is_double() && !b.is_double()) {
      if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
      if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
      const auto& s = a.is_int64() ? a : b;  // one int64, one uint64
      const auto& u = a.is_int64() ? b : a;
      return s.get_int64() >= 0 && static_cast<std::uint64_t>(s.get_int64()) == u.get_uint64();
    }
    boost::system::error_code ec_a;
    boost::system::error_code ec_b;
    const double x = a.to_number<double>(ec_a);
    const double y = b.to_number<double>(ec_b);
    return !ec_a && !ec_b && x == y;
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& member : x) {
      const boost::json::value* other = y.if_contains(member.key());
      if (other == nullptr || !JsonEqual(member.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!JsonEqual(x[i], y[i])) return false;
    }
    return true;
  }
  return a == b;  // string, bool, null
}

Status ApplyJsonPatch(boost::json::value& target, const boost::json::value& patch) {
  if (!patch.is_array()) return tl::unexpected(BadPatch("a JSON Patch is an array of operations"));
  for (const boost::json::value& op : patch.get_array()) {
    if (!op.is_object()) return tl::unexpected(BadPatch("a JSON Patch operation is an object"));
    CHARTROOM_RETURN_IF_ERROR(ApplyOne(target, op.get_object()));
  }
  return Ok();
}

}  // namespace chartroom::rest
