#include "roi/packet.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include <boost/json.hpp>

#include "crypto/keyed_hash.hpp"
#include "pdf/document.hpp"
#include "roi/fields.hpp"

namespace chartroom::roi {
namespace json = boost::json;

const char* const kPart2Notice =
    "This information has been disclosed to you from records protected by federal "
    "confidentiality rules (42 CFR part 2). The federal rules prohibit you from making any "
    "further disclosure of information in this record that identifies a patient as having or "
    "having had a substance use disorder either directly, by reference to publicly available "
    "information, or through verification of such identification by another person unless "
    "further disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed or as otherwise permitted by 42 CFR part 2. A general "
    "authorization for the release of medical or other information is NOT sufficient for this "
    "purpose (see 42 CFR 2.31). The federal rules restrict any use of the information to "
    "investigate or prosecute with regard to a crime any patient with a substance use disorder, "
    "except as provided at 42 CFR 2.12(c)(5) and 2.65.";

namespace {

using pdf::Font;

constexpr double kMargin = 54;                    // 3/4 inch
constexpr double kTop = pdf::kLetterHeight - 96;  // below the page header
constexpr double kBottom = 64;                    // above the footer
constexpr double kWidth = pdf::kLetterWidth - 2 * kMargin;
constexpr pdf::Color kGrey{0.35, 0.35, 0.35};

// Lines placed on pages, before the pages' headers, footers and numbers are known.
struct Placed {
  double x, y;
  Font font;
  double size;
  std::string text;
  pdf::Color color;
};

class Layout {
 public:
  Layout() { NewPage(); }

  void NewPage() {
    pages_.emplace_back();
    y_ = kTop;
  }
  std::size_t page() const { return pages_.size(); }  // 1-based, the current one
  std::size_t pages() const { return pages_.size(); }
  const std::vector<std::vector<Placed>>& placed() const { return pages_; }

  // One line; a new page first when it does not fit.
  void Line(std::string_view text, Font font = Font::kHelvetica, double size = 10,
            double indent = 0, pdf::Color color = {}) {
    const double height = size * 1.35;
    if (y_ - height < kBottom) NewPage();
    y_ -= height;
    pages_.back().push_back({kMargin + indent, y_, font, size, std::string(text), color});
  }
  // `left` at the margin and `right` against the right margin, on one line.
  void Pair(std::string_view left, std::string_view right, Font font = Font::kHelvetica,
            double size = 10) {
    Line(left, font, size);
    pages_.back().push_back({kMargin + kWidth - pdf::TextWidth(font, size, right),
                             y_,
                             font,
                             size,
                             std::string(right),
                             {}});
  }
  void Paragraph(std::string_view text, Font font = Font::kHelvetica, double size = 10,
                 double indent = 0, pdf::Color color = {}) {
    for (const std::string& l : pdf::Wrap(font, size, text, kWidth - indent)) {
      Line(l, font, size, indent, color);
    }
  }
  // Room before the next line; the next line opens a new page if it no longer fits (a space
  // never opens a page of its own).
  void Space(double points) { y_ -= points; }
  // Keeps a heading with what follows it: a new page when less than `points` remain.
  void Keep(double points) {
    if (y_ - points < kBottom) NewPage();
  }

