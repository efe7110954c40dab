// Events and ended sessions as JSON for the Redis bus: every field survives the round trip, and
// anything else is refused with a reason.
#include "bus/event_codec.hpp"

#include <string>

#include <gtest/gtest.h>

namespace hearth::bus {
namespace {

domain::Event fullEvent() {
  domain::Event event;
  event.type = "CHANNEL_UPDATE";
  event.guild_id = 18446744073709551615ull;
  event.channel_id = 1234567890123456789ull;
  event.data = R"({"id":"1","name":"général \"quoted\" \\ back","topic":"line\nbreak \u0001 😀"})";
  event.only_users = {1, 2, 18446744073709551615ull};
  event.channel_gone = true;
  event.channel_type = 4;
  event.channel_overwrites = {{5, domain::OverwriteType::kRole, 1024, 2048},
                              {6, domain::OverwriteType::kMember, 0, 18446744073709551615ull}};
  event.overwrites_changed = true;
  event.previous_overwrites = {{7, domain::OverwriteType::kMember, 3, 0}};
  return event;
}

void expectSameOverwrites(const std::vector<domain::Overwrite>& a, const std::vector<domain::Overwrite>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t idx = 0; idx < a.size(); ++idx) {
    EXPECT_EQ(a[idx].id, b[idx].id);
    EXPECT_EQ(a[idx].type, b[idx].type);
    EXPECT_EQ(a[idx].allow, b[idx].allow);
    EXPECT_EQ(a[idx].deny, b[idx].deny);
  }
}

TEST(EventCodec, EveryFieldSurvivesTheRoundTrip) {
  const domain::Event event = fullEvent();
  const std::string text = encodeEvent(event);
  auto decoded = decodeEvent(text);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->type, event.type);
  EXPECT_EQ(decoded->guild_id, event.guild_id);
  EXPECT_EQ(decoded->channel_id, event.channel_id);
  EXPECT_EQ(decoded->data, event.data) << "the dispatch's JSON comes back byte for byte";
  EXPECT_EQ(decoded->only_users, event.only_users);
  EXPECT_EQ(decoded->channel_gone, true);
  EXPECT_EQ(decoded->channel_type, 4);
  expectSameOverwrites(decoded->channel_overwrites, event.channel_overwrites);
  EXPECT_EQ(decoded->overwrites_changed, true);
  expectSameOverwrites(decoded->previous_overwrites, event.previous_overwrites);
  EXPECT_EQ(encodeEvent(*decoded), text);
  EXPECT_NE(text.find("\"guild_id\":\"18446744073709551615\""), std::string::npos) << "ids as strings: " << text;
}

TEST(EventCodec, ADefaultEventSurvivesToo) {
  domain::Event event;
  event.type = "GUILD_DELETE";
  event.data = "{}";
  auto decoded = decodeEvent(encodeEvent(event));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->type, "GUILD_DELETE");
  EXPECT_EQ(decoded->guild_id, 0u);
  EXPECT_TRUE(decoded->only_users.empty());
  EXPECT_FALSE(decoded->channel_gone);
  EXPECT_TRUE(decoded->channel_overwrites.empty());
}

TEST(EventCodec, OnlyTypeAndDataAreRequiredAndUnknownKeysAreIgnored) {
  auto decoded = decodeEvent(R"({"type":"MESSAGE_CREATE","data":"{\"id\":\"9\"}","added_later":[1,2,3]})");
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->type, "MESSAGE_CREATE");
  EXPECT_EQ(decoded->data, R"({"id":"9"})");
  EXPECT_EQ(decoded->channel_id, 0u);
}

