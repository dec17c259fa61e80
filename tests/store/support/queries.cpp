#include "support/queries.hpp"

#include <cstdlib>
#include <iostream>

#include <boost/json/parse.hpp>

#include "fhir/primitives/decimal.hpp"
#include "fhir/primitives/temporal.hpp"

namespace chartroom::store::test {

namespace {
[[noreturn]] void Abort(std::string_view what) {
  std::cerr << "store test support: " << what << "\n";
  std::abort();
}
}  // namespace

fs::QueryValue Tok(std::string_view text) {
  fs::QueryValue v;
  v.raw = std::string(text);
  fs::TokenValue t;
  if (auto bar = text.find('|'); bar != std::string_view::npos) {
    v.token_has_system_separator = true;
    t.system = std::string(text.substr(0, bar));
    t.code = std::string(text.substr(bar + 1));
  } else {
    t.code = std::string(text);
  }
  v.token = std::move(t);
  return v;
}

fs::QueryValue OfType(std::string_view type_system, std::string_view type_code,
                      std::string_view value) {
  fs::QueryValue v;
  v.raw = std::string(type_system) + "|" + std::string(type_code) + "|" + std::string(value);
  v.token = fs::TokenValue{"", std::string(value), "",
                           std::string(type_system) + "|" + std::string(type_code)};
  return v;
}

fs::QueryValue Str(std::string_view text) {
  fs::QueryValue v;
  v.raw = std::string(text);
  v.string = fs::NormalizeString(text);
  return v;
}

fs::QueryValue Exact(std::string_view text) {
  fs::QueryValue v;
  v.raw = std::string(text);
  v.string = std::string(text);
  return v;
}

fs::QueryValue Text(std::string_view text) {
  fs::QueryValue v;
  v.raw = std::string(text);
  v.token = fs::TokenValue{"", "", std::string(text), ""};
  return v;
}

fs::QueryValue Date(fs::Prefix prefix, std::string_view text) {
  auto dt = fhir::DateTime::ParseDateTime(text, /*fhir_strict=*/false);
  if (!dt) Abort("bad date " + std::string(text));
  fs::QueryValue v;
  v.prefix = prefix;
  v.raw = std::string(text);
  v.date = fs::DateRangeOf(*dt);
  return v;
}

fs::QueryValue Num(fs::Prefix prefix, std::string_view text) {
  auto n = fs::ParseNumber(text);
  if (!n) Abort("bad number " + std::string(text));
  fs::QueryValue v;
  v.prefix = prefix;
  v.raw = std::string(text);
  v.number = *n;
  return v;
}

fs::QueryValue Qty(fs::Prefix prefix, std::string_view number, std::string_view system,
                   std::string_view code) {
  auto d = fhir::Decimal::Parse(number);
  if (!d) Abort("bad quantity " + std::string(number));
  fs::QueryValue v;
  v.prefix = prefix;
  v.raw = std::string(number);
  if (code.empty()) {
    auto n = fs::ParseNumber(number);
    v.quantity = fs::QuantityValue{n->value, n->low, n->high, "", "", "", n->value, ""};
  } else {
    v.quantity = fs::MakeQuantityValue(*d, system, code, code);
  }
  return v;
}

fs::QueryValue Ref(std::string_view reference) {
  fs::QueryValue v;
  v.raw = std::string(reference);
  if (reference.find('/') == std::string_view::npos &&
      reference.find(':') == std::string_view::npos) {
    v.reference = fs::ReferenceValue{"", std::string(reference), "", "", "", ""};
    return v;
  }
  auto r = fs::ParseReference(reference);
  if (!r) Abort("bad reference " + std::string(reference));
  v.reference = *r;
  return v;
}

fs::QueryValue Uri(std::string_view uri) {
  fs::QueryValue v;
  v.raw = std::string(uri);
  v.uri = std::string(uri);
  return v;
}

fs::QueryValue Missing(bool missing) {
  fs::QueryValue v;
  v.raw = missing ? "true" : "false";
  v.missing = missing;
  return v;
}

fs::QueryValue Composite(std::vector<fs::QueryValue> parts) {
  fs::QueryValue v;
  for (const auto& p : parts) v.raw += (v.raw.empty() ? "" : "$") + p.raw;
  v.composite = std::move(parts);
  return v;
}

fs::Criterion Param(std::string_view type, std::string_view code,
                    std::vector<fs::QueryValue> values, fs::Modifier modifier) {
  const fhir::SearchParamInfo* param = fhir::FindSearchParam(type, code);
  if (param == nullptr) Abort("no search parameter " + std::string(type) + "." + std::string(code));
  fs::Criterion c;
  c.param = param;
  c.type = param->type;
  c.modifier = modifier;
  c.values = std::move(values);
  return c;
}

fs::Criterion Common(fs::CommonParam common, std::vector<fs::QueryValue> values,
                     fs::Modifier modifier) {
  fs::Criterion c;
  c.common = common;
  std::string_view code;
  switch (common) {
    case fs::CommonParam::kId:
      code = "_id";
      break;
    case fs::CommonParam::kLastUpdated:
      code = "_lastUpdated";
      break;
    case fs::CommonParam::kTag:
      code = "_tag";
      break;
    case fs::CommonParam::kProfile:
      code = "_profile";
      break;
    case fs::CommonParam::kSecurity:
      code = "_security";
      break;
    default:
      code = "_text";
  }
  c.param = fhir::FindSearchParam("Resource", code);
  if (c.param != nullptr) c.type = c.param->type;
  c.modifier = modifier;
  c.values = std::move(values);
  return c;
}

fs::Criterion Chain(std::string_view type, std::string_view ref_code, std::string_view target,
                    fs::Criterion inner) {
  const fhir::SearchParamInfo* param = fhir::FindSearchParam(type, ref_code);
  if (param == nullptr) Abort("no reference parameter " + std::string(ref_code));
  inner.chain.insert(inner.chain.begin(), fs::ChainLink{param, std::string(target)});
  return inner;
}

fs::Criterion Has(std::string_view source, std::string_view ref_code, fs::Criterion inner) {
  const fhir::SearchParamInfo* param = fhir::FindSearchParam(source, ref_code);
  if (param == nullptr) Abort("no reference parameter " + std::string(ref_code));
  inner.has.insert(inner.has.begin(), fs::HasLink{std::string(source), param});
  return inner;
}

fs::SortKey SortBy(std::string_view type, std::string_view code, bool descending) {
  fs::SortKey k;
  k.param = fhir::FindSearchParam(type, code);
  if (k.param == nullptr) Abort("no sort parameter " + std::string(code));
  k.descending = descending;
  return k;
}

fs::SortKey SortByCommon(fs::CommonParam common, bool descending) {
  fs::SortKey k;
  k.common = common;
  k.descending = descending;
  return k;
}

fs::Include Include(std::string_view source, std::string_view code, bool iterate,
                    std::string_view target) {
  fs::Include inc;
  inc.source_type = std::string(source);
  inc.param = code == "*" ? nullptr : fhir::FindSearchParam(source, code);
  inc.iterate = iterate;
  inc.target_type = std::string(target);
  return inc;
}

fs::Include RevInclude(std::string_view source, std::string_view code, bool iterate) {
  fs::Include inc = Include(source, code, iterate);
  inc.reverse = true;
  return inc;
}

fs::SearchQuery Search(std::string_view type, std::vector<fs::Criterion> criteria) {
  fs::SearchQuery q;
  q.type = std::string(type);
  q.criteria = std::move(criteria);
  return q;
}

boost::json::object Json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) Abort("bad JSON in a test: " + std::string(text));
  return std::move(v.get_object());
}

}  // namespace chartroom::store::test
