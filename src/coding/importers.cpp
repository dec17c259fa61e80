#include "coding/importers.hpp"

#include <expat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <unordered_set>
#include <vector>

#include "core/result_macros.hpp"

namespace chartroom::coding {
namespace {

Status Bad(std::string_view file, std::string message) {
  return Fail(ErrorCategory::kInvalid, "coding.bad-file",
              std::string(file) + ": " + std::move(message));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Calls `line(text, number)` for every line (CRLF or LF); stops at the first error.
template <typename F>
Status ForEachLine(std::string_view text, F&& line) {
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view l = text.substr(0, end);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    ++number;
    CHARTROOM_RETURN_IF_ERROR(line(l, number));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return Ok();
}

std::vector<std::string_view> SplitTabs(std::string_view l) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t tab = l.find('\t');
    out.push_back(l.substr(0, tab));
    if (tab == std::string_view::npos) break;
    l.remove_prefix(tab + 1);
  }
  return out;
}

bool CodeLike(std::string_view code) {
  if (code.empty() || code.size() > 7) return false;
  return std::all_of(code.begin(), code.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

// Windows-1252 (HCPCS) to UTF-8: the printable ASCII stays, the rest becomes its code point.
std::string FromWindows1252(std::string_view s) {
  static constexpr char16_t kHigh[32] = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      out += ch;
      continue;
    }
    const char32_t cp = b < 0xA0 ? kHigh[b - 0x80] : b;
    if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

// The day before `date`.
Date DayBefore(Date date) {
  const std::chrono::year_month_day ymd{std::chrono::year(date / 10000),
                                        std::chrono::month(static_cast<unsigned>(date / 100 % 100)),
                                        std::chrono::day(static_cast<unsigned>(date % 100))};
  const std::chrono::year_month_day before{std::chrono::sys_days(ymd) - std::chrono::days(1)};
  return static_cast<int>(before.year()) * 10000 +
         static_cast<int>(static_cast<unsigned>(before.month())) * 100 +
         static_cast<int>(static_cast<unsigned>(before.day()));
}

// Releases are read oldest first: a code a later release leaves out was valid until the day
// before it; one it brings back is valid again.
void SetValidity(Catalog& catalog, System system, const std::unordered_set<std::string>& seen,
                 Date effective) {
  for (const auto& [code, node] : catalog.concepts(system)) {
    if (node.header_node) continue;
    Concept& c = catalog.Upsert(system, code);
    if (seen.contains(code)) {
      c.valid_to = 0;
    } else if (c.valid_to == 0 && c.valid_from < effective) {
      c.valid_to = DayBefore(effective);
    }
  }
}

Status ReadOrderFile(std::string_view text, System system, Date effective, Catalog& catalog,
                     std::string_view file) {
  std::size_t entries = 0;
  std::unordered_set<std::string> seen;
  CHARTROOM_RETURN_IF_ERROR(ForEachLine(text, [&](std::string_view l, std::size_t n) -> Status {
    if (Trim(l).empty()) return Ok();
    if (l.size() < 16 || l[5] != ' ' || (l[14] != '0' && l[14] != '1')) {
      return Bad(file, "line " + std::to_string(n) + " is not an order-file record");
    }
    const std::string code = std::string(Trim(l.substr(6, 7)));
    if (!CodeLike(code)) return Bad(file, "line " + std::to_string(n) + ": no code");
    Concept& c = catalog.Upsert(system, code);
    c.billable = l[14] == '1';
    c.short_title = std::string(Trim(l.substr(16, 60)));
    c.title = l.size() > 77 ? std::string(Trim(l.substr(77))) : c.short_title;
    if (c.valid_from == 0 || c.valid_from > effective) c.valid_from = effective;
    seen.insert(code);
    ++entries;
    return Ok();
  }));
  if (entries == 0) return Bad(file, "no codes");
  SetValidity(catalog, system, seen, effective);
  catalog.Link(system);
  catalog.AddRelease({std::string(SystemName(system)), std::string(file), effective, entries});
  return Ok();
}

// Runs expat over `xml` with `self`'s element and text handlers, in chunks (expat takes an int
// length); kInvalid "coding.bad-file" naming the line where the XML breaks.
Status ParseXml(std::string_view xml, std::string_view file, void* self,
                XML_StartElementHandler start, XML_EndElementHandler end,
                XML_CharacterDataHandler text) {
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"),
                                                                      &XML_ParserFree);
  if (!parser) return Fail(ErrorCategory::kInternal, "coding.xml", "expat would not start");
  XML_SetUserData(parser.get(), self);
  XML_SetElementHandler(parser.get(), start, end);
  XML_SetCharacterDataHandler(parser.get(), text);
  constexpr std::size_t kChunk = 1 << 20;
  for (std::size_t at = 0;; at += kChunk) {
    const std::size_t n = std::min(kChunk, xml.size() - at);
    const bool last = at + n >= xml.size();
    if (XML_Parse(parser.get(), xml.data() + at, static_cast<int>(n), last ? 1 : 0) ==
        XML_STATUS_ERROR) {
      return Bad(file, std::string("XML error at line ") +
                           std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": " +
                           XML_ErrorString(XML_GetErrorCode(parser.get())));
    }
    if (last) return Ok();
  }
}

// The tabular list, read with expat: a stack of the open elements and of the nodes (chapters,
// sections, codes) they belong to.
class TabularReader {
 public:
  explicit TabularReader(Catalog& catalog) : catalog_(catalog) {}

  Status Read(std::string_view xml, std::string_view file) {
    CHARTROOM_RETURN_IF_ERROR(ParseXml(xml, file, this, &Start, &End, &Text));
    if (!root_seen_) return Bad(file, "not an ICD-10-CM tabular list (<ICD10CM.tabular>)");
    return Ok();
  }

  std::size_t codes() const { return codes_; }

 private:
  struct Open {
    std::string name;
    std::string text;
  };

  static void Start(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<TabularReader*>(self)->OnStart(name, attributes);
  }
  static void End(void* self, const XML_Char* name) {
    static_cast<TabularReader*>(self)->OnEnd(name);
  }
  static void Text(void* self, const XML_Char* text, int length) {
    auto* r = static_cast<TabularReader*>(self);
    if (!r->open_.empty()) r->open_.back().text.append(text, static_cast<std::size_t>(length));
  }

  void OnStart(std::string_view name, const XML_Char** attributes) {
    if (name == "ICD10CM.tabular") root_seen_ = true;
    open_.push_back({std::string(name), {}});
    if (name == "chapter" || name == "diag") {
      nodes_.push_back({std::string(name), ""});
    } else if (name == "extension") {
      extension_char_.clear();
      for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
        if (std::string_view(attributes[i]) == "char") extension_char_ = attributes[i + 1];
      }
    } else if (name == "section") {
      std::string id;
      for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
        if (std::string_view(attributes[i]) == "id") id = attributes[i + 1];
      }
      nodes_.push_back({"section", Normalize(id)});
      // A section's id is known at its start: it takes its notes and its codes as children.
      Concept& c = catalog_.Upsert(System::kIcd10Cm, nodes_.back().code);
      c.header_node = true;
      c.parent = ParentNode();
    }
  }

