// JSON feed (docs/formats.md, "json"): one object, one entry per line, keys in a fixed order.
//   {"feed":"all","version":"7","entries":[
//   {"value":"198.51.100.7","kind":"ipv4","threat_level":8,"first_seen":"...",...},
//   ...
//   ]}
#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

#include "feeds/render_util.h"

namespace guardfeed::feeds_internal {
namespace {

// An entry's line without its value: separator, keys, kind, level, three times and the count.
constexpr size_t kFixedLineBytes = 256;

char* Put(char* out, std::string_view text) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

char* PutInt(char* out, int64_t value) { return std::to_chars(out, out + 20, value).ptr; }

// Writes ",\n" (or "\n" for the first) and the entry's object through a raw pointer, so the hot
// loop has no capacity checks; `out` has room for kFixedLineBytes + JsonStringBound(value).
char* WriteLine(char* out, const FeedEntry& entry, bool first) {
  out = Put(out, first ? "\n{\"value\":" : ",\n{\"value\":");
  out = WriteJsonString(out, entry.indicator.value);
  out = Put(out, R"(,"kind":")");
  out = Put(out, KindName(entry.indicator.kind));
  out = Put(out, R"(","threat_level":)");
  out = PutInt(out, entry.threat_level);
  out = Put(out, R"(,"first_seen":")");
  out = WriteIso8601(out, entry.first_seen);
  out = Put(out, R"(","last_seen":")");
  out = WriteIso8601(out, entry.last_seen);
  out = Put(out, R"(","expires":")");
  out = WriteIso8601(out, entry.expires_at);
  out = Put(out, R"(","finding_count":)");
  out = PutInt(out, entry.finding_count);
  *out++ = '}';
  return out;
}

class JsonRenderer final : public Renderer {
 public:
  RenderedFeed Render(const FeedConfig& config, std::span<const FeedEntry> entries,
                      const RenderInfo& info) const override {
    RenderedFeed feed;
    feed.entries = entries.size();
    size_t bytes = 64 + config.name.size() + info.version.size();
    size_t widest = 0;
    for (const FeedEntry& entry : entries) {
      bytes += kFixedLineBytes + entry.indicator.value.size();
      widest = std::max(widest, entry.indicator.value.size());
    }
    feed.body.reserve(bytes);
    feed.body += R"({"feed":)";
    AppendJsonString(feed.body, config.name);
    feed.body += R"(,"version":)";
    AppendJsonString(feed.body, info.version);
    feed.body += R"(,"entries":[)";
    std::vector<char> line(kFixedLineBytes + JsonStringBound(widest));
    for (size_t i = 0; i < entries.size(); ++i) {
      PrefetchValue(entries, i);
      feed.body.append(line.data(), WriteLine(line.data(), entries[i], i == 0));
    }
    feed.body += entries.empty() ? "]}\n" : "\n]}\n";
    return feed;
  }

  void AppendHead(const FeedConfig& config, const RenderInfo& info, uint64_t /*entries*/,
                  std::string& out) const override {
    out += R"({"feed":)";
    AppendJsonString(out, config.name);
    out += R"(,"version":)";
    AppendJsonString(out, info.version);
    out += R"(,"entries":[)";
  }
  // Every entry as Render writes the first one ("\n{...}"); the separator supplies the ','.
  void AppendEntry(const FeedConfig& /*config*/, const FeedEntry& entry,
                   std::string& out) const override {
    const size_t old_size = out.size();
    out.resize(old_size + kFixedLineBytes + JsonStringBound(entry.indicator.value.size()));
    char* end = WriteLine(out.data() + old_size, entry, true);
    out.resize(static_cast<size_t>(end - out.data()));
  }
  std::string_view Separator() const override { return ","; }
  void AppendTail(const FeedConfig& /*config*/, uint64_t entries, std::string& out) const override {
    out += entries == 0 ? "]}\n" : "\n]}\n";
  }

  std::string ContentType() const override { return "application/json"; }
  std::string FileName(const FeedConfig& config) const override { return config.name + ".json"; }
};

}  // namespace

std::unique_ptr<Renderer> NewJsonRenderer() { return std::make_unique<JsonRenderer>(); }

}  // namespace guardfeed::feeds_internal
