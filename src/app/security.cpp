#include "app/security.hpp"

#include <boost/json.hpp>

#include "core/result_macros.hpp"
#include "crypto/keyed_hash.hpp"
#include "fhir/search/query.hpp"
#include "store/key_provider.hpp"

namespace chartroom::app {
namespace {

constexpr std::string_view kSigningKeyFile = "signing.key";
constexpr std::string_view kKeyId = "server";

}  // namespace

Result<Security> OpenSecurity(const Config& config, OpenedStore& opened, core::Clock& clock,
                              core::Random& random) {
  Security security;
  CHARTROOM_ASSIGN_OR_RETURN(
      crypto::SigningKey signing,
      crypto::LoadOrCreateSigningKeyFile(config.data_dir / kSigningKeyFile, random));
  auto* keys = dynamic_cast<store::KeyProvider*>(opened.store.get());
  if (keys == nullptr) {
    return Fail(ErrorCategory::kInternal, "app.no-key-provider", "the store seals no content");
  }
  CHARTROOM_ASSIGN_OR_RETURN(crypto::SecretKey system, keys->CompartmentKey(std::nullopt, nullptr));
  security.audit_key = crypto::DeriveSubkey(system, 1, "cr-audit");
  security.verify_keys.emplace(std::string(kKeyId), signing.public_key());

  access::IdentityOptions identity;
  identity.key_id = std::string(kKeyId);
  identity.totp_roles =
      access::ParseRoles(config.access.totp_roles).value_or(std::vector<access::Role>{});
  identity.access_ttl = config.access.access_token_ttl;
  identity.refresh_ttl = config.access.refresh_token_ttl;
  security.identity = std::make_unique<access::Identity>(*opened.store, clock, random, signing,
                                                         std::move(identity));

  const fhir::search::IndexExtractor* extractor = opened.extractor.get();
  store::ResourceStore* store = opened.store.get();
  access::PatientOfFunction patient_of = [extractor](const boost::json::value& resource) {
    return extractor->CompartmentPatient(resource);
  };
  access::ConsentLookup consent =
      [store](std::string_view patient) -> Result<std::vector<boost::json::object>> {
    CHARTROOM_ASSIGN_OR_RETURN(
        fhir::search::SearchQuery query,
        fhir::search::ParseSearchQuery(
            "Consent", "patient=Patient/" + std::string(patient) + "&status=active&_count=100",
            fhir::search::Handling::kStrict));
    CHARTROOM_ASSIGN_OR_RETURN(store::SearchPage page, store->Search(query));
    std::vector<boost::json::object> out;
    for (const store::ResourceVersion& v : page.matches) {
      boost::system::error_code ec;
      boost::json::value parsed = boost::json::parse(v.json, ec);
      if (!ec && parsed.is_object()) out.push_back(std::move(parsed.get_object()));
    }
    return out;
  };
  security.gate = std::make_unique<access::Gate>(std::move(patient_of), std::move(consent), clock);
  access::MonitorOptions monitor;
  monitor.daily_patient_limit = static_cast<std::size_t>(config.access.monitor_daily_patients);
  security.monitor =
      std::make_unique<access::Monitor>(*opened.store, *security.identity, clock, random, monitor);
  audit::TrailOptions trail;
  trail.key_id = std::string(kKeyId);
  security.trail = std::make_unique<audit::Trail>(*opened.store, clock, random, security.audit_key,
                                                  std::move(signing), std::move(trail));
  return security;
}

}  // namespace chartroom::app
