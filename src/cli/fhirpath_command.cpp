// chartroom fhirpath [--input FILE.json] EXPRESSION
//
// Evaluates a FHIRPath expression against a FHIR JSON resource (or an empty input) and prints
// the result as one JSON array on stdout, each item {"type": T, "value": V} (see
// fhirpath::Item::TypeName and ToJson). The expression is always the last argument and may begin
// with '-'. now()/today() use the real clock; the FHIR environment variables are defined and
// %resource is the input.
//
// Exit codes: 0 success; 1 evaluation error; 2 syntax or semantic error, unreadable or invalid
// input file, or bad usage. Messages go to stderr.

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "cli/commands.hpp"
#include "fhir/fhirpath/fhirpath.hpp"

namespace chartroom::cli {
namespace {

namespace json = boost::json;
namespace fp = fhir::fhirpath;

constexpr char kUsage[] = "usage: chartroom fhirpath [--input FILE.json] EXPRESSION\n";

int UsageError(const std::string& message) {
  std::fprintf(stderr, "chartroom fhirpath: %s\n%s", message.c_str(), kUsage);
  return 2;
}

// The wall clock as a FHIRPath DateTime in the local zone, millisecond precision.
fhir::DateTime Now() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm local{};
  localtime_r(&seconds, &local);
  fhir::DateTime dt;
  dt.year = local.tm_year + 1900;
  dt.month = static_cast<std::uint8_t>(local.tm_mon + 1);
  dt.day = static_cast<std::uint8_t>(local.tm_mday);
  dt.hour = static_cast<std::uint8_t>(local.tm_hour);
  dt.minute = static_cast<std::uint8_t>(local.tm_min);
  dt.second = static_cast<std::uint8_t>(std::min(local.tm_sec, 59));
  dt.millisecond = static_cast<std::uint16_t>(millis.count());
  dt.precision = fhir::TemporalPrecision::kMillisecond;
  dt.tz_offset_minutes = static_cast<std::int16_t>(local.tm_gmtoff / 60);
  return dt;
}

// JSON with numbers in plain notation (185.5, not Boost.JSON's 1.855E2).
void AppendJson(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::double_:
      if (auto d = fhir::Decimal::FromDouble(v.get_double())) {
        out += d->ToString();
        return;
      }
      break;
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::string(kv.key()));
        out += ':';
        AppendJson(kv.value(), out);
      }
      out += '}';
      return;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendJson(e, out);
      }
      out += ']';
      return;
    }
    default:
      break;
  }
  out += json::serialize(v);
}

// Decimals keep their exact digits ("1.50"), which a round trip through double would lose.
void AppendValue(const fp::Item& item, std::string& out) {
  if (item.kind == fp::ItemKind::kDecimal) {
    out += item.u.decimal.ToString();
  } else if (item.kind == fp::ItemKind::kQuantity) {
    out += "{\"value\":" + item.u.quantity->value.ToString() +
           ",\"unit\":" + json::serialize(json::string(item.u.quantity->unit)) + "}";
  } else {
    AppendJson(item.ToJson(), out);
  }
}

}  // namespace

int RunFhirpath(Args args) {
  std::string input_path;
  bool has_input = false;
  if (args.empty()) return UsageError("missing EXPRESSION");
  std::string_view expression = args.back();
  // A trailing option is a forgotten argument, not the expression `-(-input)`.
  if (expression == "--input" || expression.starts_with("--input=")) {
    return UsageError("missing EXPRESSION");
  }
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--input") {
      if (i + 2 >= args.size()) return UsageError("--input needs a file");
      input_path = std::string(args[++i]);
      has_input = true;
    } else if (a.starts_with("--input=")) {
      input_path = std::string(a.substr(8));
      has_input = true;
    } else {
      return UsageError("unexpected argument '" + std::string(a) + "'");
    }
  }

  json::value resource;
  if (has_input) {
    std::ifstream in(input_path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "chartroom fhirpath: cannot read %s\n", input_path.c_str());
      return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::error_code ec;
    resource = json::parse(text.str(), ec);
    if (ec || !resource.is_object()) {
      std::fprintf(stderr, "chartroom fhirpath: %s is not a JSON object\n", input_path.c_str());
      return 2;
    }
  }

  auto compiled = fp::Expression::Compile(expression);
  if (!compiled) {
    std::fprintf(stderr, "chartroom fhirpath: %s: %s\n", compiled.error().code().c_str(),
                 compiled.error().message().c_str());
    return 2;
  }
  fp::EvaluationInput input;
  input.resource = has_input ? &resource : nullptr;
  input.now = Now();
  auto result = compiled->Evaluate(input);
  if (!result) {
    std::fprintf(stderr, "chartroom fhirpath: %s: %s\n", result.error().code().c_str(),
                 result.error().message().c_str());
    return 1;
  }
  std::string out = "[";
  for (std::size_t i = 0; i < result->size(); ++i) {
    const fp::Item& item = (*result)[i];
    if (i > 0) out += ",";
    out += "{\"type\":" + json::serialize(json::string(item.TypeName())) + ",\"value\":";
    AppendValue(item, out);
    out += "}";
  }
  out += "]\n";
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace chartroom::cli
