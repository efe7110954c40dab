// RedisSubscriber against the test Redis: messages published by a client arrive, channels added
// later too, and after its connection is killed it subscribes again and says so.
#include "redis/subscriber.hpp"

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "unit/redis/redis_test_support.hpp"

namespace hearth::redis {
namespace {

namespace asio = boost::asio;
using test_support::call;
using test_support::runUntil;

class RedisSubscriberTest : public ::testing::Test {
protected:
  void SetUp() override {
    const auto endpoint = test_support::testEndpoint();
    ASSERT_TRUE(endpoint.has_value()) << test_support::kMissingRedis;
    options_.endpoint = *endpoint;
    options_.backoff_initial = std::chrono::milliseconds(20);
    options_.backoff_max = std::chrono::milliseconds(200);
    channel_ = "hearth-test:" + test_support::randomWord();
  }

  SubscriberHandlers recorders() {
    SubscriberHandlers handlers;
    handlers.on_message = [this](std::string_view channel, std::string_view payload) {
      messages_.emplace_back(channel, payload);
    };
    handlers.on_reconnect = [this] { ++reconnects_; };
    handlers.on_subscribed = [this] { ++subscribed_; };
    return handlers;
  }

  //! The id of the connection named `name`, from CLIENT LIST.
  std::int64_t clientId(RedisClient& admin, const std::string& name) {
    auto list = call(io_, admin, {"CLIENT", "LIST"});
    if (!list) {
      ADD_FAILURE() << list.error().message;
      return -1;
    }
    std::istringstream lines(list->text);
    for (std::string line; std::getline(lines, line);) {
      if (line.find(" name=" + name + " ") == std::string::npos) continue;
      return std::stoll(line.substr(3, line.find(' ') - 3));
    }
    ADD_FAILURE() << "no connection named " << name << " in " << list->text;
    return -1;
  }

  asio::io_context io_;
  RedisOptions options_;
  std::string channel_;
  std::vector<std::pair<std::string, std::string>> messages_;
  int reconnects_ = 0;
  int subscribed_ = 0;
};

TEST_F(RedisSubscriberTest, ReceivesWhatIsPublished) {
  RedisClient publisher(io_.get_executor(), options_);
  RedisSubscriber subscriber(io_.get_executor(), options_, recorders());
  subscriber.subscribe(channel_);
  runUntil(io_, [&] { return subscribed_ == 1; });
  EXPECT_TRUE(subscriber.connected());

  const std::string payload("{\"t\":\"MESSAGE_CREATE\"}\r\n\0binary", 32);
  auto receivers = call(io_, publisher, {"PUBLISH", channel_, payload});
  ASSERT_TRUE(receivers.has_value()) << receivers.error().message;
  EXPECT_EQ(receivers->integer, 1);
  auto other = call(io_, publisher, {"PUBLISH", channel_ + "-other", "not for us"});
  ASSERT_TRUE(other.has_value());
  auto second = call(io_, publisher, {"PUBLISH", channel_, "second"});
  ASSERT_TRUE(second.has_value());
  runUntil(io_, [&] { return messages_.size() == 2; });
  EXPECT_EQ(messages_[0], std::make_pair(channel_, payload));
  EXPECT_EQ(messages_[1], std::make_pair(channel_, std::string("second")));

  // A channel added while connected.
  subscriber.subscribe(channel_ + "-late");
  subscriber.subscribe(channel_); // again: nothing changes
  runUntil(io_, [&] { return subscribed_ == 2; });
  ASSERT_TRUE(call(io_, publisher, {"PUBLISH", channel_ + "-late", "late"}).has_value());
  runUntil(io_, [&] { return messages_.size() == 3; });
  EXPECT_EQ(messages_[2], std::make_pair(channel_ + "-late", std::string("late")));
  EXPECT_EQ(reconnects_, 0);
}

TEST_F(RedisSubscriberTest, SubscribesAgainAfterItsConnectionIsKilled) {
  RedisClient admin(io_.get_executor(), options_);
  RedisOptions named = options_;
  named.client_name = "hearth-test-sub-" + test_support::randomWord();
  RedisSubscriber subscriber(io_.get_executor(), named, recorders());
  subscriber.subscribe(channel_);
  subscriber.subscribe(channel_ + "-b");
  runUntil(io_, [&] { return subscribed_ == 1; });

  const auto id = clientId(admin, named.client_name);
  ASSERT_GT(id, 0);
  auto killed = call(io_, admin, {"CLIENT", "KILL", "ID", std::to_string(id)});
  ASSERT_TRUE(killed.has_value()) << killed.error().message;
  EXPECT_EQ(killed->integer, 1);
  runUntil(io_, [&] { return reconnects_ == 1; });
  EXPECT_EQ(subscribed_, 2);
  EXPECT_TRUE(subscriber.connected());
  EXPECT_NE(clientId(admin, named.client_name), id);

  // Both channels are live again on the new connection.
  auto to_a = call(io_, admin, {"PUBLISH", channel_, "a"});
  auto to_b = call(io_, admin, {"PUBLISH", channel_ + "-b", "b"});
  ASSERT_TRUE(to_a.has_value() && to_b.has_value());
  EXPECT_EQ(to_a->integer, 1);
  EXPECT_EQ(to_b->integer, 1);
  runUntil(io_, [&] { return messages_.size() == 2; });
  EXPECT_EQ(messages_[0].second, "a");
  EXPECT_EQ(messages_[1].second, "b");
}

TEST_F(RedisSubscriberTest, PingsAQuietConnection) {
  RedisClient admin(io_.get_executor(), options_);
  RedisOptions chatty = options_;
  chatty.ping_interval = std::chrono::milliseconds(100);
  chatty.client_name = "hearth-test-ping-" + test_support::randomWord();
  RedisSubscriber subscriber(io_.get_executor(), chatty, recorders());
  subscriber.subscribe(channel_);
  runUntil(io_, [&] { return subscribed_ == 1; });
  test_support::runFor(io_, std::chrono::milliseconds(700));
  // CLIENT LIST shows the last command each connection sent.
  auto list = call(io_, admin, {"CLIENT", "LIST"});
  ASSERT_TRUE(list.has_value());
  const auto line_start = list->text.find("name=" + chatty.client_name);
  ASSERT_NE(line_start, std::string::npos);
  const auto line = list->text.substr(line_start, list->text.find('\n', line_start) - line_start);
  EXPECT_NE(line.find("cmd=ping"), std::string::npos) << line;
  EXPECT_EQ(reconnects_, 0) << "answered pings keep the connection";
}

TEST_F(RedisSubscriberTest, ClosingStopsHandlers) {
  RedisClient publisher(io_.get_executor(), options_);
  auto subscriber = std::make_unique<RedisSubscriber>(io_.get_executor(), options_, recorders());
  subscriber->subscribe(channel_);
  runUntil(io_, [&] { return subscribed_ == 1; });
  subscriber->close();
  test_support::runFor(io_, std::chrono::milliseconds(50));
  auto receivers = call(io_, publisher, {"PUBLISH", channel_, "after close"});
  ASSERT_TRUE(receivers.has_value());
  EXPECT_EQ(receivers->integer, 0);
  test_support::runFor(io_, std::chrono::milliseconds(50));
  EXPECT_TRUE(messages_.empty());
  EXPECT_FALSE(subscriber->connected());
  subscriber.reset();
}

} // namespace
} // namespace hearth::redis
