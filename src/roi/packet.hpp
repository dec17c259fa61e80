// The release packet of a fulfilled request and the patient's accounting of disclosures, as a
// FHIR Bundle and as a PDF (docs/roi.md, "The packet").
//
// The PDF: a cover letter to the recipient (what is enclosed, on what authority, the fee; the
// 42 CFR 2.32 notice when Part 2 records are enclosed, and the HIPAA redisclosure caution), an
// index of the sections with their pages, then the records by kind, each with its date, what it
// is and its details (a document's text in full). Every page carries the facility, the patient's
// name, birth date and record number, "page n of N", and a watermark with the request id.
//
// The Bundle: a collection of the released versions as stored, Patient first, identified by the
// request id; with Part 2 records it carries the security label NORDSCLCD (no redisclosure
// without consent).
//
// Both are functions of their input: the same request and versions give the same bytes.
//
// Thread safety: pure functions.

#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "roi/amendment.hpp"
#include "roi/request.hpp"
#include "roi/service.hpp"
#include "store/resource_store.hpp"

namespace chartroom::roi {

// The notice 42 CFR 2.32(a)(1) requires with each disclosure of Part 2 records.
extern const char* const kPart2Notice;

struct Packet {
  std::string pdf;
  std::size_t pages = 0;
};

// `released`: the versions, Patient first (Released()). `printed`: the instant printed on it.
Packet PacketPdf(const Settings& settings, const Request& request,
                 const std::vector<store::ResourceVersion>& released, std::string_view printed);
boost::json::object PacketBundle(const Request& request,
                                 const std::vector<store::ResourceVersion>& released,
                                 std::string_view printed);

// The accounting of disclosures of `patient` (the Patient resource as stored) as a PDF.
std::string AccountingPdf(const Settings& settings, const store::ResourceVersion& patient,
                          const std::vector<AccountedDisclosure>& disclosures,
                          std::string_view printed);

// The letter denying an amendment (45 CFR 164.526(d)(1)): the ground, the right to file a
// statement of disagreement and how, the request to have the amendment request and the denial
// go with future disclosures instead, and how to complain (to the facility and to HHS).
std::string AmendmentLetterPdf(const Settings& settings, const Amendment& amendment,
                               const store::ResourceVersion& patient, std::string_view printed);

}  // namespace chartroom::roi
