// EventBus: in-process delivery, and delivery through a transport (another node's view).
#include "domain/events.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace hearth::domain {
namespace {

TEST(EventBus, WithoutATransportPublishRunsTheHandlersAtOnce) {
  EventBus bus;
  std::vector<std::string> seen;
  bus.subscribe([&](const Event& event) { seen.push_back("a:" + event.type); });
  bus.subscribe([&](const Event& event) { seen.push_back("b:" + event.type); });
  Event event;
  event.type = "CHANNEL_CREATE";
  bus.publish(event);
  EXPECT_EQ(seen, (std::vector<std::string>{"a:CHANNEL_CREATE", "b:CHANNEL_CREATE"}));
}

TEST(EventBus, WithATransportHandlersRunWhenTheEventComesBack) {
  EventBus bus;
  std::vector<std::string> seen;
  bus.subscribe([&](const Event& event) { seen.push_back(event.type); });
  std::vector<Event> carried;
  std::vector<EventBus::Published> acks;
  bus.setTransport([&](const Event& event, EventBus::Published published) {
    carried.push_back(event);
    acks.push_back(std::move(published));
  });
  Event event;
  event.type = "MESSAGE_CREATE";
  event.channel_id = 7;
  int published = 0;
  bus.publish(event, [&] { ++published; });
  EXPECT_TRUE(seen.empty()) << "handed to the transport only";
  EXPECT_EQ(published, 0) << "not yet stored by the transport";
  ASSERT_EQ(carried.size(), 1u);
  EXPECT_EQ(carried[0].channel_id, 7u);
  acks[0]();
  EXPECT_EQ(published, 1);
  bus.deliverLocal(carried[0]);
  EXPECT_EQ(seen, std::vector<std::string>{"MESSAGE_CREATE"});

  bus.setTransport(nullptr);
  bus.publish(event, [&] { ++published; });
  EXPECT_EQ(seen.size(), 2u) << "in-process again";
  EXPECT_EQ(published, 2) << "in-process, published once delivered";
  EXPECT_EQ(carried.size(), 1u);
}

} // namespace
} // namespace hearth::domain
