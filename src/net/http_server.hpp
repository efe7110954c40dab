#pragma once
// The HTTP/1.1 + WebSocket server: one coroutine per connection, connections spread over the
// given io_contexts (one per thread), each connection staying on one thread for its life.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/http_parse.hpp"
#include "net/router.hpp"

namespace boost::asio {
class io_context;
}

namespace hearth::net {

class Metrics;

struct ServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080; //!< 0 picks a free port (see HttpServer::port())
  HttpLimits limits;
  //! Origins allowed to open WebSockets besides the server's own (Origin host == Host header).
  std::vector<std::string> allowed_origins;
  std::chrono::milliseconds drain_timeout{10000}; //!< how long stop() waits for in-flight work
  bool trust_proxy = false; //!< take the client address from X-Forwarded-For (behind HAProxy)
};

//! Every response carries the security headers (CSP for the web client, nosniff, framing,
//! referrer, opener policy); see kSecurityHeaders in http_server.cpp.
class HttpServer {
public:
  //! `fallback` answers GET/HEAD requests no route matched (the web client's files).
  HttpServer(std::vector<boost::asio::io_context*> contexts, ServerConfig config, const Router& router,
             Metrics& metrics, Handler fallback);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  //! Binds and starts accepting. Throws std::system_error if the address cannot be bound.
  void start();
  //! The bound port (useful with port 0).
  std::uint16_t port() const noexcept;
  //! Stops accepting, closes idle keep-alive connections and WebSockets (1012, service restart),
  //! lets requests in flight finish, and calls `done` when every connection has ended or
  //! drain_timeout passed. Callable from any thread.
  void stop(std::function<void()> done);
  std::size_t activeConnections() const noexcept;

  struct Impl;

private:
  std::shared_ptr<Impl> impl_;
};

} // namespace hearth::net
