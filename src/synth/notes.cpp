#include "synth/notes.hpp"

#include <string>

#include "synth/person.hpp"
#include "synth/tables.hpp"
#include "synth/text.hpp"

namespace chartroom::synth {
namespace {

using P = PhiCategory;

std::string_view Pick(Rng& rng, std::initializer_list<std::string_view> options) {
  return options.begin()[rng.Index(options.size())];
}

DateStyle PickStyle(Rng& rng) {
  const std::uint32_t r = rng.Below(10);
  return r < 5 ? DateStyle::kUs
               : (r < 7 ? DateStyle::kLong : (r < 9 ? DateStyle::kIso : DateStyle::kShortYear));
}

// A small helper that remembers the date style of the note, so one note is consistent.
class Writer {
 public:
  Writer(const NoteFacts& facts, Rng& rng, NoteText& out)
      : f_(facts), p_(*facts.person), rng_(rng), out_(out), style_(PickStyle(rng)) {}

  Writer& T(std::string_view text) {
    out_.Text(text);
    return *this;
  }
  Writer& Date(Days day) {
    std::string s;
    AppendNoteDate(s, day, style_);
    out_.Phi(s, P::kDate);
    return *this;
  }
  Writer& Age() {
    if (f_.age < 2) {
      const int months = (f_.start - p_.birth) / 30;
      if (months < 1) {
        out_.Phi(std::to_string(f_.start - p_.birth), P::kAge);
        return T("-day-old");
      }
      out_.Phi(std::to_string(months), P::kAge);
      return T("-month-old");
    }
    out_.Phi(std::to_string(f_.age), P::kAge);
    return T("-year-old");
  }
  // "Maria Garcia", "GARCIA, MARIA" or "Maria R. Garcia".
  Writer& FullName() {
    const std::uint32_t r = rng_.Below(4);
    if (r == 0 && IsAscii(p_.given) && IsAscii(p_.family)) {
      out_.Phi(AsciiUpper(p_.family) + ", " + AsciiUpper(p_.given), P::kPatientName);
    } else if (r == 1 && !p_.middle.empty()) {
      out_.Phi(p_.given + " " + p_.middle.substr(0, 1) + ". " + p_.family, P::kPatientName);
    } else {
      out_.Phi(p_.given + " " + p_.family, P::kPatientName);
    }
    return *this;
  }
  // "Ms. Garcia" / "Maria" (children are called by their given name).
  Writer& ShortName() {
    if (f_.age < 18) {
      out_.Phi(p_.given, P::kPatientName);
      return *this;
    }
    T(p_.sex == Sex::kFemale ? "Ms. " : (p_.sex == Sex::kMale ? "Mr. " : "Mx. "));
    out_.Phi(p_.family, P::kPatientName);
    return *this;
  }
  Writer& Clinician() {
    out_.Phi(std::string(f_.clinician_given) + " " + std::string(f_.clinician_family),
             P::kClinicianName);
    T(", ");
    return T(f_.clinician_qualification);
  }
  Writer& Pcp() {
    T("Dr. ");
    out_.Phi(f_.pcp_family, P::kClinicianName);
    return *this;
  }
  Writer& Facility() {
    out_.Phi(f_.facility, P::kFacility);
    return *this;
  }
  Writer& Mrn() {
    out_.Phi(f_.mrn, P::kMrn);
    return *this;
  }
  Writer& Phone(std::string_view phone) {
    out_.Phi(phone, P::kPhone);
    return *this;
  }
  Writer& Address() {
    const City& city = Cities()[p_.address.city];
    out_.Phi(p_.address.line, P::kStreet);
    if (!p_.address.unit.empty()) {
      T(", ");
      out_.Phi(p_.address.unit, P::kStreet);
    }
    T(", ");
    out_.Phi(city.name, P::kCity);
    T(", ");
    T(city.state);
    T(" ");
    out_.Phi(p_.address.zip, P::kZip);
    return *this;
  }
  Writer& Relative() {
    const Contact& c = p_.contact;
    out_.Phi(c.given + " " + c.family, P::kRelativeName);
    return *this;
  }
  Writer& List(const std::vector<std::string_view>& items, std::string_view none) {
    if (items.empty()) return T(none);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i > 0) T(i + 1 == items.size() ? (items.size() > 2 ? ", and " : " and ") : ", ");
      T(items[i]);
    }
    return *this;
  }
  Writer& Numbered(const std::vector<std::string_view>& items, std::string_view none) {
    if (items.empty()) return T(none).T("\n");
    for (std::size_t i = 0; i < items.size(); ++i) {
      T(std::to_string(i + 1)).T(". ").T(items[i]).T("\n");
    }
    return *this;
  }
  Writer& Vitals() {
    if (f_.heart_rate == 0) return *this;
    T("Vital signs: heart rate ").T(std::to_string(f_.heart_rate));
    if (f_.systolic > 0) {
      T(", blood pressure ").T(std::to_string(f_.systolic)).T("/").T(std::to_string(f_.diastolic));
    }
    const int tenths = static_cast<int>(f_.temperature * 10 + 0.5);
    T(", temperature ").T(std::to_string(tenths / 10)).T(".").T(std::to_string(tenths % 10));
    return T(" C.\n");
  }
  Writer& Header(std::string_view title) {
    T(title).T("\n\n");
    T(Pick(rng_, {"Patient: ", "Patient name: ", "Name: "})).FullName().T("\n");
    T("MRN: ").Mrn().T("    DOB: ");
    Date(p_.birth).T("\n");
    return *this;
  }
  Writer& Identity() {
    // "Maria Garcia is a 54-year-old woman"
    ShortName().T(" is a ").Age().T(" ");
    if (f_.age < 18)
      return T(p_.sex == Sex::kFemale ? "girl" : (p_.sex == Sex::kMale ? "boy" : "child"));
    return T(p_.sex == Sex::kFemale ? "woman" : (p_.sex == Sex::kMale ? "man" : "patient"));
  }
  Writer& Social() {
    if (rng_.Chance(0.5)) {
      T("Lives at ").Address();
      if (p_.has_contact) {
        T(" with ").T(p_.contact.relation).T(", ").Relative();
      }
      T(".\n");
    }
    if (p_.has_contact && rng_.Chance(0.6)) {
      T("Emergency contact: ").Relative().T(" (").T(p_.contact.relation).T("), ");
      Phone(p_.contact.phone).T(".\n");
    }
    if (rng_.Chance(0.5)) T("Best number to reach the patient: ").Phone(p_.phone).T(".\n");
    if (!p_.email.empty() && rng_.Chance(0.3)) {
      T("Prefers e-mail: ");
      out_.Phi(p_.email, P::kEmail);
      T(".\n");
    }
    if (!p_.ssn.empty() && rng_.Chance(0.05)) {
      T("SSN on file: ");
      out_.Phi(p_.ssn, P::kSsn);
      T(".\n");
    }
    return *this;
  }

