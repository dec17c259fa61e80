// The code sets coders work with, in memory: ICD-10-CM (codes, titles, billable flag, the
// tabular list's hierarchy and instructional notes), ICD-10-PCS, HCPCS Level II and a licensed
// CPT file when one is imported, the Medicare Code Editor's code lists and the POA-exempt list.
// Built by the importers (importers.hpp) from the official release files; docs/coding.md.
//
// Codes are kept as the files write them without the dot ("E119"); Normalize turns what a user
// types ("e11.9", " E11.9 ") into that form and Display puts the dot back for ICD-10-CM.
//
// Thread safety: a Catalog is built on one thread, then shared read-only.

#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace chartroom::coding {

class SearchIndex;
class Suggester;

enum class System : std::uint8_t { kIcd10Cm, kIcd10Pcs, kHcpcs, kCpt };
inline constexpr std::size_t kSystemCount = 4;

std::string_view SystemName(System system);   // "icd10cm", "icd10pcs", "hcpcs", "cpt"
std::string_view SystemUri(System system);    // the FHIR system URI
std::string_view SystemTitle(System system);  // "ICD-10-CM", "ICD-10-PCS", "HCPCS Level II", "CPT"
std::optional<System> ParseSystem(std::string_view name_or_uri);

// "e11.9" -> "E119": spaces and dots dropped, upper case.
std::string Normalize(std::string_view code);
// "E119" -> "E11.9" for ICD-10-CM (a dot after the third character); others unchanged.
std::string Display(System system, std::string_view code);

// A calendar date as yyyymmdd (20201001); 0: none.
using Date = std::int32_t;
// "2020-10-01" -> 20201001; nullopt when not a valid date.
std::optional<Date> ParseDate(std::string_view iso);
std::string FormatDate(Date date);

enum class NoteKind : std::uint8_t {
  kIncludes,
  kInclusionTerm,
  kExcludes1,
  kExcludes2,
  kCodeFirst,
  kUseAdditionalCode,
  kCodeAlso,
  kNote,
  kSevenChrNote,
};
std::string_view NoteKindName(NoteKind kind);  // "includes", "inclusionTerm", "excludes1" ...

struct Note {
  NoteKind kind;
  std::string text;
};

// A range of codes a note points at: "E08.-" (every code starting E08), "P70.2" (that code and
// its children), "A00-A09" (the categories A00 to A09 and their children).
struct CodeRange {
  std::string first;  // normalized, without the trailing "-"
  std::string last;   // == first for a single code or category
  bool Covers(std::string_view code) const;
};
// The code references in a note's text: those in parentheses, as the tabular list writes them.
std::vector<CodeRange> ReferencesIn(std::string_view text);

struct Concept {
  std::string code;  // normalized
  std::string title;
  std::string short_title;
  bool billable = false;  // valid for HIPAA reporting (a complete code), not a header
  std::string parent;     // the enclosing code, section ("A00-A09") or chapter ("1"); "" at the top
  std::vector<std::string> children;
  std::vector<Note> notes;
  Date valid_from = 0;       // the first release that has it
  Date valid_to = 0;         // the day before the first later release without it; 0: still valid
  bool header_node = false;  // a chapter or section of the tabular list, not a code
};

// The Medicare Code Editor's lists of codes (MCE "simple" edits), by edit type.
enum class MceList : std::uint8_t {
  kNewbornOnly,            // 4A: age 0
  kPediatricOnly,          // 4B: 0-17
  kMaternityOnly,          // 4C: 12-55
  kAdultOnly,              // 4D: 15-124
  kFemaleOnly,             // 5A / 5B
  kMaleOnly,               // 5C / 5D
  kManifestation,          // 6: not as principal
  kQuestionableAdmission,  // 8A: as principal
  kUnacceptablePrincipal,  // 9
  kNoncovered,             // 11A
  kLimitedCoverage,        // 17A
};
inline constexpr std::size_t kMceListCount = 11;

// An entry of the Alphabetic Index or of one of its tables (drugs, neoplasms, external causes):
// the term with its subterms ("Neoplasm, neoplastic, abdomen, abdominal"), the table column it
// is from ("Malignant Primary", "" outside the tables) and the code it leads to, as the index
// writes it (it may lack a 7th character or end in "-").
struct IndexTerm {
  std::string term;
  std::string column;
  std::string code;  // normalized, without a trailing "-"
};

// One release file as it was loaded, for reporting.
struct ReleaseInfo {
  std::string system;  // "icd10cm", "mce", ...
  std::string name;    // the file
  Date effective = 0;
  std::size_t entries = 0;
};

class Catalog {
 public:
  Catalog() = default;
  // A copy has no search index (the original's points into the original); a move keeps it.
  Catalog(const Catalog& other);
  Catalog& operator=(const Catalog& other);
  Catalog(Catalog&&) = default;
  Catalog& operator=(Catalog&&) = default;
  ~Catalog();

  // The concept with `code` (normalized) in `system`, or null.
  const Concept* Find(System system, std::string_view code) const;
  // The node itself, then its parent, and so on to the chapter.
  std::vector<const Concept*> Lineage(System system, std::string_view code) const;
  bool InMce(MceList list, bool procedure, std::string_view code) const;
  bool PoaExempt(std::string_view code) const;
  // An Excludes1 note at `a` or above it names `b`, or the other way round.
  bool Excludes1(std::string_view a, std::string_view b) const;
  std::size_t size(System system) const { return concepts_[Index(system)].size(); }
  const std::vector<ReleaseInfo>& releases() const { return releases_; }
  const std::unordered_map<std::string, Concept>& concepts(System system) const {
    return concepts_[Index(system)];
  }

  // Building (importers.hpp).
  Concept& Upsert(System system, const std::string& code);
  void AddMce(MceList list, bool procedure, std::string code);
  void AddPoaExempt(std::string code);
  void AddIndexTerm(IndexTerm term) { index_terms_.push_back(std::move(term)); }
  const std::vector<IndexTerm>& index_terms() const { return index_terms_; }
  void AddRelease(ReleaseInfo release) { releases_.push_back(std::move(release)); }
  // Links children to parents: a code without a parent from the tabular list gets its longest
  // proper prefix that is a code.
  void Link(System system);
  // Builds the word search (search.hpp) and the suggester (cac.hpp) over the codes as they now
  // are. Any change to the codes drops them (they point into them).
  void BuildSearch();
  // Null until BuildSearch.
  const SearchIndex* search() const { return search_.get(); }
  // The note-text suggester (cac.hpp), built with the search; null until BuildSearch.
  const Suggester* suggester() const { return suggester_.get(); }

 private:
  static std::size_t Index(System s) { return static_cast<std::size_t>(s); }
  std::array<std::unordered_map<std::string, Concept>, kSystemCount> concepts_;
  std::array<std::array<std::unordered_set<std::string>, 2>, kMceListCount> mce_;
  std::unordered_set<std::string> poa_exempt_;
  std::vector<ReleaseInfo> releases_;
  std::vector<IndexTerm> index_terms_;
  std::shared_ptr<const SearchIndex> search_;
  std::shared_ptr<const Suggester> suggester_;
};

}  // namespace chartroom::coding
