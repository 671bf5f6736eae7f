#include "core/cidr.h"

#include <charconv>

namespace guardfeed {

IpAddress MaskAddress(const IpAddress& address, int prefix_len) {
  IpAddress masked = address;
  for (int byte = 0; byte < 16; ++byte) {
    int keep = prefix_len - byte * 8;
    auto& b = masked.bytes[static_cast<size_t>(byte)];
    if (keep <= 0) {
      b = 0;
    } else if (keep < 8) {
      b = static_cast<uint8_t>(b & (0xFF << (8 - keep)));
    }
  }
  return masked;
}

bool Cidr::Contains(const IpAddress& address) const {
  return address.v6 == base.v6 && MaskAddress(address, prefix_len) == base;
}

std::string Cidr::ToString() const {
  // Appended step by step: GCC 12 at -O3 reports a false -Wrestrict on chained operator+.
  std::string out = FormatIpAddress(base);
  out.push_back('/');
  out += std::to_string(prefix_len);
  return out;
}

Result<Cidr> ParseCidr(std::string_view text) {
  size_t slash = text.find('/');
  auto address = ParseIpAddress(text.substr(0, slash));
  if (!address.ok()) return address.status();
  Cidr cidr{*address, address->BitWidth()};
  if (slash != std::string_view::npos) {
    std::string_view len = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), cidr.prefix_len);
    if (ec != std::errc() || end != len.data() + len.size() || len.empty() ||
        cidr.prefix_len < 0 || cidr.prefix_len > address->BitWidth()) {
      return Status::InvalidArgument("bad prefix length in '" + std::string(text) + "'");
    }
  }
  if (MaskAddress(cidr.base, cidr.prefix_len) != cidr.base) {
    return Status::InvalidArgument("'" + std::string(text) + "' has host bits set; did you mean " +
                                   FormatIpAddress(MaskAddress(cidr.base, cidr.prefix_len)) + "/" +
                                   std::to_string(cidr.prefix_len) + "?");
  }
  return cidr;
}

}  // namespace guardfeed
