#include "coding/catalog.hpp"

#include "coding/cac.hpp"
#include "coding/search.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace chartroom::coding {
namespace {

bool IsCodeChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// A code as the tabular list writes it inside a reference: "E08.-", "O24.4-", "P70.2", "A00".
// Returns the normalized code (no dot, no dash) and how many characters it took; 0 when none.
std::size_t ReadCode(std::string_view text, std::size_t at, std::string& out) {
  out.clear();
  std::size_t i = at;
  if (i + 3 > text.size() || !(text[i] >= 'A' && text[i] <= 'Z') || !IsCodeChar(text[i + 1]) ||
      !IsCodeChar(text[i + 2]) || !(text[i + 1] >= '0' && text[i + 1] <= '9')) {
    return 0;
  }
  out.append(text.substr(i, 3));
  i += 3;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsCodeChar(text[i])) out += text[i++];
  }
  if (i < text.size() && text[i] == '-' &&
      (i + 1 >= text.size() || !(text[i + 1] >= 'A' && text[i + 1] <= 'Z'))) {
    ++i;  // "E08.-", "O24.4-": everything under it
  }
  return i - at;
}

}  // namespace

std::string_view SystemName(System system) {
  switch (system) {
    case System::kIcd10Cm:
      return "icd10cm";
    case System::kIcd10Pcs:
      return "icd10pcs";
    case System::kHcpcs:
      return "hcpcs";
    case System::kCpt:
      return "cpt";
  }
  return "icd10cm";
}

std::string_view SystemTitle(System system) {
  switch (system) {
    case System::kIcd10Cm:
      return "ICD-10-CM";
    case System::kIcd10Pcs:
      return "ICD-10-PCS";
    case System::kHcpcs:
      return "HCPCS Level II";
    case System::kCpt:
      return "CPT";
  }
  return "";
}

std::string_view SystemUri(System system) {
  switch (system) {
    case System::kIcd10Cm:
      return "http://hl7.org/fhir/sid/icd-10-cm";
    case System::kIcd10Pcs:
      return "http://www.cms.gov/Medicare/Coding/ICD10";
    case System::kHcpcs:
      return "urn:oid:2.16.840.1.113883.6.285";
    case System::kCpt:
      return "http://www.ama-assn.org/go/cpt";
  }
  return "";
}

std::optional<System> ParseSystem(std::string_view name) {
  for (System s : {System::kIcd10Cm, System::kIcd10Pcs, System::kHcpcs, System::kCpt}) {
    if (name == SystemName(s) || name == SystemUri(s)) return s;
  }
  return std::nullopt;
}

std::string Normalize(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (char c : code) {
    if (c == '.' || c == ' ' || c == '\t') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string Display(System system, std::string_view code) {
  if (system != System::kIcd10Cm || code.size() <= 3) return std::string(code);
  return std::string(code.substr(0, 3)) + "." + std::string(code.substr(3));
}

std::optional<Date> ParseDate(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (iso[i] < '0' || iso[i] > '9') return std::nullopt;
  }
  y = (iso[0] - '0') * 1000 + (iso[1] - '0') * 100 + (iso[2] - '0') * 10 + (iso[3] - '0');
  m = (iso[5] - '0') * 10 + (iso[6] - '0');
  d = (iso[8] - '0') * 10 + (iso[9] - '0');
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap) return std::nullopt;
  return y * 10000 + m * 100 + d;
}

std::string FormatDate(Date date) {
  if (date == 0) return "";
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", date / 10000, date / 100 % 100, date % 100);
  return text;
}

std::string_view NoteKindName(NoteKind kind) {
  switch (kind) {
    case NoteKind::kIncludes:
      return "includes";
    case NoteKind::kInclusionTerm:
      return "inclusionTerm";
    case NoteKind::kExcludes1:
      return "excludes1";
    case NoteKind::kExcludes2:
      return "excludes2";
    case NoteKind::kCodeFirst:
      return "codeFirst";
    case NoteKind::kUseAdditionalCode:
      return "useAdditionalCode";
    case NoteKind::kCodeAlso:
      return "codeAlso";
    case NoteKind::kNote:
      return "notes";
    case NoteKind::kSevenChrNote:
      return "sevenChrNote";
  }
  return "notes";
}

bool CodeRange::Covers(std::string_view code) const {
  if (first == last) return code.starts_with(first);
  // A range of categories: the code's first characters fall between them.
  const std::string_view head = code.substr(0, std::min(code.size(), first.size()));
  return head >= std::string_view(first) &&
         code.substr(0, std::min(code.size(), last.size())) <= std::string_view(last);
}

