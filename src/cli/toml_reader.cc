#include "cli/toml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <sstream>

#include "core/time_util.h"

namespace guardfeed {
namespace {

std::string NumberText(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// The text of a scalar for "got ..." in messages, cut short so a pasted blob stays readable.
std::string Got(const toml::node& node) {
  if (const auto* text = node.as_string()) {
    return "\"" + std::string(std::string_view(text->get()).substr(0, 64)) + "\"";
  }
  if (const auto* integer = node.as_integer()) return std::to_string(integer->get());
  if (const auto* number = node.as_floating_point()) return NumberText(number->get());
  if (const auto* flag = node.as_boolean()) return flag->get() ? "true" : "false";
  if (node.is_array()) return "an array";
  if (node.is_table()) return "a table";
  return "a date or time";
}

// seconds * 1000, or nullopt when that does not fit.
std::optional<std::chrono::milliseconds> SecondsToMs(int64_t seconds) {
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 1000;
  if (seconds > kLimit || seconds < -kLimit) return std::nullopt;
  return std::chrono::milliseconds(seconds * 1000);
}

// "500ms" (digits then "ms"), or a ParseDuration text converted to milliseconds.
Result<std::chrono::milliseconds> ParseMilliseconds(std::string_view text) {
  if (text.size() > 2 && text.ends_with("ms")) {
    std::string_view digits = text.substr(0, text.size() - 2);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range) {
      return Status::InvalidArgument("'" + std::string(text.substr(0, 64)) + "' is too large");
    }
    if (ec != std::errc() || end != digits.data() + digits.size() || value < 0) {
      return Status::InvalidArgument("'" + std::string(text.substr(0, 64)) + "' is not a duration");
    }
    return std::chrono::milliseconds(value);
  }
  Result<int64_t> seconds = ParseDuration(text);
  if (!seconds.ok()) return seconds.status();
  std::optional<std::chrono::milliseconds> ms = SecondsToMs(*seconds);
  if (!ms) return Status::InvalidArgument("'" + std::string(text.substr(0, 64)) + "' is too large");
  return *ms;
}

}  // namespace

Status TomlReader::Error(const toml::node* node, std::string_view key,
                         const std::string& message) const {
  std::string where = file_;
  if (node != nullptr && node->source().begin.line > 0) {
    where += ":" + std::to_string(node->source().begin.line);
  }
  return Status::InvalidArgument(where + ": " + std::string(key) + ": " + message);
}

Status TomlReader::CheckKeys(const toml::table& table, std::string_view section,
                             std::span<const std::string_view> known) const {
  for (const auto& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      return Error(&node, Join(section, key.str()), "unknown key");
    }
  }
  return Status::Ok();
}

Result<const toml::table*> TomlReader::Table(const toml::table& t, std::string_view section,
                                             std::string_view key) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return static_cast<const toml::table*>(nullptr);
  if (!node->is_table()) {
    return Error(node, Join(section, key), "expected a table ([" + Join(section, key) + "])");
  }
  return node->as_table();
}

Status TomlReader::String(const toml::table& t, std::string_view section, std::string_view key,
                          std::string& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_string()) {
    return Error(node, Join(section, key), "expected a string, got " + Got(*node));
  }
  out = node->as_string()->get();
  return Status::Ok();
}

Status TomlReader::Bool(const toml::table& t, std::string_view section, std::string_view key,
                        bool& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_boolean()) {
    return Error(node, Join(section, key), "expected true or false, got " + Got(*node));
  }
  out = node->as_boolean()->get();
  return Status::Ok();
}

Status TomlReader::Number(const toml::table& t, std::string_view section, std::string_view key,
                          double min, double max, double& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  std::optional<double> value = node->is_number() ? node->value<double>() : std::nullopt;
  if (!value || !(*value >= min && *value <= max)) {  // written so that NaN fails
    return Error(node, Join(section, key),
                 "expected a number from " + NumberText(min) + " to " + NumberText(max) + ", got " +
                     Got(*node));
  }
  out = *value;
  return Status::Ok();
}

