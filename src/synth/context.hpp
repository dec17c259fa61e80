// Internal to synth/: the state one Generate call shares between its parts: the options, the
// sink and its counters, id and MRN assignment, and the directory of facilities, locations and
// clinicians every patient's history points into.
//
// Thread safety: one Context per Generate call, used from that call's thread only.

#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "synth/calendar.hpp"
#include "synth/generator.hpp"
#include "synth/json_writer.hpp"
#include "synth/rng.hpp"
#include "synth/tables.hpp"

namespace chartroom::synth {

struct Person;

struct Clinician {
  std::string id;
  std::string given;
  std::string family;
  std::string_view qualification;  // "MD", "DO", "NP"
  Specialty specialty;
  std::uint8_t facility;
};

inline constexpr std::size_t kMaxFacilities = 8;

struct Directory {
  std::string system_org_id;
  std::vector<std::string> facility_org_ids;  // per facility
  std::vector<Clinician> clinicians;
  // Clinician indexes and the department Location id per facility and specialty (empty when
  // the facility does not offer the specialty).
  std::array<std::array<std::vector<std::uint16_t>, kSpecialtyCount>, kMaxFacilities> staff;
  std::array<std::array<std::string, kSpecialtyCount>, kMaxFacilities> locations;

  // The facility that takes a patient of `home` for `specialty`: `home` when it offers it,
  // otherwise the hospital in the same state (or the first hospital).
  std::uint8_t SiteFor(std::uint8_t home, Specialty specialty) const;
  // A clinician of `specialty` at `facility` (which must offer it).
  const Clinician& Pick(std::uint8_t facility, Specialty specialty, Rng& rng) const;
};

class Context {
 public:
  Context(const GenerateOptions& options, Days reference, OutputSink& sink);

  Days reference() const { return reference_; }
  std::uint64_t seed() const { return options_.seed; }
  const Directory& directory() const { return directory_; }
  Directory& mutable_directory() { return directory_; }

  // A new resource id (a version-4-shaped UUID), derived from the seed, the file and a counter.
  std::string NewId(OutputFile file);
  // The next MRN of `facility` (unique per facility; see GenerateOptions::mrn_format).
  std::string NextMrn(std::uint8_t facility);
  // Appends '\n' to `line`, hands it to the sink and counts it. After a sink error nothing more
  // is written and failed() is true.
  void Emit(OutputFile file, std::string& line);
  bool failed() const { return !status_.has_value(); }
  const Status& status() const { return status_; }
  GenerateSummary& summary() { return summary_; }

  // "Type/id".
  static std::string Ref(std::string_view type, std::string_view id);
  // FHIR dateTime in the time zone of `facility`.
  void AppendDateTime(std::string& out, Days day, int seconds, std::uint8_t facility) const;

  // Scratch buffer for one resource; callers clear it.
  std::string& buffer() { return buffer_; }

 private:
  const GenerateOptions& options_;
  Days reference_;
  OutputSink& sink_;
  Status status_;
  GenerateSummary summary_;
  Directory directory_;
  std::array<std::uint64_t, kOutputFileCount> id_counters_{};
  std::array<std::uint64_t, kMaxFacilities> mrn_counters_{};
  std::string buffer_;
};

// Writes every resource of one patient's clinical history (encounters and what happens in them,
// allergies, immunizations, notes and their PHI spans). `volume` scales how much history a
// record gets (duplicate registrations get less). chart.cpp.
void WriteChart(Context& ctx, const Person& person, const std::string& patient_id,
                const std::string& mrn, double volume);

// FHIR datatype helpers over JsonWriter.
void WriteCoding(JsonWriter& w, std::string_view system, std::string_view code,
                 std::string_view display);
void WriteConcept(JsonWriter& w, std::string_view key, std::string_view system,
                  std::string_view code, std::string_view display);
void WriteReference(JsonWriter& w, std::string_view key, std::string_view type,
                    std::string_view id);

}  // namespace chartroom::synth
