#include "feeds/aggregate.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace guardfeed::feeds_internal {
namespace {

IpAddress Ip(const std::string& text) { return *ParseIpAddress(text); }

std::vector<std::string> Render(const std::vector<AggregateBlock>& blocks) {
  std::vector<std::string> out;
  for (const AggregateBlock& block : blocks) out.push_back(block.cidr.ToString());
  return out;
}

std::vector<std::string> Aggregate(const std::vector<std::string>& values) {
  std::vector<IpAddress> addresses;
  for (const std::string& value : values) addresses.push_back(Ip(value));
  return Render(AggregateAddresses(addresses));
}

using Blocks = std::vector<std::string>;

TEST(AggregateAddresses, EmptyInputGivesNoBlocks) { EXPECT_TRUE(AggregateAddresses({}).empty()); }

TEST(AggregateAddresses, MergesAlignedRunsIntoOneBlock) {
  std::vector<std::string> values;
  for (int i = 0; i < 256; ++i) values.push_back("198.51.100." + std::to_string(i));
  EXPECT_EQ(Aggregate(values), Blocks{"198.51.100.0/24"});
}

TEST(AggregateAddresses, SplitsUnalignedRunsIntoFewestBlocks) {
  EXPECT_EQ(Aggregate({"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"}),
            (Blocks{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"}));
}

TEST(AggregateAddresses, DuplicatesAndOrderDoNotMatter) {
  EXPECT_EQ(Aggregate({"10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.0", "10.0.0.2"}),
            Blocks{"10.0.0.0/30"});
}

TEST(AggregateAddresses, NeverWrapsAroundTheIpv4Ends) {
  EXPECT_EQ(Aggregate({"255.255.255.255", "0.0.0.0"}),
            (Blocks{"0.0.0.0/32", "255.255.255.255/32"}));
  EXPECT_EQ(Aggregate({"255.255.255.254", "255.255.255.255", "0.0.0.0", "0.0.0.1"}),
            (Blocks{"0.0.0.0/31", "255.255.255.254/31"}));
}

TEST(AggregateAddresses, NeverWrapsAroundTheIpv6Ends) {
  EXPECT_EQ(Aggregate({"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::"}),
            (Blocks{"::/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"}));
  EXPECT_EQ(Aggregate({"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
                       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}),
            Blocks{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"});
}

TEST(AggregateAddresses, FamiliesStaySeparateIpv4First) {
  // 255.255.255.255 and :: are adjacent as numbers in neither family: never one block.
  EXPECT_EQ(Aggregate({"::", "255.255.255.255", "::1"}), (Blocks{"255.255.255.255/32", "::/127"}));
}

TEST(AggregateAddresses, Ipv6RunsAcrossWordBoundaries) {
  EXPECT_EQ(Aggregate({"2001:db8::ffff:ffff:ffff:ffff", "2001:db8:0:1::"}),
            (Blocks{"2001:db8::ffff:ffff:ffff:ffff/128", "2001:db8:0:1::/128"}));
  EXPECT_EQ(Aggregate({"2001:db8::ffff:ffff:ffff:fffe", "2001:db8::ffff:ffff:ffff:ffff",
                       "2001:db8:0:1::", "2001:db8:0:1::1"}),
            (Blocks{"2001:db8::ffff:ffff:ffff:fffe/127", "2001:db8:0:1::/127"}));
}

TEST(AggregateAddresses, SingleBlocksPointAtTheirFirstSource) {
  std::vector<IpAddress> addresses = {Ip("10.0.0.9"), Ip("10.0.0.5"), Ip("10.0.0.5"),
                                      Ip("10.0.0.6")};
  std::vector<AggregateBlock> blocks = AggregateAddresses(addresses);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].source, 1u);  // 10.0.0.5 (first of the two copies)
  EXPECT_EQ(blocks[1].source, 3u);  // 10.0.0.6
  EXPECT_EQ(blocks[2].source, 0u);  // 10.0.0.9
  addresses.push_back(Ip("10.0.0.4"));
  blocks = AggregateAddresses(addresses);
  ASSERT_EQ(Render(blocks), (Blocks{"10.0.0.4/31", "10.0.0.6/32", "10.0.0.9/32"}));
  EXPECT_EQ(blocks[0].source, AggregateBlock::kNoSource);
}

// The minimal exact cover of `present` (bits of a 64-address universe) by aligned blocks,
// computed the slow, obviously correct way: a block is whole, empty, or split in halves.
void MinimalCover(const std::vector<bool>& present, uint32_t base, uint32_t size, Blocks* out) {
  bool all = true, none = true;
  for (uint32_t i = base; i < base + size; ++i) (present[i] ? none : all) = false;
  if (none) return;
  if (all) {
    int prefix = 32;
    for (uint32_t s = size; s > 1; s /= 2) --prefix;
    out->push_back(Cidr{IpAddress::FromV4(0x0A000000u + base), prefix}.ToString());
    return;
  }
  MinimalCover(present, base, size / 2, out);
  MinimalCover(present, base + size / 2, size / 2, out);
}

TEST(AggregateAddresses, MatchesBruteForceOnRandomSets) {
  std::mt19937 random(20201013);
  for (int round = 0; round < 500; ++round) {
    std::vector<bool> present(64);
    std::vector<IpAddress> addresses;
    for (uint32_t i = 0; i < 64; ++i) {
      if (random() % 3 != 0) continue;
      present[i] = true;
      addresses.push_back(IpAddress::FromV4(0x0A000000u + i));
    }
    std::shuffle(addresses.begin(), addresses.end(), random);
    Blocks expected;
    MinimalCover(present, 0, 64, &expected);
    ASSERT_EQ(Render(AggregateAddresses(addresses)), expected) << "round " << round;
  }
}

}  // namespace
}  // namespace guardfeed::feeds_internal
