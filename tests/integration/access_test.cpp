// Access control over HTTP, end to end (docs/access.md): login and tokens, the one decision
// point on every read path (read, vread, search with _include/_revinclude, history,
// $everything, $export), minimum-necessary masking, consent, writes, break-the-glass with its
// review, the privacy officer's access report, and the audit trail those leave, which
// `chartroom audit verify` checks and a tampered row fails. All data is synthetic.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include <boost/json.hpp>

#include "../crypto/jws_test_signer.hpp"
#include "app/security.hpp"
#include "app/store_open.hpp"
#include "core/clock.hpp"
#include "crypto/totp.hpp"
#include "support/process.hpp"
#include "support/test_server.hpp"

namespace chartroom::test {
namespace {

namespace json = boost::json;

constexpr std::string_view kPassword = "synthetic passphrase for tests";

std::string Condition(std::string_view id, std::string_view patient, std::string_view icd) {
  return R"({"resourceType":"Condition","id":")" + std::string(id) +
         R"(","subject":{"reference":"Patient/)" + std::string(patient) +
         R"("},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":")" +
         std::string(icd) + R"("}]}})";
}

std::string PatientJson(std::string_view id, std::string_view family) {
  return R"({"resourceType":"Patient","id":")" + std::string(id) + R"(","name":[{"family":")" +
         std::string(family) +
         R"(","given":["Testa"]}],"birthDate":"1970-06-15","telecom":[{"system":"phone",)"
         R"("value":"555-0100"}],"address":[{"city":"Springfield","postalCode":"99999"}]})";
}

std::int64_t Total(const HttpResult& r) {
  const json::value v = r.json();
  const json::value* t = v.is_object() ? v.as_object().if_contains("total") : nullptr;
  return t != nullptr && t->is_int64() ? t->as_int64() : -1;
}

bool Mentions(const HttpResult& r, std::string_view text) {
  return r.body.find(text) != std::string::npos;
}

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Users are added through the library, as `chartroom user add` does, on the server's data
    // directory (the store is shared between processes and instances).
    {
      core::SystemRandom random;
      auto opened = app::OpenStore(server_.config(), server_.clock(), random);
      ASSERT_TRUE(opened.has_value()) << opened.error().message();
      auto security = app::OpenSecurity(server_.config(), *opened, server_.clock(), random);
      ASSERT_TRUE(security.has_value()) << security.error().message();
      access::Identity& id = *security->identity;
      using access::Role;
      ASSERT_TRUE(id.AddUser("doc", kPassword, {Role::kClinician}));
      ASSERT_TRUE(id.AddUser("tech", kPassword, {Role::kHimTechnician}));
      ASSERT_TRUE(id.AddUser("analyst", kPassword, {Role::kDataAnalyst}));
      ASSERT_TRUE(id.AddUser("privacy", kPassword, {Role::kPrivacyOfficer}));
      ASSERT_TRUE(id.AddUser("pat", kPassword, {Role::kPatient}, "p1"));
      ASSERT_TRUE(id.SetProfile("tech", {"ALPHA", "11111"}));  // shares p1's family name
      security->trail->Stop();
    }
    doc_ = Login("doc", "TREAT");
    tech_ = Login("tech", "HOPERAT");
    analyst_ = Login("analyst", "HRESCH");
    privacy_ = Login("privacy", "HOPERAT");
    patient_ = Login("pat", "PATRQT");

    // The record: two patients, an ordinary and a Part 2 (SUD) diagnosis for p1, an
    // observation, and p2's consent refusing operations (HOPERAT) access.
    ASSERT_EQ(Put(doc_, "/fhir/Patient/p1", PatientJson("p1", "Alpha")).status, 201);
    ASSERT_EQ(Put(doc_, "/fhir/Patient/p2", PatientJson("p2", "Beta")).status, 201);
    ASSERT_EQ(Put(doc_, "/fhir/Condition/c-dm", Condition("c-dm", "p1", "E11.9")).status, 201);
    const HttpResult sud = Put(doc_, "/fhir/Condition/c-sud", Condition("c-sud", "p1", "F11.20"));
    ASSERT_EQ(sud.status, 201) << sud.body;
    ASSERT_EQ(Put(doc_, "/fhir/Condition/c-p2", Condition("c-p2", "p2", "E11.9")).status, 201);
    ASSERT_EQ(Put(doc_, "/fhir/Consent/k2",
                  R"({"resourceType":"Consent","id":"k2","status":"active","scope":{"coding":[)"
                  R"({"code":"patient-privacy"}]},"category":[{"coding":[{"code":"59284-0"}]}],)"
                  R"("patient":{"reference":"Patient/p2"},"provision":{"type":"permit",)"
                  R"("provision":[{"type":"deny","purpose":[{"system":"http://terminology.)"
                  R"(hl7.org/CodeSystem/v3-ActReason","code":"HOPERAT"}]}]}})")
                  .status,
              201);
  }

  std::string Login(std::string_view user, std::string_view purpose) {
    const HttpResult r = client_.Post("/auth/login",
                                      R"({"username":")" + std::string(user) + R"(","password":")" +
                                          std::string(kPassword) + R"(","purpose":")" +
                                          std::string(purpose) + R"("})",
                                      {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.status, 200) << r.body;
    const json::value v = r.json();
    return v.is_object() && v.as_object().contains("access_token")
               ? "Bearer " + std::string(v.at("access_token").as_string())
               : "";
  }
  HttpResult Get(const std::string& token, std::string_view target, Headers extra = {}) {
    extra.push_back({"Authorization", token});
    return client_.Get(target, extra);
  }
  HttpResult Put(const std::string& token, std::string_view target, std::string_view body) {
    return client_.Put(target, body, {{"Authorization", token}});
  }
  HttpResult Post(const std::string& token, std::string_view target, std::string_view body,
                  std::string_view type = "application/fhir+json") {
    return client_.Post(target, body,
                        {{"Authorization", token}, {"Content-Type", std::string(type)}});
  }

  TestServer server_{[](app::Config& c) { c.access.enforce = "on"; }};
  HttpClient client_ = server_.Client();
  std::string doc_, tech_, analyst_, privacy_, patient_;
};

