// store::Coalescer's batching logic, with a batch runner that stands in for the database (its
// round trip is a timer): what arrives while a batch is out goes with the next one, each caller
// gets its own outcome, and a lone request leaves at once.
#include "store/coalescer.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace hearth::store {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Harness {
  asio::io_context io;
  std::vector<std::vector<int>> batches; //!< what each batch held, in order
  int running = 0;
  int most_running = 0;

  // Answers each item with its double, or an error for a negative one, after `delay`.
  Coalescer<int, int>::Run runner(std::chrono::milliseconds delay) {
    return [this, delay](std::vector<int> items) -> asio::awaitable<std::vector<core::Result<int>>> {
      batches.push_back(items);
      most_running = std::max(most_running, ++running);
      asio::steady_timer round_trip(io, delay);
      co_await round_trip.async_wait(asio::use_awaitable);
      --running;
      std::vector<core::Result<int>> out;
      for (const int item : items) {
        if (item < 0) {
          out.push_back(core::fail(core::ErrorCode::kDatabase, "refused " + std::to_string(item)));
        } else {
          out.push_back(item * 2);
        }
      }
      co_return out;
    };
  }
};

TEST(Coalescer, ALoneRequestLeavesAtOnceAndAlone) {
  Harness harness;
  Coalescer<int, int> coalescer(harness.runner(0ms), 8);
  std::optional<core::Result<int>> answer;
  asio::co_spawn(
      harness.io, [&]() -> asio::awaitable<void> { answer = co_await coalescer.submit(21); }, asio::detached);
  harness.io.run();
  ASSERT_TRUE(answer && *answer);
  EXPECT_EQ(**answer, 42);
  ASSERT_EQ(harness.batches.size(), 1u);
  EXPECT_EQ(harness.batches[0], std::vector<int>{21});
  EXPECT_EQ(coalescer.waiting(), 0u);
}

TEST(Coalescer, WhatArrivesWhileABatchIsOutGoesWithTheNextOne) {
  Harness harness;
  Coalescer<int, int> coalescer(harness.runner(20ms), 8, 1);
  std::vector<std::optional<core::Result<int>>> answers(6);
  // The first leaves alone; the other five arrive while it is out and leave together after it.
  for (int item = 0; item < 6; ++item) {
    asio::co_spawn(
        harness.io,
        [&, item]() -> asio::awaitable<void> {
          if (item > 0) {
            asio::steady_timer later(harness.io, 5ms);
            co_await later.async_wait(asio::use_awaitable);
          }
          answers[static_cast<std::size_t>(item)] = co_await coalescer.submit(item);
        },
        asio::detached);
  }
  harness.io.run();
  ASSERT_EQ(harness.batches.size(), 2u);
  EXPECT_EQ(harness.batches[0], std::vector<int>{0});
  EXPECT_EQ(harness.batches[1], (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(harness.most_running, 1);
  for (int item = 0; item < 6; ++item) {
    const auto& answer = answers[static_cast<std::size_t>(item)];
    ASSERT_TRUE(answer && *answer) << item;
    EXPECT_EQ(**answer, item * 2) << "each caller gets its own outcome";
  }
}

TEST(Coalescer, BatchesAreCappedAndSeveralMayBeOut) {
  Harness harness;
  Coalescer<int, int> coalescer(harness.runner(10ms), 3, 2);
  std::vector<std::optional<core::Result<int>>> answers(10);
  for (int item = 0; item < 10; ++item) {
    asio::co_spawn(
        harness.io,
        [&, item]() -> asio::awaitable<void> {
          answers[static_cast<std::size_t>(item)] = co_await coalescer.submit(item);
        },
        asio::detached);
  }
  harness.io.run();
  std::vector<int> seen;
  for (const auto& batch : harness.batches) {
    EXPECT_LE(batch.size(), 3u);
    seen.insert(seen.end(), batch.begin(), batch.end());
  }
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})) << "in arrival order, each once";
  EXPECT_EQ(harness.most_running, 2);
  for (int item = 0; item < 10; ++item)
    EXPECT_EQ(*answers[static_cast<std::size_t>(item)].value(), item * 2);
}

TEST(Coalescer, AFailedItemFailsAloneInItsBatch) {
  Harness harness;
  Coalescer<int, int> coalescer(harness.runner(10ms), 8, 1);
  std::vector<std::optional<core::Result<int>>> answers(4);
  const std::vector<int> items{1, 2, -3, 4};
  for (std::size_t index = 0; index < items.size(); ++index) {
    asio::co_spawn(
        harness.io, [&, index]() -> asio::awaitable<void> { answers[index] = co_await coalescer.submit(items[index]); },
        asio::detached);
  }
  harness.io.run();
  ASSERT_EQ(harness.batches.size(), 2u); // 1 alone, then 2, -3 and 4 together
  EXPECT_EQ(*answers[0].value(), 2);
  EXPECT_EQ(*answers[1].value(), 4);
  ASSERT_FALSE(answers[2].value());
  EXPECT_EQ(answers[2]->error().message, "refused -3");
  EXPECT_EQ(*answers[3].value(), 8);
}

} // namespace
} // namespace hearth::store
