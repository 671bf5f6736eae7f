// Renderer: turns a feed's sorted, capped entries into bytes in one format. One implementation per
// format (plain.cc, secintel.cc, checkpoint.cc, json.cc); NewRenderer picks by FeedFormat.
//
// Contract: Render is a pure function of (config, entries, info): byte-stable, no clock, no I/O.
// Entries arrive in feed order: IPv4 numerically, then IPv6 numerically, then domains by name.
//
// Split rendering (LiveFeeds re-renders only the blocks of entries that changed): when
// Splits(config), Render's body is exactly AppendHead, then every entry's AppendEntry text with
// Separator() between two entries, then AppendTail. Aggregated plain feeds do not split: one
// CIDR block may merge entries from anywhere in the feed.
//
// Thread safety: renderers are stateless; share freely.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "feeds/feed.h"

namespace guardfeed {

struct RenderInfo {
  std::string version;   // this content's version (SecIntel "YYYYMMDD.N", else the serial)
  uint64_t dropped = 0;  // entries dropped by the cap (for header comments)
};

struct RenderedFeed {
  std::string body;
  uint64_t entries = 0;  // after aggregation
};

class Renderer {
 public:
  Renderer() = default;
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;
  virtual ~Renderer() = default;

  virtual RenderedFeed Render(const FeedConfig& config, std::span<const FeedEntry> entries,
                              const RenderInfo& info) const = 0;
  virtual bool Splits(const FeedConfig& /*config*/) const { return true; }
  // `entries` counts the entries that follow (the plain header prints it).
  virtual void AppendHead(const FeedConfig& config, const RenderInfo& info, uint64_t entries,
                          std::string& out) const = 0;
  virtual void AppendEntry(const FeedConfig& config, const FeedEntry& entry,
                           std::string& out) const = 0;
  virtual std::string_view Separator() const { return ""; }
  // `out` holds the whole body so far: SecIntel's trailer is the MD5 of everything before it.
  virtual void AppendTail(const FeedConfig& config, uint64_t entries, std::string& out) const = 0;

  virtual std::string ContentType() const = 0;
  // File name for the feed: "NAME.txt", "NAME.csv", "NAME.json", or "NAME" for SecIntel.
  virtual std::string FileName(const FeedConfig& config) const = 0;
};

std::unique_ptr<Renderer> NewRenderer(FeedFormat format);

}  // namespace guardfeed
