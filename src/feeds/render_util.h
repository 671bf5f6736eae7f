// Internal to feeds/: text-writing helpers shared by the renderers and the builder, and the
// per-format renderer constructors behind NewRenderer. Not part of the module's public API.
//
// The Append* helpers write straight into a caller-reserved std::string so that rendering a
// million entries costs no per-entry heap allocation (the render budget in DESIGN.md).
//
// Thread safety: pure functions.
#pragma once

#include <charconv>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "feeds/feed.h"
#include "feeds/renderer.h"

namespace guardfeed::feeds_internal {

inline void AppendUint(std::string& out, uint64_t value) {
  char buffer[20];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

inline void AppendInt(std::string& out, int64_t value) {
  char buffer[20];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, result.ptr);
}

// Renderers read each entry's value text from its own heap block; after the builder's sort those
// blocks are scattered, so reading them in order stalls on memory. Prefetching a few entries
// ahead hides most of that latency (about a third of the JSON render time in bench/).
inline void PrefetchValue(std::span<const FeedEntry> entries, size_t i) {
  constexpr size_t kAhead = 8;
  if (i + kAhead < entries.size()) __builtin_prefetch(entries[i + kAhead].indicator.value.data());
}

// Dotted quad of a host-order IPv4 address ("198.51.100.7").
void AppendIpv4(std::string& out, uint32_t address);

// "a.b.c.d/n" or "x::/n"; a single address (/32, /128) prints bare.
void AppendNetwork(std::string& out, const IpAddress& base, int prefix_len);

// "2026-11-22T13:41:06Z", the same text as core's FormatIso8601 without its snprintf.
void AppendIso8601(std::string& out, UnixSeconds seconds);
// The same written at `out`, which must have room for kMaxIso8601Length bytes; returns the end.
inline constexpr size_t kMaxIso8601Length = 32;
char* WriteIso8601(char* out, UnixSeconds seconds);

// A JSON string literal with quotes; escapes '"', '\\' and control characters.
void AppendJsonString(std::string& out, std::string_view text);
// The same written at `out`, which must have room for JsonStringBound(text.size()) bytes;
// returns the end.
char* WriteJsonString(char* out, std::string_view text);
inline constexpr size_t JsonStringBound(size_t length) { return 6 * length + 2; }

// Feed order: IPv4 numerically, then IPv6 numerically, then domains by name; containment entries
// (which only containment feeds carry) after all of those, in the same order.
bool FeedOrderLess(const FeedEntry& a, const FeedEntry& b);

// Whether `config`'s format can publish `kind` at all. SecIntel publishes one kind per feed
// (IPv4, or domains when the feed carries domains and not IPv4); neither SecIntel nor Check Point
// publishes IPv6 (docs/formats.md explains why).
bool FormatPublishes(const FeedConfig& config, IndicatorKind kind);

// The one kind a SecIntel feed publishes: IPv4 when it carries IPv4, otherwise domains.
IndicatorKind SecIntelKind(const FeedConfig& config);
// The manifest's feed@types for that kind: "ip_addr threat_level" or "dn threat_level".
std::string_view SecIntelTypes(const FeedConfig& config);

std::unique_ptr<Renderer> NewPlainRenderer();
std::unique_ptr<Renderer> NewSecIntelRenderer();
std::unique_ptr<Renderer> NewCheckPointRenderer();
std::unique_ptr<Renderer> NewJsonRenderer();

}  // namespace guardfeed::feeds_internal
