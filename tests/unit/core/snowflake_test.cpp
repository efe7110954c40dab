#include "core/snowflake.hpp"

#include <set>
#include <thread>

#include <gtest/gtest.h>

namespace hearth::core {
namespace {

TEST(Snowflake, DecodesDiscordsDocumentedExample) {
  // Discord's documentation example: 175928847299117063 was made at 2016-04-30T11:18:25.796Z.
  const auto parts = decodeSnowflake(175928847299117063ULL);
  EXPECT_EQ(parts.unix_millis, 1462015105796);
  EXPECT_EQ(parts.worker, 1u);
  EXPECT_EQ(parts.process, 0u);
  EXPECT_EQ(parts.increment, 7u);
}

TEST(Snowflake, EncodesTimeWorkerAndProcess) {
  ManualClock clock(1'700'000'000'123);
  SnowflakeGenerator generator(clock, 5, 9);
  const auto parts = decodeSnowflake(generator.next());
  EXPECT_EQ(parts.unix_millis, 1'700'000'000'123);
  EXPECT_EQ(parts.worker, 5u);
  EXPECT_EQ(parts.process, 9u);
  EXPECT_EQ(parts.increment, 0u);
  EXPECT_EQ(decodeSnowflake(generator.next()).increment, 1u);
}

TEST(Snowflake, IncrementResetsEachMillisecond) {
  ManualClock clock;
  SnowflakeGenerator generator(clock, 0, 0);
  generator.next();
  generator.next();
  clock.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(decodeSnowflake(generator.next()).increment, 0u);
}

TEST(Snowflake, StaysStrictlyIncreasingWhenTheSequenceOverflowsOrTheClockStepsBack) {
  ManualClock clock;
  SnowflakeGenerator generator(clock, 1, 1);
  std::uint64_t previous = generator.next();
  for (int id_idx = 0; id_idx < 10'000; ++id_idx) { // more than 4096 in one millisecond
    const auto id = generator.next();
    ASSERT_GT(id, previous);
    previous = id;
  }
  clock.advance(std::chrono::milliseconds(-5000));
  EXPECT_GT(generator.next(), previous);
}

TEST(Snowflake, IsUniqueAcrossThreads) {
  SnowflakeGenerator generator(SystemClock::instance(), 3, 0);
  std::vector<std::vector<std::uint64_t>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&generator, &ids] {
      for (int id_idx = 0; id_idx < 5000; ++id_idx)
        ids.push_back(generator.next());
    });
  }
  for (auto& thread : threads)
    thread.join();
  std::set<std::uint64_t> all;
  for (const auto& ids : per_thread)
    all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), 20'000u);
}

TEST(Snowflake, FloorOrdersByTime) {
  ManualClock clock(1'600'000'000'000);
  SnowflakeGenerator generator(clock, 31, 31);
  const auto id = generator.next();
  EXPECT_LE(snowflakeFloor(1'600'000'000'000), id);
  EXPECT_GT(snowflakeFloor(1'600'000'000'001), id);
  EXPECT_EQ(snowflakeFloor(0), 0u);
}

TEST(Snowflake, ParsesOnlyCanonicalDecimal) {
  EXPECT_EQ(parseSnowflake("175928847299117063"), 175928847299117063ULL);
  EXPECT_EQ(parseSnowflake("0"), 0u);
  EXPECT_EQ(parseSnowflake("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "-1", "+1", "01", "12a", " 1", "18446744073709551616", "1.5", "999999999999999999999"}) {
    EXPECT_FALSE(parseSnowflake(bad).has_value()) << bad;
  }
  EXPECT_EQ(snowflakeToString(175928847299117063ULL), "175928847299117063");
}

} // namespace
} // namespace hearth::core