std::vector<CodeRange> ReferencesIn(std::string_view text) {
  std::vector<CodeRange> out;
  std::size_t open = text.find('(');
  while (open != std::string_view::npos) {
    const std::size_t close = text.find(')', open);
    if (close == std::string_view::npos) break;
    const std::string_view inside = text.substr(open + 1, close - open - 1);
    std::string first;
    std::string last;
    for (std::size_t i = 0; i < inside.size();) {
      const std::size_t n = ReadCode(inside, i, first);
      if (n == 0) {
        ++i;
        continue;
      }
      i += n;
      if (i < inside.size() && inside[i] == '-') {
        const std::size_t m = ReadCode(inside, i + 1, last);
        if (m > 0) {
          out.push_back({first, last});
          i += 1 + m;
          continue;
        }
      }
      out.push_back({first, first});
    }
    open = text.find('(', close);
  }
  return out;
}

const Concept* Catalog::Find(System system, std::string_view code) const {
  const auto& map = concepts_[Index(system)];
  const auto it = map.find(std::string(code));
  return it == map.end() || it->second.header_node ? nullptr : &it->second;
}

std::vector<const Concept*> Catalog::Lineage(System system, std::string_view code) const {
  std::vector<const Concept*> out;
  const auto& map = concepts_[Index(system)];
  auto it = map.find(std::string(code));
  while (it != map.end() && out.size() < 16) {
    out.push_back(&it->second);
    if (it->second.parent.empty()) break;
    it = map.find(it->second.parent);
  }
  return out;
}

bool Catalog::InMce(MceList list, bool procedure, std::string_view code) const {
  return mce_[static_cast<std::size_t>(list)][procedure ? 1 : 0].contains(std::string(code));
}

bool Catalog::PoaExempt(std::string_view code) const {
  return poa_exempt_.contains(std::string(code));
}

bool Catalog::Excludes1(std::string_view a, std::string_view b) const {
  auto names = [&](std::string_view from, std::string_view other) {
    for (const Concept* node : Lineage(System::kIcd10Cm, from)) {
      for (const Note& note : node->notes) {
        if (note.kind != NoteKind::kExcludes1) continue;
        for (const CodeRange& r : ReferencesIn(note.text)) {
          // A note that names the code's own branch says nothing about the pair.
          if (r.Covers(other) && !r.Covers(from)) return true;
        }
      }
    }
    return false;
  };
  return names(a, b) || names(b, a);
}

Catalog::Catalog(const Catalog& other)
    : concepts_(other.concepts_),
      mce_(other.mce_),
      poa_exempt_(other.poa_exempt_),
      releases_(other.releases_),
      index_terms_(other.index_terms_) {}

Catalog& Catalog::operator=(const Catalog& other) {
  if (this != &other) *this = Catalog(other);
  return *this;
}

Catalog::~Catalog() = default;

void Catalog::BuildSearch() {
  search_.reset();
  suggester_.reset();
  search_ = std::make_shared<const SearchIndex>(*this);
  suggester_ = std::make_shared<const Suggester>(*this);
}

Concept& Catalog::Upsert(System system, const std::string& code) {
  search_.reset();  // the index would point at codes as they were
  suggester_.reset();
  Concept& c = concepts_[Index(system)][code];
  if (c.code.empty()) c.code = code;
  return c;
}

void Catalog::AddMce(MceList list, bool procedure, std::string code) {
  mce_[static_cast<std::size_t>(list)][procedure ? 1 : 0].insert(std::move(code));
}

void Catalog::AddPoaExempt(std::string code) { poa_exempt_.insert(std::move(code)); }

void Catalog::Link(System system) {
  search_.reset();
  suggester_.reset();
  auto& map = concepts_[Index(system)];
  for (auto& [code, node] : map) {
    if (!node.parent.empty() || node.header_node) continue;
    for (std::size_t n = code.size(); n-- > 1;) {
      if (const auto it = map.find(code.substr(0, n)); it != map.end()) {
        node.parent = it->first;
        break;
      }
    }
  }
  for (auto& [code, node] : map) node.children.clear();
  for (auto& [code, node] : map) {
    if (node.parent.empty()) continue;
    if (const auto it = map.find(node.parent); it != map.end()) {
      it->second.children.push_back(code);
    }
  }
  for (auto& [code, node] : map) std::sort(node.children.begin(), node.children.end());
}

}  // namespace chartroom::coding
