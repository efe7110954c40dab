#pragma once
// Maps method + path to a handler. Patterns are literal segments and `{name}` parameters:
// "/api/v1/channels/{channel_id}/messages". Matching is by segment tree, so its cost depends
// on the path's depth, not on how many routes exist.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "net/http.hpp"

namespace hearth::net {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

class WsConnection;
//! Takes a WebSocket connection after the upgrade (WsConnection::startReading) and calls `ended`
//! once, when it is done with it. It owns the upgrade request: a connection may stay open for
//! days, so it keeps only what it needs of it.
using WsEnded = std::function<void()>;
using WsHandler = std::function<void(std::shared_ptr<WsConnection>, Request, WsEnded ended)>;

struct RouteMatch {
  enum class Kind { kHandler, kWebSocket, kNotFound, kMethodNotAllowed } kind = Kind::kNotFound;
  const Handler* handler = nullptr;
  const WsHandler* ws_handler = nullptr;
  std::string_view pattern; //!< the matched pattern, for metrics and logs
  std::string allowed; //!< for kMethodNotAllowed: the Allow header value
  std::size_t body_limit = 0; //!< the route's own body limit; 0: the server's
};

class Router {
public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  //! Registers a handler. HEAD is answered by the GET handler when none is registered for it.
  //! Throws std::invalid_argument on a malformed pattern or a duplicate (a start-up bug).
  //! `body_limit` (bytes) replaces the server's body limit for this route (uploads); 0 keeps it.
  void add(Method method, std::string_view pattern, Handler handler, std::size_t body_limit = 0);
  //! Registers a WebSocket endpoint (GET with Upgrade: websocket).
  void addWebSocket(std::string_view pattern, WsHandler handler);
  //! The largest body limit any route has (0 if none raised it).
  std::size_t largestBodyLimit() const noexcept { return largest_body_limit_; }
  //! Finds the route for a request, filling request.params on a match.
  RouteMatch match(Request& request, bool is_upgrade) const;

private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::size_t largest_body_limit_ = 0;
};

} // namespace hearth::net