  void OnEnd(std::string_view name) {
    Open element = std::move(open_.back());
    open_.pop_back();
    const std::string_view parent = open_.empty() ? std::string_view() : open_.back().name;
    const std::string text(Trim(element.text));
    if (name == "name" && !nodes_.empty() && (parent == "diag" || parent == "chapter")) {
      Node& node = nodes_.back();
      node.code = parent == "chapter" ? "CH" + text : Normalize(text);
      Concept& c = catalog_.Upsert(System::kIcd10Cm, node.code);
      c.header_node = parent == "chapter";
      c.parent = ParentNode(1);
      if (parent == "diag") ++codes_;
    } else if (name == "desc" && !nodes_.empty() && !nodes_.back().code.empty() &&
               (parent == "diag" || parent == "chapter" || parent == "section")) {
      Concept& c = catalog_.Upsert(System::kIcd10Cm, nodes_.back().code);
      if (c.title.empty()) c.title = text;
    } else if (name == "note" && !nodes_.empty() && !nodes_.back().code.empty()) {
      if (auto kind = KindOf(parent)) {
        catalog_.Upsert(System::kIcd10Cm, nodes_.back().code).notes.push_back({*kind, text});
      }
    } else if (name == "extension" && parent == "sevenChrDef" && !nodes_.empty()) {
      catalog_.Upsert(System::kIcd10Cm, nodes_.back().code)
          .notes.push_back({NoteKind::kSevenChrNote, extension_char_ + ": " + text});
    } else if (name == "chapter" || name == "section" || name == "diag") {
      if (!nodes_.empty()) nodes_.pop_back();
    }
  }

