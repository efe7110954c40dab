#pragma once
// Snowflake IDs in Discord's layout: bits 63-22 ms since 2015-01-01 UTC, 21-17 worker,
// 16-12 process, 11-0 increment. Sent to clients as decimal strings.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace hearth::core {

inline constexpr std::int64_t kSnowflakeEpochMillis = 1'420'070'400'000; //!< 2015-01-01T00:00:00Z

//! The parts of a snowflake.
struct SnowflakeParts {
  std::int64_t unix_millis = 0;
  std::uint32_t worker = 0; //!< 0-31
  std::uint32_t process = 0; //!< 0-31
  std::uint32_t increment = 0; //!< 0-4095
};

//! Generates unique, time-ordered snowflakes; thread-safe. Two generators must differ in
//! worker or process id (one per hearthd node, set by --worker-id).
class SnowflakeGenerator {
public:
  SnowflakeGenerator(const Clock& clock, std::uint32_t worker, std::uint32_t process);
  //! A new id, strictly greater than every earlier one from this generator. If more than 4096
  //! ids are asked for in one millisecond, or the clock steps back, it borrows from the future
  //! millisecond rather than block or repeat.
  std::uint64_t next();

private:
  const Clock& clock_;
  std::uint64_t node_bits_;
  std::mutex mutex_;
  std::int64_t last_millis_ = 0;
  std::uint32_t increment_ = 0;
};

//! Splits an id into its parts.
SnowflakeParts decodeSnowflake(std::uint64_t id) noexcept;
//! Smallest id that a snowflake made at `unix_millis` can have (for time-range queries).
std::uint64_t snowflakeFloor(std::int64_t unix_millis) noexcept;
//! Decimal text of an id, as sent in JSON.
std::string snowflakeToString(std::uint64_t id);
//! Parses decimal text; rejects empty, signs, non-digits, overflow and leading zeros.
std::optional<std::uint64_t> parseSnowflake(std::string_view text) noexcept;

} // namespace hearth::core
