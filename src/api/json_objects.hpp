#pragma once
// Boost.JSON building blocks shared by the route files that already use Boost.JSON (include it
// only from those .cpp files, never from a header).
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/snowflake.hpp"
#include "domain/members.hpp"

namespace hearth::api {

//! A string, or null when empty (Discord sends null for absent optional strings).
inline boost::json::value orNull(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

//! The public user object: `{id, username, global_name, avatar}`, nothing private.
inline boost::json::object publicUserObject(const domain::UserSummary& user) {
  boost::json::object out;
  out["id"] = core::snowflakeToString(user.id);
  out["username"] = user.username;
  out["global_name"] = orNull(user.global_name);
  out["avatar"] = orNull(user.avatar);
  return out;
}

} // namespace hearth::api
