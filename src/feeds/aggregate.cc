#include "feeds/aggregate.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <numeric>

namespace guardfeed::feeds_internal {
namespace {

// Both families are handled as unsigned 128-bit numbers: IPv4 uses the low 32 bits.
__extension__ typedef unsigned __int128 Uint128;

Uint128 ToNumber(const IpAddress& address) {
  Uint128 number = 0;
  size_t width = address.v6 ? 16 : 4;
  for (size_t i = 0; i < width; ++i) number = (number << 8) | address.bytes[i];
  return number;
}

IpAddress FromNumber(Uint128 number, bool v6) {
  IpAddress address;
  address.v6 = v6;
  size_t width = v6 ? 16 : 4;
  for (size_t i = width; i-- > 0;) {
    address.bytes[i] = static_cast<uint8_t>(number & 0xFF);
    number >>= 8;
  }
  return address;
}

// 2^bits - 1, for bits in 0..128.
Uint128 LowMask(int bits) { return bits >= 128 ? ~Uint128{0} : (Uint128{1} << bits) - 1; }

int CountTrailingZeros(Uint128 number) {
  auto low = static_cast<uint64_t>(number);
  if (low != 0) return std::countr_zero(low);
  return 64 + std::countr_zero(static_cast<uint64_t>(number >> 64));
}

// floor(log2(number)) for number > 0.
int FloorLog2(Uint128 number) {
  auto high = static_cast<uint64_t>(number >> 64);
  if (high != 0) return 63 + static_cast<int>(std::bit_width(high));
  return static_cast<int>(std::bit_width(static_cast<uint64_t>(number))) - 1;
}

// Collects runs of consecutive addresses from sorted input and emits each run's blocks.
class RunMerger {
 public:
  explicit RunMerger(std::vector<AggregateBlock>* out) : out_(out) {}

  void Add(const IpAddress& address, size_t source) {
    Uint128 number = ToNumber(address);
    if (has_run_ && address.v6 == v6_) {
      if (number <= run_hi_) return;  // a duplicate: sorted input never goes below run_lo_
      // run_hi_ < number, so run_hi_ is below the family's last address and +1 cannot wrap.
      if (number == run_hi_ + 1) {
        run_hi_ = number;
        run_sources_.push_back(source);
        return;
      }
    }
    Flush();
    has_run_ = true;
    v6_ = address.v6;
    run_lo_ = run_hi_ = number;
    run_sources_.push_back(source);
  }

  // Emits the pending run, largest aligned block first at each step.
  void Flush() {
    if (!has_run_) return;
    const int width = v6_ ? 128 : 32;
    Uint128 lo = run_lo_;
    while (true) {
      Uint128 remaining = run_hi_ - lo;  // addresses left in the run, minus one
      int bits = lo == 0 ? width : std::min(CountTrailingZeros(lo), width);
      if (remaining != ~Uint128{0}) bits = std::min(bits, FloorLog2(remaining + 1));
      size_t source = AggregateBlock::kNoSource;
      if (bits == 0) source = run_sources_[static_cast<size_t>(lo - run_lo_)];
      out_->push_back({Cidr{FromNumber(lo, v6_), width - bits}, source});
      if (LowMask(bits) == remaining) break;
      lo += LowMask(bits) + 1;
    }
    has_run_ = false;
    run_sources_.clear();
  }

 private:
  std::vector<AggregateBlock>* const out_;
  bool has_run_ = false;
  bool v6_ = false;
  Uint128 run_lo_ = 0;
  Uint128 run_hi_ = 0;
  std::vector<size_t> run_sources_;  // input index of each distinct address of the run
};

}  // namespace

std::vector<AggregateBlock> AggregateAddresses(std::span<const IpAddress> addresses) {
  std::vector<AggregateBlock> blocks;
  blocks.reserve(addresses.size());
  RunMerger merger(&blocks);
  if (std::is_sorted(addresses.begin(), addresses.end())) {
    for (size_t i = 0; i < addresses.size(); ++i) merger.Add(addresses[i], i);
  } else {
    std::vector<size_t> order(addresses.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return addresses[a] < addresses[b]; });
    for (size_t i : order) merger.Add(addresses[i], i);
  }
  merger.Flush();
  return blocks;
}

}  // namespace guardfeed::feeds_internal
