#include "rest/write_common.hpp"

#include "core/result_macros.hpp"
#include "rest/reply.hpp"

namespace chartroom::rest {

Status CheckBodyType(const Call& call) {
  if (call.resource == nullptr) {
    return Fail(ErrorCategory::kInvalid, "rest.missing-body",
                "this interaction needs a resource in the request body");
  }
  const boost::json::value* type = call.resource->if_contains("resourceType");
  if (type == nullptr || !type->is_string() || type->get_string() != call.route.type) {
    return Fail(ErrorCategory::kInvalid, "rest.type-mismatch",
                "the resource's resourceType is not the type in the URL (" +
                    std::string(call.route.type) + ")");
  }
  return Ok();
}

Result<std::optional<std::int64_t>> ParseIfMatch(std::string_view value) {
  if (value.empty()) return std::optional<std::int64_t>();
  const auto version = ParseETag(value);
  if (!version) {
    return Fail(ErrorCategory::kInvalid, "rest.bad-etag",
                "If-Match must be a version ETag such as W/\"3\"");
  }
  return std::optional<std::int64_t>(*version);
}

PendingWrite::PendingWrite(Session& session, const RequestContext& context,
                           const boost::json::object& resource,
                           const fhir::json::NumberTexts* numbers)
    : resource_(resource), numbers_(numbers), store_(context.store) {
  if (session.in_transaction() || context.store == nullptr) return;
  auto prepared = context.store->Prepare(boost::json::object(resource),
                                         numbers != nullptr ? *numbers : fhir::json::NumberTexts());
  if (prepared) {
    prepared_.emplace(std::move(*prepared));
  } else {
    status_ = tl::unexpected(prepared.error());
  }
}

Result<store::ResourceVersion> PendingWrite::Create(store::Transaction& tx) {
  if (prepared_) {
    store::PreparedResource prepared = std::move(*prepared_);
    prepared_.reset();
    return tx.Create(std::move(prepared));
  }
  if (store_ == nullptr) return tx.Create(boost::json::object(resource_));
  return WriteResource(tx, *store_, boost::json::object(resource_), numbers_, std::nullopt, true);
}

Result<store::ResourceVersion> PendingWrite::Update(store::Transaction& tx,
                                                    std::optional<std::int64_t> expected) {
  if (prepared_) {
    store::PreparedResource prepared = std::move(*prepared_);
    prepared_.reset();
    return tx.Update(std::move(prepared), expected);
  }
  if (store_ == nullptr) return tx.Update(boost::json::object(resource_), expected);
  return WriteResource(tx, *store_, boost::json::object(resource_), numbers_, expected, false);
}

Result<store::ResourceVersion> WriteResource(store::Transaction& tx, store::ResourceStore& store,
                                             boost::json::object resource,
                                             const fhir::json::NumberTexts* numbers,
                                             std::optional<std::int64_t> expected, bool create) {
  CHARTROOM_ASSIGN_OR_RETURN(
      store::PreparedResource prepared,
      store.Prepare(std::move(resource),
                    numbers != nullptr ? *numbers : fhir::json::NumberTexts()));
  if (create) return tx.Create(std::move(prepared));
  return tx.Update(std::move(prepared), expected);
}

std::string_view ConditionalCriteria(std::string_view value) {
  const std::size_t q = value.find('?');
  if (q != std::string_view::npos && value.substr(0, q).find('=') == std::string_view::npos) {
    value.remove_prefix(q + 1);
  }
  return value;
}

}  // namespace chartroom::rest
