#include "core/snowflake.hpp"

#include <charconv>

namespace hearth::core {

namespace {
constexpr int kWorkerShift = 17;
constexpr int kProcessShift = 12;
constexpr int kTimeShift = 22;
constexpr std::uint32_t kIncrementMask = 0xFFF;
} // namespace

SnowflakeGenerator::SnowflakeGenerator(const Clock& clock, std::uint32_t worker, std::uint32_t process)
    : clock_(clock),
      node_bits_((static_cast<std::uint64_t>(worker & 0x1F) << kWorkerShift) |
                 (static_cast<std::uint64_t>(process & 0x1F) << kProcessShift)) {}

std::uint64_t SnowflakeGenerator::next() {
  const std::int64_t now = clock_.unixMillis() - kSnowflakeEpochMillis;
  std::lock_guard lock(mutex_);
  if (now > last_millis_) {
    last_millis_ = now;
    increment_ = 0;
  } else if (++increment_ > kIncrementMask) {
    // Sequence exhausted (or the clock went back): move to the next millisecond ourselves.
    ++last_millis_;
    increment_ = 0;
  }
  return (static_cast<std::uint64_t>(last_millis_) << kTimeShift) | node_bits_ | increment_;
}

SnowflakeParts decodeSnowflake(std::uint64_t id) noexcept {
  return SnowflakeParts{
      .unix_millis = static_cast<std::int64_t>(id >> kTimeShift) + kSnowflakeEpochMillis,
      .worker = static_cast<std::uint32_t>((id >> kWorkerShift) & 0x1F),
      .process = static_cast<std::uint32_t>((id >> kProcessShift) & 0x1F),
      .increment = static_cast<std::uint32_t>(id & kIncrementMask),
  };
}

std::uint64_t snowflakeFloor(std::int64_t unix_millis) noexcept {
  if (unix_millis <= kSnowflakeEpochMillis) return 0;
  return static_cast<std::uint64_t>(unix_millis - kSnowflakeEpochMillis) << kTimeShift;
}

std::string snowflakeToString(std::uint64_t id) { return std::to_string(id); }

std::optional<std::uint64_t> parseSnowflake(std::string_view text) noexcept {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

} // namespace hearth::core
