// BundleWriter writes a Bundle's JSON text directly, splicing resources in as the text the
// store returned: a search page or history of stored resources is never parsed or serialized
// again (https://hl7.org/fhir/R4/bundle.html).
//
// Call in order: SetTotal (optional), AddLink*, AddEntry*, then Finish. Not thread-safe; one
// writer per response.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace chartroom::rest {

struct BundleEntry {
  std::string_view full_url;
  std::string_view resource;     // JSON text of a resource; empty for none
  std::string_view search_mode;  // "match", "include", "outcome"; empty for none
  double search_score = -1;      // search.score in [0, 1]; negative: none
  std::string_view match_grade;  // the match-grade extension of search (Patient/$match)
  std::string_view request_method;
  std::string_view request_url;
  std::string_view response_status;  // "201 Created"; empty: no response element
  std::string_view response_location;
  std::string_view response_etag;
  std::string_view response_last_modified;  // FHIR instant
  std::string_view response_outcome;        // JSON text of an OperationOutcome
};

class BundleWriter {
 public:
  // `type` is the Bundle.type code ("searchset", "history", "batch-response" ...).
  BundleWriter(std::string_view type, std::string_view id, core::Timestamp now);

  void SetTotal(std::int64_t total);
  void AddLink(std::string_view relation, std::string_view url);
  void AddEntry(const BundleEntry& entry);
  std::string Finish();

 private:
  enum class Part : std::uint8_t { kHead, kLinks, kEntries };
  std::string out_;
  Part part_ = Part::kHead;
};

}  // namespace chartroom::rest
