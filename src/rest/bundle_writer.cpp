#include "rest/bundle_writer.hpp"

#include <cstdio>

#include "rest/json_text.hpp"

namespace chartroom::rest {

BundleWriter::BundleWriter(std::string_view type, std::string_view id, core::Timestamp now) {
  out_.reserve(4096);
  out_ += "{\"resourceType\":\"Bundle\",\"id\":";
  AppendJsonString(out_, id);
  out_ += ",\"meta\":{\"lastUpdated\":";
  AppendJsonString(out_, core::FormatInstant(now));
  out_ += "},\"type\":";
  AppendJsonString(out_, type);
}

void BundleWriter::SetTotal(std::int64_t total) {
  out_ += ",\"total\":";
  out_ += std::to_string(total);
}

void BundleWriter::AddLink(std::string_view relation, std::string_view url) {
  out_ += part_ == Part::kHead ? ",\"link\":[" : ",";
  part_ = Part::kLinks;
  out_ += "{\"relation\":";
  AppendJsonString(out_, relation);
  out_ += ",\"url\":";
  AppendJsonString(out_, url);
  out_ += '}';
}

void BundleWriter::AddEntry(const BundleEntry& e) {
  if (part_ == Part::kLinks) out_ += ']';
  out_ += part_ == Part::kEntries ? "," : ",\"entry\":[";
  part_ = Part::kEntries;
  out_ += '{';
  bool first = true;
  if (!e.full_url.empty()) {
    AppendJsonKey(out_, "fullUrl", first);
    AppendJsonString(out_, e.full_url);
    first = false;
  }
  if (!e.resource.empty()) {
    AppendJsonKey(out_, "resource", first);
    out_ += e.resource;
    first = false;
  }
  if (!e.search_mode.empty()) {
    AppendJsonKey(out_, "search", first);
    out_ += "{\"mode\":";
    AppendJsonString(out_, e.search_mode);
    if (!e.match_grade.empty()) {
      // http://hl7.org/fhir/StructureDefinition/match-grade, as Patient/$match answers.
      out_ +=
          ",\"extension\":[{\"url\":\"http://hl7.org/fhir/StructureDefinition/match-grade\","
          "\"valueCode\":";
      AppendJsonString(out_, e.match_grade);
      out_ += "}]";
    }
    if (e.search_score >= 0) {
      char score[32];
      std::snprintf(score, sizeof score, "%.4f", e.search_score);
      out_ += ",\"score\":";
      out_ += score;
    }
    out_ += '}';
    first = false;
  }
  if (!e.request_method.empty()) {
    AppendJsonKey(out_, "request", first);
    out_ += "{\"method\":";
    AppendJsonString(out_, e.request_method);
    out_ += ",\"url\":";
    AppendJsonString(out_, e.request_url);
    out_ += '}';
    first = false;
  }
  if (!e.response_status.empty()) {
    AppendJsonKey(out_, "response", first);
    out_ += "{\"status\":";
    AppendJsonString(out_, e.response_status);
    if (!e.response_location.empty()) {
      out_ += ",\"location\":";
      AppendJsonString(out_, e.response_location);
    }
    if (!e.response_etag.empty()) {
      out_ += ",\"etag\":";
      AppendJsonString(out_, e.response_etag);
    }
    if (!e.response_last_modified.empty()) {
      out_ += ",\"lastModified\":";
      AppendJsonString(out_, e.response_last_modified);
    }
    if (!e.response_outcome.empty()) {
      out_ += ",\"outcome\":";
      out_ += e.response_outcome;
    }
    out_ += '}';
  }
  out_ += '}';
}

std::string BundleWriter::Finish() {
  if (part_ != Part::kHead) out_ += ']';
  out_ += '}';
  return std::move(out_);
}

}  // namespace chartroom::rest