  static std::optional<NoteKind> KindOf(std::string_view container) {
    if (container == "includes") return NoteKind::kIncludes;
    if (container == "inclusionTerm") return NoteKind::kInclusionTerm;
    if (container == "excludes1") return NoteKind::kExcludes1;
    if (container == "excludes2") return NoteKind::kExcludes2;
    if (container == "codeFirst") return NoteKind::kCodeFirst;
    if (container == "useAdditionalCode") return NoteKind::kUseAdditionalCode;
    if (container == "codeAlso") return NoteKind::kCodeAlso;
    if (container == "notes") return NoteKind::kNote;
    if (container == "sevenChrNote") return NoteKind::kSevenChrNote;
    return std::nullopt;
  }

  // The code of the node `skip` levels below the innermost open one.
  std::string ParentNode(std::size_t skip = 1) const {
    if (nodes_.size() <= skip) return "";
    return nodes_[nodes_.size() - 1 - skip].code;
  }

  struct Node {
    std::string element;
    std::string code;
  };

  Catalog& catalog_;
  std::vector<Open> open_;
  std::vector<Node> nodes_;
  std::string extension_char_;
  bool root_seen_ = false;
  std::size_t codes_ = 0;
};

// The Alphabetic Index and its tables, read with expat: the open terms' titles make the path;
// each <code> (or table <cell>) adds an entry for it.
class IndexReader {
 public:
  explicit IndexReader(Catalog& catalog) : catalog_(catalog) {}

  Status Read(std::string_view xml, std::string_view file) {
    CHARTROOM_RETURN_IF_ERROR(ParseXml(xml, file, this, &Start, &End, &Text));
    if (!root_seen_) return Bad(file, "not an ICD-10-CM index (<ICD10CM.index>)");
    return Ok();
  }

  std::size_t entries() const { return entries_; }

