#include "bus/event_codec.hpp"

#include <charconv>
#include <limits>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace hearth::bus {

namespace json = boost::json;

namespace {

std::unexpected<core::Error> bad(const std::string& why) {
  return core::fail(core::ErrorCode::kGeneral, "bad event: " + why);
}

json::string idText(std::uint64_t id) { return json::string(std::to_string(id)); }

json::array idList(const std::vector<std::uint64_t>& ids) {
  json::array out;
  out.reserve(ids.size());
  for (const auto id : ids)
    out.emplace_back(idText(id));
  return out;
}

json::array overwriteList(const std::vector<domain::Overwrite>& overwrites) {
  json::array out;
  out.reserve(overwrites.size());
  for (const auto& overwrite : overwrites) {
    json::object item;
    item["id"] = idText(overwrite.id);
    item["type"] = static_cast<int>(overwrite.type);
    item["allow"] = idText(overwrite.allow);
    item["deny"] = idText(overwrite.deny);
    out.emplace_back(std::move(item));
  }
  return out;
}

//! A decimal string that fits in 64 bits: digits only, no sign.
core::Result<std::uint64_t> readId(const json::value& value, std::string_view field) {
  const json::string* text = value.if_string();
  if (text == nullptr) return bad(std::string(field) + " is not a string");
  std::uint64_t id = 0;
  const char* begin = text->data();
  const char* end = begin + text->size();
  if (text->empty() || text->size() > 20 || *begin < '0' || *begin > '9') {
    return bad(std::string(field) + " is not a decimal id");
  }
  const auto [stop, ec] = std::from_chars(begin, end, id);
  if (ec != std::errc() || stop != end) return bad(std::string(field) + " is not a decimal id");
  return id;
}

//! The field if present (nullptr if absent).
const json::value* field(const json::object& object, std::string_view name) { return object.if_contains(name); }

core::Result<bool> readBool(const json::object& object, std::string_view name) {
  const json::value* value = field(object, name);
  if (value == nullptr) return false;
  if (!value->is_bool()) return bad(std::string(name) + " is not a boolean");
  return value->get_bool();
}

core::Result<std::uint64_t> readOptionalId(const json::object& object, std::string_view name) {
  const json::value* value = field(object, name);
  if (value == nullptr) return std::uint64_t{0};
  return readId(*value, name);
}

core::Result<std::vector<std::uint64_t>> readIdList(const json::object& object, std::string_view name) {
  std::vector<std::uint64_t> out;
  const json::value* value = field(object, name);
  if (value == nullptr) return out;
  const json::array* items = value->if_array();
  if (items == nullptr) return bad(std::string(name) + " is not an array");
  out.reserve(items->size());
  for (const auto& item : *items) {
    auto id = readId(item, name);
    if (!id) return std::unexpected(id.error());
    out.push_back(*id);
  }
  return out;
}

core::Result<std::vector<domain::Overwrite>> readOverwrites(const json::object& object, std::string_view name) {
  std::vector<domain::Overwrite> out;
  const json::value* value = field(object, name);
  if (value == nullptr) return out;
  const json::array* items = value->if_array();
  if (items == nullptr) return bad(std::string(name) + " is not an array");
  out.reserve(items->size());
  for (const auto& item : *items) {
    const json::object* entry = item.if_object();
    if (entry == nullptr) return bad(std::string(name) + " holds something other than objects");
    domain::Overwrite overwrite;
    const json::value* id = field(*entry, "id");
    const json::value* type = field(*entry, "type");
    const json::value* allow = field(*entry, "allow");
    const json::value* deny = field(*entry, "deny");
    if (id == nullptr || type == nullptr || allow == nullptr || deny == nullptr) {
      return bad(std::string(name) + " has an overwrite without id, type, allow or deny");
    }
    auto parsed_id = readId(*id, "an overwrite's id");
    if (!parsed_id) return std::unexpected(parsed_id.error());
    overwrite.id = *parsed_id;
    if (!type->is_int64() || (type->get_int64() != 0 && type->get_int64() != 1)) {
      return bad("an overwrite's type is not 0 or 1");
    }
    overwrite.type = type->get_int64() == 1 ? domain::OverwriteType::kMember : domain::OverwriteType::kRole;
    auto parsed_allow = readId(*allow, "an overwrite's allow");
    if (!parsed_allow) return std::unexpected(parsed_allow.error());
    auto parsed_deny = readId(*deny, "an overwrite's deny");
    if (!parsed_deny) return std::unexpected(parsed_deny.error());
    overwrite.allow = *parsed_allow;
    overwrite.deny = *parsed_deny;
    out.push_back(overwrite);
  }
  return out;
}

core::Result<json::object> parseObject(std::string_view text) {
  if (text.size() > kMaxMessageBytes) return bad("larger than " + std::to_string(kMaxMessageBytes) + " bytes");
  json::parse_options options;
  options.max_depth = 8;
  json::error_code ec;
  json::value value = json::parse(text, ec, json::storage_ptr(), options);
  if (ec) return bad("not JSON (" + ec.message() + ")");
  json::object* object = value.if_object();
  if (object == nullptr) return bad("not a JSON object");
  return std::move(*object);
}

} // namespace