  const NoteFacts& f_;
  const Person& p_;
  Rng& rng_;
  NoteText& out_;
  DateStyle style_;
};

void DischargeSummary(Writer& w, const NoteFacts& f) {
  w.Header("DISCHARGE SUMMARY");
  w.T("Admission date: ").Date(f.start).T("    Discharge date: ").Date(f.end).T("\n");
  w.T("Attending: ").Clinician().T("\nFacility: ").Facility().T("\n\n");
  w.T("HISTORY OF PRESENT ILLNESS:\n").Identity();
  if (!f.history.empty()) w.T(" with a history of ").List(f.history, "");
  w.T(" who presented on ").Date(f.start).T(" with ").T(f.complaint).T(".\n\n");
  w.T("HOSPITAL COURSE:\n").ShortName().T(" ").T(f.course).T(".");
  if (!f.procedures.empty()) w.T(" Procedures: ").List(f.procedures, "").T(".");
  w.T("\n\nDISCHARGE DIAGNOSES:\n").Numbered(f.diagnoses, "None recorded.");
  w.T("\nDISCHARGE MEDICATIONS:\n").Numbered(f.medications, "No new medications.");
  w.T("\nALLERGIES: ").List(f.allergies, "No known allergies").T(".\n\n");
  w.T("FOLLOW-UP:\n");
  if (!f.pcp_family.empty()) {
    w.T("Follow up with ").Pcp().T(" within ").T(w.rng_.Chance(0.5) ? "one week" : "two weeks");
    w.T(".\n");
  }
  w.Social();
  w.T("\nElectronically signed by ").Clinician().T(" on ").Date(f.end).T(".\n");
}

void HistoryAndPhysical(Writer& w, const NoteFacts& f) {
  w.Header("HISTORY AND PHYSICAL");
  w.T("Date of admission: ").Date(f.start).T("\nFacility: ").Facility().T("\n\n");
  w.T("CHIEF COMPLAINT: ").T(f.complaint).T("\n\n");
  w.T("HISTORY OF PRESENT ILLNESS:\n").Identity();
  w.T(" presenting with ").T(f.complaint).T(". ");
  w.T(Pick(w.rng_, {"Symptoms began two days before admission.", "Symptoms started earlier today.",
                    "The family reports the symptoms have worsened over the past week."}));
  w.T("\n\nPAST MEDICAL HISTORY: ").List(f.history, "None").T(".\n");
  w.T("ALLERGIES: ").List(f.allergies, "NKDA").T(".\n");
  w.T("SOCIAL HISTORY: ");
  w.Social();
  w.T("\nPHYSICAL EXAMINATION:\n").Vitals();
  w.T(Pick(w.rng_, {"General: alert, in mild distress.\n", "General: tired-appearing but alert.\n",
                    "General: no acute distress.\n"}));
  w.T("\nASSESSMENT AND PLAN:\n").Numbered(f.diagnoses, "Under evaluation.");
  w.T("Admit to ").Facility().T(" under the care of ").Clinician().T(".\n");
}

