#pragma once
// Coalesces concurrent requests of one kind on one thread into batches, each one database round
// trip: what arrives while a batch is out waits and goes with the next one. At low load a
// request leaves at once, alone (no timer, no added latency); under load the batches grow by
// themselves, so statements' fixed costs (executor start-up, a snapshot, the commit) are paid
// per batch, not per request. Used by the message send (domain/channel_access.cpp,
// domain/messages.cpp): at 32 concurrent sends a worker's reads and inserts each go in batches
// of several.
//
// One Coalescer belongs to one thread (one io_context, like a PgPool): submit() and the batches
// run there only. `run` answers a batch with one outcome per item, in order.
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/error.hpp"

namespace hearth::store {

template <class Item, class Out> class Coalescer {
public:
  using Outcome = core::Result<Out>;
  using Run = std::function<boost::asio::awaitable<std::vector<Outcome>>(std::vector<Item>)>;

  //! At most `max_batch` items per batch and `max_in_flight` batches out at once (two: one can
  //! be committing while the next executes).
  Coalescer(Run run, std::size_t max_batch, std::size_t max_in_flight = 2)
      : run_(std::move(run)), max_batch_(max_batch), max_in_flight_(max_in_flight) {}
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  //! Runs `item` in the next batch and returns its outcome.
  boost::asio::awaitable<Outcome> submit(Item item) {
    auto executor = co_await boost::asio::this_coro::executor;
    Waiter waiter(executor, pending_);
    waiter.item = std::move(item);
    pending_.push_back(&waiter);
    if (in_flight_ < max_in_flight_) {
      ++in_flight_;
      boost::asio::co_spawn(executor, drain(), boost::asio::detached);
    }
    // Woken by the batch that answers it; nothing runs between queuing and this wait.
    boost::system::error_code ignored;
    co_await waiter.timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
    if (!waiter.outcome) co_return core::fail(core::ErrorCode::kServiceUnavailable, "the batch was abandoned");
    co_return std::move(*waiter.outcome);
  }

  //! Items waiting for a batch (for tests).
  std::size_t waiting() const noexcept { return pending_.size(); }

private:
  struct Waiter {
    Waiter(const boost::asio::any_io_executor& executor, std::deque<Waiter*>& queue)
        : timer(executor, boost::asio::steady_timer::time_point::max()), pending(&queue) {}
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    // A frame destroyed while queued (its io_context torn down) leaves the queue.
    ~Waiter() {
      if (pending != nullptr) std::erase(*pending, this);
    }
    boost::asio::steady_timer timer;
    std::deque<Waiter*>* pending; //!< non-null while queued
    Item item{};
    std::optional<Outcome> outcome;
  };

  // Counts a drain out while it runs, however it ends.
  struct InFlight {
    explicit InFlight(std::size_t& count) : count_(count) {}
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    ~InFlight() { --count_; }
    std::size_t& count_;
  };

  // Sends batches while items wait.
  boost::asio::awaitable<void> drain() {
    InFlight counted(in_flight_);
    while (!pending_.empty()) {
      std::vector<Waiter*> batch;
      std::vector<Item> items;
      while (!pending_.empty() && batch.size() < max_batch_) {
        Waiter* waiter = pending_.front();
        pending_.pop_front();
        waiter->pending = nullptr;
        items.push_back(std::move(waiter->item));
        batch.push_back(waiter);
      }
      std::vector<Outcome> outcomes = co_await run_(std::move(items));
      for (std::size_t index = 0; index < batch.size(); ++index) {
        if (index < outcomes.size()) batch[index]->outcome = std::move(outcomes[index]);
        batch[index]->timer.cancel();
      }
    }
  }

  Run run_;
  std::size_t max_batch_;
  std::size_t max_in_flight_;
  std::deque<Waiter*> pending_;
  std::size_t in_flight_ = 0;
};

} // namespace hearth::store