Status TomlReader::ReadInteger(const toml::table& t, std::string_view section, std::string_view key,
                               int64_t min, int64_t max, int64_t& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  if (!node->is_integer() || node->as_integer()->get() < min || node->as_integer()->get() > max) {
    return Error(node, Join(section, key),
                 "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", got " + Got(*node));
  }
  out = node->as_integer()->get();
  return Status::Ok();
}

Status TomlReader::Duration(const toml::table& t, std::string_view section, std::string_view key,
                            int64_t min, int64_t max, int64_t& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  const std::string expected = "expected a duration from " + FormatDuration(min) + " to " +
                               FormatDuration(max) + " (seconds or text like \"30d\")";
  int64_t seconds = 0;
  if (node->is_integer()) {
    seconds = node->as_integer()->get();
  } else if (node->is_string()) {
    Result<int64_t> parsed = ParseDuration(node->as_string()->get());
    if (!parsed.ok()) {
      return Error(node, Join(section, key), parsed.status().message() + "; " + expected);
    }
    seconds = *parsed;
  } else {
    return Error(node, Join(section, key), expected + ", got " + Got(*node));
  }
  if (seconds < min || seconds > max) {
    return Error(node, Join(section, key), expected + ", got " + Got(*node));
  }
  out = seconds;
  return Status::Ok();
}

Status TomlReader::DurationMs(const toml::table& t, std::string_view section, std::string_view key,
                              std::chrono::milliseconds min, std::chrono::milliseconds max,
                              std::chrono::milliseconds& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  const std::string expected = "expected a duration from " + FormatMilliseconds(min) + " to " +
                               FormatMilliseconds(max) +
                               " (seconds or text like \"10s\", \"500ms\")";
  std::optional<std::chrono::milliseconds> ms;
  if (node->is_integer()) {
    ms = SecondsToMs(node->as_integer()->get());
  } else if (node->is_string()) {
    Result<std::chrono::milliseconds> parsed = ParseMilliseconds(node->as_string()->get());
    if (!parsed.ok()) {
      return Error(node, Join(section, key), parsed.status().message() + "; " + expected);
    }
    ms = *parsed;
  } else {
    return Error(node, Join(section, key), expected + ", got " + Got(*node));
  }
  if (!ms || *ms < min || *ms > max) {
    return Error(node, Join(section, key), expected + ", got " + Got(*node));
  }
  out = *ms;
  return Status::Ok();
}

Status TomlReader::Size(const toml::table& t, std::string_view section, std::string_view key,
                        uint64_t min, uint64_t max, size_t& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  const std::string expected = "expected a size from " + FormatSize(min) + " to " +
                               FormatSize(max) + " (bytes or text like \"16MiB\")";
  uint64_t bytes = 0;
  if (node->is_integer() && node->as_integer()->get() >= 0) {
    bytes = static_cast<uint64_t>(node->as_integer()->get());
  } else if (node->is_string()) {
    Result<uint64_t> parsed = ParseSize(node->as_string()->get());
    if (!parsed.ok()) {
      return Error(node, Join(section, key), parsed.status().message() + "; " + expected);
    }
    bytes = *parsed;
  } else {
    return Error(node, Join(section, key), expected + ", got " + Got(*node));
  }
  if (bytes < min || bytes > max || bytes > std::numeric_limits<size_t>::max()) {
    return Error(node, Join(section, key), expected + ", got " + Got(*node));
  }
  out = static_cast<size_t>(bytes);
  return Status::Ok();
}

Status TomlReader::StringList(const toml::table& t, std::string_view section, std::string_view key,
                              std::vector<std::string>& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return Error(node, Join(section, key), "expected an array of strings, got " + Got(*node));
  }
  std::vector<std::string> items;
  for (const toml::node& item : *array) {
    if (!item.is_string()) {
      return Error(&item, Join(section, key), "expected strings only, got " + Got(item));
    }
    items.push_back(item.as_string()->get());
  }
  out = std::move(items);
  return Status::Ok();
}

Status TomlReader::StringMap(const toml::table& t, std::string_view section, std::string_view key,
                             std::map<std::string, std::string>& out) const {
  const toml::node* node = t.get(key);
  if (node == nullptr) return Status::Ok();
  const toml::table* table = node->as_table();
  if (table == nullptr) {
    return Error(node, Join(section, key),
                 "expected a table of strings ({ name = \"value\" }), got " + Got(*node));
  }
  for (const auto& [name, value] : *table) {
    if (!value.is_string()) {
      return Error(&value, Join(Join(section, key), name.str()),
                   "expected a string, got " + Got(value));
    }
    out[std::string(name.str())] = value.as_string()->get();
  }
  return Status::Ok();
}

std::string TomlReader::Join(std::string_view section, std::string_view key) {
  return section.empty() ? std::string(key) : std::string(section) + "." + std::string(key);
}

Result<uint64_t> ParseSize(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string quoted = "\"" + std::string(text.substr(0, 64)) + "\"";
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument("size " + quoted + " is too large");
  }
  if (ec != std::errc() || end == text.data()) {
    return Status::InvalidArgument(quoted + " is not a size");
  }
  std::string unit(end, static_cast<size_t>(text.data() + text.size() - end));
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::pair<std::string_view, uint64_t> kUnits[] = {
      {"", 1},           {"b", 1},           {"k", 1u << 10},           {"kb", 1000},
      {"kib", 1u << 10}, {"m", 1u << 20},    {"mb", 1000000},           {"mib", 1u << 20},
      {"g", 1u << 30},   {"gb", 1000000000}, {"gib", uint64_t{1} << 30}};
  for (const auto& [name, multiplier] : kUnits) {
    if (unit != name) continue;
    if (value > std::numeric_limits<uint64_t>::max() / multiplier) {
      return Status::InvalidArgument("size " + quoted + " is too large");
    }
    return value * multiplier;
  }
  return Status::InvalidArgument("unknown unit \"" + unit.substr(0, 16) + "\" in " + quoted +
                                 " (use KiB, MiB or GiB)");
}

std::string FormatSize(uint64_t bytes) {
  if (bytes != 0 && bytes % (uint64_t{1} << 30) == 0) return std::to_string(bytes >> 30) + "GiB";
  if (bytes != 0 && bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes != 0 && bytes % (uint64_t{1} << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes) + "B";
}

std::string FormatMilliseconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return FormatDuration(ms.count() / 1000);
  return std::to_string(ms.count()) + "ms";
}

}  // namespace guardfeed
