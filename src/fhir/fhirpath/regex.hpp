// Regex: the regular expressions of FHIRPath's matches(), matchesFull() and replaceMatches()
// (https://hl7.org/fhirpath/N1/#matchesregex-string-boolean), run by a Pike VM so that matching
// takes time linear in the subject and never recurses: hostile patterns such as (a|a)*b cannot
// hang or exhaust the stack, which std::regex's backtracking does.
//
// Syntax (the PCRE/ECMAScript subset used by FHIR): literals, '.', [classes] with ranges and
// negation, \d \D \w \W \s \S \b \B, \t \n \r \f \v \xHH \uHHHH and escaped punctuation,
// groups (...) and (?:...), alternation |, anchors ^ $, and the greedy or lazy quantifiers
// * + ? {n} {n,} {n,m}. Backreferences and lookaround are not supported (Compile fails).
// '.' matches any character including line breaks (FHIRPath's single-line mode). Matching works
// on bytes; a UTF-8 character is matched by '.' one byte at a time, which gives the same answer
// for the patterns FHIR uses.
//
// Immutable after Compile; safe to use from many threads.

#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chartroom::fhir::fhirpath {

class Regex {
 public:
  // nullopt when `pattern` is malformed, uses an unsupported feature, or compiles to more than
  // kMaxProgram instructions.
  static std::optional<Regex> Compile(std::string_view pattern);

  static constexpr std::size_t kMaxProgram = 4000;

  // True if the pattern matches somewhere in `text` (matches()).
  bool Search(std::string_view text) const;
  // True if the pattern matches all of `text` (matchesFull()).
  bool FullMatch(std::string_view text) const;
  // Replaces every non-overlapping match; `replacement` may use $1..$9 for groups, $& for the
  // match and $$ for a dollar sign.
  std::string ReplaceAll(std::string_view text, std::string_view replacement) const;

  // The number of VM steps one match over `length` bytes may take, for work accounting.
  std::size_t Cost(std::size_t length) const { return (length + 1) * program_.size(); }

 private:
  enum class Op : std::uint8_t {
    kChar,
    kAny,
    kClass,
    kSplit,
    kJmp,
    kSave,
    kMatch,
    kBol,
    kEol,
    kWordBoundary,
    kNotWordBoundary
  };
  struct Inst {
    Op op;
    unsigned char c = 0;
    int x = 0;  // kSplit: preferred branch; kJmp: target; kSave: slot; kClass: class index
    int y = 0;  // kSplit: other branch
  };
  friend class RegexCompiler;

  // Leftmost-first match starting the search at `from`; fills captures (2 per group, group 0 is
  // the whole match) and returns false when there is none. `anchored` requires a match at `from`
  // that (with `to_end`) extends to the end.
  bool Run(std::string_view text, std::size_t from, bool anchored, bool to_end,
           std::vector<int>* captures) const;

  std::vector<Inst> program_;
  std::vector<std::bitset<256>> classes_;
  int groups_ = 1;  // including group 0
};

}  // namespace chartroom::fhir::fhirpath
