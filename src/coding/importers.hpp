// Readers of the official code set release files, each adding to a Catalog:
//
//   ICD-10-CM order file (CDC): fixed width — order number, code without the dot, 1 billable /
//     0 header, short title (60), long title; also the ICD-10-PCS order file, the same layout
//   ICD-10-CM tabular list XML (CDC, <ICD10CM.tabular>): chapters, sections and codes with their
//     instructional notes, read with expat
//   Medicare Code Editor "simple" edits (tab-separated: version, ICD version, section,
//     subsection, edit type, D/P, code, description)
//   POA-exempt list (CMS, tab-separated: order, dotted code, description)
//   HCPCS Level II annual file (CMS, fixed width 320: code, sequence, record id 3/4 procedure
//     and continuation, 7/8 modifier, long description 80, short description 28)
//   ICD-10-CM Alphabetic Index XML (CDC, <ICD10CM.index>): the main index, the external cause
//     index, and the drug and neoplasm tables (their <cell col> codes under <indexHeading>
//     columns); terms and subterms with their codes (see and see-also references are not codes)
//   ICD-10-PCS tables XML (CMS, <ICD10PCS.tabular>): per table the section, body system and
//     operation, per row the values of characters 4 to 7; every combination is a code
//   CPT (AMA, licensed; none ships): tab-separated code, title, as a licensee exports it
//
// Every reader takes the file's text (decompressed) and fails with kInvalid "coding.bad-file"
// naming the line or position it could not read; nothing of a file that fails is kept.
//
// Thread safety: functions of their arguments.

#pragma once

#include <string_view>

#include "coding/catalog.hpp"
#include "core/error.hpp"

namespace chartroom::coding {

enum class FileKind : std::uint8_t {
  kIcd10CmOrder,
  kIcd10CmTabular,
  kIcd10CmIndex,
  kIcd10PcsOrder,
  kMce,
  kPoaExempt,
  kHcpcs,
  kCpt,
  kIcd10PcsTables,
};
std::string_view FileKindName(FileKind kind);  // "icd10cm-order", "icd10cm-tabular", ...
std::optional<FileKind> ParseFileKind(std::string_view name);

// Adds the file's content to `catalog`. `effective`: the first day the release applies (codes new
// in it are valid from then).
// `name`: the file's name, for messages and ReleaseInfo (the kind's name when empty).
Status ReadRelease(FileKind kind, std::string_view text, Date effective, Catalog& catalog,
                   std::string_view name = {});

}  // namespace chartroom::coding