TEST_F(AccessTest, MissingForgedRevokedAndPurposelessTokensAreRefusedWithoutDetail) {
  const HttpResult none = client_.Get("/fhir/Patient/p1");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer realm=\"chartroom\"");
  EXPECT_EQ(IssueCode(none.json()), "access.no-token");
  // A changed signature, and a payload from another token under this one's signature.
  std::string forged = doc_;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(Get(forged, "/fhir/Patient/p1").status, 401);
  const auto dot = doc_.find('.');
  const auto tech_dot = tech_.find('.');
  const std::string spliced = doc_.substr(0, dot) +
                              tech_.substr(tech_dot, tech_.rfind('.') - tech_dot) +
                              doc_.substr(doc_.rfind('.'));
  EXPECT_EQ(Get(spliced, "/fhir/Patient/p1").status, 401);
  // A missing record and a forbidden one answer alike for a caller without a token.
  EXPECT_EQ(client_.Get("/fhir/Patient/nope").body.size(), none.body.size());
  // A purpose the role may not use: 403 for the whole request.
  const HttpResult purpose = Get(tech_, "/fhir/Patient/p1", {{"X-Purpose-Of-Use", "TREAT"}});
  EXPECT_EQ(purpose.status, 403);
  EXPECT_EQ(IssueCode(purpose.json()), "access.purpose");
  // Expired: the server's clock moves past the token's lifetime.
  server_.clock().Set(server_.clock().Now() + std::chrono::hours(1));
  const HttpResult expired = Get(doc_, "/fhir/Patient/p1");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(IssueCode(expired.json()), "access.token-expired");
  // Logout revokes: a fresh login works until it logs out.
  const std::string fresh = Login("doc", "TREAT");
  EXPECT_EQ(Get(fresh, "/fhir/Patient/p1").status, 200);
  EXPECT_EQ(client_.Post("/auth/logout", "", {{"Authorization", fresh}}).status, 200);
  EXPECT_EQ(Get(fresh, "/fhir/Patient/p1").status, 401);
}

TEST_F(AccessTest, LoginFailuresLockTheAccountWithTheSameAnswer) {
  const auto attempt = [&](std::string_view password) {
    return client_.Post(
        "/auth/login",
        R"({"username":"tech","password":")" + std::string(password) + R"(","purpose":"HOPERAT"})",
        {{"Content-Type", "application/json"}});
  };
  const HttpResult unknown = client_.Post(
      "/auth/login", R"({"username":"nobody","password":"whatever it is","purpose":"TREAT"})",
      {{"Content-Type", "application/json"}});
  EXPECT_EQ(unknown.status, 401);
  for (int i = 0; i < 5; ++i) {
    const HttpResult wrong = attempt("not the passphrase");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(wrong.body, unknown.body);  // a wrong password and an unknown user look alike
  }
  // Locked now: even the right password fails, alike, until the backoff has passed.
  EXPECT_EQ(attempt(kPassword).body, unknown.body);
  server_.clock().Set(server_.clock().Now() + std::chrono::seconds(31));
  EXPECT_EQ(attempt(kPassword).status, 200);
}

TEST(AccessTotpTest, ARoleThatNeedsTotpLogsInOnlyWithTheCurrentCode) {
  TestServer server([](app::Config& c) {
    c.access.enforce = "on";
    c.access.totp_roles = "privacy_officer";
  });
  std::string secret;
  {
    core::SystemRandom random;
    auto opened = app::OpenStore(server.config(), server.clock(), random);
    ASSERT_TRUE(opened.has_value());
    auto security = app::OpenSecurity(server.config(), *opened, server.clock(), random);
    ASSERT_TRUE(security.has_value());
    ASSERT_TRUE(security->identity->AddUser("priv", kPassword, {access::Role::kPrivacyOfficer}));
    security->trail->Stop();
  }
  HttpClient client = server.Client();
  const auto login = [&](std::string_view code) {
    return client.Post("/auth/login",
                       R"({"username":"priv","password":")" + std::string(kPassword) +
                           R"(","purpose":"HOPERAT","totp":")" + std::string(code) + R"("})",
                       {{"Content-Type", "application/json"}});
  };
  // Not enrolled yet: the role needs a code, so the password alone does not log in.
  EXPECT_EQ(login("").status, 401);
  {
    core::SystemRandom random;
    auto opened = app::OpenStore(server.config(), server.clock(), random);
    auto security = app::OpenSecurity(server.config(), *opened, server.clock(), random);
    auto uri = security->identity->EnrollTotp("priv");
    ASSERT_TRUE(uri.has_value());
    const auto at = uri->find("secret=");
    ASSERT_NE(at, std::string::npos);
    const std::string base32 = uri->substr(at + 7, uri->find('&', at) - at - 7);
    // Decode the base32 secret as an authenticator app does.
    std::uint64_t bits = 0;
    int held = 0;
    for (char c : base32) {
      const int v = c >= 'A' && c <= 'Z' ? c - 'A' : c - '2' + 26;
      bits = (bits << 5) | static_cast<std::uint64_t>(v);
      held += 5;
      if (held >= 8) {
        secret.push_back(static_cast<char>((bits >> (held - 8)) & 0xFF));
        held -= 8;
      }
    }
    security->trail->Stop();
  }
  const auto code_at = [&](core::Timestamp t) {
    return crypto::Hotp(secret, static_cast<std::uint64_t>(crypto::TotpStep(t)));
  };
  EXPECT_EQ(login("000000" == code_at(server.clock().Now()) ? "111111" : "000000").status, 401);
  EXPECT_EQ(login(code_at(server.clock().Now() - std::chrono::minutes(10))).status, 401);
  EXPECT_EQ(login(code_at(server.clock().Now())).status, 200);
}

