#include "push/decision.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace hearth::push {
namespace {

constexpr std::uint64_t kAuthor = 1;
constexpr std::uint64_t kBob = 2;

PushCandidate mentionedBob() {
  PushCandidate candidate;
  candidate.user_id = kBob;
  candidate.mentioned = true;
  candidate.may_view = true;
  candidate.presence_rank = 0; // offline
  return candidate;
}

TEST(PushWanted, MentionedOrDmRecipientsOutsideTheForeground) {
  EXPECT_TRUE(pushWanted(kAuthor, mentionedBob()));
  PushCandidate dm = mentionedBob();
  dm.mentioned = false;
  dm.dm_recipient = true;
  EXPECT_TRUE(pushWanted(kAuthor, dm));
  PushCandidate idle = mentionedBob();
  idle.presence_rank = 1; // idle, afk: not in the foreground
  EXPECT_TRUE(pushWanted(kAuthor, idle));
}

TEST(PushWanted, NeverTheAuthorNorTheUnmentionedNorThoseWhoCannotView) {
  PushCandidate self = mentionedBob();
  self.user_id = kAuthor;
  EXPECT_FALSE(pushWanted(kAuthor, self));
  PushCandidate bystander = mentionedBob();
  bystander.mentioned = false;
  EXPECT_FALSE(pushWanted(kAuthor, bystander));
  PushCandidate blind = mentionedBob();
  blind.may_view = false;
  EXPECT_FALSE(pushWanted(kAuthor, blind));
}

TEST(PushWanted, NotWhileDndNorInTheForeground) {
  PushCandidate dnd = mentionedBob();
  dnd.presence_rank = 3;
  EXPECT_FALSE(pushWanted(kAuthor, dnd));
  PushCandidate dnd_dm = dnd;
  dnd_dm.dm_recipient = true;
  EXPECT_FALSE(pushWanted(kAuthor, dnd_dm));
  PushCandidate looking = mentionedBob();
  looking.presence_rank = 2;
  looking.foreground = true;
  EXPECT_FALSE(pushWanted(kAuthor, looking));
  PushCandidate invisible = mentionedBob(); // invisible is not DND: pushed when away
  invisible.presence_rank = 4;
  EXPECT_TRUE(pushWanted(kAuthor, invisible));
}

TEST(MessagePushJson, CarriesTheMessageAndCutsLongContent) {
  MessagePush push;
  push.message_id = 10;
  push.channel_id = 20;
  push.guild_id = 30;
  push.author_id = 40;
  push.author_username = "ada";
  push.content = std::string(150, 'a') + "\"quoted\" " + std::string(100, 'b');
  push.title = "Server #general";
  const auto object = boost::json::parse(messagePushJson(push)).as_object();
  EXPECT_EQ(object.at("type").as_string(), "message");
  EXPECT_EQ(object.at("message_id").as_string(), "10");
  EXPECT_EQ(object.at("guild_id").as_string(), "30");
  EXPECT_TRUE(object.at("author").as_object().at("global_name").is_null());
  const std::string content(object.at("content").as_string());
  EXPECT_EQ(content, excerpt(push.content, kExcerptCodePoints));
  EXPECT_TRUE(content.ends_with("\u2026"));
  push.guild_id = 0;
  EXPECT_FALSE(boost::json::parse(messagePushJson(push)).as_object().contains("guild_id"));
}

TEST(Excerpt, CutsOnCodePoints) {
  EXPECT_EQ(excerpt("héllo", 10), "héllo");
  EXPECT_EQ(excerpt("héllo", 2), "hé\u2026");
  EXPECT_EQ(excerpt("🙂🙂🙂", 1), "🙂\u2026");
}

} // namespace
} // namespace hearth::push