 private:
  std::vector<std::vector<Placed>> pages_;
  double y_ = kTop;
};

std::string Money(std::int64_t cents) {
  char out[32];
  std::snprintf(out, sizeof out, "$%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return out;
}

Result<json::object> ObjectOf(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return json::object();
  return std::move(v.get_object());
}

const json::value* At(const json::object& o, std::string_view key) { return o.if_contains(key); }

// The words of a CodeableConcept: its text, else its first coding's display (with the code).
std::string Concept(const json::value* v) {
  if (v == nullptr) return "";
  if (v->is_array()) return v->get_array().empty() ? "" : Concept(&v->get_array()[0]);
  const json::object* o = v->if_object();
  if (o == nullptr) return v->is_string() ? std::string(v->get_string()) : "";
  if (std::string text = Text(*o, "text"); !text.empty()) return text;
  if (const json::value* codings = o->if_contains("coding");
      codings != nullptr && codings->is_array()) {
    for (const json::value& c : codings->get_array()) {
      if (!c.is_object()) continue;
      std::string display = Text(c.get_object(), "display");
      const std::string code = Text(c.get_object(), "code");
      if (!display.empty()) return code.empty() ? display : display + " (" + code + ")";
      if (!code.empty()) return code;
    }
  }
  if (std::string display = Text(*o, "display"); !display.empty()) return display;  // Reference
  return Text(*o, "code");  // a bare Coding (Encounter.class)
}

std::string Quantity(const json::value* v) {
  const json::object* o = v != nullptr ? v->if_object() : nullptr;
  if (o == nullptr) return "";
  const json::value* value = o->if_contains("value");
  if (value == nullptr || !value->is_number()) return "";
  std::string out = json::serialize(*value);
  const std::string unit = Text(*o, "unit").empty() ? Text(*o, "code") : Text(*o, "unit");
  if (!unit.empty()) out += " " + unit;
  return out;
}

std::string ValueOf(const json::object& r) {
  if (std::string q = Quantity(At(r, "valueQuantity")); !q.empty()) return q;
  if (std::string c = Concept(At(r, "valueCodeableConcept")); !c.empty()) return c;
  for (std::string_view key : {"valueString", "valueDateTime", "valueInteger", "valueBoolean"}) {
    if (const json::value* v = At(r, key)) {
      return v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    }
  }
  return "";
}

std::string Name(const json::object& patient) {
  const json::value* names = At(patient, "name");
  if (names == nullptr || !names->is_array() || names->get_array().empty()) return "(no name)";
  const json::object* n = names->get_array()[0].if_object();
  if (n == nullptr) return "(no name)";
  std::string given;
  if (const json::value* g = n->if_contains("given"); g != nullptr && g->is_array()) {
    for (const json::value& part : g->get_array()) {
      if (part.is_string()) given += (given.empty() ? "" : " ") + std::string(part.get_string());
    }
  }
  const std::string family = Text(*n, "family");
  return given.empty() ? family : family + ", " + given;
}

std::string RecordNumber(const json::object& patient) {
  const json::value* ids = At(patient, "identifier");
  if (ids == nullptr || !ids->is_array()) return "";
  for (const json::value& id : ids->get_array()) {
    if (!id.is_object()) continue;
    const json::object& o = id.get_object();
    const std::string type = Concept(o.if_contains("type"));
    if (type.find("MR") != std::string::npos || type.find("Medical record") != std::string::npos) {
      return Text(o, "value");
    }
  }
  for (const json::value& id : ids->get_array()) {
    if (id.is_object() && Text(id.get_object(), "system").find("ssn") == std::string::npos &&
        !Text(id.get_object(), "value").empty()) {
      return Text(id.get_object(), "value");
    }
  }
  return "";
}

// Markup out of XHTML narrative and Composition sections.
std::string StripTags(std::string_view html) {
  std::string out;
  bool tag = false;
  for (char c : html) {
    if (c == '<') {
      tag = true;
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else if (c == '>') {
      tag = false;
    } else if (!tag) {
      out += c;
    }
  }
  return out;
}

// The text of a DocumentReference's plain-text attachments.
// The text of a DocumentReference's attachments: text in full (base64 as FHIR allows it, with
// whitespace); every attachment that cannot be printed (images, PDF, a URL only) named, so
// that nothing is left out without a word.
std::string DocumentText(const json::object& r) {
  std::string out;
  const json::value* content = At(r, "content");
  if (content == nullptr || !content->is_array()) return out;
  for (const json::value& c : content->get_array()) {
    const json::object* o = c.if_object();
    const json::value* a = o != nullptr ? o->if_contains("attachment") : nullptr;
    if (a == nullptr || !a->is_object()) continue;
    const json::object& attachment = a->get_object();
    const std::string type = Text(attachment, "contentType");
    std::string data = Text(attachment, "data");
    std::erase_if(data,
                  [](char ch) { return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t'; });
    std::optional<std::string> decoded;
    if (!data.empty() && type.starts_with("text/")) decoded = crypto::DecodeCanonicalBase64(data);
    if (!out.empty()) out += "\n";
    if (decoded) {
      out += type.starts_with("text/html") ? StripTags(*decoded) : *decoded;
    } else {
      const std::string title = Text(attachment, "title");
      out += "[Attachment not printed here" + (title.empty() ? std::string() : ": " + title) +
             (type.empty() ? std::string() : " (" + type + ")") +
             (data.empty() ? std::string(", held as a link in the record")
                           : std::string(", included in the FHIR Bundle of this release")) +
             "]";
    }
  }
  return out;
}

struct Section {
  std::string title;
  std::vector<std::string_view> types;
};

const std::vector<Section>& Sections() {
  static const std::vector<Section> sections = [] {
    std::vector<Section> out = {{"Patient", {"Patient"}}};
    for (const RecordType& t : RecordTypes()) {
      std::string title(t.name);
      title[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(title[0])));
      for (char& c : title) {
        if (c == '-') c = ' ';
      }
      out.push_back({title, t.fhir_types});
    }
    out.push_back({"Other records", {}});
    return out;
  }();
  return sections;
}

std::size_t SectionOf(std::string_view type) {
  const auto& sections = Sections();
  for (std::size_t i = 0; i + 1 < sections.size(); ++i) {
    if (std::find(sections[i].types.begin(), sections[i].types.end(), type) !=
        sections[i].types.end()) {
      return i;
    }
  }
  return sections.size() - 1;
}

// A Composition's sections, nested ones indented under theirs, each with its narrative and the
// records it lists.
void RenderSections(Layout& out, const json::value& sections, double indent) {
  if (!sections.is_array() || indent > 80) return;
  for (const json::value& section : sections.get_array()) {
    if (!section.is_object()) continue;
    const json::object& o = section.get_object();
    out.Paragraph(Text(o, "title"), Font::kHelveticaBold, 9, indent);
    if (const json::value* t = o.if_contains("text"); t != nullptr && t->is_object()) {
      out.Paragraph(StripTags(Text(t->get_object(), "div")), Font::kHelvetica, 9, indent);
    }
    if (const json::value* entries = o.if_contains("entry");
        entries != nullptr && entries->is_array()) {
      std::string refs;
      for (const json::value& e : entries->get_array()) {
        if (e.is_object()) refs += (refs.empty() ? "" : ", ") + Text(e.get_object(), "reference");
      }
      if (!refs.empty()) out.Paragraph("Records: " + refs, Font::kHelvetica, 8.5, indent);
    }
    if (const json::value* nested = o.if_contains("section")) {
      RenderSections(out, *nested, indent + 12);
    }
  }
}

// One record: a heading (date, kind, what), then its details.
void RenderRecord(Layout& out, const store::ResourceVersion& v, const json::object& r) {
  std::string date = "";
  for (std::string_view key :
       {"effectiveDateTime", "performedDateTime", "onsetDateTime", "recordedDate", "authoredOn",
        "occurrenceDateTime", "issued", "date", "created", "started"}) {
    if (std::string d = Text(r, key); !d.empty()) {
      date = d.substr(0, 10);
      break;
    }
  }
  if (date.empty()) {
    for (std::string_view key :
         {"period", "effectivePeriod", "performedPeriod", "billablePeriod"}) {
      if (const json::value* p = At(r, key); p != nullptr && p->is_object()) {
        date = Text(p->get_object(), "start").substr(0, 10);
        if (!date.empty()) break;
      }
    }
  }
  std::string what;
  for (std::string_view key :
       {"code", "vaccineCode", "medicationCodeableConcept", "type", "category", "class"}) {
    what = Concept(At(r, key));
    if (!what.empty()) break;
  }
  if (what.empty()) what = Text(r, "description");
  out.Keep(40);
  out.Paragraph(
      (date.empty() ? std::string() : date + "   ") + v.type + (what.empty() ? "" : ": ") + what,
      Font::kHelveticaBold, 10);
  std::vector<std::pair<std::string, std::string>> details;
  auto detail = [&](std::string label, std::string value) {
    if (!value.empty()) details.emplace_back(std::move(label), std::move(value));
  };
  detail("Status", Text(r, "status"));
  detail("Clinical status", Concept(At(r, "clinicalStatus")));
  detail("Value", ValueOf(r));
  detail("Interpretation", Concept(At(r, "interpretation")));
  detail("Reason", Concept(At(r, "reasonCode")));
  if (const json::value* p = At(r, "period"); p != nullptr && p->is_object()) {
    detail("Ended", Text(p->get_object(), "end").substr(0, 10));
  }
  if (const json::value* d = At(r, "dosageInstruction");
      d != nullptr && d->is_array() && !d->get_array().empty() && d->get_array()[0].is_object()) {
    detail("Dosage", Text(d->get_array()[0].get_object(), "text"));
  }
  if (const json::value* c = At(r, "component"); c != nullptr && c->is_array()) {
    for (const json::value& part : c->get_array()) {
      if (part.is_object()) {
        detail(Concept(part.get_object().if_contains("code")), ValueOf(part.get_object()));
      }
    }
  }
  if (v.type == "Patient") {
    detail("Name", Name(r));
    detail("Birth date", Text(r, "birthDate"));
    detail("Sex", Text(r, "gender"));
    detail("Record number", RecordNumber(r));
    if (const json::value* a = At(r, "address");
        a != nullptr && a->is_array() && !a->get_array().empty() && a->get_array()[0].is_object()) {
      const json::object& addr = a->get_array()[0].get_object();
      std::string line;
      if (const json::value* l = addr.if_contains("line"); l != nullptr && l->is_array()) {
        for (const json::value& s : l->get_array()) {
          if (s.is_string()) line += std::string(s.get_string()) + ", ";
        }
      }
      detail("Address", line + Text(addr, "city") + " " + Text(addr, "state") + " " +
                            Text(addr, "postalCode"));
    }
  }
  detail("Record", v.type + "/" + v.id + ", version " + std::to_string(v.version));
  for (const auto& [label, value] : details) {
    out.Paragraph(label + ": " + value, Font::kHelvetica, 9, 14);
  }
  if (v.type == "DocumentReference") {
    const std::string text = DocumentText(r);
    if (!text.empty()) {
      out.Space(2);
      out.Paragraph(text, Font::kCourier, 8.5, 14);
    }
  }
  if (v.type == "Composition") {
    if (const json::value* sections = At(r, "section")) RenderSections(out, *sections, 14);
  }
  out.Space(6);
}

// Headers, footers, numbers and watermark on every page, then the file.
std::string Print(const std::vector<const Layout*>& parts, const std::string& facility,
                  const std::string& title, const std::string& patient_line,
                  const std::string& watermark, std::string_view printed) {
  std::vector<const std::vector<Placed>*> pages;
  for (const Layout* part : parts) {
    for (const auto& p : part->placed()) pages.push_back(&p);
  }
  std::string created = "D:";
  for (char c : printed.substr(0, 19)) {
    if (c >= '0' && c <= '9') created += c;
  }
  created += "Z";
  pdf::Document doc({title, facility, title, "Chartroom", created});
  const std::size_t total = pages.size();
  for (std::size_t i = 0; i < total; ++i) {
    pdf::Page& page = doc.AddPage();
    const double top = pdf::kLetterHeight - 40;
    page.Text(kMargin, top, Font::kHelveticaBold, 11, facility);
    page.Text(pdf::kLetterWidth - kMargin - pdf::TextWidth(Font::kHelvetica, 9, title), top,
              Font::kHelvetica, 9, title, kGrey);
    page.Text(kMargin, top - 15, Font::kHelvetica, 9, patient_line);
    page.Line(kMargin, top - 22, pdf::kLetterWidth - kMargin, top - 22, 0.75);
    for (const Placed& p : *pages[i]) {
      page.Text(p.x, p.y, p.font, p.size, p.text, p.color);
    }
    page.Line(kMargin, 44, pdf::kLetterWidth - kMargin, 44, 0.5, kGrey);
    page.Text(kMargin, 32, Font::kHelvetica, 8,
              "Confidential health information. Redisclosure is restricted by law.", kGrey);
    const std::string number = "Page " + std::to_string(i + 1) + " of " + std::to_string(total);
    page.Text(pdf::kLetterWidth - kMargin - pdf::TextWidth(Font::kHelvetica, 8, number), 32,
              Font::kHelvetica, 8, number, kGrey);
    page.Watermark(watermark);
  }
  return doc.Finish();
}

std::string PatientLine(const json::object& patient) {
  std::string line = "Patient: " + Name(patient) + "   Born: " + Text(patient, "birthDate");
  if (std::string mrn = RecordNumber(patient); !mrn.empty()) line += "   Record no.: " + mrn;
  return line;
}

}  // namespace

Packet PacketPdf(const Settings& settings, const Request& request,
                 const std::vector<store::ResourceVersion>& released, std::string_view printed) {
  std::vector<json::object> parsed;
  parsed.reserve(released.size());
  for (const store::ResourceVersion& v : released) parsed.push_back(*ObjectOf(v.json));
  const json::object patient = parsed.empty() ? json::object() : parsed.front();
  const Basis basis = BasisOf(request);

  // The cover letter.
  Layout cover;
  cover.Line(std::string(printed.substr(0, 10)));
  cover.Space(10);
  cover.Line(request.requester_name);
  if (!request.requester_organization.empty()) cover.Line(request.requester_organization);
  if (!request.requester_address.empty()) cover.Paragraph(request.requester_address);
  cover.Space(10);
  cover.Paragraph("Re: Request " + request.id + " for the health records of " + Name(patient) +
                      ", born " + Text(patient, "birthDate"),
                  Font::kHelveticaBold, 10);
  cover.Space(6);
  std::string kinds;
  for (const std::string& t : request.requested.record_types) {
    kinds += (kinds.empty() ? "" : ", ") + t;
  }
  std::string range;
  if (!request.requested.from.empty() || !request.requested.to.empty()) {
    range = " from " +
            (request.requested.from.empty() ? "the first record" : request.requested.from) +
            " to " + (request.requested.to.empty() ? "the present" : request.requested.to);
  }
  std::string authority;
  if (basis == Basis::kAuthorization) {
    const Authorization* a =
        ValidAuthorization(request, AuthorizationKind::kHipaa, printed.substr(0, 10));
    authority = a == nullptr ? std::string(BasisCitation(basis))
                             : "the authorization signed by " + a->signed_by + " on " +
                                   a->signed_on + " (" + std::string(BasisCitation(basis)) + ")";
  } else {
    authority = std::string(BasisCitation(basis));
    if (!request.legal_document.empty()) authority += " and " + request.legal_document;
  }
  cover.Paragraph("In answer to your request received on " + request.received +
                  ", we enclose copies of the following health records (" + kinds + ")" + range +
                  ", released under " + authority + ".");
  cover.Space(6);
  const std::size_t records = released.empty() ? 0 : released.size() - 1;
  cover.Paragraph("Enclosed: " + std::to_string(records) +
                  " records; the index on the next page "
                  "lists them by kind.");
  if (request.release) {
    cover.Paragraph("Fee: " + Money(request.release->fee_cents) + " (" +
                    request.release->fee_basis + ").");
  }
  if (request.release && !request.release->statements.empty()) {
    cover.Paragraph(
        "The patient disputes part of these records: their statement of disagreement (and our "
        "rebuttal, if any) is enclosed with the records it concerns (45 CFR 164.526(d)(5)).");
  }
  cover.Space(6);
  if (request.release && request.release->part2) {
    cover.Line("Notice to the recipient (42 CFR 2.32)", Font::kHelveticaBold, 10);
    cover.Paragraph(kPart2Notice, Font::kHelvetica, 9);
    cover.Space(6);
  }
  if (basis != Basis::kRightOfAccess) {
    cover.Paragraph(
        "These records contain protected health information. They are released for the purpose "
        "stated in the request only; any further disclosure is governed by federal and state "
        "law.",
        Font::kHelveticaOblique, 9);
    cover.Space(6);
  }
  cover.Space(10);
  cover.Line("Health Information Management");
  cover.Line(settings.facility);
  if (!settings.facility_address.empty()) cover.Line(settings.facility_address);

  // The records, by section, to learn where each section starts.
  Layout body;
  std::vector<std::vector<std::size_t>> by_section(Sections().size());
  for (std::size_t i = 0; i < released.size(); ++i) {
    by_section[SectionOf(released[i].type)].push_back(i);
  }
  std::vector<std::pair<std::string, std::pair<std::size_t, std::size_t>>> index;  // page, count
  bool first = true;
  for (std::size_t s = 0; s < by_section.size(); ++s) {
    if (by_section[s].empty()) continue;
    if (!first) body.Keep(80);
    first = false;
    index.push_back({Sections()[s].title, {body.page(), by_section[s].size()}});
    body.Line(Sections()[s].title, Font::kHelveticaBold, 13);
    body.Space(4);
    for (std::size_t i : by_section[s]) RenderRecord(body, released[i], parsed[i]);
    body.Space(8);
  }

  // The index: its own pages after the cover; the sections' pages shift by them, so it is laid
  // out once to learn how many pages it takes, then with the numbers.
  auto index_layout = [&](std::size_t offset) {
    Layout contents;
    contents.Line("Index", Font::kHelveticaBold, 13);
    contents.Space(6);
    for (const auto& [title, where] : index) {
      contents.Pair(title + " (" + std::to_string(where.second) + ")",
                    "page " + std::to_string(where.first + offset));
    }
    return contents;
  };
  const std::size_t index_pages = index_layout(0).pages();
  const Layout contents = index_layout(cover.pages() + index_pages);
  Packet out;
  out.pages = cover.pages() + contents.pages() + body.pages();
  out.pdf =
      Print({&cover, &contents, &body}, settings.facility, "Release of information " + request.id,
            PatientLine(patient), "Request " + request.id, printed);
  return out;
}

}  // namespace chartroom::roi

namespace chartroom::roi {

json::object PacketBundle(const Request& request,
                          const std::vector<store::ResourceVersion>& released,
                          std::string_view printed) {
  json::array entries;
  for (const store::ResourceVersion& v : released) {
    entries.push_back(json::object{{"fullUrl", v.type + "/" + v.id},
                                   {"resource", json::value(*ObjectOf(v.json))}});
  }
  json::object bundle{
      {"resourceType", "Bundle"},
      {"identifier", json::object{{"system", "urn:chartroom:roi-request"}, {"value", request.id}}},
      {"type", "collection"},
      {"timestamp", printed},
      {"entry", std::move(entries)}};
  if (request.release && request.release->part2) {
    bundle["meta"] = json::object{
        {"security",
         json::array{json::object{{"system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"},
                                  {"code", "NORDSCLCD"},
                                  {"display", "no redisclosure without consent directive"}}}}};
  }
  return bundle;
}

std::string AccountingPdf(const Settings& settings, const store::ResourceVersion& patient,
                          const std::vector<AccountedDisclosure>& disclosures,
                          std::string_view printed) {
  const json::object p = *ObjectOf(patient.json);
  Layout out;
  out.Line("Accounting of disclosures", Font::kHelveticaBold, 14);
  out.Space(4);
  out.Paragraph("The disclosures of the health information of " + Name(p) +
                " made in the six years before " + std::string(printed.substr(0, 10)) +
                " that 45 CFR 164.528 requires us to account for: not those to you, for "
                "treatment, payment or health care operations, or under your authorization.");
  out.Space(8);
  if (disclosures.empty())
    out.Paragraph("There were no such disclosures.", Font::kHelveticaOblique);
  for (const AccountedDisclosure& d : disclosures) {
    out.Keep(60);
    out.Line(d.date + "   " + d.recipient, Font::kHelveticaBold, 10);
    out.Paragraph("Information disclosed: " + d.description, Font::kHelvetica, 9, 14);
    out.Paragraph("Purpose: " + d.purpose, Font::kHelvetica, 9, 14);
    out.Paragraph("Request: " + d.request, Font::kHelvetica, 9, 14);
    out.Space(6);
  }
  return Print({&out}, settings.facility, "Accounting of disclosures", PatientLine(p),
               "Accounting " + patient.id, printed);
}

std::string AmendmentLetterPdf(const Settings& settings, const Amendment& amendment,
                               const store::ResourceVersion& patient, std::string_view printed) {
  const json::object p = *ObjectOf(patient.json);
  Layout out;
  out.Line(std::string(printed.substr(0, 10)));
  out.Space(10);
  out.Line(amendment.requested_by);
  out.Space(10);
  out.Paragraph("Re: Your request of " + amendment.received + " to amend your health record (" +
                    amendment.id + ")",
                Font::kHelveticaBold, 10);
  out.Space(6);
  out.Paragraph("You asked us to change " + amendment.record + ": \"" + amendment.requested_change +
                "\". We have reviewed your request and have denied it.");
  out.Space(6);
  static constexpr std::string_view kGroundText[] = {
      "The information was not created by us, and the person or organization that created it is "
      "able to act on your request (45 CFR 164.526(a)(2)(i)).",
      "The information is not part of the records we use to make decisions about you "
      "(45 CFR 164.526(a)(2)(ii)).",
      "The information is not available to you for inspection under the law "
      "(45 CFR 164.526(a)(2)(iii)).",
      "The information is accurate and complete (45 CFR 164.526(a)(2)(iv))."};
  out.Line("Why we denied it", Font::kHelveticaBold, 10);
  if (amendment.ground) {
    out.Paragraph(kGroundText[static_cast<std::size_t>(*amendment.ground)]);
  }
  out.Paragraph(amendment.denial_explanation);
  out.Space(6);
  out.Line("Your right to disagree", Font::kHelveticaBold, 10);
  out.Paragraph(
      "You may send us a written statement disagreeing with this denial and saying why. Send it "
      "to Health Information Management at the address below, naming request " +
      amendment.id +
      ". We will add it to your record, and it will go with every later disclosure of the "
      "information it concerns. We may write a rebuttal; if we do, we will send you a copy.");
  out.Space(6);
  out.Paragraph(
      "If you do not send a statement of disagreement, you may ask us to include your request "
      "for amendment and this denial with any future disclosure of the information.");
  out.Space(6);
  out.Line("How to complain", Font::kHelveticaBold, 10);
  out.Paragraph(
      "You may complain to " + settings.privacy_contact + " at " + settings.facility +
      (settings.facility_address.empty() ? std::string() : ", " + settings.facility_address) +
      ", or to the Secretary of the U.S. Department of Health and Human Services, Office "
      "for Civil Rights (45 CFR 160.306). You will not be retaliated against for "
      "filing a complaint.");
  out.Space(16);
  out.Line("Health Information Management");
  out.Line(settings.facility);
  if (!settings.facility_address.empty()) out.Line(settings.facility_address);
  return Print({&out}, settings.facility, "Amendment " + amendment.id, PatientLine(p),
               "Amendment " + amendment.id, printed);
}

}  // namespace chartroom::roi
