#include "api/guild_json.hpp"

#include "api/json_objects.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/snowflake.hpp"
#include "net/json_body.hpp"

namespace hearth::api {

namespace json = boost::json;

namespace {

json::object roleObject(const domain::Role& role) {
  json::object out;
  out["id"] = core::snowflakeToString(role.id);
  out["name"] = role.name;
  out["color"] = role.color;
  out["hoist"] = role.hoist;
  out["position"] = role.position;
  out["permissions"] = domain::permissionsToString(role.permissions);
  out["managed"] = false;
  out["mentionable"] = role.mentionable;
  return out;
}

json::object channelObject(const domain::Channel& channel) {
  json::object out;
  out["id"] = core::snowflakeToString(channel.id);
  out["type"] = static_cast<int>(channel.type);
  out["guild_id"] = core::snowflakeToString(channel.guild_id);
  out["name"] = channel.name;
  out["position"] = channel.position;
  out["parent_id"] =
      channel.parent_id == 0 ? json::value(nullptr) : json::value(core::snowflakeToString(channel.parent_id));
  out["nsfw"] = channel.nsfw;
  json::array overwrites;
  for (const auto& overwrite : channel.overwrites) {
    json::object item;
    item["id"] = core::snowflakeToString(overwrite.id);
    item["type"] = static_cast<int>(overwrite.type);
    item["allow"] = domain::permissionsToString(overwrite.allow);
    item["deny"] = domain::permissionsToString(overwrite.deny);
    overwrites.push_back(std::move(item));
  }
  out["permission_overwrites"] = std::move(overwrites);
  if (channel.type == domain::ChannelType::kText || channel.type == domain::ChannelType::kVoice) {
    // What clients compare with their read state: null when nothing was ever sent or pinned.
    out["last_message_id"] = channel.last_message_id == 0
                                 ? json::value(nullptr)
                                 : json::value(core::snowflakeToString(channel.last_message_id));
    out["last_pin_timestamp"] = orNull(channel.last_pin_timestamp);
  }
  if (channel.type == domain::ChannelType::kText) {
    out["topic"] = orNull(channel.topic);
    out["rate_limit_per_user"] = channel.rate_limit_per_user;
  }
  if (channel.type == domain::ChannelType::kVoice) {
    out["bitrate"] = channel.bitrate;
    out["user_limit"] = channel.user_limit;
    out["rate_limit_per_user"] = channel.rate_limit_per_user;
  }
  return out;
}

// Reads an optional typed field; a wrong type is a field error.
template <typename T>
std::optional<T> typed(const json::object& body, std::string_view name, std::vector<core::FieldError>& errors);

template <>
std::optional<std::string> typed(const json::object& body, std::string_view name,
                                 std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_null()) return std::string();
  if (!value->is_string()) {
    errors.push_back({std::string(name), "BASE_TYPE_STRING", "Must be a string"});
    return std::nullopt;
  }
  return std::string(value->as_string());
}

template <>
std::optional<int> typed(const json::object& body, std::string_view name, std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (value->is_int64() && value->as_int64() >= INT32_MIN && value->as_int64() <= INT32_MAX) {
    return static_cast<int>(value->as_int64());
  }
  if (value->is_uint64() && value->as_uint64() <= INT32_MAX) return static_cast<int>(value->as_uint64());
  errors.push_back({std::string(name), "NUMBER_TYPE_COERCE", "Must be an integer"});
  return std::nullopt;
}

template <>
std::optional<bool> typed(const json::object& body, std::string_view name, std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  if (!value->is_bool()) {
    errors.push_back({std::string(name), "BASE_TYPE_BOOLEAN", "Must be true or false"});
    return std::nullopt;
  }
  return value->as_bool();
}

std::optional<domain::Permissions> permissionsField(const json::object& body, std::string_view name,
                                                    std::vector<core::FieldError>& errors) {
  const auto* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  domain::Permissions bits = 0;
  // Discord sends permissions as decimal strings; a plain number is accepted too.
  const std::string text = value->is_string()   ? std::string(value->as_string())
                           : value->is_uint64() ? std::to_string(value->as_uint64())
                           : value->is_int64()  ? std::to_string(value->as_int64())
                                                : std::string("x");
  if (!domain::parsePermissions(text, bits)) {
    errors.push_back({std::string(name), "PERMISSIONS_INVALID", "Must be a permission bitfield (a decimal string)"});
    return std::nullopt;
  }
  return bits;
}

} // namespace

std::string roleJson(const domain::Role& role) { return json::serialize(roleObject(role)); }

std::string rolesJson(const std::vector<domain::Role>& roles) {
  json::array out;
  for (const auto& role : roles)
    out.push_back(roleObject(role));
  return json::serialize(out);
}

