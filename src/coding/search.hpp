// Ranked word search over a catalog's codes: what a coder types ("diab mel type 2 wo comp",
// "pnuemonia", "E11.9") to the codes whose title, short title, inclusion terms, includes notes
// or Alphabetic Index entries (with their table column: "neoplasm lung malignant primary")
// say it. Every word of the query must match a word of the code's text, exactly, as a prefix or
// (words of four letters and more) with one typo (two from eight letters); a query that looks
// like a code also matches codes that start with it. Scores add, per query word, the best match
// weight (exact 1, prefix 0.8, typo 0.6) times where it matched (the first word of an inclusion
// term or includes note 1.1, as an index entry names its code; title 1, short title 0.9, inclusion
// term 0.7, includes note 0.5) times the word's rarity (log of codes over codes containing it);
// ties go to billable codes, then shorter titles, then the code.
//
// Thread safety: built once (from an immutable catalog), then Search may run on any thread.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coding/catalog.hpp"

namespace chartroom::coding {

struct SearchHit {
  System system;
  const Concept* concept_;
  double score;
};

struct SearchQuery {
  std::string text;
  std::optional<System> system;  // all systems when unset
  bool billable_only = false;
  std::size_t limit = 20;
};

class SearchIndex {
 public:
  explicit SearchIndex(const Catalog& catalog);

  std::vector<SearchHit> Search(const SearchQuery& query) const;

  std::size_t words() const { return vocabulary_.size(); }

 private:
  struct Posting {
    std::uint32_t entry;
    float weight;  // of the field the word is in
  };
  struct Entry {
    System system;
    const Concept* concept_;
  };

  // The vocabulary words that `word` matches, with their match weight.
  std::vector<std::pair<std::uint32_t, float>> Matches(std::string_view word, bool last) const;

  std::vector<Entry> entries_;
  std::vector<std::string> vocabulary_;         // sorted
  std::vector<std::vector<Posting>> postings_;  // by word
  std::vector<float> rarity_;                   // by word
};

// The lower-case words of `text` (letters and digits).
std::vector<std::string> Words(std::string_view text);

}  // namespace chartroom::coding
