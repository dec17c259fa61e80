#include "fhir/json/writer.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <unordered_map>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

namespace chartroom::fhir::json {
namespace {

// Numbers in `value`, in document order.
std::uint32_t CountNumbers(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return 1;
    case boost::json::kind::object: {
      std::uint32_t n = 0;
      for (const auto& member : value.get_object()) n += CountNumbers(member.value());
      return n;
    }
    case boost::json::kind::array: {
      std::uint32_t n = 0;
      for (const auto& element : value.get_array()) n += CountNumbers(element);
      return n;
    }
    default:
      return 0;
  }
}

// Walks `value` in document order, counting numbers in *ordinal; records the ordinal at which
// each part (by address, in `index`) begins.
void FindOrdinals(const boost::json::value& value,
                  const std::unordered_map<const boost::json::value*, std::size_t>& index,
                  std::vector<std::optional<std::uint32_t>>& starts, std::uint32_t* ordinal) {
  if (auto it = index.find(&value); it != index.end()) starts[it->second] = *ordinal;
  switch (value.kind()) {
    case boost::json::kind::object:
      for (const auto& member : value.get_object()) {
        FindOrdinals(member.value(), index, starts, ordinal);
      }
      return;
    case boost::json::kind::array:
      for (const auto& element : value.get_array()) FindOrdinals(element, index, starts, ordinal);
      return;
    default:
      *ordinal += CountNumbers(value);
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

void AppendShortestDouble(double d, std::string& out) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  if (ec != std::errc()) {
    out += '0';  // unreachable for finite doubles; parsed JSON has no others
    return;
  }
  out.append(buffer, end);
}

bool IsShortestForm(std::string_view text, double d) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  return ec == std::errc() &&
         std::string_view(buffer, static_cast<std::size_t>(end - buffer)) == text;
}

namespace {

// Whether the recorded `text` denotes `value` (the text is used only while it does).
bool Denotes(const std::string& text, const boost::json::value& value) {
  char* end = nullptr;
  const double recorded = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return false;
  if (value.is_double()) return recorded == value.get_double();
  if (value.is_int64()) return recorded == static_cast<double>(value.get_int64());
  return recorded == static_cast<double>(value.get_uint64());
}

// How far the writer looks for a recorded text when an edit has moved the numbers.
constexpr std::size_t kResyncWindow = 8;

}  // namespace

void JsonWriter::WriteNumber(const boost::json::value& value, std::string& out) {
  // The ordinal this number had in the recorded document, as far as the writer can tell.
  const std::int64_t want = static_cast<std::int64_t>(ordinal_++) + delta_;
  auto use = [&](std::size_t i) {
    out += numbers_[i].text;
    delta_ += static_cast<std::int64_t>(numbers_[i].ordinal) - want;
    next_ = i + 1;
  };
  // Texts passed without being used: numbers an edit moved later (an insertion before them).
  if (next_ < numbers_.size() && static_cast<std::int64_t>(numbers_[next_].ordinal) < want) {
    if (Denotes(numbers_[next_].text, value)) return use(next_);
    while (next_ < numbers_.size() && static_cast<std::int64_t>(numbers_[next_].ordinal) < want) {
      ++next_;
    }
  }
  if (next_ < numbers_.size() && static_cast<std::int64_t>(numbers_[next_].ordinal) == want) {
    if (Denotes(numbers_[next_].text, value)) return use(next_);
    // The number recorded here is gone (an edit removed it): a later text may be this one's.
    for (std::size_t i = next_ + 1; i < numbers_.size() && i <= next_ + kResyncWindow; ++i) {
      if (Denotes(numbers_[i].text, value)) return use(i);
    }
  }
  char buffer[32];
  if (value.is_int64()) {
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value.get_int64());
    out.append(buffer, r.ptr);
  } else if (value.is_uint64()) {
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value.get_uint64());
    out.append(buffer, r.ptr);
  } else {
    AppendShortestDouble(value.get_double(), out);
  }
}

void JsonWriter::Write(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      WriteNumber(value, out);
      return;
    case boost::json::kind::string:
      AppendJsonString(out, value.get_string());
      return;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out += ',';
        first = false;
        Write(element, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& member : value.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, member.key());
        out += ':';
        Write(member.value(), out);
      }
      out += '}';
      return;
    }
  }
}

void JsonWriter::Skip(const boost::json::value& value) {
  ordinal_ += CountNumbers(value);
  const std::int64_t passed = static_cast<std::int64_t>(ordinal_) + delta_;
  while (next_ < numbers_.size() && static_cast<std::int64_t>(numbers_[next_].ordinal) < passed) {
    ++next_;
  }
}

std::string Serialize(const boost::json::value& value, std::span<const NumberText> numbers) {
  std::string out;
  JsonWriter(numbers).Write(value, out);
  return out;
}

std::vector<NumberTexts> NumbersWithin(const boost::json::value& root,
                                       std::span<const boost::json::value* const> parts,
                                       std::span<const NumberText> numbers) {
  std::vector<NumberTexts> within(parts.size());
  if (numbers.empty()) return within;
  std::unordered_map<const boost::json::value*, std::size_t> index;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] != nullptr) index.emplace(parts[i], i);
  }
  std::vector<std::optional<std::uint32_t>> starts(parts.size());
  std::uint32_t ordinal = 0;
  FindOrdinals(root, index, starts, &ordinal);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!starts[i]) continue;
    const std::uint32_t first = *starts[i];
    const std::uint32_t end = first + CountNumbers(*parts[i]);
    const auto begin =
        std::lower_bound(numbers.begin(), numbers.end(), first,
                         [](const NumberText& n, std::uint32_t o) { return n.ordinal < o; });
    for (auto it = begin; it != numbers.end() && it->ordinal < end; ++it) {
      within[i].push_back({it->ordinal - first, it->text});
    }
  }
  return within;
}

}  // namespace chartroom::fhir::json
