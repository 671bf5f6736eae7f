#include "core/hash.h"

#include <gtest/gtest.h>

#include "core/status.h"

namespace guardfeed {
namespace {

TEST(Hash, KnownDigests) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Hash, Sha256InPiecesEqualsOneShot) {
  Sha256 hash;
  EXPECT_EQ(hash.HexDigest(), Sha256Hex(""));
  hash.Update("a");
  hash.Update(std::string_view("b\0c", 3));
  EXPECT_EQ(hash.HexDigest(), Sha256Hex(std::string_view("ab\0c", 4)));
  hash.Update("d");  // HexDigest does not end the hash
  EXPECT_EQ(hash.HexDigest(), Sha256Hex(std::string_view("ab\0cd", 5)));
}

TEST(Status, CarriesCodeAndContext) {
  Status status = Status::NotFound("feed x").WithContext("render");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_EQ(status.message(), "render: feed x");
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  Result<int> value(7);
  EXPECT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  Result<int> error(Status::IoError("disk"));
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace guardfeed
