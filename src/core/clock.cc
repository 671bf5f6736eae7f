#include "core/clock.h"

#include <chrono>

namespace guardfeed {
namespace {

class RealClock final : public Clock {
 public:
  UnixSeconds Now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace

Clock* SystemClock() {
  static RealClock clock;
  return &clock;
}

}  // namespace guardfeed
