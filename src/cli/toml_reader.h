// TomlReader: the one way configuration values are read out of a parsed TOML document. Every
// section ([store], [policy], [feeds], [server], [publish.s3], [publish.atp]) goes through it, so
// a value of the wrong type or out of range is always an error naming the file, the line and the
// key ("guardfeed.toml:12: server.body_limit: expected a size from 1 to 1GiB, got "99GiB""),
// never a silent default.
//
// Every reader method leaves `out` untouched when the key is absent (so `out` keeps its default)
// and returns InvalidArgument when the key is present but wrong. `section` is the dotted path of
// the table (e.g. "publish.s3", "" for the root) and only serves the messages.
//
// Thread safety: const after construction. Borrows the document, which must outlive the reader.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace guardfeed {

class TomlReader {
 public:
  // `file` names the document in messages: a path or "(built-in defaults)".
  TomlReader(std::string file, const toml::table& root) : file_(std::move(file)), root_(root) {}

  // "file:line: key: message" (the line when `node` has one).
  Status Error(const toml::node* node, std::string_view key, const std::string& message) const;

  // Rejects keys `table` may not contain, so a typo is an error instead of a silent default.
  Status CheckKeys(const toml::table& table, std::string_view section,
                   std::initializer_list<std::string_view> known) const {
    return CheckKeys(table, section,
                     std::span<const std::string_view>(known.begin(), known.size()));
  }
  Status CheckKeys(const toml::table& table, std::string_view section,
                   std::span<const std::string_view> known) const;

  // The sub-table `key` of `t`, or null when absent; an error when `key` is not a table.
  Result<const toml::table*> Table(const toml::table& t, std::string_view section,
                                   std::string_view key) const;

  Status String(const toml::table& t, std::string_view section, std::string_view key,
                std::string& out) const;
  Status Bool(const toml::table& t, std::string_view section, std::string_view key,
              bool& out) const;
  // An integer or a float in [min, max] (NaN is rejected).
  Status Number(const toml::table& t, std::string_view section, std::string_view key, double min,
                double max, double& out) const;
  // An integer in [min, max]; `Int` must hold every value of that range.
  template <typename Int>
  Status Integer(const toml::table& t, std::string_view section, std::string_view key, int64_t min,
                 int64_t max, Int& out) const {
    int64_t value = 0;
    GF_RETURN_IF_ERROR(ReadInteger(t, section, key, min, max, value));
    if (t.get(key) != nullptr) out = static_cast<Int>(value);
    return Status::Ok();
  }
  // Seconds in [min, max]: an integer, or text like "90s", "15m", "12h", "30d", "2w".
  Status Duration(const toml::table& t, std::string_view section, std::string_view key, int64_t min,
                  int64_t max, int64_t& out) const;
  // Milliseconds in [min, max]: integer seconds, text in seconds ("10s", "2m"), or "500ms".
  Status DurationMs(const toml::table& t, std::string_view section, std::string_view key,
                    std::chrono::milliseconds min, std::chrono::milliseconds max,
                    std::chrono::milliseconds& out) const;
  // Bytes in [min, max]: an integer, or text like "65536", "512KiB", "16MiB", "1GiB", "1MB".
  Status Size(const toml::table& t, std::string_view section, std::string_view key, uint64_t min,
              uint64_t max, size_t& out) const;
  Status StringList(const toml::table& t, std::string_view section, std::string_view key,
                    std::vector<std::string>& out) const;
  // An inline or ordinary table of strings ({ fortigate_ip = "ip_blocklist" }); adds to `out`.
  Status StringMap(const toml::table& t, std::string_view section, std::string_view key,
                   std::map<std::string, std::string>& out) const;

  // "section.key", or "key" for the root.
  static std::string Join(std::string_view section, std::string_view key);

  const std::string& file() const { return file_; }
  const toml::table& root() const { return root_; }

 private:
  Status ReadInteger(const toml::table& t, std::string_view section, std::string_view key,
                     int64_t min, int64_t max, int64_t& out) const;

  const std::string file_;
  const toml::table& root_;
};

// Parses "65536", "512KiB", "16MiB", "1GiB" (powers of 1024; K, M, G alike) or "1KB", "1MB", "1GB"
// (powers of 1000), case-insensitive. InvalidArgument for anything else and for values beyond
// 2^64-1 bytes.
Result<uint64_t> ParseSize(std::string_view text);
// The shortest exact form: "16MiB", "1GiB", "1000B".
std::string FormatSize(uint64_t bytes);
// "500ms", or FormatDuration's form for whole seconds ("10s", "1h").
std::string FormatMilliseconds(std::chrono::milliseconds ms);

}  // namespace guardfeed
