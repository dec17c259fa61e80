// The Error -> HTTP status + OperationOutcome table (https://hl7.org/fhir/R4/http.html).

#include "rest/error_response.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <set>

namespace chartroom::rest {
namespace {

TEST(ErrorResponseTest, EveryCategoryHasItsOwnStatus) {
  const std::pair<ErrorCategory, int> expected[] = {
      {ErrorCategory::kInvalid, 400},      {ErrorCategory::kNotFound, 404},
      {ErrorCategory::kGone, 410},         {ErrorCategory::kConflict, 409},
      {ErrorCategory::kPrecondition, 412}, {ErrorCategory::kUnauthenticated, 401},
      {ErrorCategory::kForbidden, 403},    {ErrorCategory::kUnsupported, 422},
      {ErrorCategory::kBusy, 429},         {ErrorCategory::kUnavailable, 503},
      {ErrorCategory::kInternal, 500},
  };
  std::set<int> statuses;
  for (const auto& [category, status] : expected) {
    EXPECT_EQ(MappingFor(Error(category, "x.y", "m")).status, status);
    statuses.insert(status);
  }
  EXPECT_EQ(statuses.size(), std::size(expected));
}

TEST(ErrorResponseTest, ProtocolCodesGetTheStatusHttpDefines) {
  EXPECT_EQ(MappingFor(Error(ErrorCategory::kUnsupported, "rest.not-acceptable", "")).status, 406);
  EXPECT_EQ(
      MappingFor(Error(ErrorCategory::kUnsupported, "rest.unsupported-media-type", "")).status,
      415);
  EXPECT_EQ(MappingFor(Error(ErrorCategory::kInvalid, "rest.body-too-large", "")).status, 413);
  EXPECT_EQ(MappingFor(Error(ErrorCategory::kUnsupported, "rest.method-not-allowed", "")).status,
            405);
  EXPECT_EQ(MappingFor(Error(ErrorCategory::kInvalid, "rest.patch-failed", "")).status, 422);
  EXPECT_EQ(MappingFor(Error(ErrorCategory::kPrecondition, "rest.multiple-matches", "")).issue,
            fhir::IssueType::kMultipleMatches);
}

TEST(ErrorResponseTest, TheReplyIsAnOperationOutcomeWithTheCode) {
  Reply reply = ErrorReply(Error(ErrorCategory::kGone, "store.deleted", "Patient/p1 is deleted"));
  EXPECT_EQ(reply.status, 410);
  EXPECT_EQ(reply.kind, BodyKind::kOutcome);
  const boost::json::value outcome = boost::json::parse(reply.body);
  EXPECT_EQ(outcome.at("resourceType"), "OperationOutcome");
  EXPECT_EQ(outcome.at("issue").at(0).at("code"), "deleted");
  EXPECT_EQ(outcome.at("issue").at(0).at("details").at("coding").at(0).at("code"), "store.deleted");
  EXPECT_EQ(outcome.at("issue").at(0).at("diagnostics"), "Patient/p1 is deleted");
}

TEST(ErrorResponseTest, InternalErrorsKeepTheirMessageForTheLogOnly) {
  Reply reply = ErrorReply(Error(ErrorCategory::kInternal, "store.corrupt", "page 7 checksum"));
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.body.find("page 7"), std::string::npos);
  EXPECT_EQ(reply.log_detail, "page 7 checksum");
}

TEST(ErrorResponseTest, AnUnauthenticatedReplyAsksForABearerToken) {
  Reply reply = ErrorReply(
      Error(ErrorCategory::kUnauthenticated, "access.bad-token", "the bearer token is not valid"));
  EXPECT_EQ(reply.status, 401);
  ASSERT_EQ(reply.headers.size(), 1u);
  EXPECT_EQ(reply.headers[0].name, "WWW-Authenticate");
  EXPECT_EQ(reply.headers[0].value, "Bearer realm=\"chartroom\"");
  EXPECT_NE(reply.body.find("\"login\""), std::string::npos) << reply.body;
  EXPECT_TRUE(ErrorReply(Error(ErrorCategory::kForbidden, "access.denied", "no")).headers.empty());
}

}  // namespace
}  // namespace chartroom::rest
