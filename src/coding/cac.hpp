// Computer-assisted coding: ICD-10-CM codes suggested from the text of a clinical note
// (docs/coding.md, "Suggestions"). The note's words are matched, longest first, against the
// terms of every billable code: its title (also without its parenthesized words), its inclusion
// terms and includes notes, the head of an "X, unspecified ..." title (for the unspecified code
// of X), and a short list of clinical abbreviations (HTN, COPD, UTI, ...). A mention is
// negated when a trigger ("no", "denies", "negative for", "no evidence of", "ruled out" ...)
// comes before it in its sentence, historical after "history of", "h/o", "status post" ...,
// and about somebody else after "family history of". Negated and family mentions are reported
// apart and suggest nothing; historical ones are suggested with the flag and half the
// confidence. When the note has an assessment (a heading, "ASSESSMENT:" or "# Assessment and
// Plan", with ASSESSMENT, IMPRESSION, DIAGNOSIS or DIAGNOSES in it), what it lists is what the encounter is coded for:
// mentions elsewhere (a reason for the visit, the known problems) keep half their confidence.
//
// Thread safety: built once from an immutable catalog; Suggest may run on any thread.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "coding/catalog.hpp"

namespace chartroom::coding {

struct Suggestion {
  std::string code;  // normalized
  std::string title;
  std::size_t begin = 0;  // byte offsets of the supporting text in the note
  std::size_t end = 0;
  double confidence = 0;
  bool history = false;
  std::string section;   // the heading the mention is under ("ASSESSMENT"), "" before any
  std::string excluded;  // "" for a suggestion; "negated" or "family" for a mention left out
};

class Suggester {
 public:
  explicit Suggester(const Catalog& catalog);

  // The suggestions (one per code, its first supporting mention) and the excluded mentions, in
  // the order of the text.
  std::vector<Suggestion> Suggest(std::string_view note) const;

  std::size_t terms() const { return terms_; }

 private:
  struct Node {
    std::unordered_map<std::uint32_t, std::uint32_t> next;  // word -> node
    const Concept* concept_ = nullptr;
    float confidence = 0;
  };

  void Add(const std::vector<std::string>& words, const Concept* c, float confidence);
  std::uint32_t WordId(const std::string& word);

  std::unordered_map<std::string, std::uint32_t> words_;
  std::vector<Node> nodes_{1};
  std::size_t terms_ = 0;
};

// {"suggestions": [{"code", "title", "confidence", "history", "section", "span": {"begin",
// "end", "text"}}], "excluded": [{"code", "title", "reason", "span"}]}; `note` gives the spans'
// text.
boost::json::object SuggestionsToJson(const std::vector<Suggestion>& all, std::string_view note);

}  // namespace chartroom::coding
