#include "coding/cac.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <boost/json.hpp>

#include "coding/search.hpp"

namespace chartroom::coding {
namespace {

constexpr float kTitle = 0.9f;
constexpr float kTerm = 0.8f;
constexpr float kHead = 0.7f;
constexpr std::size_t kWindow = 5;  // words before a mention a trigger may stand

// Clinical abbreviations and the words they stand for (self-made; lower case).
const std::vector<std::pair<std::string_view, std::vector<std::string>>>& Abbreviations() {
  static const std::vector<std::pair<std::string_view, std::vector<std::string>>> kList = {
      {"htn", {"hypertension"}},
      {"copd", {"chronic", "obstructive", "pulmonary", "disease"}},
      {"uti", {"urinary", "tract", "infection"}},
      {"chf", {"heart", "failure"}},
      {"mi", {"acute", "myocardial", "infarction"}},
      {"afib", {"atrial", "fibrillation"}},
      {"ckd", {"chronic", "kidney", "disease"}},
      {"gerd", {"gastro", "esophageal", "reflux", "disease"}},
      {"t2dm", {"type", "2", "diabetes", "mellitus"}},
      {"dm2", {"type", "2", "diabetes", "mellitus"}},
      {"t1dm", {"type", "1", "diabetes", "mellitus"}},
      {"osa", {"obstructive", "sleep", "apnea"}},
      {"bph", {"benign", "prostatic", "hyperplasia"}},
  };
  return kList;
}

// Triggers, as word sequences, by what they make of a mention after them.
const std::vector<std::pair<std::vector<std::string>, std::string_view>>& Triggers() {
  static const std::vector<std::pair<std::vector<std::string>, std::string_view>> kList = {
      {{"family", "history"}, "family"},
      {{"mother"}, "family"},
      {{"father"}, "family"},
      {{"sister"}, "family"},
      {{"brother"}, "family"},
      {{"no", "evidence", "of"}, "negated"},
      {{"negative", "for"}, "negated"},
      {{"ruled", "out"}, "negated"},
      {{"rule", "out"}, "negated"},
      {{"free", "of"}, "negated"},
      {{"absence", "of"}, "negated"},
      {{"denies"}, "negated"},
      {{"denied"}, "negated"},
      {{"no"}, "negated"},
      {{"not"}, "negated"},
      {{"without"}, "negated"},
      {{"history", "of"}, "history"},
      {{"h", "o"}, "history"},
      {{"hx", "of"}, "history"},
      {{"status", "post"}, "history"},
      {{"s", "p"}, "history"},
      {{"previous"}, "history"},
      {{"prior"}, "history"},
  };
  return kList;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// `title` without its parenthesized parts: "Essential (primary) hypertension" -> "Essential
// hypertension".
std::string WithoutParentheses(std::string_view title) {
  std::string out;
  int depth = 0;
  for (char c : title) {
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      depth = std::max(0, depth - 1);
    } else if (depth == 0) {
      out += c;
    }
  }
  return out;
}

bool Unspecified(std::string_view text) {
  const std::string t = Lower(text);
  return t.find("unspecified") != std::string::npos || t.find("not specified") != std::string::npos;
}

struct Token {
  std::uint32_t word;  // kUnknown when not in any term
  std::size_t begin;
  std::size_t end;
  std::size_t sentence;
  std::string text;     // lower case
  std::size_t section;  // index into the note's headings; 0: before any
};

// A heading: a line of capital letters (and spaces, '/' or '&') ending in a colon
// ("ASSESSMENT:"), or a Markdown heading ("# Assessment and Plan"). Returns it in upper case
// and how many characters it takes; "" when the line is none.
std::pair<std::string, std::size_t> HeadingAt(std::string_view note, std::size_t line_start) {
  std::size_t i = line_start;
  if (i < note.size() && note[i] == '#') {
    while (i < note.size() && note[i] == '#') ++i;
    const std::size_t end = std::min(note.find('\n', i), note.size());
    std::string heading(note.substr(i, end - i));
    for (char& c : heading) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return {heading, end - line_start};
  }
  while (i < note.size() && (std::isupper(static_cast<unsigned char>(note[i])) || note[i] == ' ' ||
                             note[i] == '/' || note[i] == '&')) {
    ++i;
  }
  if (i < note.size() && note[i] == ':' && i - line_start >= 3) {
    return {std::string(note.substr(line_start, i - line_start)), i + 1 - line_start};
  }
  return {"", 0};
}

bool IsAssessment(std::string_view heading) {
  for (std::string_view word : {"ASSESSMENT", "IMPRESSION", "DIAGNOSIS", "DIAGNOSES"}) {
    if (heading.find(word) != std::string_view::npos) return true;
  }
  return false;
}

constexpr std::uint32_t kUnknown = 0xffffffff;

}  // namespace

std::uint32_t Suggester::WordId(const std::string& word) {
  const auto [it, fresh] = words_.emplace(word, static_cast<std::uint32_t>(words_.size()));
  return it->second;
}

void Suggester::Add(const std::vector<std::string>& words, const Concept* c, float confidence) {
  if (words.empty()) return;
  std::uint32_t node = 0;
  for (const std::string& w : words) {
    const std::uint32_t id = WordId(w);
    const auto it = nodes_[node].next.find(id);
    if (it != nodes_[node].next.end()) {
      node = it->second;
    } else {
      const auto created = static_cast<std::uint32_t>(nodes_.size());
      nodes_[node].next.emplace(id, created);
      nodes_.emplace_back();
      node = created;
    }
  }
  Node& n = nodes_[node];
  // One code per term: the more certain kind of term, then the shorter (less specific) code.
  if (n.concept_ == nullptr || confidence > n.confidence ||
      (confidence == n.confidence && c->code.size() < n.concept_->code.size())) {
    if (n.concept_ == nullptr) ++terms_;
    n.concept_ = c;
    n.confidence = confidence;
  }
}

Suggester::Suggester(const Catalog& catalog) {
  for (const auto& [code, node] : catalog.concepts(System::kIcd10Cm)) {
    if (node.header_node) continue;
    const Concept* c = &node;
    if (c->billable) {
      Add(Words(c->title), c, kTitle);
      Add(Words(WithoutParentheses(c->title)), c, kTitle);
      // "Pneumonia, unspecified organism": "pneumonia" means the unspecified code.
      if (const std::size_t comma = c->title.find(',');
          comma != std::string::npos && Unspecified(c->title.substr(comma))) {
        Add(Words(WithoutParentheses(c->title.substr(0, comma))), c, kHead);
      }
      // "Unspecified atrial fibrillation": "atrial fibrillation"; "Unspecified asthma,
      // uncomplicated": "asthma".
      if (Lower(c->title).starts_with("unspecified ")) {
        const std::string rest = c->title.substr(12);
        Add(Words(WithoutParentheses(rest.substr(0, rest.find(',')))), c, kHead);
      }
      for (const Note& note : c->notes) {
        if (note.kind == NoteKind::kInclusionTerm || note.kind == NoteKind::kIncludes) {
          Add(Words(note.text), c, kTerm);
          Add(Words(WithoutParentheses(note.text)), c, kTerm);
        }
      }
      continue;
    }
    // A header ("Type 2 diabetes mellitus") means its one child "... without complications",
    // else its one child "..., unspecified", when it has exactly one such.
    const std::string header = Lower(c->title);
    auto only_child = [&](auto&& fits) -> const Concept* {
      const Concept* only = nullptr;
      int count = 0;
      for (const std::string& child : c->children) {
        const Concept* k = catalog.Find(System::kIcd10Cm, child);
        if (k == nullptr || !k->billable) continue;
        const std::string t = Lower(k->title);
        if (t.starts_with(header) && fits(t)) {
          only = k;
          ++count;
        }
      }
      return count == 1 ? only : nullptr;
    };
    const Concept* meant =
        only_child([](const std::string& t) { return t.find(" without ") != std::string::npos; });
    if (meant == nullptr) meant = only_child([](const std::string& t) { return Unspecified(t); });
    if (meant != nullptr) {
      Add(Words(c->title), meant, kHead);
      Add(Words(WithoutParentheses(c->title)), meant, kHead);
    }
  }
}

std::vector<Suggestion> Suggester::Suggest(std::string_view note) const {
  // Words with their places; a sentence ends at . ; : ! ? or a line break.
  std::vector<Token> tokens;
  std::vector<std::string> headings{""};
  std::size_t sentence = 0;
  for (std::size_t i = 0; i < note.size();) {
    if (i == 0 || note[i - 1] == '\n') {
      if (auto [heading, length] = HeadingAt(note, i); length > 0) {
        headings.push_back(std::move(heading));
        i += length;
        ++sentence;
        continue;
      }
    }
    const auto u = static_cast<unsigned char>(note[i]);
    if (!std::isalnum(u)) {
      if (note[i] == '.' || note[i] == ';' || note[i] == ':' || note[i] == '!' || note[i] == '?' ||
          note[i] == '\n') {
        ++sentence;
      }
      ++i;
      continue;
    }
    const std::size_t begin = i;
    while (i < note.size() && std::isalnum(static_cast<unsigned char>(note[i]))) ++i;
    const std::string word = Lower(note.substr(begin, i - begin));
    bool expanded = false;
    for (const auto& [abbreviation, words] : Abbreviations()) {
      if (word != abbreviation) continue;
      for (const std::string& w : words) {
        const auto it = words_.find(w);
        tokens.push_back({it == words_.end() ? kUnknown : it->second, begin, i, sentence, w,
                          headings.size() - 1});
      }
      expanded = true;
      break;
    }
    if (expanded) continue;
    const auto it = words_.find(word);
    tokens.push_back({it == words_.end() ? kUnknown : it->second, begin, i, sentence, word,
                      headings.size() - 1});
  }
  const bool assessed = std::any_of(headings.begin(), headings.end(),
                                    [](const std::string& h) { return IsAssessment(h); });

  // What the words before a mention make of it.
  auto context_of = [&](std::size_t start) -> std::string_view {
    const std::size_t from = start > kWindow ? start - kWindow : 0;
    for (const auto& [trigger, meaning] : Triggers()) {
      for (std::size_t i = from; i + trigger.size() <= start; ++i) {
        bool same = true;
        for (std::size_t k = 0; k < trigger.size() && same; ++k) {
          same =
              tokens[i + k].sentence == tokens[start].sentence && tokens[i + k].text == trigger[k];
        }
        if (same) return meaning;
      }
    }
    return "";
  };

  std::vector<Suggestion> out;
  std::set<std::string> suggested;
  for (std::size_t i = 0; i < tokens.size();) {
    std::uint32_t node = 0;
    std::size_t best_end = 0;
    const Node* best = nullptr;
    for (std::size_t j = i; j < tokens.size() && tokens[j].sentence == tokens[i].sentence; ++j) {
      if (tokens[j].word == kUnknown) break;
      const auto it = nodes_[node].next.find(tokens[j].word);
      if (it == nodes_[node].next.end()) break;
      node = it->second;
      if (nodes_[node].concept_ != nullptr) {
        best = &nodes_[node];
        best_end = j + 1;
      }
    }
    if (best == nullptr) {
      ++i;
      continue;
    }
    Suggestion s;
    s.code = best->concept_->code;
    s.title = best->concept_->title;
    s.begin = tokens[i].begin;
    s.end = tokens[best_end - 1].end;
    s.confidence = best->confidence;
    s.section = headings[tokens[i].section];
    if (assessed && !IsAssessment(s.section)) s.confidence /= 2;
    const std::string_view context = context_of(i);
    if (context == "negated" || context == "family") {
      s.excluded = std::string(context);
      out.push_back(std::move(s));
    } else if (!suggested.contains(s.code)) {
      s.history = context == "history";
      if (s.history) s.confidence /= 2;
      suggested.insert(s.code);
      out.push_back(std::move(s));
    }
    i = best_end;
  }
  return out;
}

boost::json::object SuggestionsToJson(const std::vector<Suggestion>& all, std::string_view note) {
  boost::json::array suggestions;
  boost::json::array excluded;
  for (const Suggestion& s : all) {
    boost::json::object o;
    o["code"] = Display(System::kIcd10Cm, s.code);
    o["title"] = s.title;
    o["span"] = boost::json::object{
        {"begin", s.begin},
        {"end", s.end},
        {"text", s.end <= note.size() ? note.substr(s.begin, s.end - s.begin) : ""}};
    if (!s.excluded.empty()) {
      o["reason"] = s.excluded;
      excluded.push_back(std::move(o));
      continue;
    }
    o["confidence"] = s.confidence;
    o["history"] = s.history;
    if (!s.section.empty()) o["section"] = s.section;
    suggestions.push_back(std::move(o));
  }
  return boost::json::object{{"suggestions", std::move(suggestions)},
                             {"excluded", std::move(excluded)}};
}

}  // namespace chartroom::coding