 private:
  static void Start(void* self, const XML_Char* name, const XML_Char** attributes) {
    auto* r = static_cast<IndexReader*>(self);
    const std::string_view n(name);
    if (n == "ICD10CM.index") r->root_seen_ = true;
    if (n == "nemod") {
      r->in_nemod_ = true;  // inside a title: what came before it stays
      return;
    }
    r->text_.clear();
    r->column_ = 0;
    for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
      if (std::string_view(attributes[i]) == "col") r->column_ = std::atoi(attributes[i + 1]);
    }
    if (n == "mainTerm" || n == "term") r->path_.emplace_back();
  }
  static void End(void* self, const XML_Char* name) {
    static_cast<IndexReader*>(self)->OnEnd(name);
  }
  static void Text(void* self, const XML_Char* text, int length) {
    auto* r = static_cast<IndexReader*>(self);
    // Nonessential modifiers (in parentheses) are not part of the term's words.
    if (!r->in_nemod_) r->text_.append(text, static_cast<std::size_t>(length));
  }

  void OnEnd(std::string_view name) {
    const std::string text(Trim(text_));
    if (name == "nemod") {
      in_nemod_ = false;
      return;  // the title's text goes on after it
    }
    if (name == "head" && column_ > 0) {
      headings_[column_] = text;
    } else if (name == "title" && !path_.empty() && path_.back().empty()) {
      path_.back() = text;
    } else if ((name == "code" || name == "cell") && !path_.empty()) {
      std::string code = Normalize(text);
      while (!code.empty() && code.back() == '-') code.pop_back();
      if (CodeLike(code) && code.size() >= 3) {
        std::string term;
        for (const std::string& part : path_) {
          if (part.empty()) continue;
          term += (term.empty() ? "" : ", ") + part;
        }
        catalog_.AddIndexTerm(
            {std::move(term), name == "cell" ? headings_[column_] : std::string(), code});
        ++entries_;
      }
    } else if ((name == "mainTerm" || name == "term") && !path_.empty()) {
      path_.pop_back();
    }
    text_.clear();
  }

  Catalog& catalog_;
  std::vector<std::string> path_;
  std::map<int, std::string> headings_;
  std::string text_;
  int column_ = 0;
  bool in_nemod_ = false;
  bool root_seen_ = false;
  std::size_t entries_ = 0;
};

// The ICD-10-PCS tables (CMS, <ICD10PCS.tabular>), read with expat. A <pcsTable> fixes the
// first three characters (section, body system, operation: one label each); each <pcsRow> lists
// the values its characters 4 to 7 may take, and every combination of them is a valid code.
// Section and body system become header nodes, the table a non-billable code with the
// operation's definition as its note, each code a billable child of its table titled with its
// labels (the order file's long titles, when one is read, are kept).
class PcsTablesReader {
 public:
  PcsTablesReader(Catalog& catalog, Date effective) : catalog_(catalog), effective_(effective) {}

  Status Read(std::string_view xml, std::string_view file) {
    CHARTROOM_RETURN_IF_ERROR(ParseXml(xml, file, this, &Start, &End, &Text));
    if (!error_.empty()) return Bad(file, error_);
    if (!root_seen_) return Bad(file, "not an ICD-10-PCS tables file (<ICD10PCS.tabular>)");
    if (seen_.empty()) return Bad(file, "no codes");
    return Ok();
  }

  const std::unordered_set<std::string>& seen() const { return seen_; }
  std::size_t codes() const { return codes_; }

 private:
  struct Label {
    char code = 0;
    std::string text;
  };
  struct Axis {
    int pos = 0;
    std::vector<Label> labels;
    std::string definition;
  };

  // Every combination a row may make is a code; more than this in one row is not a real table.
  static constexpr std::size_t kMaxRowCodes = 1 << 16;

  static std::string Attribute(const XML_Char** attributes, std::string_view name) {
    for (std::size_t i = 0; attributes[i] != nullptr; i += 2) {
      if (std::string_view(attributes[i]) == name) return attributes[i + 1];
    }
    return "";
  }
  static void Start(void* self, const XML_Char* name, const XML_Char** attributes) {
    static_cast<PcsTablesReader*>(self)->OnStart(name, attributes);
  }
  static void End(void* self, const XML_Char* name) {
    static_cast<PcsTablesReader*>(self)->OnEnd(name);
  }
  static void Text(void* self, const XML_Char* text, int length) {
    static_cast<PcsTablesReader*>(self)->text_.append(text, static_cast<std::size_t>(length));
  }

  void OnStart(std::string_view name, const XML_Char** attributes) {
    text_.clear();
    if (name == "ICD10PCS.tabular") {
      root_seen_ = true;
    } else if (name == "pcsTable") {
      table_.clear();
    } else if (name == "pcsRow") {
      row_.clear();
      in_row_ = true;
    } else if (name == "axis") {
      axis_ = Axis{std::atoi(Attribute(attributes, "pos").c_str()), {}, {}};
    } else if (name == "label") {
      const std::string code = Attribute(attributes, "code");
      label_code_ = code.size() == 1 ? code[0] : 0;
    }
  }

