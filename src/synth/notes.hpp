// Internal to synth/: free-text clinical notes built from templates, and the record of where
// each piece of PHI sits in them (the ground truth of phi-spans.ndjson). Offsets are UTF-8 byte
// offsets into the note text, end exclusive.
//
// Thread safety: NoteText is a plain value; ComposeNote is pure apart from the Rng it draws from.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "synth/calendar.hpp"
#include "synth/rng.hpp"

namespace chartroom::synth {

struct Person;

// PHI categories, after the identifiers of HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)
// (docs/synthetic-data.md maps each one).
enum class PhiCategory : std::uint8_t {
  kPatientName,
  kRelativeName,
  kClinicianName,
  kDate,
  kAge,
  kMrn,
  kSsn,
  kPhone,
  kEmail,
  kStreet,
  kCity,
  kZip,
  kFacility,
};
std::string_view PhiCategoryName(PhiCategory category);

struct PhiSpan {
  std::uint32_t start;
  std::uint32_t end;
  PhiCategory category;
};

class NoteText {
 public:
  void Text(std::string_view text) { text_ += text; }
  void Phi(std::string_view text, PhiCategory category);
  void Clear() {
    text_.clear();
    spans_.clear();
  }
  const std::string& text() const { return text_; }
  const std::vector<PhiSpan>& spans() const { return spans_; }

 private:
  std::string text_;
  std::vector<PhiSpan> spans_;
};

enum class NoteKind : std::uint8_t {
  kDischargeSummary,
  kHistoryAndPhysical,
  kProgress,
  kOperative,
  kEmergency,
};

// What a note may mention. Views point into the caller's data, alive during ComposeNote.
struct NoteFacts {
  const Person* person = nullptr;
  std::string_view mrn;
  int age = 0;  // on the first day of the note's encounter
  std::string_view facility;
  std::string_view clinician_given;
  std::string_view clinician_family;
  std::string_view clinician_qualification;
  std::string_view pcp_given;  // may be empty
  std::string_view pcp_family;
  Days start = 0;
  Days end = 0;  // the day the note is about (discharge day for a discharge summary)
  std::string_view complaint;
  std::string_view course;
  std::vector<std::string_view> diagnoses;
  std::vector<std::string_view> history;
  std::vector<std::string_view> medications;
  std::vector<std::string_view> procedures;
  std::vector<std::string_view> allergies;
  int heart_rate = 0;  // 0: no vitals taken
  int systolic = 0;
  int diastolic = 0;
  double temperature = 0;
};

// Writes a note of `kind` about `facts` into `out` (cleared first).
void ComposeNote(NoteKind kind, const NoteFacts& facts, Rng& rng, NoteText& out);

}  // namespace chartroom::synth