TEST_F(AccessTest, ASystemClientGetsAScopedTokenWithAPrivateKeyJwt) {
  const crypto::test::Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_TRUE(key);
  {
    core::SystemRandom random;
    auto opened = app::OpenStore(server_.config(), server_.clock(), random);
    auto security = app::OpenSecurity(server_.config(), *opened, server_.clock(), random);
    ASSERT_TRUE(security->identity->AddClient("lab-feed", crypto::test::Jwk(key.get(), true),
                                              "system/Observation.rs system/Patient.r", "HOPERAT"));
    security->trail->Stop();
  }
  // Discovery names the token endpoint, which is also the audience of assertions.
  const HttpResult smart = client_.Get("/fhir/.well-known/smart-configuration");
  ASSERT_EQ(smart.status, 200) << smart.body;
  const std::string token_url(smart.json().at("token_endpoint").as_string());
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(server_.clock().Now().time_since_epoch())
          .count();
  const auto assertion = [&](std::string_view jti, std::string_view aud, std::int64_t exp) {
    return crypto::test::CompactJws(key.get(), true, R"({"alg":"ES384","typ":"JWT","kid":"k1"})",
                                    R"({"iss":"lab-feed","sub":"lab-feed","aud":")" +
                                        std::string(aud) + R"(","exp":)" + std::to_string(exp) +
                                        R"(,"jti":")" + std::string(jti) + R"("})");
  };
  const auto token = [&](const std::string& jws, std::string_view scope) {
    return client_.Post("/auth/token",
                        "grant_type=client_credentials&scope=" + std::string(scope) +
                            "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-"
                            "assertion-type%3Ajwt-bearer&client_assertion=" +
                            jws,
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  };
  const HttpResult granted = token(assertion("j1", token_url, now + 240),
                                   "system%2FObservation.rs%20system%2FCondition.rs");
  ASSERT_EQ(granted.status, 200) << granted.body;
  EXPECT_EQ(granted.json().at("scope").as_string(), "system/Observation.rs");
  const std::string bearer = "Bearer " + std::string(granted.json().at("access_token").as_string());
  // The scopes decide: Observation read and search, not Condition, not writes.
  EXPECT_EQ(Get(bearer, "/fhir/Observation?subject=Patient/p1").status, 200);
  EXPECT_EQ(Get(bearer, "/fhir/Condition?subject=Patient/p1").status, 403);
  EXPECT_EQ(Get(bearer, "/fhir/Condition/c-dm").status, 404);
  EXPECT_EQ(Post(bearer, "/fhir/Observation",
                 R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})")
                .status,
            403);
  // Replayed jti, wrong audience, too long a lifetime, another key: refused.
  EXPECT_EQ(token(assertion("j1", token_url, now + 240), "").status, 401);
  EXPECT_EQ(token(assertion("j2", "https://elsewhere/token", now + 240), "").status, 401);
  EXPECT_EQ(token(assertion("j3", token_url, now + 3600), "").status, 401);
  const crypto::test::Key other(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  const std::string forged =
      crypto::test::CompactJws(other.get(), true, R"({"alg":"ES384"})",
                               R"({"iss":"lab-feed","sub":"lab-feed","aud":")" + token_url +
                                   R"(","exp":)" + std::to_string(now + 240) + R"(,"jti":"j4"})");
  const HttpResult refused = token(forged, "");
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json().at("error").as_string(), "invalid_client");
  EXPECT_EQ(token(assertion("j5", token_url, now + 240), "system%2FCondition.rs").status, 400);
}

TEST_F(AccessTest, RefreshRotatesAndTheOldRefreshTokenIsSpent) {
  const HttpResult login = client_.Post(
      "/auth/login",
      R"({"username":"doc","password":")" + std::string(kPassword) + R"(","purpose":"TREAT"})",
      {{"Content-Type", "application/json"}});
  ASSERT_EQ(login.status, 200);
  const std::string refresh = std::string(login.json().at("refresh_token").as_string());
  const std::string body = R"({"refresh_token":")" + refresh + R"("})";
  const HttpResult renewed =
      client_.Post("/auth/refresh", body, {{"Content-Type", "application/json"}});
  ASSERT_EQ(renewed.status, 200) << renewed.body;
  const std::string token = "Bearer " + std::string(renewed.json().at("access_token").as_string());
  EXPECT_EQ(Get(token, "/fhir/Patient/p1").status, 200);
  EXPECT_EQ(client_.Post("/auth/refresh", body, {{"Content-Type", "application/json"}}).status,
            401);
  // The access token of the spent session is revoked with it.
  const std::string first = "Bearer " + std::string(login.json().at("access_token").as_string());
  EXPECT_EQ(Get(first, "/fhir/Patient/p1").status, 401);
}

