// Checks shared by the interactions that write (create, update, patch, delete). Internal to
// rest/.

#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "rest/interactions.hpp"

namespace chartroom::rest {

// The body of a create or update is there and is a resource of the URL's type. kInvalid:
// "rest.missing-body", "rest.type-mismatch".
Status CheckBodyType(const Call& call);

// The version an If-Match header asks for; nullopt when there is none. kInvalid
// ("rest.bad-etag") when it is not W/"n".
Result<std::optional<std::int64_t>> ParseIfMatch(std::string_view value);

// The resource of a create or update, made ready for writing (store::ResourceStore::Prepare:
// checks, search values, serialization with the numbers as written) on the request's thread
// before its transaction, so that the store's single writer does only database work. Inside a
// transaction Bundle, where references are rewritten in the transaction itself, it is prepared
// where it is written.
class PendingWrite {
 public:
  PendingWrite(Session& session, const RequestContext& context, const boost::json::object& resource,
               const fhir::json::NumberTexts* numbers);
  // The error of preparing, if any (a resource the store refuses).
  Status status() const { return status_; }
  // Write it; the prepared form is used once, and a work that runs again writes a copy.
  Result<store::ResourceVersion> Create(store::Transaction& tx);
  Result<store::ResourceVersion> Update(store::Transaction& tx,
                                        std::optional<std::int64_t> expected);

 private:
  const boost::json::object& resource_;
  const fhir::json::NumberTexts* numbers_;
  store::ResourceStore* store_;
  std::optional<store::PreparedResource> prepared_;
  Status status_;
};

// Prepares `resource` with `numbers` (may be null) and creates or updates it in `tx`.
Result<store::ResourceVersion> WriteResource(store::Transaction& tx, store::ResourceStore& store,
                                             boost::json::object resource,
                                             const fhir::json::NumberTexts* numbers,
                                             std::optional<std::int64_t> expected, bool create);

// The search part of an If-None-Exist value or a conditional URL: drops a leading "Type?" or
// "?" (clients write either).
std::string_view ConditionalCriteria(std::string_view value);

}  // namespace chartroom::rest
