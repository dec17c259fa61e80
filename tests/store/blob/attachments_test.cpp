// Tests of where binary content is found in resources and of the blob marker
// (store/blob/attachments.hpp). All fixture data is synthetic.

#include "store/blob/attachments.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace chartroom::store::blob {
namespace {

namespace bj = boost::json;

// The data values ForEachDataHolder visits, in visiting order.
std::vector<std::string> DataFound(std::string_view json) {
  bj::object resource = bj::parse(json).as_object();
  std::vector<std::string> found;
  Status status = ForEachDataHolder(resource, [&](bj::object& holder) -> Status {
    found.emplace_back(holder.at("data").as_string());
    return Ok();
  });
  EXPECT_TRUE(status.has_value());
  return found;
}

TEST(AttachmentsTest, FindsBinaryDataAndAttachmentsAtAnyDepthThroughTheModel) {
  EXPECT_EQ(DataFound(R"({"resourceType":"Binary","contentType":"text/plain","data":"QQ=="})"),
            std::vector<std::string>{"QQ=="});
  EXPECT_EQ(DataFound(R"({"resourceType":"DocumentReference","status":"current",
      "content":[{"attachment":{"data":"AQ=="}},{"attachment":{"url":"x"}},
                 {"attachment":{"data":"Ag=="}}]})"),
            (std::vector<std::string>{"AQ==", "Ag=="}));
  EXPECT_EQ(DataFound(R"({"resourceType":"Media","status":"completed","content":{"data":"Aw=="}})"),
            std::vector<std::string>{"Aw=="});
  EXPECT_EQ(DataFound(R"({"resourceType":"Communication","status":"completed",
      "payload":[{"contentString":"no"},{"contentAttachment":{"data":"BA=="}}]})"),
            std::vector<std::string>{"BA=="});
  // An extension's valueAttachment, a primitive's extension and a contained Binary.
  EXPECT_EQ(DataFound(R"({"resourceType":"Observation","status":"final","code":{"text":"c"},
      "extension":[{"url":"u","valueAttachment":{"data":"BQ=="}}],
      "_status":{"extension":[{"url":"v","valueAttachment":{"data":"Bg=="}}]},
      "contained":[{"resourceType":"Binary","id":"b","contentType":"x/y","data":"Bw=="}]})"),
            (std::vector<std::string>{"BQ==", "Bg==", "Bw=="}));
}

TEST(AttachmentsTest, IgnoresDataThatIsNotBinaryContent) {
  // SampledData.data is decimals, not base64; unknown members are not elements.
  EXPECT_TRUE(DataFound(R"({"resourceType":"Observation","status":"final","code":{"text":"c"},
      "valueSampledData":{"origin":{"value":0},"period":1,"dimensions":1,"data":"1 2 3"},
      "unknown":{"data":"AQ=="}})")
                  .empty());
}

TEST(AttachmentsTest, MayHoldBlobsLooksForLongDataOrMarkers) {
  auto may = [](std::string_view json, std::size_t min) {
    return MayHoldBlobs(bj::parse(json).as_object(), min);
  };
  EXPECT_FALSE(may(R"({"resourceType":"Patient","name":[{"family":"Testperson"}]})", 4));
  EXPECT_FALSE(may(R"({"resourceType":"Binary","data":"QQ=="})", 8));
  EXPECT_TRUE(may(R"({"resourceType":"Binary","data":"QUFBQQ=="})", 8));
  EXPECT_TRUE(may(R"({"resourceType":"Media","content":[{"data":"chartroom-blob:1:x"}]})", 100));
}

TEST(AttachmentsTest, MarkerRoundTripsAndMalformedMarkersAreRejected) {
  const std::string address(64, 'a');
  Marker marker{std::string("p1"), address, 1048576};
  const std::string text = FormatMarker(marker);
  EXPECT_TRUE(text.starts_with(kMarkerPrefix));
  auto parsed = ParseMarker(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->patient_id, std::optional<std::string>("p1"));
  EXPECT_EQ(parsed->address, address);
  EXPECT_EQ(parsed->size, 1048576u);

  auto system = ParseMarker(FormatMarker({std::nullopt, address, 5}));
  ASSERT_TRUE(system.has_value());
  EXPECT_FALSE(system->patient_id.has_value());

  EXPECT_FALSE(ParseMarker("QUFB").has_value());
  EXPECT_FALSE(ParseMarker(std::string(kMarkerPrefix) + "p1:" + std::string(63, 'a') + ":5"));
  EXPECT_FALSE(ParseMarker(std::string(kMarkerPrefix) + "p1:" + std::string(64, 'A') + ":5"));
  EXPECT_FALSE(ParseMarker(std::string(kMarkerPrefix) + "p1:" + address + ":"));
  EXPECT_FALSE(ParseMarker(std::string(kMarkerPrefix) + "p1:" + address + ":5x"));
}

}  // namespace
}  // namespace chartroom::store::blob