std::string guildJson(const domain::Guild& guild, const std::vector<domain::Role>& roles,
                      std::optional<std::size_t> member_count) {
  json::object out;
  out["id"] = core::snowflakeToString(guild.id);
  out["name"] = guild.name;
  out["icon"] = orNull(guild.icon);
  out["description"] = orNull(guild.description);
  out["owner_id"] = core::snowflakeToString(guild.owner_id);
  out["default_message_notifications"] = guild.default_message_notifications;
  json::array role_list;
  for (const auto& role : roles)
    role_list.push_back(roleObject(role));
  out["roles"] = std::move(role_list);
  if (member_count) out["approximate_member_count"] = *member_count;
  return json::serialize(out);
}

std::string channelJson(const domain::Channel& channel) { return json::serialize(channelObject(channel)); }

std::string readyGuildJson(const domain::GuildContext& context, const std::vector<domain::Channel>& visible_channels,
                           std::size_t member_count, const std::string& threads_json) {
  json::value guild = json::parse(guildJson(context.guild, context.roles));
  auto& object = guild.as_object();
  json::array channels;
  for (const auto& channel : visible_channels)
    channels.push_back(channelObject(channel));
  object["channels"] = std::move(channels);
  object["member_count"] = member_count;
  object["permissions"] = domain::permissionsToString(context.base());
  if (!threads_json.empty()) object["threads"] = json::parse(threads_json);
  return json::serialize(guild);
}

std::string channelsJson(const std::vector<domain::Channel>& channels) {
  json::array out;
  for (const auto& channel : channels)
    out.push_back(channelObject(channel));
  return json::serialize(out);
}

core::Result<domain::ChannelInput> parseChannelInput(const net::Request& request) {
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  std::vector<core::FieldError> errors;
  domain::ChannelInput input;
  input.name = typed<std::string>(*body, "name", errors);
  input.type = typed<int>(*body, "type", errors);
  input.topic = typed<std::string>(*body, "topic", errors);
  input.position = typed<int>(*body, "position", errors);
  input.rate_limit_per_user = typed<int>(*body, "rate_limit_per_user", errors);
  input.bitrate = typed<int>(*body, "bitrate", errors);
  input.user_limit = typed<int>(*body, "user_limit", errors);
  input.nsfw = typed<bool>(*body, "nsfw", errors);
  input.sync_with_parent = typed<bool>(*body, "lock_permissions", errors).value_or(false);
  if (const auto* parent = body->if_contains("parent_id")) {
    if (parent->is_null()) {
      input.parent_id = 0;
    } else if (auto parsed = parent->is_string() ? core::parseSnowflake(parent->as_string()) : std::nullopt) {
      input.parent_id = *parsed;
    } else {
      errors.push_back({"parent_id", "SNOWFLAKE_INVALID", "Must be a channel id"});
    }
  }
  if (const auto* overwrites = body->if_contains("permission_overwrites")) {
    if (!overwrites->is_array()) {
      errors.push_back({"permission_overwrites", "BASE_TYPE_ARRAY", "Must be an array"});
    } else {
      std::vector<domain::Overwrite> list;
      for (const auto& item : overwrites->as_array()) {
        const auto* object = item.if_object();
        std::optional<std::uint64_t> target;
        if (object != nullptr) {
          if (const auto* target_id = object->if_contains("id"); target_id != nullptr && target_id->is_string()) {
            target = core::parseSnowflake(target_id->as_string());
          }
        }
        const auto type = object != nullptr ? typed<int>(*object, "type", errors) : std::nullopt;
        if (object == nullptr || !target || !type || (*type != 0 && *type != 1)) {
          errors.push_back(
              {"permission_overwrites", "OVERWRITE_INVALID", "Each overwrite needs an id and type 0 or 1"});
          break;
        }
        domain::Overwrite overwrite{*target, static_cast<domain::OverwriteType>(*type), 0, 0};
        overwrite.allow = permissionsField(*object, "allow", errors).value_or(0);
        overwrite.deny = permissionsField(*object, "deny", errors).value_or(0);
        list.push_back(overwrite);
      }
      input.overwrites = std::move(list);
    }
  }
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return input;
}

core::Result<domain::RoleInput> parseRoleInput(const net::Request& request) {
  auto body = net::parseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  std::vector<core::FieldError> errors;
  domain::RoleInput input;
  input.name = typed<std::string>(*body, "name", errors);
  input.color = typed<int>(*body, "color", errors);
  input.hoist = typed<bool>(*body, "hoist", errors);
  input.mentionable = typed<bool>(*body, "mentionable", errors);
  input.permissions = permissionsField(*body, "permissions", errors);
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return input;
}

std::string auditReason(std::string_view header) {
  std::string out;
  for (std::size_t i = 0; i < header.size() && out.size() < 512; ++i) {
    if (header[i] == '%' && i + 2 < header.size() && std::isxdigit(static_cast<unsigned char>(header[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(header[i + 2])) != 0) {
      out += static_cast<char>(std::stoi(std::string(header.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += header[i];
    }
  }
  return out;
}

} // namespace hearth::api