  void OnEnd(std::string_view name) {
    const std::string text(Trim(text_));
    text_.clear();
    if (!error_.empty()) return;
    if (name == "label") {
      if (!CodeLike(std::string(1, label_code_))) {
        error_ = "a <label> in table " + TablePrefix() + " without a one-character code";
        return;
      }
      axis_.labels.push_back({label_code_, text});
    } else if (name == "definition") {
      axis_.definition = text;
    } else if (name == "axis") {
      (in_row_ ? row_ : table_).push_back(std::move(axis_));
      axis_ = {};
    } else if (name == "pcsRow") {
      in_row_ = false;
      EmitRow();
    }
  }

  // The table's three characters, as far as they are known.
  std::string TablePrefix() const {
    std::string prefix;
    for (const Axis& a : table_) {
      if (!a.labels.empty()) prefix += a.labels[0].code;
    }
    return prefix;
  }

  const Axis* At(const std::vector<Axis>& axes, int pos) const {
    for (const Axis& a : axes) {
      if (a.pos == pos && !a.labels.empty()) return &a;
    }
    return nullptr;
  }

  void EmitRow() {
    const Axis* fixed[3] = {At(table_, 1), At(table_, 2), At(table_, 3)};
    const Axis* varying[4] = {At(row_, 4), At(row_, 5), At(row_, 6), At(row_, 7)};
    for (const Axis* a : fixed) {
      if (a == nullptr) {
        error_ = "a table without its section, body system and operation axes";
        return;
      }
    }
    std::size_t combinations = 1;
    for (const Axis* a : varying) {
      if (a == nullptr) {
        error_ = "a row of table " + TablePrefix() + " without all of its axes 4 to 7";
        return;
      }
      combinations *= a->labels.size();
    }
    if (combinations > kMaxRowCodes) {
      error_ = "a row of table " + TablePrefix() + " makes too many codes";
      return;
    }
    const std::string section(1, fixed[0]->labels[0].code);
    const std::string body = section + fixed[1]->labels[0].code;
    const std::string table = body + fixed[2]->labels[0].code;
    Header(section, "", fixed[0]->labels[0].text);
    Header(body, section, fixed[1]->labels[0].text);
    Concept& t = catalog_.Upsert(System::kIcd10Pcs, table);
    if (t.title.empty()) t.title = fixed[1]->labels[0].text + ", " + fixed[2]->labels[0].text;
    t.parent = body;
    if (!fixed[2]->definition.empty() && t.notes.empty()) {
      t.notes.push_back({NoteKind::kNote, fixed[2]->labels[0].text + ": " + fixed[2]->definition});
    }
    if (t.valid_from == 0 || t.valid_from > effective_) t.valid_from = effective_;
    seen_.insert(table);
    std::size_t pick[4] = {0, 0, 0, 0};
    for (std::size_t n = 0; n < combinations; ++n) {
      std::string code = table;
      std::string title = fixed[2]->labels[0].text;
      for (std::size_t i = 0; i < 4; ++i) {
        const Label& l = varying[i]->labels[pick[i]];
        code += l.code;
        // "No Device", "No Qualifier", "None" say nothing in a title.
        if (l.text.empty() || l.text.starts_with("No ") || l.text == "None") continue;
        title += (i == 0 ? " " : ", ") + l.text;
      }
      Concept& c = catalog_.Upsert(System::kIcd10Pcs, code);
      if (c.title.empty()) c.title = title;
      c.billable = true;
      c.parent = table;
      if (c.valid_from == 0 || c.valid_from > effective_) c.valid_from = effective_;
      if (seen_.insert(code).second) ++codes_;
      for (std::size_t i = 4; i-- > 0;) {  // the next combination, the last axis fastest
        if (++pick[i] < varying[i]->labels.size()) break;
        pick[i] = 0;
      }
    }
  }

