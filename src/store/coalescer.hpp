#pragma once
// Coalesces concurrent requests of one kind into batches, each one database round trip: what
// arrives while a batch is out waits and goes with the next one. At low load a request leaves at
// once, alone (no timer, no added latency); under load the batches grow by themselves, so
// statements' fixed costs (executor start-up, a snapshot, the commit) are paid per batch, not
// per request. Used by the message send (domain/channel_access.cpp, domain/messages.cpp).
//
// One Coalescer serves every I/O thread: the more senders share it, the larger its batches (at
// 32 concurrent sends over two threads, one per thread made batches half as large). A batch runs
// on the thread of the caller that started it, with that caller's `Context` (its thread's
// PgPool: a pool is used from its own thread only); each caller's outcome is posted back to the
// caller's own executor. `run` answers a batch with one outcome per item, in order.
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/error.hpp"

namespace hearth::store {

template <class Item, class Out, class Context> class Coalescer {
public:
  using Outcome = core::Result<Out>;
  using Run = std::function<boost::asio::awaitable<std::vector<Outcome>>(std::vector<Item>, Context)>;

  //! At most `max_batch` items per batch and `max_in_flight` batches out at once.
  Coalescer(Run run, std::size_t max_batch, std::size_t max_in_flight = 2)
      : run_(std::move(run)), max_batch_(max_batch), max_in_flight_(max_in_flight) {}
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  //! Runs `item` in the next batch and returns its outcome. Thread-safe. `context` is what a
  //! batch started by this call runs with (the calling thread's own resources).
  boost::asio::awaitable<Outcome> submit(Item item, Context context) {
    auto executor = co_await boost::asio::this_coro::executor;
    auto waiter = std::make_shared<Waiter>(executor);
    waiter->item = std::move(item);
    bool start = false;
    {
      std::lock_guard lock(mutex_);
      pending_.push_back(waiter);
      if (in_flight_ < max_in_flight_) {
        ++in_flight_;
        start = true;
      }
    }
    if (start) boost::asio::co_spawn(executor, drain(context), boost::asio::detached);
    // Woken on this thread by a handler the batch posts here, which runs only once this wait is
    // in place (one thread per io_context).
    boost::system::error_code ignored;
    co_await waiter->timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    if (!waiter->outcome) co_return core::fail(core::ErrorCode::kServiceUnavailable, "the batch was abandoned");
    co_return std::move(*waiter->outcome);
  }

  //! Items waiting for a batch (for tests).
  std::size_t waiting() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
  }

private:
  struct Waiter {
    explicit Waiter(const boost::asio::any_io_executor& on)
        : executor(on), timer(on, boost::asio::steady_timer::time_point::max()) {}
    boost::asio::any_io_executor executor;
    boost::asio::steady_timer timer; //!< touched on `executor`'s thread only
    Item item{};
    std::optional<Outcome> outcome;
  };

  // Sends batches while items wait, on the thread that started it.
  boost::asio::awaitable<void> drain(Context context) {
    // A frame torn down mid-batch (its io_context destroyed) still gives its place back.
    struct Slot {
      Coalescer& owner;
      bool held = true;
      ~Slot() {
        if (!held) return;
        std::lock_guard lock(owner.mutex_);
        --owner.in_flight_;
      }
    } slot{*this};
    for (;;) {
      std::vector<std::shared_ptr<Waiter>> batch;
      {
        std::lock_guard lock(mutex_);
        if (pending_.empty()) {
          --in_flight_;
          slot.held = false;
          co_return;
        }
        while (!pending_.empty() && batch.size() < max_batch_) {
          // A caller gone meanwhile (its io_context torn down) is skipped.
          if (auto waiter = pending_.front().lock()) batch.push_back(std::move(waiter));
          pending_.pop_front();
        }
        if (batch.empty()) continue;
      }
      std::vector<Item> items;
      items.reserve(batch.size());
      for (const auto& waiter : batch)
        items.push_back(std::move(waiter->item));
      std::vector<Outcome> outcomes = co_await run_(std::move(items), context);
      for (std::size_t index = 0; index < batch.size(); ++index) {
        std::optional<Outcome> outcome;
        if (index < outcomes.size()) outcome = std::move(outcomes[index]);
        auto& waiter = batch[index];
        boost::asio::post(waiter->executor, [waiter, outcome = std::move(outcome)]() mutable {
          waiter->outcome = std::move(outcome);
          waiter->timer.cancel();
        });
      }
    }
  }

  Run run_;
  std::size_t max_batch_;
  std::size_t max_in_flight_;
  mutable std::mutex mutex_;
  //! Weak: a waiter, and its timer, never outlive the caller's coroutine frame through the queue
  //! (an io_context torn down with callers waiting takes them along).
  std::deque<std::weak_ptr<Waiter>> pending_;
  std::size_t in_flight_ = 0;
};

} // namespace hearth::store
