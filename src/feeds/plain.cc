// Plain block lists: FortiGate external threat feeds, Palo Alto EDLs, pfSense/OPNsense URL tables
// (docs/formats.md, "plain"). One entry per line, optional "# " header, optional aggregation.
#include <string_view>
#include <vector>

#include "feeds/aggregate.h"
#include "feeds/render_util.h"

namespace guardfeed::feeds_internal {
namespace {

void AppendHeader(std::string& out, const FeedConfig& config, const RenderInfo& info,
                  uint64_t entries, std::string_view eol) {
  out += "# guardfeed ";
  out += config.name;
  out += " version ";
  out += info.version;
  out += ": ";
  AppendUint(out, entries);
  out += entries == 1 ? " entry" : " entries";
  if (info.dropped > 0) {
    out += ", ";
    AppendUint(out, info.dropped);
    out += " dropped";
  }
  out += eol;
}

size_t EstimateSize(const FeedConfig& config, std::span<const FeedEntry> entries, size_t eol) {
  size_t bytes = config.header ? 128 + config.name.size() : 0;
  for (const FeedEntry& entry : entries) bytes += entry.indicator.value.size() + eol;
  return bytes;
}

class PlainRenderer final : public Renderer {
 public:
  RenderedFeed Render(const FeedConfig& config, std::span<const FeedEntry> entries,
                      const RenderInfo& info) const override {
    std::string_view eol = config.crlf ? "\r\n" : "\n";
    if (config.aggregate) return RenderAggregated(config, entries, info, eol);
    RenderedFeed feed;
    feed.entries = entries.size();
    feed.body.reserve(EstimateSize(config, entries, eol.size()));
    if (config.header) AppendHeader(feed.body, config, info, feed.entries, eol);
    for (size_t i = 0; i < entries.size(); ++i) {
      PrefetchValue(entries, i);
      feed.body += entries[i].indicator.value;
      feed.body += eol;
    }
    return feed;
  }

  bool Splits(const FeedConfig& config) const override { return !config.aggregate; }
  void AppendHead(const FeedConfig& config, const RenderInfo& info, uint64_t entries,
                  std::string& out) const override {
    if (config.header) AppendHeader(out, config, info, entries, config.crlf ? "\r\n" : "\n");
  }
  void AppendEntry(const FeedConfig& config, const FeedEntry& entry,
                   std::string& out) const override {
    out += entry.indicator.value;
    out += config.crlf ? "\r\n" : "\n";
  }
  void AppendTail(const FeedConfig& /*config*/, uint64_t /*entries*/,
                  std::string& /*out*/) const override {}

  std::string ContentType() const override { return "text/plain; charset=utf-8"; }
  std::string FileName(const FeedConfig& config) const override { return config.name + ".txt"; }

 private:
  // Addresses become CIDR blocks (IPv4, then IPv6); domains follow in their given order.
  static RenderedFeed RenderAggregated(const FeedConfig& config, std::span<const FeedEntry> entries,
                                       const RenderInfo& info, std::string_view eol) {
    std::vector<IpAddress> addresses;
    std::vector<const FeedEntry*> address_entries;
    addresses.reserve(entries.size());
    address_entries.reserve(entries.size());
    for (const FeedEntry& entry : entries) {
      if (entry.indicator.kind == IndicatorKind::kDomain) continue;
      addresses.push_back(entry.address);
      address_entries.push_back(&entry);
    }
    std::vector<AggregateBlock> blocks = AggregateAddresses(addresses);
    const size_t domains = entries.size() - addresses.size();
    RenderedFeed feed;
    feed.entries = blocks.size() + domains;
    feed.body.reserve(EstimateSize(config, entries, eol.size()));
    if (config.header) AppendHeader(feed.body, config, info, feed.entries, eol);
    AppendBlocks(feed.body, blocks, address_entries, eol);
    for (size_t i = 0; i < entries.size(); ++i) {
      if (entries[i].indicator.kind != IndicatorKind::kDomain) continue;
      PrefetchValue(entries, i);
      feed.body += entries[i].indicator.value;
      feed.body += eol;
    }
    return feed;
  }

  // A single address prints its entry's canonical text as is; larger blocks print "base/len".
  static void AppendBlocks(std::string& out, const std::vector<AggregateBlock>& blocks,
                           const std::vector<const FeedEntry*>& sources, std::string_view eol) {
    constexpr size_t kAhead = 8;
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (i + kAhead < blocks.size() && blocks[i + kAhead].source != AggregateBlock::kNoSource) {
        __builtin_prefetch(sources[blocks[i + kAhead].source]->indicator.value.data());
      }
      const AggregateBlock& block = blocks[i];
      if (block.source != AggregateBlock::kNoSource) {
        out += sources[block.source]->indicator.value;
      } else {
        AppendNetwork(out, block.cidr.base, block.cidr.prefix_len);
      }
      out += eol;
    }
  }
};

}  // namespace

std::unique_ptr<Renderer> NewPlainRenderer() { return std::make_unique<PlainRenderer>(); }

}  // namespace guardfeed::feeds_internal
