// Audit events as the trail stores and exports them: the stored JSON reads back to the same
// event whatever its strings hold, and the AuditEvent export has the IHE BALP shape.

#include "audit/trail.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chartroom::audit {
namespace {

Event Sample() {
  Event e;
  e.time = core::Timestamp(std::chrono::microseconds(1764150000123456));
  e.action = Action::kSearch;
  e.outcome = "success";
  e.user = "doc \"quoted\"\\ \n\x01";
  e.roles = {"clinician", "coder"};
  e.purpose = "TREAT";
  e.patients = {"p1", "p2"};
  e.resources = {"Condition/c1"};
  e.client_address = "10.0.0.7";
  e.request_id = "0123-1";
  e.detail = "break-the-glass";
  return e;
}

TEST(AuditEventTest, StoredJsonReadsBackToTheSameEvent) {
  const Event e = Sample();
  const std::string text = e.ToJson();
  EXPECT_NO_THROW((void)boost::json::parse(text)) << text;
  auto back = Event::FromJson(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->time, e.time);
  EXPECT_EQ(back->action, e.action);
  EXPECT_EQ(back->user, e.user);
  EXPECT_EQ(back->roles, e.roles);
  EXPECT_EQ(back->purpose, e.purpose);
  EXPECT_EQ(back->patients, e.patients);
  EXPECT_EQ(back->resources, e.resources);
  EXPECT_EQ(back->client_address, e.client_address);
  EXPECT_EQ(back->request_id, e.request_id);
  EXPECT_EQ(back->detail, e.detail);
  // Empty fields are left out, not written empty.
  Event bare;
  bare.action = Action::kLogin;
  bare.outcome = "bad-password";
  EXPECT_EQ(bare.ToJson(), R"({"t":0,"a":"login","o":"bad-password"})");
  EXPECT_FALSE(Event::FromJson("not json").has_value());
}

TEST(AuditEventTest, ExportIsABalpAuditEvent) {
  const boost::json::value ae = boost::json::parse(ToAuditEvent(42, Sample()));
  EXPECT_EQ(ae.at("resourceType").as_string(), "AuditEvent");
  EXPECT_EQ(ae.at("id").as_string(), "42");
  EXPECT_EQ(ae.at("type").at("code").as_string(), "rest");
  EXPECT_EQ(ae.at("subtype").at(0).at("code").as_string(), "search-type");
  EXPECT_EQ(ae.at("action").as_string(), "E");
  EXPECT_EQ(ae.at("outcome").as_string(), "0");
  EXPECT_EQ(ae.at("recorded").as_string(), "2025-11-26T09:40:00.123Z");
  EXPECT_EQ(ae.at("purposeOfEvent").at(0).at("coding").at(0).at("code").as_string(), "TREAT");
  const auto& agent = ae.at("agent").at(0);
  EXPECT_TRUE(agent.at("requestor").as_bool());
  EXPECT_EQ(agent.at("network").at("address").as_string(), "10.0.0.7");
  EXPECT_EQ(agent.at("role").as_array().size(), 2u);
  const auto& entities = ae.at("entity").as_array();
  ASSERT_EQ(entities.size(), 4u);  // two patients, one resource, the request
  EXPECT_EQ(entities[0].at("what").at("reference").as_string(), "Patient/p1");
  EXPECT_EQ(entities[0].at("role").at("code").as_string(), "1");
  EXPECT_EQ(entities[2].at("what").at("reference").as_string(), "Condition/c1");
  EXPECT_EQ(entities[3].at("description").as_string(), "break-the-glass");

  Event failed = Sample();
  failed.action = Action::kLogin;
  failed.outcome = "locked";
  const boost::json::value login = boost::json::parse(ToAuditEvent(1, failed));
  EXPECT_EQ(login.at("type").at("code").as_string(), "110114");
  EXPECT_EQ(login.at("outcome").as_string(), "4");
  EXPECT_EQ(login.at("outcomeDesc").as_string(), "locked");
}

}  // namespace
}  // namespace chartroom::audit