TEST(EventCodec, RefusesWhatIsNotAnEvent) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "not JSON"},
      {"{", "not JSON"},
      {R"({"type":"A","data":""} trailing)", "not JSON"},
      {"[1,2]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {R"({"data":"{}"})", "no type"},
      {R"({"type":"","data":"{}"})", "no type"},
      {R"({"type":5,"data":"{}"})", "no type"},
      {R"({"type":"A"})", "no data"},
      {R"({"type":"A","data":{}})", "no data"},
      {R"({"type":"A","data":"{}","guild_id":5})", "guild_id is not a string"},
      {R"({"type":"A","data":"{}","guild_id":"12a"})", "guild_id is not a decimal id"},
      {R"({"type":"A","data":"{}","guild_id":"-1"})", "guild_id is not a decimal id"},
      {R"({"type":"A","data":"{}","guild_id":"+1"})", "guild_id is not a decimal id"},
      {R"({"type":"A","data":"{}","guild_id":""})", "guild_id is not a decimal id"},
      {R"({"type":"A","data":"{}","channel_id":"18446744073709551616"})", "channel_id is not a decimal id"},
      {R"({"type":"A","data":"{}","only_users":"1"})", "only_users is not an array"},
      {R"({"type":"A","data":"{}","only_users":[1]})", "only_users is not a string"},
      {R"({"type":"A","data":"{}","channel_gone":1})", "channel_gone is not a boolean"},
      {R"({"type":"A","data":"{}","overwrites_changed":"true"})", "overwrites_changed is not a boolean"},
      {R"({"type":"A","data":"{}","channel_type":1.5})", "channel_type is not a channel type"},
      {R"({"type":"A","data":"{}","channel_type":-1})", "channel_type is not a channel type"},
      {R"({"type":"A","data":"{}","channel_type":99999999999})", "channel_type is not a channel type"},
      {R"({"type":"A","data":"{}","channel_overwrites":{}})", "channel_overwrites is not an array"},
      {R"({"type":"A","data":"{}","channel_overwrites":[1]})", "holds something other than objects"},
      {R"({"type":"A","data":"{}","channel_overwrites":[{"id":"1","type":0,"allow":"0"}]})",
       "without id, type, allow or deny"},
      {R"({"type":"A","data":"{}","previous_overwrites":[{"id":"1","type":2,"allow":"0","deny":"0"}]})",
       "type is not 0 or 1"},
      {R"({"type":"A","data":"{}","previous_overwrites":[{"id":"1","type":0,"allow":"x","deny":"0"}]})",
       "allow is not a decimal id"},
      {R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}})", "not JSON"},
  };
  for (const auto& [text, reason] : cases) {
    const auto decoded = decodeEvent(text);
    ASSERT_FALSE(decoded.has_value()) << text;
    EXPECT_EQ(decoded.error().code, core::ErrorCode::kGeneral);
    EXPECT_TRUE(decoded.error().message.starts_with("bad event: ")) << decoded.error().message;
    EXPECT_NE(decoded.error().message.find(reason), std::string::npos) << text << " -> " << decoded.error().message;
  }
  const std::string huge = R"({"type":"A","data":")" + std::string(kMaxMessageBytes, 'x') + "\"}";
  const auto too_large = decodeEvent(huge);
  ASSERT_FALSE(too_large.has_value());
  EXPECT_NE(too_large.error().message.find("larger than"), std::string::npos);
}

TEST(EventCodec, SessionsEndedRoundTripAndRefusals) {
  domain::SessionsEnded ended;
  ended.user_id = 42;
  ended.session_id = 18446744073709551615ull;
  ended.except_session = 7;
  auto decoded = decodeSessionsEnded(encodeSessionsEnded(ended));
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->user_id, 42u);
  EXPECT_EQ(decoded->session_id, 18446744073709551615ull);
  EXPECT_EQ(decoded->except_session, 7u);

  auto minimal = decodeSessionsEnded(R"({"user_id":"5"})");
  ASSERT_TRUE(minimal.has_value());
  EXPECT_EQ(minimal->session_id, 0u) << "all of the user's sessions";
  for (const char* text : {"", "[]", "{}", R"({"user_id":5})", R"({"user_id":"5","session_id":"x"})"}) {
    EXPECT_FALSE(decodeSessionsEnded(text).has_value()) << text;
  }
}

TEST(EventCodec, PresenceEntriesRoundTripAndBadOnesAreRefused) {
  const PresenceEntry entry{"1234-0badf00d", 1174109840998409034ull, 3, R"(out "for" lunch, back at 2)", false};
  const std::string text = encodePresence(entry);
  EXPECT_EQ(text, R"(1234-0badf00d 1174109840998409034 3 out "for" lunch, back at 2)");
  auto decoded = decodePresence(text);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  EXPECT_EQ(decoded->node, entry.node);
  EXPECT_EQ(decoded->user_id, entry.user_id);
  EXPECT_EQ(decoded->rank, 3);
  EXPECT_EQ(decoded->custom_status, entry.custom_status);
  // In the foreground (Web Push holds back): "<rank>f".
  const PresenceEntry looking{"n", 5, 2, "", true};
  EXPECT_EQ(encodePresence(looking), "n 5 2f ");
  auto decoded_looking = decodePresence(encodePresence(looking));
  ASSERT_TRUE(decoded_looking.has_value());
  EXPECT_TRUE(decoded_looking->foreground);
  EXPECT_EQ(decoded_looking->rank, 2);
  EXPECT_FALSE(decoded->foreground);
  auto empty_status = decodePresence("n 5 0 ");
  ASSERT_TRUE(empty_status.has_value());
  EXPECT_EQ(empty_status->custom_status, "");
  for (const std::string& bad :
       std::vector<std::string>{"", "n 5 2", "n 5 5 ", "n 5 f ", "n 5 2ff ", "n 0 2 ", "n x 2 ", "n 5 -1 ",
                                "bad:node 5 2 ", " 5 2 ", "n 5 2 " + std::string(kMaxCustomStatusBytes + 1, 'x')}) {
    EXPECT_FALSE(decodePresence(bad).has_value()) << bad;
  }
}

} // namespace
} // namespace hearth::bus