TEST_F(AccessTest, EveryReadPathHidesAPart2DiagnosisWithoutConsent) {
  // read and vread: the same 404 as a resource that does not exist.
  const HttpResult read = Get(doc_, "/fhir/Condition/c-sud");
  const HttpResult missing = Get(doc_, "/fhir/Condition/c-none");
  EXPECT_EQ(read.status, 404);
  EXPECT_EQ(IssueCode(read.json()), IssueCode(missing.json()));
  EXPECT_EQ(Get(doc_, "/fhir/Condition/c-sud/_history/1").status, 404);
  EXPECT_EQ(Get(doc_, "/fhir/Condition/c-dm").status, 200);
  // search: neither entry nor count.
  const HttpResult search = Get(doc_, "/fhir/Condition?subject=Patient/p1&_total=accurate");
  ASSERT_EQ(search.status, 200) << search.body;
  EXPECT_EQ(Total(search), 1);
  EXPECT_TRUE(Mentions(search, "c-dm"));
  EXPECT_FALSE(Mentions(search, "c-sud"));
  // _count=1 pages: the hidden match shortens no page and adds no link.
  const HttpResult paged = Get(doc_, "/fhir/Condition?subject=Patient/p1&_count=1");
  EXPECT_TRUE(Mentions(paged, "c-dm"));
  EXPECT_FALSE(Mentions(paged, "\"next\"")) << paged.body;
  // _revinclude and _include.
  const HttpResult rev = Get(doc_, "/fhir/Patient?_id=p1&_revinclude=Condition:subject");
  EXPECT_TRUE(Mentions(rev, "c-dm"));
  EXPECT_FALSE(Mentions(rev, "c-sud"));
  // history: type and instance.
  const HttpResult history = Get(doc_, "/fhir/Condition/_history");
  EXPECT_TRUE(Mentions(history, "c-dm"));
  EXPECT_FALSE(Mentions(history, "c-sud"));
  EXPECT_EQ(Total(history), 2);  // c-dm and c-p2
  EXPECT_EQ(Get(doc_, "/fhir/Condition/c-sud/_history").status, 404);
  // $everything.
  const HttpResult everything = Get(doc_, "/fhir/Patient/p1/$everything");
  ASSERT_EQ(everything.status, 200) << everything.body;
  EXPECT_TRUE(Mentions(everything, "c-dm"));
  EXPECT_FALSE(Mentions(everything, "c-sud"));
  // A deleted resource: 410 only for a caller who could have seen it.
  ASSERT_EQ(Put(doc_, "/fhir/Condition/c-old", Condition("c-old", "p1", "F11.20")).status, 201);
  ASSERT_EQ(Put(doc_, "/fhir/Condition/c-gone", Condition("c-gone", "p1", "E11.9")).status, 201);
  {
    core::SystemRandom random;  // deletion is the retention workflow's: done in the store here
    auto opened = app::OpenStore(server_.config(), server_.clock(), random);
    ASSERT_TRUE(opened->store->InTransaction([](store::Transaction& tx) -> Status {
      for (const char* id : {"c-old", "c-gone"}) {
        if (auto deleted = tx.Delete("Condition", id, std::nullopt); !deleted) {
          return tl::unexpected(deleted.error());
        }
      }
      return Ok();
    }));
  }
  EXPECT_EQ(Get(doc_, "/fhir/Condition/c-gone").status, 410);
  EXPECT_EQ(Get(doc_, "/fhir/Condition/c-old").status, 404);
  // A transaction Bundle's read entries pass the same gate.
  const HttpResult batch =
      Post(doc_, "/fhir",
           R"({"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET",)"
           R"("url":"Condition/c-sud"}},{"request":{"method":"GET","url":"Condition/c-dm"}}]})");
  ASSERT_EQ(batch.status, 200) << batch.body;
  EXPECT_TRUE(Mentions(batch, "\"404"));
  EXPECT_FALSE(Mentions(batch, "F11.20"));
}

TEST_F(AccessTest, ConsentDenyingAPurposeHidesThePatientsRecord) {
  EXPECT_EQ(Get(tech_, "/fhir/Patient/p2").status, 404);
  EXPECT_EQ(Get(tech_, "/fhir/Condition/c-p2").status, 404);
  EXPECT_EQ(Get(tech_, "/fhir/Patient/p1").status, 200);
  const HttpResult search = Get(tech_, "/fhir/Patient?_total=accurate");
  EXPECT_EQ(Total(search), 1);
  EXPECT_FALSE(Mentions(search, "Beta"));
  EXPECT_EQ(Get(tech_, "/fhir/Patient/p2/$everything").status, 404);
  // Treatment is not refused by that consent.
  EXPECT_EQ(Get(doc_, "/fhir/Patient/p2").status, 200);
}