  void Header(const std::string& code, const std::string& parent, const std::string& title) {
    Concept& c = catalog_.Upsert(System::kIcd10Pcs, code);
    c.header_node = true;
    c.parent = parent;
    if (c.title.empty()) c.title = title;
  }

  Catalog& catalog_;
  const Date effective_;
  std::vector<Axis> table_;
  std::vector<Axis> row_;
  Axis axis_;
  char label_code_ = 0;
  bool in_row_ = false;
  bool root_seen_ = false;
  std::string text_;
  std::string error_;
  std::unordered_set<std::string> seen_;
  std::size_t codes_ = 0;
};

std::optional<MceList> MceListOf(std::string_view type) {
  static constexpr std::pair<std::string_view, MceList> kTypes[] = {
      {"Newborn_Only", MceList::kNewbornOnly},
      {"Pediatric_Only", MceList::kPediatricOnly},
      {"Maternity_Only", MceList::kMaternityOnly},
      {"Adult_Only", MceList::kAdultOnly},
      {"Female_Only", MceList::kFemaleOnly},
      {"Male_Only", MceList::kMaleOnly},
      {"Principal_Manifestation", MceList::kManifestation},
      {"Principal_Questionable_Admit", MceList::kQuestionableAdmission},
      {"Principal_Unacceptable", MceList::kUnacceptablePrincipal},
      {"Noncovered_Always", MceList::kNoncovered},
      {"Limited_Coverage", MceList::kLimitedCoverage},
  };
  for (const auto& [name, list] : kTypes) {
    if (name == type) return list;
  }
  return std::nullopt;
}

}  // namespace

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kIcd10CmOrder:
      return "icd10cm-order";
    case FileKind::kIcd10CmTabular:
      return "icd10cm-tabular";
    case FileKind::kIcd10CmIndex:
      return "icd10cm-index";
    case FileKind::kIcd10PcsOrder:
      return "icd10pcs-order";
    case FileKind::kIcd10PcsTables:
      return "icd10pcs-tables";
    case FileKind::kMce:
      return "mce";
    case FileKind::kPoaExempt:
      return "poa-exempt";
    case FileKind::kHcpcs:
      return "hcpcs";
    case FileKind::kCpt:
      return "cpt";
  }
  return "";
}

std::optional<FileKind> ParseFileKind(std::string_view name) {
  for (FileKind k : {FileKind::kIcd10CmOrder, FileKind::kIcd10CmTabular, FileKind::kIcd10CmIndex,
                     FileKind::kIcd10PcsOrder, FileKind::kMce, FileKind::kPoaExempt,
                     FileKind::kHcpcs, FileKind::kCpt, FileKind::kIcd10PcsTables}) {
    if (FileKindName(k) == name) return k;
  }
  return std::nullopt;
}

