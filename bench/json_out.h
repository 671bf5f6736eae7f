// JsonOut: a minimal append-only compact JSON writer for the benchmark corpus generator. It tracks
// only where commas go; the caller is responsible for balanced Begin/End calls.
//
// Benchmark support code. Thread safety: one writer per thread; it borrows `out`, which must
// outlive it.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace guardfeed::bench {

class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}

  JsonOut& Begin() { return Open('{'); }
  JsonOut& End() { return Close('}'); }
  JsonOut& BeginArray() { return Open('['); }
  JsonOut& EndArray() { return Close(']'); }

  // Object member name; the next call writes its value.
  JsonOut& Key(std::string_view key) {
    Comma();
    out_ += '"';
    out_ += key;  // keys are our own literals: no escaping needed
    out_ += "\":";
    comma_ = false;
    return *this;
  }
  JsonOut& Str(std::string_view value) {
    Comma();
    AppendQuoted(value);
    comma_ = true;
    return *this;
  }
  JsonOut& Int(int64_t value) {
    Comma();
    char buffer[24];
    auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out_.append(buffer, result.ptr);
    comma_ = true;
    return *this;
  }
  // `digits` decimals, "%.*f".
  JsonOut& Num(double value, int digits) {
    Comma();
    char buffer[48];
    int length = std::snprintf(buffer, sizeof(buffer), "%.*f", digits, value);
    out_.append(buffer, static_cast<size_t>(length));
    comma_ = true;
    return *this;
  }
  JsonOut& Bool(bool value) { return Raw(value ? "true" : "false"); }
  JsonOut& Null() { return Raw("null"); }
  // A value written verbatim (already valid JSON).
  JsonOut& Raw(std::string_view json) {
    Comma();
    out_ += json;
    comma_ = true;
    return *this;
  }

  // Shorthands for a member with a value.
  JsonOut& Field(std::string_view key, std::string_view value) { return Key(key).Str(value); }
  JsonOut& Field(std::string_view key, const char* value) { return Key(key).Str(value); }
  JsonOut& Field(std::string_view key, const std::string& value) { return Key(key).Str(value); }
  JsonOut& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonOut& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonOut& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

 private:
  JsonOut& Open(char bracket) {
    Comma();
    out_ += bracket;
    comma_ = false;
    return *this;
  }
  JsonOut& Close(char bracket) {
    out_ += bracket;
    comma_ = true;
    return *this;
  }
  void Comma() {
    if (comma_) out_ += ',';
  }
  void AppendQuoted(std::string_view value) {
    out_ += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", static_cast<unsigned>(c));
        out_ += buffer;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }

  std::string& out_;
  bool comma_ = false;
};

}  // namespace guardfeed::bench
