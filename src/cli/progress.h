// Progress: a one-line progress display on stderr for long commands, shown only when stderr is a
// terminal (scripts and logs get the final summary only).
//
// Thread safety: not thread-safe; update from the thread doing the work.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace guardfeed {

class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();  // clears the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Redraws at most a few times per second.
  void Update(uint64_t done, uint64_t total);
  // For work of unknown size: "label: <done> <unit>", at the same pace.
  void UpdateCount(uint64_t done, const char* unit);

 private:
  // Whether to draw now (a terminal, and the last drawing is old enough); records the drawing.
  bool Due();

  const std::string label_;
  const bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace guardfeed
