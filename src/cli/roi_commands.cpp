// chartroom roi COMMAND [--config FILE] [--data DIR]
//
// Release of information on the store the server uses (roi/service.hpp, docs/roi.md):
//   queue [--status S]          open requests (or those of a status), earliest due first
//   show ID                     one request, with its authorizations' checklists
//   intake FILE.json            record a request (the body POST /api/roi/requests takes)
//   fulfil ID                   release what the request may have
//   packet ID --out FILE [--bundle]   write the release packet (PDF, or the FHIR Bundle)
//   accounting PATIENT [--pdf FILE]   the accounting of disclosures (JSON, or a PDF)
// Changes are made and audited as the operator (cli:$USER), each in one transaction with its
// audit entry.
//
// Exit code: 0 done; 1 not found; 2 usage error or invalid input; 3 refused (an authorization
// is needed, the request is closed, nothing may be released, the patient does not match);
// 4 store error.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "app/config.hpp"
#include "app/roi_settings.hpp"
#include "app/security.hpp"
#include "app/store_open.hpp"
#include "cli/commands.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "roi/packet.hpp"
#include "roi/service.hpp"

namespace chartroom::cli {
namespace {

namespace json = boost::json;

constexpr int kExitNotFound = 1;
constexpr int kExitUsage = 2;
constexpr int kExitRefused = 3;
constexpr int kExitStore = 4;

constexpr std::string_view kUsage =
    "usage: chartroom roi COMMAND [--config FILE] [--data DIR]\n"
    "  queue [--status S]                open requests (or of status S), earliest due first\n"
    "  show ID                           one request with its authorization checklists\n"
    "  intake FILE.json                  record a request (the API's intake body)\n"
    "  fulfil ID                         release what the request may have\n"
    "  packet ID --out FILE [--bundle]   write the release packet as PDF (or FHIR Bundle)\n"
    "  accounting PATIENT [--pdf FILE]   the accounting of disclosures as JSON (or PDF)\n"
    "  Exit code: 0 done, 1 not found, 2 usage or invalid input, 3 refused, 4 store error.\n";

int Usage() {
  std::fputs(kUsage.data(), stderr);
  return kExitUsage;
}

int Failed(const Error& e) {
  std::fprintf(stderr, "chartroom roi: %s (%s)\n", e.message().c_str(), e.code().c_str());
  switch (e.category()) {
    case ErrorCategory::kNotFound:
      return kExitNotFound;
    case ErrorCategory::kInvalid:
      return kExitUsage;
    case ErrorCategory::kForbidden:
    case ErrorCategory::kConflict:
      return kExitRefused;
    default:
      return kExitStore;
  }
}

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

std::string Operator() {
  const char* user = std::getenv("USER");
  return std::string("cli:") + (user != nullptr ? user : "unknown");
}

}  // namespace

int RunRoi(Args args) {
  std::optional<std::filesystem::path> config_file;
  std::map<std::string, std::string> overrides;
  std::map<std::string, std::string> options;
  bool bundle = false;
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage.data(), stdout);
      return 0;
    }
    if (arg == "--bundle") {
      bundle = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      positional.emplace_back(arg);
      continue;
    }
    if (i + 1 >= args.size()) return Usage();
    const std::string value(args[++i]);
    if (arg == "--config") {
      config_file = value;
    } else if (arg == "--data") {
      overrides["data_dir"] = value;
    } else if (arg == "--status" || arg == "--out" || arg == "--pdf") {
      options[std::string(arg)] = value;
    } else {
      return Usage();
    }
  }
  if (positional.empty()) return Usage();
  const std::string sub = positional[0];
  const std::size_t want = sub == "queue" ? 1 : 2;
  if (positional.size() != want ||
      (sub != "queue" && sub != "show" && sub != "intake" && sub != "fulfil" && sub != "packet" &&
       sub != "accounting") ||
      (sub == "packet" && !options.contains("--out"))) {
    return Usage();
  }

  auto config = app::LoadConfig(config_file, app::ProcessEnvironment(), overrides);
  if (!config) return Failed(config.error());
  auto settings = app::RoiSettings(*config);
  if (!settings) return Failed(settings.error());
  core::SystemClock clock;
  core::SystemRandom random;
  auto opened = app::OpenStore(*config, clock, random);
  if (!opened) return Failed(opened.error());
  auto security = app::OpenSecurity(*config, *opened, clock, random);
  if (!security) return Failed(security.error());
  store::ResourceStore& store = *opened->store;
  audit::Trail* trail = security->trail.get();
  const std::string user = Operator();
  const core::Timestamp now = clock.Now();
  auto within = [&](std::string detail) -> roi::Within {
    return [trail, user, detail, now](store::Transaction& tx, const roi::Request& r) -> Status {
      audit::Event e;
      e.time = now;
      e.action = audit::Action::kUpdate;
      e.user = user;
      e.purpose = "HOPERAT";
      e.patients = {r.patient};
      e.resources = {"roi-request/" + r.id};
      if (r.release && detail == "roi fulfil") {
        e.resources.insert(e.resources.end(), r.release->resources.begin(),
                           r.release->resources.end());
      }
      e.detail = detail;
      return trail->RecordIn(tx, e);
    };
  };
  // Reads are audited as the server audits them: who read which patients' requests.
  auto audit_read = [&](std::string detail, std::vector<std::string> patients) {
    audit::Event e;
    e.time = now;
    e.action = audit::Action::kRead;
    e.user = user;
    e.purpose = "HOPERAT";
    e.patients = std::move(patients);
    e.detail = std::move(detail);
    trail->Record(std::move(e));
  };
  auto print = [](const json::object& o) {
    std::printf("%s\n", json::serialize(o).c_str());
    return 0;
  };
  const std::string arg = want == 2 ? positional[1] : std::string();
  const auto finish = [&](int code) {
    trail->Stop();
    return code;
  };

  if (sub == "queue") {
    std::optional<roi::RequestStatus> status;
    if (options.contains("--status")) {
      status = roi::ParseStatus(options["--status"]);
      if (!status) return finish(Usage());
    }
    auto items = roi::Queue(store, status, now);
    if (!items) return finish(Failed(items.error()));
    json::array list;
    std::vector<std::string> patients;
    for (const roi::QueueItem& item : *items) {
      patients.push_back(item.request.patient);
      json::object o = item.request.ToJson();
      o["age_days"] = item.age_days;
      o["days_left"] = item.days_left;
      list.push_back(std::move(o));
    }
    audit_read("roi queue", std::move(patients));
    return finish(print(json::object{{"requests", std::move(list)}}));
  }
  if (sub == "accounting") {
    auto list = roi::Accounting(store, arg, now);
    if (!list) return finish(Failed(list.error()));
    audit_read("roi accounting", {arg});
    if (!options.contains("--pdf")) return finish(print(roi::AccountingToJson(arg, *list)));
    auto patient = store.Read("Patient", arg);
    if (!patient) return finish(Failed(patient.error()));
    if (!WriteFile(options["--pdf"],
                   roi::AccountingPdf(*settings, *patient, *list, core::FormatInstant(now)))) {
      std::fprintf(stderr, "chartroom roi: cannot write %s\n", options["--pdf"].c_str());
      return finish(kExitStore);
    }
    return finish(0);
  }
  if (sub == "intake") {
    std::ifstream in(arg, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    json::value body = json::parse(text.str(), ec);
    if (!in || ec || !body.is_object()) {
      std::fprintf(stderr, "chartroom roi: %s is not a readable JSON object\n", arg.c_str());
      return finish(kExitUsage);
    }
    auto r = roi::Intake(store, *settings, body.get_object(), user, now, within("roi intake"));
    if (!r) return finish(Failed(r.error()));
    return finish(print(r->ToJson()));
  }
  if (sub == "fulfil") {
    const roi::Settings& s = *settings;
    auto pages = [&s](const roi::Request& r,
                      const std::vector<store::ResourceVersion>& released) -> Result<std::size_t> {
      return roi::PacketPdf(s, r, released, r.release->at).pages;
    };
    auto r = roi::Fulfil(store, *settings, arg, user, now, pages, within("roi fulfil"));
    if (!r) return finish(Failed(r.error()));
    return finish(print(r->ToJson()));
  }
  auto r = roi::GetRequest(store, arg);
  if (!r) return finish(Failed(r.error()));
  if (sub == "show") {
    audit_read("roi request", {r->patient});
    json::object o = r->ToJson();
    json::array checklists;
    for (const roi::Authorization& a : r->authorizations) {
      checklists.push_back(roi::Check(a, roi::DayOf(now)).ToJson());
    }
    o["checklists"] = std::move(checklists);
    return finish(print(o));
  }
  // packet
  auto released = roi::Released(store, *r);
  if (!released) return finish(Failed(released.error()));
  const std::string bytes = bundle
                                ? json::serialize(roi::PacketBundle(*r, *released, r->release->at))
                                : roi::PacketPdf(*settings, *r, *released, r->release->at).pdf;
  if (!WriteFile(options["--out"], bytes)) {
    std::fprintf(stderr, "chartroom roi: cannot write %s\n", options["--out"].c_str());
    return finish(kExitStore);
  }
  audit::Event e;
  e.time = now;
  e.action = audit::Action::kExport;
  e.user = user;
  e.purpose = "HOPERAT";
  e.patients = {r->patient};
  e.resources = {"roi-request/" + r->id};
  e.detail = "roi packet";
  trail->Record(std::move(e));
  return finish(0);
}

}  // namespace chartroom::cli
