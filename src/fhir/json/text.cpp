#include "fhir/json/text.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace chartroom::fhir::json {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Index just past the string that starts at `pos` (a '"').
std::size_t SkipString(std::string_view text, std::size_t pos) {
  for (++pos; pos < text.size(); ++pos) {
    if (text[pos] == '\\') {
      ++pos;  // the escaped character, whatever it is
    } else if (text[pos] == '"') {
      return pos + 1;
    }
  }
  return text.size();
}

std::size_t SkipSpace(std::string_view text, std::size_t pos) {
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
  return pos;
}

// Index just past the value that starts at `pos`. Iterative, so nesting depth costs no stack.
std::size_t SkipValue(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return text.size();
  if (text[pos] == '"') return SkipString(text, pos);
  if (text[pos] != '{' && text[pos] != '[') {
    while (pos < text.size() && !IsSpace(text[pos]) && text[pos] != ',' && text[pos] != '}' &&
           text[pos] != ']') {
      ++pos;
    }
    return pos;
  }
  std::size_t depth = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '"') {
      pos = SkipString(text, pos);
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return pos + 1;
    }
    ++pos;
  }
  return text.size();
}

// The key `raw` (as written between its quotes) decoded, when it holds escapes: "\u0069d" is the
// key "id". Only ASCII escapes can spell a FHIR member name, so others decode to '?'.
std::string DecodeKey(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 >= raw.size()) {
      out.push_back(raw[i]);
      continue;
    }
    const char e = raw[++i];
    if (e == 'u' && i + 4 < raw.size()) {
      unsigned code = 0;
      for (std::size_t k = 1; k <= 4; ++k) {
        const char h = raw[i + k];
        code = code * 16 + static_cast<unsigned>(h >= '0' && h <= '9'   ? h - '0'
                                                 : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                                 : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                                        : 0);
      }
      out.push_back(code < 0x80 ? static_cast<char>(code) : '?');
      i += 4;
    } else {
      out.push_back(e == 'n'   ? '\n'
                    : e == 't' ? '\t'
                    : e == 'r' ? '\r'
                    : e == 'b' ? '\b'
                    : e == 'f' ? '\f'
                               : e);
    }
  }
  return out;
}

bool SameKey(std::string_view raw, std::string_view name) {
  return raw.find('\\') == std::string_view::npos ? raw == name : DecodeKey(raw) == name;
}

struct Member {
  std::string_view name;  // without quotes, escapes as written
  std::size_t value_begin;
  std::size_t value_end;
};

// The members of the top-level object, and the index just after its '{'.
std::vector<Member> TopLevelMembers(std::string_view text, std::size_t& body_begin) {
  std::vector<Member> members;
  std::size_t pos = SkipSpace(text, 0);
  if (pos >= text.size() || text[pos] != '{') {
    body_begin = text.size();
    return members;
  }
  body_begin = ++pos;
  for (;;) {
    pos = SkipSpace(text, pos);
    if (pos >= text.size() || text[pos] != '"') break;
    const std::size_t name_end = SkipString(text, pos);
    const std::string_view name = text.substr(pos + 1, name_end - pos - 2);
    pos = SkipSpace(text, name_end);
    if (pos >= text.size() || text[pos] != ':') break;
    const std::size_t value_begin = SkipSpace(text, pos + 1);
    const std::size_t value_end = SkipValue(text, value_begin);
    members.push_back({name, value_begin, value_end});
    pos = SkipSpace(text, value_end);
    if (pos >= text.size() || text[pos] != ',') break;
    ++pos;
  }
  return members;
}

}  // namespace

std::string Minify(std::string_view valid_json) {
  std::string out;
  out.reserve(valid_json.size());
  for (std::size_t pos = 0; pos < valid_json.size();) {
    const char c = valid_json[pos];
    if (c == '"') {
      const std::size_t end = SkipString(valid_json, pos);
      out.append(valid_json.substr(pos, end - pos));
      pos = end;
    } else {
      if (!IsSpace(c)) out.push_back(c);
      ++pos;
    }
  }
  return out;
}

std::string SetMembers(std::string_view object_text, std::span<const MemberText> members) {
  std::size_t body_begin = 0;
  const std::vector<Member> existing = TopLevelMembers(object_text, body_begin);
  if (body_begin >= object_text.size()) return std::string(object_text);

  // Replacements in place, in text order; insertions gathered at one point.
  struct Replacement {
    std::size_t begin, end;
    std::string_view json;
  };
  std::vector<Replacement> replacements;
  std::string inserted;
  for (const MemberText& m : members) {
    bool found = false;
    for (const Member& e : existing) {
      if (SameKey(e.name, m.name)) {
        replacements.push_back({e.value_begin, e.value_end, m.json});
        found = true;
      }
    }
    if (!found) {
      inserted.push_back('"');
      inserted.append(m.name);
      inserted.append("\":");
      inserted.append(m.json);
      inserted.push_back(',');
    }
  }
  std::size_t insert_at = body_begin;
  if (!existing.empty() && SameKey(existing.front().name, "resourceType")) {
    insert_at = existing.front().value_end;
    if (!inserted.empty()) {
      inserted.pop_back();                     // the trailing comma ...
      inserted.insert(inserted.begin(), ',');  // ... goes before, after resourceType's value
    }
  } else if (existing.empty() && !inserted.empty()) {
    inserted.pop_back();  // an empty object gets no trailing comma
  }
  std::sort(replacements.begin(), replacements.end(),
            [](const Replacement& a, const Replacement& b) { return a.begin < b.begin; });

  std::string out;
  out.reserve(object_text.size() + inserted.size() + 64);
  std::size_t pos = 0;
  bool inserted_done = inserted.empty();
  for (const Replacement& r : replacements) {
    if (!inserted_done && insert_at <= r.begin) {
      out.append(object_text.substr(pos, insert_at - pos));
      out.append(inserted);
      pos = insert_at;
      inserted_done = true;
    }
    out.append(object_text.substr(pos, r.begin - pos));
    out.append(r.json);
    pos = r.end;
  }
  if (!inserted_done) {
    out.append(object_text.substr(pos, insert_at - pos));
    out.append(inserted);
    pos = insert_at;
  }
  out.append(object_text.substr(pos));
  return out;
}

}  // namespace chartroom::fhir::json
