#include "coding/search.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <vector>

namespace chartroom::coding {
namespace {

constexpr float kExact = 1.0f;
constexpr float kPrefix = 0.8f;
constexpr float kTypo = 0.6f;

// Levenshtein distance of a and b if it is at most `limit`, else limit + 1.
std::size_t BoundedDistance(std::string_view a, std::string_view b, std::size_t limit) {
  if (a.size() > b.size() + limit || b.size() > a.size() + limit) return limit + 1;
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

bool LooksLikeCode(std::string_view text) {
  const std::string code = Normalize(text);
  return code.size() >= 3 && code.size() <= 7 && code[0] >= 'A' && code[0] <= 'Z' &&
         code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == std::string::npos &&
         std::any_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      word += static_cast<char>(std::tolower(u));
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

SearchIndex::SearchIndex(const Catalog& catalog) {
  std::map<std::string, std::vector<Posting>> words;
  // The Alphabetic Index's entries, by the code they lead to.
  std::unordered_map<std::string, std::vector<const IndexTerm*>> index_terms;
  for (const IndexTerm& t : catalog.index_terms()) index_terms[t.code].push_back(&t);
  for (System system : {System::kIcd10Cm, System::kIcd10Pcs, System::kHcpcs, System::kCpt}) {
    std::vector<const Concept*> concepts;
    for (const auto& [code, node] : catalog.concepts(system)) {
      if (!node.header_node) concepts.push_back(&node);
    }
    std::sort(concepts.begin(), concepts.end(),
              [](const Concept* a, const Concept* b) { return a->code < b->code; });
    for (const Concept* c : concepts) {
      const auto entry = static_cast<std::uint32_t>(entries_.size());
      entries_.push_back({system, c});
      // The best field each word appears in.
      std::unordered_map<std::string, float> best;
      auto add = [&](std::string_view text, float weight) {
        for (std::string& w : Words(text)) {
          float& b = best[std::move(w)];
          b = std::max(b, weight);
        }
      };
      add(c->title, 1.0f);
      add(c->short_title, 0.9f);
      for (const Note& note : c->notes) {
        if (note.kind != NoteKind::kInclusionTerm && note.kind != NoteKind::kIncludes) continue;
        add(note.text, note.kind == NoteKind::kInclusionTerm ? 0.7f : 0.5f);
        // The word such a term starts with names the code as an index entry does
        // ("hypertension (arterial) (benign) ..." under I10): above a word of the title.
        const auto lead = Words(note.text);
        if (!lead.empty()) best[lead.front()] = std::max(best[lead.front()], 1.1f);
      }
      if (system == System::kIcd10Cm) {
        if (const auto it = index_terms.find(c->code); it != index_terms.end()) {
          for (const IndexTerm* t : it->second) {
            add(t->term, 0.8f);
            add(t->column, 0.8f);
          }
        }
      }
      for (auto& [w, weight] : best) words[w].push_back({entry, weight});
    }
  }
  const double total = static_cast<double>(std::max<std::size_t>(entries_.size(), 1));
  for (auto& [w, postings] : words) {
    vocabulary_.push_back(w);
    rarity_.push_back(
        static_cast<float>(std::log(1.0 + total / static_cast<double>(postings.size()))));
    postings_.push_back(std::move(postings));
  }
}

std::vector<std::pair<std::uint32_t, float>> SearchIndex::Matches(std::string_view word,
                                                                  bool last) const {
  std::vector<std::pair<std::uint32_t, float>> out;
  // Exact and prefix: the sorted range that starts with `word`. Prefixes of the last word of a
  // query (what is being typed) count from one letter; of the others from three.
  auto it = std::lower_bound(vocabulary_.begin(), vocabulary_.end(), word);
  std::vector<std::pair<std::uint32_t, float>> prefixed;
  for (; it != vocabulary_.end() && std::string_view(*it).starts_with(word); ++it) {
    const auto id = static_cast<std::uint32_t>(it - vocabulary_.begin());
    if (*it == word) {
      out.emplace_back(id, kExact);
    } else if (last || word.size() >= 3) {
      prefixed.emplace_back(id, kPrefix);
    }
  }
  // One or two letters start thousands of words: the most used of them stand for the rest.
  constexpr std::size_t kShortPrefixWords = 64;
  if (word.size() < 3 && prefixed.size() > kShortPrefixWords) {
    std::partial_sort(prefixed.begin(), prefixed.begin() + kShortPrefixWords, prefixed.end(),
                      [&](const auto& a, const auto& b) {
                        return postings_[a.first].size() > postings_[b.first].size();
                      });
    prefixed.resize(kShortPrefixWords);
  }
  out.insert(out.end(), prefixed.begin(), prefixed.end());
  // Typos: one edit from four letters, two from eight.
  if (word.size() >= 4) {
    const std::size_t limit = word.size() >= 8 ? 2 : 1;
    for (std::size_t i = 0; i < vocabulary_.size(); ++i) {
      const std::string& v = vocabulary_[i];
      if (v.size() + limit < word.size() || v.size() > word.size() + limit) continue;
      if (v[0] != word[0] && v[1] != word[1]) continue;  // a typo rarely hits both first letters
      if (v == word) continue;
      if (BoundedDistance(word, v, limit) <= limit) {
        out.emplace_back(static_cast<std::uint32_t>(i), kTypo);
      }
    }
  }
  return out;
}

std::vector<SearchHit> SearchIndex::Search(const SearchQuery& query) const {
  std::vector<SearchHit> hits;
  const std::vector<std::string> words = Words(query.text);
  if (words.empty() || query.limit == 0) return hits;
  // Dense per-entry arrays (a few hundred kilobytes) beat hash maps when a common word brings
  // tens of thousands of postings. An entry stays in the running while it matched every word
  // so far.
  std::vector<float> scores(entries_.size(), 0.0f);
  std::vector<std::uint8_t> matched(entries_.size(), 0);
  std::vector<float> best(entries_.size(), 0.0f);
  std::vector<std::uint32_t> touched;
  std::vector<std::uint32_t> alive;
  for (std::size_t q = 0; q < words.size() && q < 255; ++q) {
    touched.clear();
    for (const auto& [word, match] : Matches(words[q], q + 1 == words.size())) {
      const float rarity = rarity_[word];
      for (const Posting& p : postings_[word]) {
        if (matched[p.entry] != q) continue;
        float& b = best[p.entry];
        if (b == 0.0f) touched.push_back(p.entry);
        b = std::max(b, match * p.weight * rarity);
      }
    }
    for (std::uint32_t entry : touched) {
      scores[entry] += best[entry];
      best[entry] = 0.0f;
      matched[entry] = static_cast<std::uint8_t>(q + 1);
    }
    alive.swap(touched);
  }
  for (std::uint32_t entry : alive) {
    const Entry& e = entries_[entry];
    if (query.system && e.system != *query.system) continue;
    if (query.billable_only && !e.concept_->billable) continue;
    hits.push_back({e.system, e.concept_, scores[entry]});
  }
  // A query that looks like a code: the codes that start with it, first.
  if (LooksLikeCode(query.text)) {
    const std::string code = Normalize(query.text);
    for (const Entry& e : entries_) {
      if (query.system && e.system != *query.system) continue;
      if (query.billable_only && !e.concept_->billable) continue;
      if (!e.concept_->code.starts_with(code)) continue;
      const double score = 1000.0 - static_cast<double>(e.concept_->code.size() - code.size());
      hits.push_back({e.system, e.concept_, score});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const SearchHit& a, const SearchHit& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.concept_->billable != b.concept_->billable) return a.concept_->billable;
    if (a.concept_->title.size() != b.concept_->title.size()) {
      return a.concept_->title.size() < b.concept_->title.size();
    }
    return a.concept_->code < b.concept_->code;
  });
  // A code found both by its words and as a code counts once.
  std::vector<SearchHit> out;
  for (const SearchHit& h : hits) {
    const bool seen = std::any_of(out.begin(), out.end(),
                                  [&](const SearchHit& o) { return o.concept_ == h.concept_; });
    if (!seen) out.push_back(h);
    if (out.size() == query.limit) break;
  }
  return out;
}

}  // namespace chartroom::coding
