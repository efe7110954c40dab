#pragma once
// Time comes from here only, so expiries and timeouts are testable without sleeping.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace hearth::core {

//! Wall-clock and monotonic time. Production code takes a `Clock&`; tests pass a ManualClock.
class Clock {
public:
  virtual ~Clock() = default;
  //! Milliseconds since the Unix epoch (for snowflakes, timestamps shown to users).
  virtual std::int64_t unixMillis() const noexcept = 0;
  //! Monotonic time, for measuring durations.
  virtual std::chrono::steady_clock::time_point steadyNow() const noexcept = 0;
};

//! The real clock.
class SystemClock final : public Clock {
public:
  std::int64_t unixMillis() const noexcept override;
  std::chrono::steady_clock::time_point steadyNow() const noexcept override;
  //! A process-wide instance, for wiring in main().
  static SystemClock& instance() noexcept;
};

//! A clock that moves only when told; thread-safe.
class ManualClock final : public Clock {
public:
  explicit ManualClock(std::int64_t unix_millis = 1'700'000'000'000) : millis_(unix_millis) {}
  std::int64_t unixMillis() const noexcept override { return millis_.load(); }
  std::chrono::steady_clock::time_point steadyNow() const noexcept override {
    return std::chrono::steady_clock::time_point(std::chrono::milliseconds(millis_.load()));
  }
  void advance(std::chrono::milliseconds by) noexcept { millis_ += by.count(); }
  void set(std::int64_t unix_millis) noexcept { millis_ = unix_millis; }

private:
  std::atomic<std::int64_t> millis_;
};

} // namespace hearth::core
