// Sealed export files (rest/export_file.hpp): what is written reads back only with the right key
// and label, and every change to the file is refused.

#include "rest/export_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace chartroom::rest {
namespace {

namespace fs = std::filesystem;

class SealedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("sealed-file-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    key_ = crypto::SecretKey::Generate(random_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `text` in pieces of `piece` bytes; the file's path.
  fs::path Write(const std::string& text, std::size_t piece = 1000) {
    const fs::path path = dir_ / "f.sealed";
    fs::remove(path);
    auto writer = SealedFileWriter::Create(path, key_, "job/f", random_);
    EXPECT_TRUE(writer.has_value());
    for (std::size_t i = 0; i < text.size(); i += piece) {
      EXPECT_TRUE(writer->Append(std::string_view(text).substr(i, piece)).has_value());
    }
    EXPECT_EQ(writer->size(), text.size());
    EXPECT_TRUE(writer->Finish().has_value());
    return path;
  }

  static std::string Bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  static void Overwrite(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }

  // A text spanning several chunks.
  static std::string LongText() {
    std::string text;
    for (int i = 0; text.size() < 2 * kSealedChunkBytes + 5000; ++i) {
      text += R"({"resourceType":"Patient","id":"p)" + std::to_string(i) + "\"}\n";
    }
    return text;
  }

  fs::path dir_;
  core::SystemRandom random_;
  crypto::SecretKey key_;
};

TEST_F(SealedFileTest, WhatIsWrittenReadsBackAndIsNotPlaintextOnDisk) {
  const std::string text = LongText();
  const fs::path path = Write(text);
  EXPECT_EQ(Bytes(path).find("resourceType"), std::string::npos);
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto read = ReadSealedFile(path, key_, "job/f");
  ASSERT_TRUE(read.has_value()) << read.error().message();
  EXPECT_EQ(*read, text);
}

TEST_F(SealedFileTest, AnEmptyFileReadsBackEmpty) {
  const fs::path path = Write("");
  auto read = ReadSealedFile(path, key_, "job/f");
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, "");
}

TEST_F(SealedFileTest, TheWrongKeyOrLabelIsRefused) {
  const fs::path path = Write("{}\n");
  core::SystemRandom random;
  EXPECT_EQ(ReadSealedFile(path, crypto::SecretKey::Generate(random), "job/f").error().code(),
            "rest.export-file-corrupt");
  EXPECT_EQ(ReadSealedFile(path, key_, "job/g").error().code(), "rest.export-file-corrupt");
}

TEST_F(SealedFileTest, ChangedTruncatedOrExtendedFilesAreRefused) {
  const fs::path path = Write(LongText());
  const std::string good = Bytes(path);

  std::string flipped = good;
  flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 1);
  Overwrite(path, flipped);
  EXPECT_EQ(ReadSealedFile(path, key_, "job/f").error().code(), "rest.export-file-corrupt");

  // Cut after the first chunk: that chunk was sealed as "more", so it cannot pass for the end.
  const std::size_t first =
      4 + (static_cast<unsigned char>(good[0]) |
           (static_cast<std::size_t>(static_cast<unsigned char>(good[1])) << 8) |
           (static_cast<std::size_t>(static_cast<unsigned char>(good[2])) << 16));
  Overwrite(path, good.substr(0, first));
  EXPECT_EQ(ReadSealedFile(path, key_, "job/f").error().code(), "rest.export-file-corrupt");

  Overwrite(path, good + good.substr(0, first));
  EXPECT_EQ(ReadSealedFile(path, key_, "job/f").error().code(), "rest.export-file-corrupt");

  Overwrite(path, good.substr(0, good.size() - 1));
  EXPECT_EQ(ReadSealedFile(path, key_, "job/f").error().code(), "rest.export-file-corrupt");

  Overwrite(path, good);
  EXPECT_TRUE(ReadSealedFile(path, key_, "job/f").has_value());
}

TEST_F(SealedFileTest, AMissingFileIsAnIoError) {
  EXPECT_EQ(ReadSealedFile(dir_ / "absent", key_, "job/f").error().code(), "rest.export-io");
  EXPECT_EQ(SealedFileWriter::Create(dir_ / "no-dir" / "f", key_, "job/f", random_).error().code(),
            "rest.export-io");
}

}  // namespace
}  // namespace chartroom::rest