std::string encodeEvent(const domain::Event& event) {
  json::object out;
  out["type"] = event.type;
  out["guild_id"] = idText(event.guild_id);
  out["channel_id"] = idText(event.channel_id);
  out["data"] = event.data;
  out["only_users"] = idList(event.only_users);
  out["channel_gone"] = event.channel_gone;
  out["channel_type"] = event.channel_type;
  out["channel_overwrites"] = overwriteList(event.channel_overwrites);
  out["overwrites_changed"] = event.overwrites_changed;
  out["previous_overwrites"] = overwriteList(event.previous_overwrites);
  return json::serialize(out);
}

core::Result<domain::Event> decodeEvent(std::string_view text) {
  auto parsed = parseObject(text);
  if (!parsed) return std::unexpected(parsed.error());
  const json::object& object = *parsed;
  domain::Event event;

  const json::value* type = field(object, "type");
  if (type == nullptr || !type->is_string() || type->get_string().empty()) return bad("no type");
  event.type = std::string(type->get_string());
  const json::value* data = field(object, "data");
  if (data == nullptr || !data->is_string()) return bad("no data");
  event.data = std::string(data->get_string());

  auto guild_id = readOptionalId(object, "guild_id");
  if (!guild_id) return std::unexpected(guild_id.error());
  event.guild_id = *guild_id;
  auto channel_id = readOptionalId(object, "channel_id");
  if (!channel_id) return std::unexpected(channel_id.error());
  event.channel_id = *channel_id;
  auto only_users = readIdList(object, "only_users");
  if (!only_users) return std::unexpected(only_users.error());
  event.only_users = std::move(*only_users);
  auto channel_gone = readBool(object, "channel_gone");
  if (!channel_gone) return std::unexpected(channel_gone.error());
  event.channel_gone = *channel_gone;
  if (const json::value* channel_type = field(object, "channel_type"); channel_type != nullptr) {
    if (!channel_type->is_int64() || channel_type->get_int64() < 0 ||
        channel_type->get_int64() > std::numeric_limits<int>::max()) {
      return bad("channel_type is not a channel type");
    }
    event.channel_type = static_cast<int>(channel_type->get_int64());
  }
  auto channel_overwrites = readOverwrites(object, "channel_overwrites");
  if (!channel_overwrites) return std::unexpected(channel_overwrites.error());
  event.channel_overwrites = std::move(*channel_overwrites);
  auto overwrites_changed = readBool(object, "overwrites_changed");
  if (!overwrites_changed) return std::unexpected(overwrites_changed.error());
  event.overwrites_changed = *overwrites_changed;
  auto previous_overwrites = readOverwrites(object, "previous_overwrites");
  if (!previous_overwrites) return std::unexpected(previous_overwrites.error());
  event.previous_overwrites = std::move(*previous_overwrites);
  return event;
}

std::string encodeSessionsEnded(const domain::SessionsEnded& ended) {
  json::object out;
  out["user_id"] = idText(ended.user_id);
  out["session_id"] = idText(ended.session_id);
  out["except_session"] = idText(ended.except_session);
  return json::serialize(out);
}

core::Result<domain::SessionsEnded> decodeSessionsEnded(std::string_view text) {
  auto parsed = parseObject(text);
  if (!parsed) return std::unexpected(parsed.error());
  const json::value* user_id = field(*parsed, "user_id");
  if (user_id == nullptr) return bad("no user_id");
  domain::SessionsEnded ended;
  auto user = readId(*user_id, "user_id");
  if (!user) return std::unexpected(user.error());
  ended.user_id = *user;
  auto session = readOptionalId(*parsed, "session_id");
  if (!session) return std::unexpected(session.error());
  ended.session_id = *session;
  auto except = readOptionalId(*parsed, "except_session");
  if (!except) return std::unexpected(except.error());
  ended.except_session = *except;
  return ended;
}

std::optional<std::uint64_t> parseDecimal(std::string_view text) {
  std::uint64_t out = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return out;
}

bool isPlainWord(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  for (const char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string encodePresence(const PresenceEntry& entry) {
  return entry.node + " " + std::to_string(entry.user_id) + " " + std::to_string(entry.rank) +
         (entry.foreground ? "f " : " ") + entry.custom_status.substr(0, kMaxCustomStatusBytes);
}

core::Result<PresenceEntry> decodePresence(std::string_view text) {
  const auto bad = [](const char* why) {
    return core::fail(core::ErrorCode::kGeneral, std::string("bad presence: ") + why);
  };
  const auto first = text.find(' ');
  const auto second = first == std::string_view::npos ? first : text.find(' ', first + 1);
  const auto third = second == std::string_view::npos ? second : text.find(' ', second + 1);
  if (third == std::string_view::npos) return bad("expected <node> <user> <rank> <custom status>");
  PresenceEntry entry;
  const auto node = text.substr(0, first);
  if (!isPlainWord(node)) return bad("node name");
  entry.node = std::string(node);
  const auto user = parseDecimal(text.substr(first + 1, second - first - 1));
  if (!user || *user == 0) return bad("user id");
  auto rank_text = text.substr(second + 1, third - second - 1);
  entry.foreground = rank_text.ends_with('f');
  if (entry.foreground) rank_text.remove_suffix(1);
  const auto rank = parseDecimal(rank_text);
  if (!rank || *rank > 4) return bad("rank");
  entry.user_id = *user;
  entry.rank = static_cast<int>(*rank);
  const auto custom = text.substr(third + 1);
  if (custom.size() > kMaxCustomStatusBytes) return bad("custom status too long");
  entry.custom_status = std::string(custom);
  return entry;
}

} // namespace hearth::bus
