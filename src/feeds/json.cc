// JSON feed (docs/formats.md, "json"): one object, one entry per line, keys in a fixed order.
//   {"feed":"all","version":"7","entries":[
//   {"value":"198.51.100.7","kind":"ipv4","threat_level":8,"first_seen":"...",...},
//   ...
//   ]}
#include <string_view>

#include "feeds/render_util.h"

namespace guardfeed::feeds_internal {
namespace {

// Everything on an entry's line except its value: keys, kind, level, three times, count.
constexpr size_t kFixedLineBytes = 180;

void AppendEntry(std::string& out, const FeedEntry& entry) {
  out += R"({"value":)";
  AppendJsonString(out, entry.indicator.value);
  out += R"(,"kind":")";
  out += KindName(entry.indicator.kind);
  out += R"(","threat_level":)";
  AppendInt(out, entry.threat_level);
  out += R"(,"first_seen":")";
  AppendIso8601(out, entry.first_seen);
  out += R"(","last_seen":")";
  AppendIso8601(out, entry.last_seen);
  out += R"(","expires":")";
  AppendIso8601(out, entry.expires_at);
  out += R"(","finding_count":)";
  AppendInt(out, entry.finding_count);
  out.push_back('}');
}

class JsonRenderer final : public Renderer {
 public:
  RenderedFeed Render(const FeedConfig& config, std::span<const FeedEntry> entries,
                      const RenderInfo& info) const override {
    RenderedFeed feed;
    feed.entries = entries.size();
    size_t bytes = 64 + config.name.size() + info.version.size();
    for (const FeedEntry& entry : entries) bytes += kFixedLineBytes + entry.indicator.value.size();
    feed.body.reserve(bytes);
    feed.body += R"({"feed":)";
    AppendJsonString(feed.body, config.name);
    feed.body += R"(,"version":)";
    AppendJsonString(feed.body, info.version);
    feed.body += R"(,"entries":[)";
    for (size_t i = 0; i < entries.size(); ++i) {
      PrefetchValue(entries, i);
      feed.body += i == 0 ? "\n" : ",\n";
      AppendEntry(feed.body, entries[i]);
    }
    feed.body += entries.empty() ? "]}\n" : "\n]}\n";
    return feed;
  }

  std::string ContentType() const override { return "application/json"; }
  std::string FileName(const FeedConfig& config) const override { return config.name + ".json"; }
};

}  // namespace

std::unique_ptr<Renderer> NewJsonRenderer() { return std::make_unique<JsonRenderer>(); }

}  // namespace guardfeed::feeds_internal
