#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace guardfeed {

Progress::Progress(std::string label) : label_(std::move(label)), enabled_(isatty(2) == 1) {}

Progress::~Progress() {
  if (drawn_) std::fprintf(stderr, "\r\033[K");
}

bool Progress::Due() {
  if (!enabled_) return false;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return false;
  last_draw_ = now;
  drawn_ = true;
  return true;
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (total == 0 || !Due()) return;
  double percent = 100.0 * static_cast<double>(done) / static_cast<double>(total);
  std::fprintf(stderr, "\r\033[K%s: %5.1f%% (%llu/%llu MB)", label_.c_str(), percent,
               static_cast<unsigned long long>(done >> 20),
               static_cast<unsigned long long>(total >> 20));
  std::fflush(stderr);
}

void Progress::UpdateCount(uint64_t done, const char* unit) {
  if (!Due()) return;
  std::fprintf(stderr, "\r\033[K%s: %llu %s", label_.c_str(), static_cast<unsigned long long>(done),
               unit);
  std::fflush(stderr);
}

}  // namespace guardfeed
