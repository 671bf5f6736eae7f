// Check Point custom IoC feed CSV (docs/formats.md, "checkpoint"):
//   # UNIQ-NAME,VALUE,TYPE,CONFIDENCE,SEVERITY,PRODUCT,COMMENT
//   guardfeed_198.51.100.7,198.51.100.7,IP,high,critical,AB,GuardDuty threat level 9
#include <string_view>

#include "feeds/render_util.h"

namespace guardfeed::feeds_internal {
namespace {

constexpr std::string_view kHeader = "# UNIQ-NAME,VALUE,TYPE,CONFIDENCE,SEVERITY,PRODUCT,COMMENT\n";
constexpr std::string_view kNamePrefix = "guardfeed_";
constexpr size_t kFixedLineBytes = 96;

// Check Point's severity words for a SecIntel-style threat level 1..10.
std::string_view Severity(int threat_level) {
  if (threat_level >= 9) return "critical";
  if (threat_level >= 7) return "high";
  if (threat_level >= 4) return "medium";
  return "low";
}

bool NeedsQuoting(std::string_view field) {
  for (char c : field) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

// RFC 4180 quoting, only when the field needs it (Check Point accepts quoted fields).
void AppendCsvField(std::string& out, std::string_view field) {
  if (!NeedsQuoting(field)) {
    out += field;
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

class CheckPointRenderer final : public Renderer {
 public:
  RenderedFeed Render(const FeedConfig& config, std::span<const FeedEntry> entries,
                      const RenderInfo& /*info*/) const override {
    // The configured columns are the same on every line: quote them once.
    std::string confidence, product;
    AppendCsvField(confidence, config.confidence);
    AppendCsvField(product, config.product);
    RenderedFeed feed;
    size_t bytes = kHeader.size();
    for (const FeedEntry& entry : entries)
      bytes += kFixedLineBytes + 2 * entry.indicator.value.size();
    feed.body.reserve(bytes);
    feed.body += kHeader;
    for (size_t i = 0; i < entries.size(); ++i) {
      PrefetchValue(entries, i);
      const FeedEntry& entry = entries[i];
      if (entry.indicator.kind == IndicatorKind::kIpv6) continue;  // IPv4 only (docs/formats.md)
      AppendLine(feed.body, entry, confidence, product);
      ++feed.entries;
    }
    return feed;
  }

  void AppendHead(const FeedConfig& /*config*/, const RenderInfo& /*info*/, uint64_t /*entries*/,
                  std::string& out) const override {
    out += kHeader;
  }
  void AppendEntry(const FeedConfig& config, const FeedEntry& entry,
                   std::string& out) const override {
    if (entry.indicator.kind == IndicatorKind::kIpv6) return;  // as Render
    std::string confidence, product;
    AppendCsvField(confidence, config.confidence);
    AppendCsvField(product, config.product);
    AppendLine(out, entry, confidence, product);
  }
  void AppendTail(const FeedConfig& /*config*/, uint64_t /*entries*/,
                  std::string& /*out*/) const override {}

  std::string ContentType() const override { return "text/csv; charset=utf-8"; }
  std::string FileName(const FeedConfig& config) const override { return config.name + ".csv"; }

 private:
  // Names derive from the value so an indicator keeps its name across versions; values are
  // canonical IPv4 or domain text ([a-z0-9._-]) and never need quoting.
  // `confidence` and `product` arrive already quoted as needed.
  static void AppendLine(std::string& out, const FeedEntry& entry, std::string_view confidence,
                         std::string_view product) {
    const bool ip = entry.indicator.kind == IndicatorKind::kIpv4;
    out += kNamePrefix;
    AppendCsvField(out, entry.indicator.value);
    out.push_back(',');
    AppendCsvField(out, entry.indicator.value);
    out += ip ? ",IP," : ",Domain,";
    out += confidence;
    out.push_back(',');
    out += Severity(entry.threat_level);
    out.push_back(',');
    out += product;
    // A containment feed's entries are our own instances: the comment says so to whoever reads
    // the blade's logs.
    out += entry.containment ? ",GuardDuty compromised instance threat level "
                             : ",GuardDuty threat level ";
    AppendInt(out, entry.threat_level);
    out.push_back('\n');
  }
};

}  // namespace

std::unique_ptr<Renderer> NewCheckPointRenderer() { return std::make_unique<CheckPointRenderer>(); }

}  // namespace guardfeed::feeds_internal