void Progress(Writer& w, const NoteFacts& f, bool emergency) {
  w.T(emergency ? "EMERGENCY DEPARTMENT NOTE\n\n" : "PROGRESS NOTE\n\n");
  w.T("Patient: ").FullName().T("  (MRN ").Mrn().T(")\n");
  w.T("Date of service: ").Date(f.start).T("\nProvider: ").Clinician().T("\n\n");
  w.T("SUBJECTIVE:\n").Identity();
  if (!f.complaint.empty()) {
    w.T(emergency ? " brought in for " : " seen today for ").T(f.complaint).T(". ");
  } else {
    w.T(" seen today for a routine visit. ");
  }
  if (!f.history.empty()) w.T("History of ").List(f.history, "").T(". ");
  if (f.person->has_contact && w.rng_.Chance(0.4)) {
    w.T("Accompanied by ").T(f.person->contact.relation).T(", ").Relative().T(". ");
  }
  w.T("\n\nOBJECTIVE:\n").Vitals();
  w.T("\nASSESSMENT:\n").Numbered(f.diagnoses, "Routine examination, no acute findings.");
  w.T("\nPLAN:\n");
  if (!f.medications.empty()) w.T("Prescribed ").List(f.medications, "").T(". ");
  if (!f.procedures.empty()) w.T("Performed: ").List(f.procedures, "").T(". ");
  w.T(Pick(w.rng_, {"Return if symptoms worsen.", "Follow up in three months.",
                    "Follow up as needed.", "Call the clinic with any questions."}));
  w.T("\n");
  if (w.rng_.Chance(0.4)) w.T("Callback number confirmed: ").Phone(f.person->phone).T(".\n");
  if (!emergency && !f.pcp_family.empty() && w.rng_.Chance(0.4)) {
    w.T("Copy to primary care: ").Pcp().T(".\n");
  }
}

void Operative(Writer& w, const NoteFacts& f) {
  w.Header("OPERATIVE NOTE");
  w.T("Date of surgery: ").Date(f.end).T("\nSurgeon: ").Clinician().T("\nFacility: ");
  w.Facility().T("\n\n");
  w.T("PREOPERATIVE DIAGNOSIS: ").List(f.diagnoses, "See chart").T(".\n");
  w.T("POSTOPERATIVE DIAGNOSIS: Same.\n");
  w.T("PROCEDURE: ").List(f.procedures, "See chart").T(".\n");
  w.T("ANESTHESIA: ").T(Pick(w.rng_, {"General endotracheal.", "Spinal.", "Monitored sedation."}));
  w.T("\nESTIMATED BLOOD LOSS: ").T(std::to_string(10 * (1 + w.rng_.Below(30)))).T(" mL.\n\n");
  w.T("INDICATIONS: ").Identity().T(" with ").T(f.complaint).T(".\n\n");
  w.T("DESCRIPTION: The patient was identified by name and date of birth (");
  w.Date(f.person->birth).T(") in the preoperative area. ");
  w.T("The procedure was performed without complication and the patient was taken to recovery "
      "in stable condition.\n");
}

}  // namespace

std::string_view PhiCategoryName(PhiCategory category) {
  switch (category) {
    case P::kPatientName:
      return "patient-name";
    case P::kRelativeName:
      return "relative-name";
    case P::kClinicianName:
      return "clinician-name";
    case P::kDate:
      return "date";
    case P::kAge:
      return "age";
    case P::kMrn:
      return "mrn";
    case P::kSsn:
      return "ssn";
    case P::kPhone:
      return "phone";
    case P::kEmail:
      return "email";
    case P::kStreet:
      return "street";
    case P::kCity:
      return "city";
    case P::kZip:
      return "zip";
    case P::kFacility:
      return "facility";
  }
  return "unknown";
}

void NoteText::Phi(std::string_view text, PhiCategory category) {
  const auto start = static_cast<std::uint32_t>(text_.size());
  text_ += text;
  spans_.push_back({start, static_cast<std::uint32_t>(text_.size()), category});
}

void ComposeNote(NoteKind kind, const NoteFacts& facts, Rng& rng, NoteText& out) {
  out.Clear();
  Writer w(facts, rng, out);
  switch (kind) {
    case NoteKind::kDischargeSummary:
      DischargeSummary(w, facts);
      return;
    case NoteKind::kHistoryAndPhysical:
      HistoryAndPhysical(w, facts);
      return;
    case NoteKind::kProgress:
      Progress(w, facts, /*emergency=*/false);
      return;
    case NoteKind::kEmergency:
      Progress(w, facts, /*emergency=*/true);
      return;
    case NoteKind::kOperative:
      Operative(w, facts);
      return;
  }
}

}  // namespace chartroom::synth
