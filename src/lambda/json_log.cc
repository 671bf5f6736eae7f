#include "lambda/json_log.h"

#include <boost/json.hpp>
#include <chrono>

#include "core/time_util.h"

namespace guardfeed::lambda {
namespace {

thread_local std::string current_request_id;

std::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "TRACE";
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::info:
      return "INFO";
    case spdlog::level::warn:
      return "WARN";
    case spdlog::level::err:
      return "ERROR";
    case spdlog::level::critical:
      return "FATAL";
    default:
      return "INFO";
  }
}

// "2026-12-01T18:00:00.123Z"
std::string Timestamp(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  auto since_epoch = duration_cast<milliseconds>(time.time_since_epoch()).count();
  std::string text = FormatIso8601(since_epoch / 1000);  // "...:00Z"
  char millis[8];
  std::snprintf(millis, sizeof(millis), ".%03dZ", static_cast<int>(since_epoch % 1000));
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  return text + millis;
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  boost::json::object line{
      {"timestamp", Timestamp(msg.time)},
      {"level", LevelName(msg.level)},
      {"message", std::string_view(msg.payload.data(), msg.payload.size())}};
  if (!current_request_id.empty()) line["requestId"] = current_request_id;
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  dest.append(text.data(), text.data() + text.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

void SetLogRequestId(std::string_view request_id) { current_request_id = request_id; }

}  // namespace guardfeed::lambda
