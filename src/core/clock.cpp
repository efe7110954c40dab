#include "core/clock.hpp"

namespace hearth::core {

std::int64_t SystemClock::unixMillis() const noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::chrono::steady_clock::time_point SystemClock::steadyNow() const noexcept {
  return std::chrono::steady_clock::now();
}

SystemClock& SystemClock::instance() noexcept {
  static SystemClock clock;
  return clock;
}

} // namespace hearth::core
