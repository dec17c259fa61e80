// libFuzzer target: arbitrary bytes as a release-of-information request body (roi/request.hpp:
// intake, authorizations and their checklists) and as a stored resource rendered into a release
// packet (roi/packet.hpp: the PDF and the Bundle). Whatever the input, this must not crash, leak,
// hang or trip a sanitizer; a PDF must come out whole.
//
//   cmake --preset fuzz && cmake --build --preset fuzz --target chartroom_roi_requests_fuzz
//   build/fuzz/tests/fuzz/chartroom_roi_requests_fuzz tests/fuzz/corpus/roi_requests
//       -max_total_time=300   (one command line)

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "roi/packet.hpp"
#include "roi/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chartroom;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(text, ec);
  roi::Request request;
  request.id = "R-000001";
  request.patient = "p1";
  request.received = "2024-03-01";
  request.requested.record_types = {"all"};
  if (!ec && body.is_object()) {
    if (auto parsed = roi::ParseIntake(body.get_object(), "2024-03-01")) {
      request = *parsed;
      request.id = "R-000001";
      for (const roi::Authorization& a : request.authorizations) {
        const roi::Checklist c = roi::Check(a, "2024-03-01");
        if (c.items.empty()) std::abort();
      }
      (void)roi::BasisOf(request);
    }
  }
  request.release = roi::Release{};
  request.release->at = "2024-03-01T00:00:00Z";
  // The input as a record of the patient: any JSON, any text, rendered.
  chartroom::store::ResourceVersion patient{"Patient", "p1", 1, {}, {}, std::string(text)};
  chartroom::store::ResourceVersion record{"Observation", "o1", 1, {}, {}, std::string(text)};
  const roi::Packet packet =
      roi::PacketPdf(roi::Settings{}, request, {patient, record}, "2024-03-01T00:00:00Z");
  if (!packet.pdf.starts_with("%PDF-") || packet.pdf.find("%%EOF") == std::string::npos) {
    std::abort();
  }
  (void)roi::PacketBundle(request, {patient, record}, "2024-03-01T00:00:00Z");
  return 0;
}
