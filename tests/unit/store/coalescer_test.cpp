// store::Coalescer's batching logic, with a batch runner that stands in for the database (its
// round trip is a timer): what arrives while a batch is out goes with the next one, each caller
// gets its own outcome, a lone request leaves at once, and callers on several threads share it.
#include "store/coalescer.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
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
  Coalescer<int, int, int>::Run runner(std::chrono::milliseconds delay) {
    return [this, delay](std::vector<int> items, int) -> asio::awaitable<std::vector<core::Result<int>>> {
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

  // Submits each of `items` from a coroutine of its own (all but the first `later` after it),
  // runs until every one is answered, and returns the answers in the items' order.
  std::vector<std::optional<core::Result<int>>>
  submitAll(Coalescer<int, int, int>& coalescer, const std::vector<int>& items, std::chrono::milliseconds later = 0ms) {
    std::vector<std::optional<core::Result<int>>> answers(items.size());
    for (std::size_t index = 0; index < items.size(); ++index) {
      asio::co_spawn(
          io,
          [&, index]() -> asio::awaitable<void> {
            if (index > 0 && later > 0ms) {
              asio::steady_timer wait(io, later);
              co_await wait.async_wait(asio::use_awaitable);
            }
            answers[index] = co_await coalescer.submit(items[index], 0);
          },
          asio::detached);
    }
    io.run();
    return answers;
  }
};

TEST(Coalescer, ALoneRequestLeavesAtOnceAndAlone) {
  Harness harness;
  Coalescer<int, int, int> coalescer(harness.runner(0ms), 8);
  const auto answer = harness.submitAll(coalescer, {21}).front();
  ASSERT_TRUE(answer && *answer);
  EXPECT_EQ(**answer, 42);
  ASSERT_EQ(harness.batches.size(), 1u);
  EXPECT_EQ(harness.batches[0], std::vector<int>{21});
  EXPECT_EQ(coalescer.waiting(), 0u);
}

TEST(Coalescer, WhatArrivesWhileABatchIsOutGoesWithTheNextOne) {
  Harness harness;
  Coalescer<int, int, int> coalescer(harness.runner(20ms), 8, 1);
  // The first leaves alone; the other five arrive while it is out and leave together after it.
  const auto answers = harness.submitAll(coalescer, {0, 1, 2, 3, 4, 5}, 5ms);
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
  Coalescer<int, int, int> coalescer(harness.runner(10ms), 3, 2);
  const auto answers = harness.submitAll(coalescer, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
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
  Coalescer<int, int, int> coalescer(harness.runner(10ms), 8, 1);
  const auto answers = harness.submitAll(coalescer, {1, 2, -3, 4});
  ASSERT_EQ(harness.batches.size(), 2u); // 1 alone, then 2, -3 and 4 together
  EXPECT_EQ(*answers[0].value(), 2);
  EXPECT_EQ(*answers[1].value(), 4);
  ASSERT_FALSE(answers[2].value());
  EXPECT_EQ(answers[2]->error().message, "refused -3");
  EXPECT_EQ(*answers[3].value(), 8);
}

// Callers on several threads share one coalescer: a batch runs on the thread (and with the
// context) of the caller that started it, may carry other threads' items, and each caller is
// answered on its own thread.
TEST(Coalescer, ThreadsShareBatchesAndAreAnsweredOnTheirOwnThread) {
  constexpr int kThreads = 2;
  constexpr int kPerThread = 200;
  std::mutex mutex;
  std::vector<std::pair<int, std::size_t>> batches; // (context, size)
  Coalescer<int, int, int> coalescer(
      [&](std::vector<int> items, int context) -> asio::awaitable<std::vector<core::Result<int>>> {
        {
          std::lock_guard lock(mutex);
          batches.emplace_back(context, items.size());
        }
        asio::steady_timer round_trip(co_await asio::this_coro::executor, 1ms);
        co_await round_trip.async_wait(asio::use_awaitable);
        std::vector<core::Result<int>> out;
        for (const int item : items)
          out.push_back(item + 1);
        co_return out;
      },
      8, 1);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::vector<int>> answers(kThreads);
  std::vector<int> wrong_thread(kThreads, 0);
  for (int thread = 0; thread < kThreads; ++thread) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    auto& io = *contexts.back();
    for (int index = 0; index < kPerThread; ++index) {
      const int item = thread * 1000 + index;
      asio::co_spawn(
          io,
          [&, thread, item]() -> asio::awaitable<void> {
            const auto me = std::this_thread::get_id();
            auto answer = co_await coalescer.submit(item, thread);
            if (std::this_thread::get_id() != me) ++wrong_thread[static_cast<std::size_t>(thread)];
            answers[static_cast<std::size_t>(thread)].push_back(answer ? *answer - 1 : -1);
          },
          asio::detached);
    }
  }
  std::vector<std::thread> threads;
  for (auto& io : contexts)
    threads.emplace_back([&io] { io->run(); });
  for (auto& thread : threads)
    thread.join();
  std::size_t items = 0;
  std::size_t largest = 0;
  for (const auto& [context, size] : batches) {
    EXPECT_TRUE(context == 0 || context == 1);
    items += size;
    largest = std::max(largest, size);
  }
  EXPECT_EQ(items, static_cast<std::size_t>(kThreads * kPerThread)) << "each item in exactly one batch";
  EXPECT_EQ(largest, 8u) << "batches fill up under load";
  for (int thread = 0; thread < kThreads; ++thread) {
    auto got = answers[static_cast<std::size_t>(thread)];
    std::sort(got.begin(), got.end());
    std::vector<int> expected;
    for (int index = 0; index < kPerThread; ++index)
      expected.push_back(thread * 1000 + index);
    EXPECT_EQ(got, expected) << "every caller gets its own outcome";
    EXPECT_EQ(wrong_thread[static_cast<std::size_t>(thread)], 0) << "answered on the caller's thread";
  }
  EXPECT_EQ(coalescer.waiting(), 0u);
}

} // namespace
} // namespace hearth::store
