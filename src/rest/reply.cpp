#include "rest/reply.hpp"

#include <boost/json/serialize.hpp>

#include "fhir/operation_outcome.hpp"
#include "rest/error_response.hpp"

namespace chartroom::rest {

Reply VersionReply(int status, store::ResourceVersion&& version, ReturnPreference preference,
                   bool created) {
  Reply reply;
  reply.status = status;
  reply.type = std::move(version.type);
  reply.id = std::move(version.id);
  reply.version = version.version;
  reply.last_modified = version.last_updated;
  reply.location = created;
  switch (preference) {
    case ReturnPreference::kRepresentation:
      if (!version.json.empty()) {
        reply.kind = BodyKind::kResource;
        reply.body = std::move(version.json);
      }
      break;
    case ReturnPreference::kMinimal:
      break;
    case ReturnPreference::kOperationOutcome: {
      Reply info = InformationReply(status, reply.type + "/" + reply.id + " is now at version " +
                                                std::to_string(reply.version));
      reply.kind = info.kind;
      reply.body = std::move(info.body);
      break;
    }
  }
  return reply;
}

Reply InformationReply(int status, std::string diagnostics) {
  fhir::OperationOutcome outcome;
  outcome.AddIssue(MakeIssue(fhir::IssueSeverity::kInformation, fhir::IssueType::kInformational,
                             "rest.ok", std::move(diagnostics)));
  Reply reply;
  reply.status = status;
  reply.kind = BodyKind::kOutcome;
  reply.body = boost::json::serialize(fhir::ToJson(outcome));
  return reply;
}

std::string WeakETag(std::int64_t version) { return "W/\"" + std::to_string(version) + "\""; }

std::optional<std::int64_t> ParseETag(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.substr(0, 2) == "W/") value.remove_prefix(2);
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty() || value.size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string StatusText(int status) {
  return std::to_string(status) + " " + std::string(http::ReasonPhrase(status));
}

}  // namespace chartroom::rest
