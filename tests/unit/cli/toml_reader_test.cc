#include "cli/toml_reader.h"

#include <gtest/gtest.h>

#include <limits>

namespace guardfeed {
namespace {

using std::chrono::milliseconds;

class TomlReaderTest : public ::testing::Test {
 protected:
  // Parses `text` as the document "f.toml"; the reader reads its [s] table.
  const toml::table& Parse(std::string_view text) {
    root_ = toml::parse(text, std::string_view("f.toml"));
    return *root_["s"].as_table();
  }
  TomlReader Reader() const { return TomlReader("f.toml", root_); }

  // The message of `status`, which must be an error.
  static std::string Message(const Status& status) {
    EXPECT_FALSE(status.ok());
    return status.message();
  }

  toml::table root_;
};

// Issue 19: every reader names file:line:key and what it expected, and a wrong type is an error
// (never the default).
TEST_F(TomlReaderTest, WrongTypesAreErrorsWithFileLineAndKey) {
  const toml::table& t = Parse(
      "[s]\ntext = 5\nflag = \"yes\"\nnumber = \"1\"\ncount = \"5\"\nlist = \"a\"\n"
      "map = 3\nwait = true\nsize = 1.5\nms = [1]\n");
  TomlReader r = Reader();
  std::string text = "unchanged";
  bool flag = false;
  double number = 0.5;
  int count = 7;
  std::vector<std::string> list = {"default"};
  std::map<std::string, std::string> map;
  int64_t wait = 1;
  size_t size = 2;
  milliseconds ms{3};
  EXPECT_EQ(Message(r.String(t, "s", "text", text)), "f.toml:2: s.text: expected a string, got 5");
  EXPECT_EQ(Message(r.Bool(t, "s", "flag", flag)),
            "f.toml:3: s.flag: expected true or false, got \"yes\"");
  EXPECT_NE(Message(r.Number(t, "s", "number", 0, 1, number)).find("f.toml:4: s.number:"),
            std::string::npos);
  EXPECT_EQ(Message(r.Integer(t, "s", "count", 1, 20, count)),
            "f.toml:5: s.count: expected an integer from 1 to 20, got \"5\"");
  EXPECT_NE(Message(r.StringList(t, "s", "list", list)).find("f.toml:6: s.list:"),
            std::string::npos);
  EXPECT_NE(Message(r.StringMap(t, "s", "map", map)).find("f.toml:7: s.map:"), std::string::npos);
  EXPECT_NE(Message(r.Duration(t, "s", "wait", 0, 60, wait)).find("f.toml:8: s.wait:"),
            std::string::npos);
  EXPECT_NE(Message(r.Size(t, "s", "size", 1, 100, size)).find("f.toml:9: s.size:"),
            std::string::npos);
  EXPECT_NE(Message(r.DurationMs(t, "s", "ms", milliseconds(0), milliseconds(10), ms))
                .find("f.toml:10: s.ms:"),
            std::string::npos);
  // Nothing was overwritten by a failed read.
  EXPECT_EQ(text, "unchanged");
  EXPECT_FALSE(flag);
  EXPECT_EQ(count, 7);
  EXPECT_EQ(list, std::vector<std::string>{"default"});
  EXPECT_EQ(wait, 1);
  EXPECT_EQ(size, 2u);
  EXPECT_EQ(ms, milliseconds(3));
}

TEST_F(TomlReaderTest, AbsentKeysKeepTheDefault) {
  const toml::table& t = Parse("[s]\n");
  TomlReader r = Reader();
  int count = 7;
  milliseconds ms{250};
  size_t size = 16;
  EXPECT_TRUE(r.Integer(t, "s", "count", 1, 20, count).ok());
  EXPECT_TRUE(r.DurationMs(t, "s", "ms", milliseconds(0), milliseconds(1000), ms).ok());
  EXPECT_TRUE(r.Size(t, "s", "size", 1, 100, size).ok());
  EXPECT_EQ(count, 7);
  EXPECT_EQ(ms, milliseconds(250));
  EXPECT_EQ(size, 16u);
  EXPECT_EQ(r.Table(t, "s", "sub").value(), nullptr);
}

TEST_F(TomlReaderTest, ReadsDurationsSizesAndMilliseconds) {
  const toml::table& t = Parse(
      "[s]\nd1 = 90\nd2 = \"30d\"\nm1 = \"500ms\"\nm2 = \"2m\"\nm3 = 10\n"
      "z1 = \"16MiB\"\nz2 = 65536\nz3 = \"1gib\"\nz4 = \"1MB\"\n");
  TomlReader r = Reader();
  int64_t d1 = 0, d2 = 0;
  milliseconds m1{}, m2{}, m3{};
  size_t z1 = 0, z2 = 0, z3 = 0, z4 = 0;
  const uint64_t kGiB = uint64_t{1} << 30;
  ASSERT_TRUE(r.Duration(t, "s", "d1", 0, 86400 * 365, d1).ok());
  ASSERT_TRUE(r.Duration(t, "s", "d2", 0, 86400 * 365, d2).ok());
  ASSERT_TRUE(r.DurationMs(t, "s", "m1", milliseconds(1), std::chrono::hours(1), m1).ok());
  ASSERT_TRUE(r.DurationMs(t, "s", "m2", milliseconds(1), std::chrono::hours(1), m2).ok());
  ASSERT_TRUE(r.DurationMs(t, "s", "m3", milliseconds(1), std::chrono::hours(1), m3).ok());
  ASSERT_TRUE(r.Size(t, "s", "z1", 1, kGiB, z1).ok());
  ASSERT_TRUE(r.Size(t, "s", "z2", 1, kGiB, z2).ok());
  ASSERT_TRUE(r.Size(t, "s", "z3", 1, kGiB, z3).ok());
  ASSERT_TRUE(r.Size(t, "s", "z4", 1, kGiB, z4).ok());
  EXPECT_EQ(d1, 90);
  EXPECT_EQ(d2, 30 * 86400);
  EXPECT_EQ(m1, milliseconds(500));
  EXPECT_EQ(m2, milliseconds(120'000));
  EXPECT_EQ(m3, milliseconds(10'000));
  EXPECT_EQ(z1, 16u << 20);
  EXPECT_EQ(z2, 65536u);
  EXPECT_EQ(z3, kGiB);
  EXPECT_EQ(z4, 1'000'000u);
}

// Issue 8: values that overflowed the old readers ("99999999GiB" in size_t arithmetic, seconds to
// milliseconds) are range errors naming the bounds.
TEST_F(TomlReaderTest, HugeValuesAreRangeErrorsNotOverflows) {
  const toml::table& t = Parse(
      "[s]\nz1 = \"99999999GiB\"\nz2 = \"99999999999999999999\"\nz3 = \"18446744073709551615GiB\"\n"
      "m1 = 9223372036854775807\nm2 = \"99999999999d\"\nm3 = \"9999999999999999999999ms\"\n"
      "d1 = \"99999999999999999999w\"\nz4 = -1\n");
  TomlReader r = Reader();
  const uint64_t kGiB = uint64_t{1} << 30;
  size_t size = 0;
  milliseconds ms{};
  int64_t seconds = 0;
  for (const char* key : {"z1", "z2", "z3", "z4"}) {
    std::string message = Message(r.Size(t, "s", key, 1, kGiB, size));
    EXPECT_NE(message.find("s." + std::string(key) + ": "), std::string::npos) << message;
    EXPECT_NE(message.find("from 1B to 1GiB"), std::string::npos) << message;
  }
  for (const char* key : {"m1", "m2", "m3"}) {
    std::string message =
        Message(r.DurationMs(t, "s", key, milliseconds(1), std::chrono::hours(1), ms));
    EXPECT_NE(message.find("from 1ms to 1h"), std::string::npos) << message;
  }
  std::string message = Message(r.Duration(t, "s", "d1", 0, 86400, seconds));
  EXPECT_NE(message.find("too large"), std::string::npos) << message;
  EXPECT_NE(message.find("from 0s to 1d"), std::string::npos) << message;
  EXPECT_EQ(size, 0u);
  EXPECT_EQ(ms, milliseconds(0));
}

TEST(ParseSize, UnitsAndOverflow) {
  EXPECT_EQ(ParseSize("512KiB").value(), 512u << 10);
  EXPECT_EQ(ParseSize("2k").value(), 2048u);
  EXPECT_EQ(ParseSize("3GB").value(), 3'000'000'000u);
  EXPECT_EQ(ParseSize("18446744073709551615").value(), std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(ParseSize("17179869184GiB").ok());  // 2^34 GiB = 2^64 bytes
  EXPECT_FALSE(ParseSize("18446744073709551616").ok());
  EXPECT_FALSE(ParseSize("lots").ok());
  EXPECT_FALSE(ParseSize("16 MiB").ok());
  EXPECT_FALSE(ParseSize("16TiB").ok());
  EXPECT_EQ(FormatSize(uint64_t{4} << 30), "4GiB");
  EXPECT_EQ(FormatSize(1000), "1000B");
  EXPECT_EQ(FormatMilliseconds(milliseconds(250)), "250ms");
  EXPECT_EQ(FormatMilliseconds(std::chrono::hours(1)), "1h");
}

}  // namespace
}  // namespace guardfeed