TEST_F(AccessTest, TheAnalystSeesMaskedRecordsAndExportsMaskedLines) {
  const HttpResult read = Get(analyst_, "/fhir/Patient/p1");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_FALSE(Mentions(read, "Alpha"));
  EXPECT_FALSE(Mentions(read, "555-0100"));
  EXPECT_FALSE(Mentions(read, "Springfield"));
  EXPECT_TRUE(Mentions(read, "\"birthDate\":\"1970\"")) << read.body;
  EXPECT_TRUE(Mentions(read, "SUBSETTED"));
  const HttpResult search = Get(analyst_, "/fhir/Patient?birthdate=1970-06-15");
  EXPECT_FALSE(Mentions(search, "Alpha"));
  // Writing is not among the analyst's operations.
  const HttpResult write = Put(analyst_, "/fhir/Patient/p3", PatientJson("p3", "Gamma"));
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(IssueCode(write.json()), "access.denied");

  // $export: the kick-off, then the files, every line masked and no Part 2 record.
  const HttpResult kick = Get(analyst_, "/fhir/$export?_type=Patient,Condition",
                              {{"Accept", "application/fhir+json"}, {"Prefer", "respond-async"}});
  ASSERT_EQ(kick.status, 202) << kick.body;
  const std::string status_url = kick.header("Content-Location");
  const std::string path = status_url.substr(status_url.find("/fhir/"));
  HttpResult status;
  for (int i = 0; i < 200; ++i) {
    status = Get(analyst_, path);
    if (status.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(status.status, 200) << status.body;
  std::string lines;
  const json::value manifest = status.json();
  for (const json::value& output : manifest.at("output").as_array()) {
    const std::string url(output.at("url").as_string());
    lines += Get(analyst_, url.substr(url.find("/fhir/"))).body;
  }
  EXPECT_NE(lines.find("c-dm"), std::string::npos) << lines;
  EXPECT_FALSE(lines.find("c-sud") != std::string::npos) << lines;
  EXPECT_EQ(lines.find("Alpha"), std::string::npos) << lines;
  EXPECT_EQ(lines.find("Beta"), std::string::npos) << lines;
}

TEST_F(AccessTest, APatientSeesOnlyTheirOwnRecord) {
  EXPECT_EQ(Get(patient_, "/fhir/Patient/p1").status, 200);
  EXPECT_EQ(Get(patient_, "/fhir/Patient/p2").status, 404);
  const HttpResult search = Get(patient_, "/fhir/Condition?_total=accurate");
  EXPECT_EQ(Total(search), 1);  // c-dm: not p2's, not the Part 2 one
  EXPECT_TRUE(Mentions(search, "c-dm"));
}

TEST_F(AccessTest, BreakTheGlassOpensOnePatientForALimitedTimeAndIsReviewed) {
  const std::string emergency = Login("doc", "ETREAT");
  EXPECT_EQ(Get(emergency, "/fhir/Condition/c-sud").status, 404);
  // Only with a reason.
  EXPECT_EQ(
      Post(emergency, "/auth/break-glass", R"({"patient":"p1","minutes":30})", "application/json")
          .status,
      400);
  const HttpResult claimed = Post(
      emergency, "/auth/break-glass",
      R"({"patient":"p1","reason":"unresponsive in the ED","minutes":30})", "application/json");
  ASSERT_EQ(claimed.status, 201) << claimed.body;
  const std::string grant(claimed.json().at("id").as_string());
  EXPECT_EQ(Get(emergency, "/fhir/Condition/c-sud").status, 200);
  EXPECT_EQ(Get(doc_, "/fhir/Condition/c-sud").status, 404);      // TREAT is not an emergency
  EXPECT_EQ(Get(emergency, "/fhir/Condition/c-p2").status, 200);  // p2 needs no glass broken
  // A technician cannot break the glass.
  EXPECT_EQ(
      Post(tech_, "/auth/break-glass", R"({"patient":"p1","reason":"curious"})", "application/json")
          .status,
      403);

  // The review queue: only for the privacy officer.
  EXPECT_EQ(Get(doc_, "/privacy/break-glass").status, 403);
  const HttpResult queue = Get(privacy_, "/privacy/break-glass");
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_TRUE(Mentions(queue, grant));
  EXPECT_TRUE(Mentions(queue, "unresponsive in the ED"));
  const HttpResult reviewed =
      Post(privacy_, "/privacy/break-glass/" + grant,
           R"({"decision":"appropriate","note":"documented emergency"})", "application/json");
  ASSERT_EQ(reviewed.status, 200) << reviewed.body;
  EXPECT_FALSE(Mentions(Get(privacy_, "/privacy/break-glass"), grant));

  // After its time the grant ends.
  server_.clock().Set(server_.clock().Now() + std::chrono::minutes(31));
  const std::string later = Login("doc", "ETREAT");
  EXPECT_EQ(Get(later, "/fhir/Condition/c-sud").status, 404);

  // Start, use and review are in the trail: the patient's access report shows them.
  const HttpResult report = Get(Login("privacy", "HOPERAT"), "/privacy/access-report?patient=p1");
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_TRUE(Mentions(report, "start " + grant));
  EXPECT_TRUE(Mentions(report, "break-the-glass"));  // the read through the grant
  EXPECT_TRUE(Mentions(report, "review " + grant + ": appropriate"));
}

TEST_F(AccessTest, AccessReportsTellWhoSawARecordAndAPatientMayAskForTheirOwn) {
  ASSERT_EQ(Get(tech_, "/fhir/Patient/p1").status, 200);
  const HttpResult mine = Get(patient_, "/privacy/access-report?patient=p1");
  ASSERT_EQ(mine.status, 200) << mine.body;
  // A whole, valid searchset: its total, then its entries.
  const json::value report = mine.json();
  ASSERT_TRUE(report.is_object()) << mine.body;
  EXPECT_EQ(Total(mine), static_cast<std::int64_t>(At(report, "entry")->as_array().size()));
  EXPECT_TRUE(Mentions(mine, R"("value":"tech")"));
  EXPECT_TRUE(Mentions(mine, "HOPERAT"));
  EXPECT_EQ(Get(patient_, "/privacy/access-report?patient=p2").status, 403);
  EXPECT_EQ(Get(tech_, "/privacy/access-report?patient=p1").status, 403);
  const HttpResult by_user = Get(privacy_, "/privacy/access-report?user=tech");
  ASSERT_EQ(by_user.status, 200);
  EXPECT_TRUE(Mentions(by_user, "Patient/p1"));

  // The audit search: failures only, by one user, in a period; for the privacy officer alone.
  // A failure of tech's: a write the role may not make, refused and audited.
  EXPECT_EQ(Put(tech_, "/fhir/Condition/c-x", Condition("c-x", "p1", "I10")).status, 403);
  const HttpResult failures = Get(privacy_, "/privacy/audit?outcome=failure&user=tech");
  ASSERT_EQ(failures.status, 200) << failures.body;
  const json::value found = failures.json();
  ASSERT_TRUE(found.is_object()) << failures.body;
  ASSERT_GE(Total(failures), 1);
  for (const json::value& e : At(found, "entry")->as_array()) {
    EXPECT_NE(Str(e, "resource.outcome"), "0");
    EXPECT_EQ(Str(e, "resource.agent.0.who.identifier.value"), "tech");
  }
  EXPECT_EQ(Total(Get(privacy_, "/privacy/audit?until=2000-01-01")), 0);
  EXPECT_EQ(Total(Get(privacy_, "/privacy/audit?user=tech&count=1")), 1);
  EXPECT_EQ(Get(privacy_, "/privacy/audit?since=yesterday").status, 400);
  EXPECT_EQ(Get(privacy_, "/privacy/audit?colour=red").status, 400);
  EXPECT_EQ(Get(tech_, "/privacy/audit").status, 403);
}

TEST_F(AccessTest, MonitoringFlagsSuspiciousAccessIntoAReviewQueue) {
  ASSERT_EQ(Put(doc_, "/fhir/Patient/p-vip",
                R"({"resourceType":"Patient","id":"p-vip","meta":{"security":[{"code":"VIP"}]},)"
                R"("name":[{"family":"Gamma"}]})")
                .status,
            201);
  EXPECT_EQ(Get(tech_, "/fhir/Patient/p1").status, 200);    // the same family name as tech's
  EXPECT_EQ(Get(doc_, "/fhir/Patient/p-vip").status, 200);  // a VIP record
  EXPECT_EQ(Get(doc_, "/fhir/Patient/p2").status, 200);     // nothing to flag
  EXPECT_EQ(Get(tech_, "/privacy/reviews").status, 403);
  const HttpResult queue = Get(privacy_, "/privacy/reviews");
  ASSERT_EQ(queue.status, 200) << queue.body;
  const json::value reviews = queue.json().at("reviews");
  ASSERT_EQ(reviews.as_array().size(), 2u) << queue.body;
  std::string family_item;
  for (const json::value& item : reviews.as_array()) {
    const std::string rule(item.at("rule").as_string());
    if (rule == "same-family") {
      EXPECT_EQ(item.at("user").as_string(), "tech");
      EXPECT_EQ(item.at("patient").as_string(), "p1");
      family_item = std::string(item.at("id").as_string());
    } else {
      EXPECT_EQ(rule, "vip");
      EXPECT_EQ(item.at("patient").as_string(), "p-vip");
    }
  }
  ASSERT_FALSE(family_item.empty());
  const HttpResult decided =
      Post(privacy_, "/privacy/reviews/" + family_item,
           R"({"decision":"inappropriate","note":"no work reason"})", "application/json");
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(Get(privacy_, "/privacy/reviews").json().at("reviews").as_array().size(), 1u);
  EXPECT_TRUE(Mentions(Get(privacy_, "/privacy/reviews?all=true"), "no work reason"));
}

TEST_F(AccessTest, TheAuditTrailVerifiesAndATamperedEntryIsNamed) {
  ASSERT_EQ(Get(doc_, "/fhir/Patient/p1").status, 200);
  server_.Stop();
  const std::filesystem::path dir = server_.config().data_dir;
  {
    Process verify({"audit", "verify", "--data", dir.string()});
    EXPECT_EQ(verify.Wait(std::chrono::seconds(60)), 0) << verify.output();
  }
  const auto verify_in_process = [&]() {
    core::SystemClock clock;
    core::SystemRandom random;
    auto opened = app::OpenStore(server_.config(), clock, random);
    EXPECT_TRUE(opened.has_value());
    auto security = app::OpenSecurity(server_.config(), *opened, clock, random);
    EXPECT_TRUE(security.has_value());
    auto result = audit::VerifyLog(*opened->store, security->verify_keys);
    EXPECT_TRUE(result.has_value());
    return *result;
  };
  const audit::VerifyResult intact = verify_in_process();
  ASSERT_FALSE(intact.first_bad);
  ASSERT_GE(intact.entries, 8);
  // Change one byte of entry 5's sealed body, as someone with the database file could.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "chartroom.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE audit_log SET body = CAST(substr(body, 1, 10) || 'x' || "
                         "substr(body, 12) AS BLOB) WHERE sequence = 5",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  {
    Process verify({"audit", "verify", "--data", dir.string()});
    EXPECT_EQ(verify.Wait(std::chrono::seconds(60)), 1) << verify.output();
  }
  audit::VerifyResult changed = verify_in_process();
  ASSERT_TRUE(changed.first_bad);
  EXPECT_EQ(changed.first_bad->sequence, 5);
  // Removing an entry instead: the gap is named.
  ASSERT_EQ(sqlite3_open((dir / "chartroom.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE audit_log SET body = (SELECT body FROM audit_log WHERE sequence "
                         "= 4) WHERE sequence = 5; DELETE FROM audit_log WHERE sequence = 3",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  audit::VerifyResult removed = verify_in_process();
  ASSERT_TRUE(removed.first_bad);
  EXPECT_EQ(removed.first_bad->sequence, 3);
}

TEST_F(AccessTest, CodingIsForCodersAndHimStaff) {
  const std::string check =
      R"({"sex":"female","age_years":40,"diagnoses":[{"code":"I10","poa":"Y"}]})";
  EXPECT_EQ(client_.Post("/api/coding/check", check).status, 401);
  EXPECT_EQ(Post(doc_, "/api/coding/check", check, "application/json").status, 403);
  EXPECT_EQ(Get(analyst_, "/api/codes/icd10cm/I10").status, 403);
  const HttpResult checked = Post(tech_, "/api/coding/check", check, "application/json");
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_EQ(Get(tech_, "/api/codes/icd10cm/I10").status, 200);
  // The FHIR terminology operations hold no patient data: any signed-in user may use them.
  EXPECT_EQ(
      client_.Get("/fhir/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-cm&code=I10")
          .status,
      401);
  const HttpResult lookup =
      Get(doc_, "/fhir/CodeSystem/$lookup?system=http://hl7.org/fhir/sid/icd-10-cm&code=I10");
  EXPECT_EQ(lookup.status, 200) << lookup.body;
}

TEST_F(AccessTest, ACodingCaseIsHeldByOneCoderAtATime) {
  {
    core::SystemRandom random;
    auto opened = app::OpenStore(server_.config(), server_.clock(), random);
    ASSERT_TRUE(opened.has_value());
    auto security = app::OpenSecurity(server_.config(), *opened, server_.clock(), random);
    ASSERT_TRUE(security.has_value());
    ASSERT_TRUE(security->identity->AddUser("coder1", kPassword, {access::Role::kCoder}));
    ASSERT_TRUE(security->identity->AddUser("coder2", kPassword, {access::Role::kCoder}));
    security->trail->Stop();
  }
  const std::string one = Login("coder1", "HOPERAT");
  const std::string two = Login("coder2", "HOPERAT");
  ASSERT_EQ(Put(doc_, "/fhir/Encounter/e1",
                R"({"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":)"
                R"("http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},"subject":)"
                R"({"reference":"Patient/p1"},"period":{"start":"2021-03-01T08:00:00Z","end":)"
                R"("2021-03-04T12:00:00Z"}})")
                .status,
            201);
  const std::string codes = R"({"diagnoses":[{"code":"E11.9","poa":"Y"}]})";
  const HttpResult claimed = Post(one, "/api/coding/cases/e1/claim", "", "application/json");
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  // The second coder can read the case but neither claim it nor change its codes.
  EXPECT_EQ(Get(two, "/api/coding/cases/e1").status, 200);
  const HttpResult taken = Post(two, "/api/coding/cases/e1/claim", "", "application/json");
  EXPECT_EQ(taken.status, 409) << taken.body;
  EXPECT_EQ(IssueCode(taken.json()), "coding.claimed");
  EXPECT_EQ(client_
                .Put("/api/coding/cases/e1", codes,
                     {{"Authorization", two}, {"Content-Type", "application/json"}})
                .status,
            409);
  EXPECT_EQ(Post(two, "/api/coding/cases/e1/finalize", "", "application/json").status, 409);
  // The holder codes and finalizes; the Provenance names the holder.
  const HttpResult saved =
      client_.Put("/api/coding/cases/e1", codes,
                  {{"Authorization", one}, {"Content-Type", "application/json"}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  const HttpResult final = Post(one, "/api/coding/cases/e1/finalize", "", "application/json");
  ASSERT_EQ(final.status, 200) << final.body;
  const HttpResult provenance =
      Get(one, "/fhir/Provenance?target=Claim/" + Str(final.json(), "claim"));
  EXPECT_EQ(Str(provenance.json(), "entry.0.resource.agent.0.who.display"), "coder1")
      << provenance.body;
}

TEST_F(AccessTest, ReleaseOfInformationIsForHimStaffAndAPatientSeesTheirAccounting) {
  const std::string intake =
      R"({"requester":{"type":"public-health","name":"County Health Department"},)"
      R"("patient":"p1","identification":{"family":"Alpha","given":"Testa","birth_date":)"
      R"("1970-06-15"},"requested":{"record_types":["problems"]},"purpose":"public-health"})";
  EXPECT_EQ(client_.Post("/api/roi/requests", intake).status, 401);
  EXPECT_EQ(Post(doc_, "/api/roi/requests", intake, "application/json").status, 403);
  EXPECT_EQ(Post(privacy_, "/api/roi/requests", intake, "application/json").status, 403);
  const HttpResult created = Post(tech_, "/api/roi/requests", intake, "application/json");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(created.json(), "id");
  EXPECT_EQ(Get(privacy_, "/api/roi/requests/" + id).status, 200);  // reads, does not work them
  EXPECT_EQ(Post(privacy_, "/api/roi/requests/" + id + "/fulfil", "", "application/json").status,
            403);
  EXPECT_EQ(Get(patient_, "/api/roi/requests").status, 403);
  const HttpResult fulfilled =
      Post(tech_, "/api/roi/requests/" + id + "/fulfil", "", "application/json");
  ASSERT_EQ(fulfilled.status, 200) << fulfilled.body;
  // Public health is not told of the Part 2 diagnosis without the patient's consent.
  EXPECT_EQ(fulfilled.body.find("Condition/c-sud"), std::string::npos);
  EXPECT_NE(fulfilled.body.find("Condition/c-dm"), std::string::npos);

  // The patient reads their own accounting, and only theirs; the release is in their access
  // report with the technician who made it.
  const HttpResult accounting = Get(patient_, "/api/roi/accounting/p1");
  ASSERT_EQ(accounting.status, 200) << accounting.body;
  EXPECT_TRUE(Mentions(accounting, "County Health Department"));
  EXPECT_EQ(Get(patient_, "/api/roi/accounting/p2").status, 403);
  EXPECT_EQ(Get(doc_, "/api/roi/accounting/p1").status, 403);
  const HttpResult report = Get(patient_, "/privacy/access-report?patient=p1");
  ASSERT_EQ(report.status, 200);
  EXPECT_TRUE(Mentions(report, "roi fulfil"));

  // Their own copy, and amendments of their own record; nobody else's.
  const HttpResult copy = Get(patient_, "/api/roi/record/p1?format=bundle");
  ASSERT_EQ(copy.status, 200) << copy.body;
  EXPECT_TRUE(Mentions(copy, "c-sud"));  // Part 2 records are the patient's own to have
  EXPECT_EQ(Get(patient_, "/api/roi/record/p2").status, 403);
  EXPECT_EQ(Get(doc_, "/api/roi/record/p1").status, 403);
  EXPECT_EQ(Get(tech_, "/api/roi/record/p1").status, 403);  // staff release through a request
  const std::string amendment =
      R"({"patient":"p1","requested_by":"Testa Alpha","record":"Condition/c-dm",)"
      R"("reason":"Wrong diagnosis","requested_change":"Remove it"})";
  const HttpResult asked = Post(patient_, "/api/roi/amendments", amendment, "application/json");
  ASSERT_EQ(asked.status, 201) << asked.body;
  std::string other = amendment;
  other.replace(other.find("\"p1\""), 4, "\"p2\"");
  EXPECT_EQ(Post(patient_, "/api/roi/amendments", other, "application/json").status, 403);
  const std::string asked_id = Str(asked.json(), "id");
  EXPECT_EQ(Post(patient_, "/api/roi/amendments/" + asked_id + "/deny",
                 R"({"ground":"accurate-and-complete","explanation":"x"})", "application/json")
                .status,
            403);  // deciding is HIM work
  EXPECT_EQ(Get(patient_, "/api/roi/amendments?patient=p1").status, 200);
}

TEST_F(AccessTest, PatientIndexAnswersOnlyWhatTheCallerMaySee) {
  // The worklist is the HIM staff's: no token 401, a clinician 403, a technician 200.
  EXPECT_EQ(client_.Get("/mpi/worklist").status, 401);
  EXPECT_EQ(Get(doc_, "/mpi/worklist").status, 403);
  EXPECT_EQ(Get(tech_, "/mpi/worklist").status, 200);

  // Patient/$match reads its candidates through the caller's view: p2's consent refuses
  // operations (HOPERAT), so the technician does not get p2 back where the clinician does.
  const std::string query =
      R"({"resourceType":"Parameters","parameter":[{"name":"resource","resource":)" +
      PatientJson("q", "Beta") + "}]}";
  auto ids = [](const HttpResult& r) {
    std::set<std::string> out;
    const json::value v = r.json();
    if (const json::value* entries = At(v, "entry"); entries != nullptr) {
      for (const auto& e : entries->as_array()) out.insert(Str(e, "resource.id"));
    }
    return out;
  };
  const HttpResult as_doc = Post(doc_, "/fhir/Patient/$match", query);
  ASSERT_EQ(as_doc.status, 200) << as_doc.body;
  EXPECT_TRUE(ids(as_doc).contains("p2")) << as_doc.body;
  const HttpResult as_tech = Post(tech_, "/fhir/Patient/$match", query);
  ASSERT_EQ(as_tech.status, 200) << as_tech.body;
  EXPECT_FALSE(ids(as_tech).contains("p2")) << as_tech.body;

  // Facilities are configured by a director or an administrator, not by a technician.
  EXPECT_EQ(Post(tech_, "/mpi/facilities", R"({"code":"n","system":"urn:x","format":"{seq}"})",
                 "application/json")
                .status,
            403);

  // A merge is the HIM staff's and lands in both patients' access reports.
  const std::string merge = R"({"source":"p2","target":"p1"})";
  EXPECT_EQ(Post(doc_, "/mpi/merge", merge, "application/json").status, 403);
  const HttpResult merged = Post(tech_, "/mpi/merge", merge, "application/json");
  ASSERT_EQ(merged.status, 200) << merged.body;
  for (const char* patient : {"p1", "p2"}) {
    const HttpResult report =
        Get(privacy_, std::string("/privacy/access-report?patient=") + patient);
    ASSERT_EQ(report.status, 200) << report.body;
    EXPECT_TRUE(Mentions(report, "mpi merge p2@")) << patient << " " << report.body;
  }
}

}  // namespace
}  // namespace chartroom::test
