#include "ingest/decoder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/compress.hpp"

namespace chartroom::ingest {
namespace {

using testing::Gzip;
using testing::Zstd;

// Reads `reader` to its end (or first error) in reads of `step` bytes; `out` gets what came.
Status ReadAll(ByteReader& reader, std::string& out, std::size_t step = 4096) {
  std::string buffer(step, '\0');
  for (;;) {
    Result<std::size_t> n = reader.Read(buffer);
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) return Ok();
    out.append(buffer.data(), *n);
  }
}

// Text that compresses well but not trivially, larger than the decoders' input block.
std::string SampleText(std::size_t lines) {
  std::string text;
  for (std::size_t i = 0; i < lines; ++i) {
    text += R"({"resourceType":"Patient","id":"p)" + std::to_string(i * 7919 % 100003) +
            R"(","active":true})" + "\n";
  }
  return text;
}

TEST(DecoderTest, DetectCompressionRecognisesMagicBytes) {
  EXPECT_EQ(DetectCompression(Gzip("x")), Compression::kGzip);
  EXPECT_EQ(DetectCompression(Zstd("x")), Compression::kZstd);
  EXPECT_EQ(DetectCompression("{\"a\":1}"), Compression::kNone);
  EXPECT_EQ(DetectCompression("\x1f"), Compression::kNone);
  EXPECT_EQ(DetectCompression(""), Compression::kNone);
}

TEST(DecoderTest, DecompressPlainReplaysEveryByte) {
  const std::string text = "{}\n";  // shorter than the 4 bytes looked at
  Compression detected = Compression::kGzip;
  auto reader = Decompress(ReadMemory(text), &detected);
  ASSERT_TRUE(reader);
  EXPECT_EQ(detected, Compression::kNone);
  std::string out;
  ASSERT_TRUE(ReadAll(**reader, out, 1));
  EXPECT_EQ(out, text);
}

TEST(DecoderTest, DecompressGzipLargerThanOneBlockRestoresText) {
  const std::string text = SampleText(60000);
  const std::string packed = Gzip(text);
  Compression detected = Compression::kNone;
  auto reader = Decompress(ReadMemory(packed), &detected);
  ASSERT_TRUE(reader);
  EXPECT_EQ(detected, Compression::kGzip);
  std::string out;
  ASSERT_TRUE(ReadAll(**reader, out, 1000));
  EXPECT_EQ(out, text);
}

TEST(DecoderTest, DecompressConcatenatedGzipMembersReadsAll) {
  const std::string packed = Gzip("first\n") + Gzip("second\n");
  auto reader = Decompress(ReadMemory(packed));
  ASSERT_TRUE(reader);
  std::string out;
  ASSERT_TRUE(ReadAll(**reader, out));
  EXPECT_EQ(out, "first\nsecond\n");
}

TEST(DecoderTest, DecompressTruncatedGzipFailsAfterDeliveringItsStart) {
  const std::string text = SampleText(60000);
  const std::string packed = Gzip(text);
  const std::string cut = packed.substr(0, packed.size() / 2);
  auto reader = Decompress(ReadMemory(cut));
  ASSERT_TRUE(reader);
  std::string out;
  const Status status = ReadAll(**reader, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), "ingest.truncated");
  EXPECT_NE(status.error().message().find(std::to_string(cut.size())), std::string::npos)
      << status.error().message();
  EXPECT_GT(out.size(), 0u);
  EXPECT_EQ(out, text.substr(0, out.size()));
}

TEST(DecoderTest, DecompressCorruptGzipFailsWithCorrupt) {
  std::string packed = Gzip(SampleText(2000));
  for (std::size_t i = 20; i < 60; ++i) packed[i] = static_cast<char>(packed[i] ^ 0x5a);
  auto reader = Decompress(ReadMemory(packed));
  ASSERT_TRUE(reader);
  std::string out;
  const Status status = ReadAll(**reader, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), "ingest.corrupt");
}

TEST(DecoderTest, DecompressGzipFollowedByGarbageFailsWithCorrupt) {
  const std::string packed = Gzip("text\n") + "garbage";
  auto reader = Decompress(ReadMemory(packed));
  ASSERT_TRUE(reader);
  std::string out;
  const Status status = ReadAll(**reader, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), "ingest.corrupt");
  EXPECT_EQ(out, "text\n");
}

TEST(DecoderTest, DecompressZstdRestoresText) {
  const std::string text = SampleText(60000);
  const std::string packed = Zstd(text.substr(0, 1000)) + Zstd(text.substr(1000));
  Compression detected = Compression::kNone;
  auto reader = Decompress(ReadMemory(packed), &detected);
  ASSERT_TRUE(reader);
  EXPECT_EQ(detected, Compression::kZstd);
  std::string out;
  ASSERT_TRUE(ReadAll(**reader, out, 777));
  EXPECT_EQ(out, text);
}

TEST(DecoderTest, DecompressTruncatedZstdFailsWithTruncated) {
  const std::string packed = Zstd(SampleText(60000));
  const std::string cut = packed.substr(0, packed.size() - 3);
  auto reader = Decompress(ReadMemory(cut));
  ASSERT_TRUE(reader);
  std::string out;
  const Status status = ReadAll(**reader, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), "ingest.truncated") << status.error().message();
}

TEST(DecoderTest, DecompressCorruptZstdFailsWithCorrupt) {
  std::string packed = Zstd(SampleText(2000));
  for (std::size_t i = 8; i < packed.size(); i += 3)
    packed[i] = static_cast<char>(packed[i] ^ 0x33);
  auto reader = Decompress(ReadMemory(packed));
  ASSERT_TRUE(reader);
  std::string out;
  const Status status = ReadAll(**reader, out);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), "ingest.corrupt");
}

TEST(DecoderTest, OpenFileCountsBytesRead) {
  const auto path = std::filesystem::temp_directory_path() / "chartroom-decoder-test.bin";
  const std::string packed = Gzip(SampleText(100));
  std::ofstream(path, std::ios::binary) << packed;
  std::atomic<std::uint64_t> bytes{0};
  auto raw = OpenFile(path, &bytes);
  ASSERT_TRUE(raw);
  auto reader = Decompress(std::move(*raw));
  ASSERT_TRUE(reader);
  std::string out;
  ASSERT_TRUE(ReadAll(**reader, out));
  EXPECT_EQ(out, SampleText(100));
  EXPECT_EQ(bytes.load(), packed.size());
  std::filesystem::remove(path);
}

TEST(DecoderTest, OpenFileMissingFailsWithNotFound) {
  auto raw = OpenFile("/nonexistent/chartroom/file.ndjson");
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().category(), ErrorCategory::kNotFound);
  EXPECT_EQ(raw.error().code(), "ingest.open");
}

TEST(DecoderTest, OpenFileDirectoryFailsWithUnavailable) {
  auto raw = OpenFile(std::filesystem::temp_directory_path());
  ASSERT_FALSE(raw);
  EXPECT_EQ(raw.error().category(), ErrorCategory::kUnavailable);
}

}  // namespace
}  // namespace chartroom::ingest