Status ReadRelease(FileKind kind, std::string_view text, Date effective, Catalog& catalog,
                   std::string_view name) {
  // Read into a copy: a file that fails leaves the catalog as it was.
  Catalog next = catalog;
  const std::string file(name.empty() ? FileKindName(kind) : name);
  switch (kind) {
    case FileKind::kIcd10CmOrder:
      CHARTROOM_RETURN_IF_ERROR(ReadOrderFile(text, System::kIcd10Cm, effective, next, file));
      break;
    case FileKind::kIcd10PcsOrder:
      CHARTROOM_RETURN_IF_ERROR(ReadOrderFile(text, System::kIcd10Pcs, effective, next, file));
      break;
    case FileKind::kIcd10PcsTables: {
      PcsTablesReader reader(next, effective);
      CHARTROOM_RETURN_IF_ERROR(reader.Read(text, file));
      SetValidity(next, System::kIcd10Pcs, reader.seen(), effective);
      next.Link(System::kIcd10Pcs);
      next.AddRelease({"icd10pcs", file, effective, reader.codes()});
      break;
    }
    case FileKind::kIcd10CmTabular: {
      TabularReader reader(next);
      CHARTROOM_RETURN_IF_ERROR(reader.Read(text, file));
      next.Link(System::kIcd10Cm);
      next.AddRelease({"icd10cm", file, effective, reader.codes()});
      break;
    }
    case FileKind::kIcd10CmIndex: {
      IndexReader reader(next);
      CHARTROOM_RETURN_IF_ERROR(reader.Read(text, file));
      next.AddRelease({"icd10cm-index", file, effective, reader.entries()});
      break;
    }
    case FileKind::kMce: {
      std::size_t entries = 0;
      CHARTROOM_RETURN_IF_ERROR(ForEachLine(text, [&](std::string_view l, std::size_t n) {
        if (n == 1 || Trim(l).empty()) return Ok();
        const auto f = SplitTabs(l);
        if (f.size() < 7 || (f[5] != "D" && f[5] != "P")) {
          return Bad(file, "line " + std::to_string(n) + " is not an MCE edit record");
        }
        if (auto list = MceListOf(f[4])) {
          next.AddMce(*list, f[5] == "P", Normalize(f[6]));
          ++entries;
        }
        return Ok();
      }));
      next.AddRelease({"mce", file, effective, entries});
      break;
    }
    case FileKind::kPoaExempt: {
      std::size_t entries = 0;
      CHARTROOM_RETURN_IF_ERROR(ForEachLine(text, [&](std::string_view l, std::size_t n) {
        if (n == 1 || Trim(l).empty()) return Ok();
        const auto f = SplitTabs(l);
        if (f.size() < 2 || !CodeLike(Normalize(f[1]))) {
          return Bad(file, "line " + std::to_string(n) + " has no code");
        }
        next.AddPoaExempt(Normalize(f[1]));
        ++entries;
        return Ok();
      }));
      next.AddRelease({"poa-exempt", file, effective, entries});
      break;
    }
    case FileKind::kHcpcs: {
      std::size_t entries = 0;
      CHARTROOM_RETURN_IF_ERROR(ForEachLine(text, [&](std::string_view l, std::size_t) {
        // Records are 320 wide; continuation records are cut after their description. The
        // disclaimer lines at the top are neither.
        if (l.size() < 91 || (l[10] != '3' && l[10] != '4')) return Ok();
        const std::string code(Trim(l.substr(0, 5)));
        if (!CodeLike(code) || code.size() != 5) return Ok();
        Concept& c = next.Upsert(System::kHcpcs, code);
        const std::string part = FromWindows1252(Trim(l.substr(11, 80)));
        if (l[10] == '3') {
          c.title = part;
          c.short_title = l.size() >= 119 ? FromWindows1252(Trim(l.substr(91, 28))) : part;
          c.billable = true;
          if (c.valid_from == 0 || c.valid_from > effective) c.valid_from = effective;
          ++entries;
        } else if (!part.empty()) {
          c.title += " " + part;
        }
        return Ok();
      }));
      if (entries == 0) return Bad(file, "no HCPCS procedure records");
      next.AddRelease({"hcpcs", file, effective, entries});
      break;
    }
    case FileKind::kCpt: {
      std::size_t entries = 0;
      CHARTROOM_RETURN_IF_ERROR(ForEachLine(text, [&](std::string_view l, std::size_t n) {
        if (Trim(l).empty()) return Ok();
        const auto f = SplitTabs(l);
        const std::string code = Normalize(f[0]);
        if (f.size() < 2 || code.size() != 5 || !CodeLike(code)) {
          if (n == 1) return Ok();  // a header line
          return Bad(file, "line " + std::to_string(n) + " is not `code<TAB>title`");
        }
        Concept& c = next.Upsert(System::kCpt, code);
        c.title = std::string(Trim(f[1]));
        c.billable = true;
        if (c.valid_from == 0 || c.valid_from > effective) c.valid_from = effective;
        ++entries;
        return Ok();
      }));
      next.AddRelease({"cpt", file, effective, entries});
      break;
    }
  }
  catalog = std::move(next);
  return Ok();
}

}  // namespace chartroom::coding
