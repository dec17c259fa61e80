#include "roi/authorization.hpp"

#include <algorithm>

#include "core/result_macros.hpp"
#include "roi/fields.hpp"

namespace chartroom::roi {
namespace json = boost::json;
namespace {

constexpr std::string_view kBad = "roi.bad-authorization";

bool Filled(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c != ' ' && c != '\t'; });
}

// Whether the text says what kind of substance use disorder information it covers.
bool NamesSud(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view word : {"substance", "alcohol", "drug", "opioid", "sud", "addiction"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::string_view AuthorizationKindName(AuthorizationKind k) {
  switch (k) {
    case AuthorizationKind::kHipaa:
      return "hipaa";
    case AuthorizationKind::kPart2:
      return "part2";
    case AuthorizationKind::kPsychotherapy:
      return "psychotherapy";
  }
  return "hipaa";
}

json::object Authorization::ToJson() const {
  json::object o;
  o["kind"] = AuthorizationKindName(kind);
  o["information"] = information;
  if (!sud_information.empty()) o["sud_information"] = sud_information;
  json::array labels;
  for (const std::string& l : sensitive) labels.emplace_back(l);
  o["sensitive"] = std::move(labels);
  o["discloser"] = discloser;
  o["recipient"] = recipient;
  o["purpose"] = purpose;
  if (!expires.empty()) o["expires"] = expires;
  if (!expiration_event.empty()) o["expiration_event"] = expiration_event;
  o["signed_by"] = signed_by;
  o["signed_on"] = signed_on;
  if (!representative_authority.empty()) o["representative_authority"] = representative_authority;
  o["statements"] = json::object{{"revocation", statement_revocation},
                                 {"conditioning", statement_conditioning},
                                 {"redisclosure", statement_redisclosure}};
  if (!revoked_on.empty()) o["revoked_on"] = revoked_on;
  return o;
}

Result<Authorization> Authorization::FromJson(const json::object& o) {
  constexpr std::string_view kWhere = "authorization.";
  Authorization a;
  CHARTROOM_ASSIGN_OR_RETURN(std::string kind, OptionalString(o, "kind", kBad, kWhere));
  if (kind.empty() || kind == "hipaa") {
    a.kind = AuthorizationKind::kHipaa;
  } else if (kind == "part2") {
    a.kind = AuthorizationKind::kPart2;
  } else if (kind == "psychotherapy") {
    a.kind = AuthorizationKind::kPsychotherapy;
  } else {
    return Fail(ErrorCategory::kInvalid, std::string(kBad),
                "authorization.kind is hipaa, part2 or psychotherapy");
  }
  struct Member {
    std::string_view key;
    std::string* into;
  };
  for (const Member& m :
       {Member{"information", &a.information}, Member{"sud_information", &a.sud_information},
        Member{"discloser", &a.discloser}, Member{"recipient", &a.recipient},
        Member{"purpose", &a.purpose}, Member{"expires", &a.expires},
        Member{"expiration_event", &a.expiration_event}, Member{"signed_by", &a.signed_by},
        Member{"signed_on", &a.signed_on},
        Member{"representative_authority", &a.representative_authority},
        Member{"revoked_on", &a.revoked_on}}) {
    CHARTROOM_ASSIGN_OR_RETURN(*m.into, OptionalString(o, m.key, kBad, kWhere));
  }
  for (const std::string* date : {&a.expires, &a.signed_on, &a.revoked_on}) {
    if (!date->empty() && !ValidDate(*date)) {
      return Fail(ErrorCategory::kInvalid, std::string(kBad),
                  "authorization dates (expires, signed_on, revoked_on) are YYYY-MM-DD");
    }
  }
  CHARTROOM_ASSIGN_OR_RETURN(a.sensitive, OptionalStrings(o, "sensitive", kBad, kWhere));
  if (const json::value* s = o.if_contains("statements"); s != nullptr && !s->is_null()) {
    if (!s->is_object()) {
      return Fail(ErrorCategory::kInvalid, std::string(kBad),
                  "authorization.statements is an object");
    }
    constexpr std::string_view kStatements = "authorization.statements.";
    CHARTROOM_ASSIGN_OR_RETURN(a.statement_revocation,
                               OptionalBool(s->get_object(), "revocation", kBad, kStatements));
    CHARTROOM_ASSIGN_OR_RETURN(a.statement_conditioning,
                               OptionalBool(s->get_object(), "conditioning", kBad, kStatements));
    CHARTROOM_ASSIGN_OR_RETURN(a.statement_redisclosure,
                               OptionalBool(s->get_object(), "redisclosure", kBad, kStatements));
  }
  return a;
}

bool Checklist::valid() const {
  return !expired && !revoked &&
         std::all_of(items.begin(), items.end(), [](const ChecklistItem& i) { return i.met; });
}

json::object Checklist::ToJson() const {
  json::array list;
  for (const ChecklistItem& i : items) {
    list.push_back(json::object{
        {"element", i.element}, {"citation", i.citation}, {"label", i.label}, {"met", i.met}});
  }
  return json::object{
      {"items", std::move(list)}, {"expired", expired}, {"revoked", revoked}, {"valid", valid()}};
}

Checklist Check(const Authorization& a, std::string_view date) {
  Checklist c;
  auto add = [&](std::string_view element, std::string_view citation, std::string_view label,
                 bool met) {
    c.items.push_back({std::string(element), std::string(citation), std::string(label), met});
  };
  const bool part2 = a.kind == AuthorizationKind::kPart2;
  const std::string_view cite_description = part2 ? "42 CFR 2.31(a)(3)" : "45 CFR 164.508(c)(1)(i)";
  add("description", cite_description,
      "A specific and meaningful description of the information to be disclosed",
      Filled(a.information));
  if (part2) {
    add("sud-description", "42 CFR 2.31(a)(3)",
        "How much and what kind of substance use disorder information, described explicitly",
        Filled(a.sud_information) && NamesSud(a.sud_information));
  }
  add("discloser", part2 ? "42 CFR 2.31(a)(2)" : "45 CFR 164.508(c)(1)(ii)",
      "The person or class of persons authorized to make the disclosure", Filled(a.discloser));
  add("recipient", part2 ? "42 CFR 2.31(a)(4)" : "45 CFR 164.508(c)(1)(iii)",
      "The person or class of persons to whom the disclosure may be made", Filled(a.recipient));
  add("purpose", part2 ? "42 CFR 2.31(a)(5)" : "45 CFR 164.508(c)(1)(iv)",
      "A description of each purpose of the disclosure", Filled(a.purpose));
  add("expiration", part2 ? "42 CFR 2.31(a)(7)" : "45 CFR 164.508(c)(1)(v)",
      "An expiration date or event", ValidDate(a.expires) || Filled(a.expiration_event));
  add("signature", part2 ? "42 CFR 2.31(a)(8)" : "45 CFR 164.508(c)(1)(vi)",
      "Signature of the individual (or representative) and date",
      Filled(a.signed_by) && ValidDate(a.signed_on) && a.signed_on <= date);
  add("revocation", part2 ? "42 CFR 2.31(a)(6)" : "45 CFR 164.508(c)(2)(i)",
      "Statement of the right to revoke in writing, with its exceptions and how",
      a.statement_revocation);
  if (!part2) {
    add("conditioning", "45 CFR 164.508(c)(2)(ii)",
        "Statement that treatment, payment, enrollment or eligibility are not conditioned on "
        "signing",
        a.statement_conditioning);
    add("redisclosure", "45 CFR 164.508(c)(2)(iii)",
        "Statement that disclosed information may be redisclosed and no longer protected",
        a.statement_redisclosure);
  }
  c.expired = ValidDate(a.expires) && a.expires < date;
  c.revoked = ValidDate(a.revoked_on) && a.revoked_on <= date;
  return c;
}

}  // namespace chartroom::roi
