// The FHIR interactions (https://hl7.org/fhir/R4/http.html), one file each: read.cpp (read,
// vread), create.cpp, update.cpp (update, conditional update), patch.cpp, delete.cpp,
// search.cpp, history.cpp, everything.cpp, transaction.cpp (batch and transaction), and
// dispatch.cpp, which picks one for a Call. A Call comes from an HTTP request (api.cpp) or from
// a Bundle entry (transaction.cpp); either way the same code answers it. Internal to rest/.
//
// Thread safety: the functions are reentrant; a Call, its Session and its RequestContext belong
// to one request.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "fhir/operation_outcome.hpp"
#include "fhir/search/query.hpp"
#include "http/server.hpp"
#include "rest/options.hpp"
#include "rest/reply.hpp"
#include "rest/router.hpp"
#include "rest/session.hpp"

namespace chartroom::mpi {
class Index;
}  // namespace chartroom::mpi

namespace chartroom::coding {
class CatalogSource;
}  // namespace chartroom::coding

namespace chartroom::rest {

// What every interaction of one request may need to know.
struct RequestContext {
  std::string request_id;
  std::string base_url;  // "http://host:port/fhir", no trailing slash
  ReturnPreference preference = ReturnPreference::kRepresentation;
  fhir::search::Handling handling = fhir::search::Handling::kLenient;
  bool respond_async = false;  // Prefer: respond-async (https://hl7.org/fhir/R4/async.html)
  core::Timestamp now;
  const Options* options = nullptr;
  store::ResourceStore* store = nullptr;
  const std::string* capability_statement = nullptr;  // JSON text
  // Access control and audit of this request (guarded_session.hpp); null: none (tests of the
  // interactions alone).
  const struct Guard* guard = nullptr;
  // The patient index behind Patient/$match; null: not running.
  const mpi::Index* patient_index = nullptr;
  // The code sets behind CodeSystem/$lookup, ValueSet/$expand and $validate-code; null: none.
  coding::CatalogSource* code_sets = nullptr;
};

// One interaction's input.
struct Call {
  std::string_view method;  // GET, POST, PUT, PATCH, DELETE
  Route route;
  std::string query;  // percent-encoded query string (POST _search: URL query & form body)
  // Conditional headers, or the same fields of a Bundle entry's request.
  std::string_view if_match;
  std::string_view if_none_match;
  std::string_view if_none_exist;
  std::string_view if_modified_since;
  boost::json::object* resource = nullptr;  // create/update: a validated resource
  // The text of the resource's numbers as written (fhir/json/writer.hpp); null: none recorded.
  const fhir::json::NumberTexts* numbers = nullptr;
  const boost::json::value* patch = nullptr;  // PATCH: a JSON Patch document
  bool from_bundle = false;                   // an entry of a batch or transaction
};

// Picks the interaction for `call` (method and route), checks the route, and runs it; every
// failure becomes an OperationOutcome reply.
Reply Dispatch(Session& session, const RequestContext& context, Call& call);

Result<Reply> Read(Session& session, const RequestContext& context, const Call& call);
Result<Reply> VRead(Session& session, const RequestContext& context, const Call& call);
Result<Reply> Create(Session& session, const RequestContext& context, const Call& call);
Result<Reply> Update(Session& session, const RequestContext& context, const Call& call);
Result<Reply> ConditionalUpdate(Session& session, const RequestContext& context, const Call& call);
Result<Reply> Patch(Session& session, const RequestContext& context, const Call& call);
Result<Reply> Delete(Session& session, const RequestContext& context, const Call& call);
Result<Reply> ConditionalDelete(Session& session, const RequestContext& context, const Call& call);
Result<Reply> Search(Session& session, const RequestContext& context, const Call& call);
Result<Reply> History(Session& session, const RequestContext& context, const Call& call);
Result<Reply> Everything(Session& session, const RequestContext& context, const Call& call);
Result<Reply> Match(Session& session, const RequestContext& context, const Call& call);
// CodeSystem/$lookup, CodeSystem/$validate-code, ValueSet/$expand, ValueSet/$validate-code
// over the code sets (terminology.cpp).
Result<Reply> Terminology(const RequestContext& context, const Call& call);

class ExportManager;

// Whether `route` belongs to Bulk Data export: a $export kick-off, a job's status URL or one of
// its files. api.cpp answers these with HandleExport before format negotiation (their Accept
// rules are the export's own), and never as a Bundle entry.
bool IsExportRoute(const Route& route);
// Answers an export route (export_http.cpp); `exports` null: 422 rest.export-unavailable.
Reply HandleExport(ExportManager* exports, const RequestContext& context,
                   const http::Request& request, const Route& route);

// A batch or transaction Bundle (POST [base]); `bundle` was parsed and validated, `findings`
// holds the validator's issues (errors fail a transaction as a whole and a batch entry by entry).
Reply ProcessBundle(const RequestContext& context, boost::json::value& bundle,
                    const fhir::OperationOutcome& findings,
                    std::span<const fhir::json::NumberText> numbers);

// A conditional operation's search (If-None-Exist, PUT/PATCH/DELETE [type]?criteria): parsed
// with strict handling, so that a misspelt parameter can never widen the match to everything,
// and required to hold at least one criterion (kInvalid "rest.conditional-without-criteria").
Result<fhir::search::SearchQuery> ParseConditionalQuery(std::string_view type,
                                                        std::string_view query);
// `query` reduced to what a conditional operation needs: its criteria, and at most two matches
// (enough to tell none, one and many).
fhir::search::SearchQuery AsConditional(fhir::search::SearchQuery query);
// The matches of a conditional search in `tx`, at most two.
Result<std::vector<store::ResourceVersion>> ConditionalMatches(
    store::Transaction& tx, const fhir::search::SearchQuery& query);

}  // namespace chartroom::rest
