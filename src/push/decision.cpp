#include "push/decision.hpp"

#include "core/snowflake.hpp"
#include "net/http.hpp"

namespace hearth::push {

namespace {
constexpr int kDndRank = 3;
}

bool pushWanted(std::uint64_t author_id, const PushCandidate& candidate) {
  if (candidate.user_id == 0 || candidate.user_id == author_id) return false;
  if (!candidate.may_view) return false;
  if (!candidate.dm_recipient && !candidate.mentioned) return false;
  if (candidate.presence_rank == kDndRank) return false;
  return !candidate.foreground;
}

std::string excerpt(std::string_view text, std::size_t code_points) {
  std::size_t count = 0;
  for (std::size_t index = 0; index < text.size(); ++index) {
    if ((static_cast<unsigned char>(text[index]) & 0xC0) == 0x80) continue;
    if (count == code_points) return std::string(text.substr(0, index)) + "\u2026";
    ++count;
  }
  return std::string(text);
}

std::string messagePushJson(const MessagePush& push) {
  std::string out = "{\"type\":\"message\",\"message_id\":\"" + std::to_string(push.message_id) +
                    "\",\"channel_id\":\"" + std::to_string(push.channel_id) + "\"";
  if (push.guild_id != 0) out += ",\"guild_id\":\"" + std::to_string(push.guild_id) + "\"";
  out += ",\"author\":{\"id\":\"" + std::to_string(push.author_id) + "\",\"username\":\"" +
         net::jsonEscape(push.author_username) + "\",\"global_name\":";
  out += push.author_global_name.empty() ? std::string("null") : "\"" + net::jsonEscape(push.author_global_name) + "\"";
  out += "},\"content\":\"" + net::jsonEscape(excerpt(push.content, kExcerptCodePoints)) + "\",\"title\":\"" +
         net::jsonEscape(excerpt(push.title, 100)) + "\"}";
  return out;
}

} // namespace hearth::push
