#pragma once
// A Redis pub/sub subscriber on its own connection (a connection in subscribe mode can do
// nothing else). It reconnects with backoff after a drop and resubscribes; since Redis pub/sub
// is at-most-once, it then says so (on_reconnect): messages published meanwhile are lost.
//
// Lifetime: destroy (or close) it before its io_context; every handler runs on its executor.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>

#include "redis/client.hpp"

namespace hearth::redis {

struct SubscriberHandlers {
  //! A message on a subscribed channel. The views are valid during the call.
  std::function<void(std::string_view channel, std::string_view payload)> on_message;
  //! After a drop, once every channel is subscribed again: messages may have been missed.
  std::function<void()> on_reconnect;
  //! Each time every channel asked for so far is confirmed by the server (the first time too).
  std::function<void()> on_subscribed;
};

class RedisSubscriber {
public:
  //! Starts connecting at once, and keeps reconnecting until closed.
  RedisSubscriber(boost::asio::any_io_executor executor, RedisOptions options, SubscriberHandlers handlers);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  //! Subscribes now if connected, and again after every reconnection. Any thread.
  void subscribe(std::string channel);
  //! Closes the connection and stops reconnecting; no handler runs afterwards. Any thread.
  void close();
  //! Whether the connection is up right now (any thread).
  bool connected() const noexcept;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace hearth::redis
