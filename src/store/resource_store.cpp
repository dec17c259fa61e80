// The defaults of the optional parts of the store interfaces: a backend without records or an
// audit log (a test double) says so.

#include "store/resource_store.hpp"

namespace chartroom::store {
namespace {

Error Unsupported(std::string_view what) {
  return Error(ErrorCategory::kUnsupported, "store.unsupported",
               "this store keeps no " + std::string(what));
}

}  // namespace

Result<std::optional<Record>> Transaction::GetRecord(std::string_view, std::string_view) {
  return tl::unexpected(Unsupported("records"));
}
Result<std::vector<Record>> Transaction::ListRecords(std::string_view, std::string_view,
                                                     std::size_t) {
  return tl::unexpected(Unsupported("records"));
}
Status Transaction::PutRecord(std::string_view, std::string_view, std::string_view) {
  return tl::unexpected(Unsupported("records"));
}
Status Transaction::DeleteRecord(std::string_view, std::string_view) {
  return tl::unexpected(Unsupported("records"));
}
Result<std::int64_t> Transaction::AppendAudit(std::span<const std::string>) {
  return tl::unexpected(Unsupported("audit log"));
}
Result<std::vector<Record>> ResourceStore::ListRecords(std::string_view, std::string_view,
                                                       std::size_t) {
  return tl::unexpected(Unsupported("records"));
}
Result<std::vector<AuditEntry>> ResourceStore::ReadAudit(std::int64_t, std::size_t) {
  return tl::unexpected(Unsupported("audit log"));
}

}  // namespace chartroom::store
