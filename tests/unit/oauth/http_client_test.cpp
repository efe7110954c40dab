// The outbound client against a one-shot HTTP server on a loopback port: bodies above the cap,
// slow servers, redirects to other schemes and non-HTTP URLs are all refused; an answer comes
// back on the awaiting coroutine's own thread.
#include "oauth/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace hearth::oauth {
namespace {

namespace asio = boost::asio;

// Accepts one connection on 127.0.0.1:<port 0>, reads the request head, sends `answer`, or
// (empty `answer`) holds the connection until the test ends.
class OneShotServer {
public:
  explicit OneShotServer(std::string answer) : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(listener_, 1), 0);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotServer() {
    done_.set_value();
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::string url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  std::string request() { return received_.get_future().get(); }

private:
  void serve() {
    const int connection = ::accept(listener_, nullptr, nullptr);
    if (connection < 0) return;
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
      const auto got = ::recv(connection, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      head.append(buffer, static_cast<std::size_t>(got));
    }
    received_.set_value(head);
    if (answer_.empty()) {
      done_.get_future().wait();
    } else {
      std::size_t sent = 0;
      while (sent < answer_.size()) {
        const auto wrote = ::send(connection, answer_.data() + sent, answer_.size() - sent, MSG_NOSIGNAL);
        if (wrote <= 0) break;
        sent += static_cast<std::size_t>(wrote);
      }
    }
    ::close(connection);
  }

  std::string answer_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::promise<std::string> received_;
  std::promise<void> done_;
};

std::string ok(std::string_view body, std::string_view type = "application/json") {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + std::string(type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + std::string(body);
}

TEST(HttpClientTest, PostsAFormAndReadsTheAnswer) {
  OneShotServer server(ok(R"({"access_token":"t"})"));
  HttpClient client(1);
  HttpRequest request;
  request.post = true;
  request.url = server.url("/token");
  request.headers.emplace_back("Accept", "application/json");
  request.body = "grant_type=authorization_code&code=abc";
  auto response = client.perform(request);
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->content_type, "application/json");
  EXPECT_EQ(response->body, R"({"access_token":"t"})");
  const std::string head = server.request();
  EXPECT_TRUE(head.starts_with("POST /token HTTP/1.1\r\n")) << head;
  EXPECT_NE(head.find("Accept: application/json\r\n"), std::string::npos);
  EXPECT_NE(head.find("User-Agent: Hearth\r\n"), std::string::npos);
}

TEST(HttpClientTest, RefusesBodiesAboveTheCap) {
  OneShotServer server(ok(std::string(2 * 1024 * 1024, 'x'), "text/plain"));
  HttpClient client(1);
  HttpRequest request;
  request.url = server.url();
  auto response = client.perform(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, core::ErrorCode::kServiceUnavailable);
  EXPECT_NE(response.error().message.find("larger than 1048576 bytes"), std::string::npos) << response.error().message;
}

TEST(HttpClientTest, RefusesAnUnannouncedBodyAboveTheCap) {
  // No Content-Length: the cap is enforced while reading.
  OneShotServer server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(1024 * 1024 + 10, 'x'));
  HttpClient client(1);
  HttpRequest request;
  request.url = server.url();
  auto response = client.perform(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_NE(response.error().message.find("larger than"), std::string::npos) << response.error().message;
}

TEST(HttpClientTest, GivesUpOnASilentServer) {
  OneShotServer server("");
  HttpClient client(1, HttpLimits{std::chrono::milliseconds(300), 1024, 3});
  HttpRequest request;
  request.url = server.url();
  const auto started = std::chrono::steady_clock::now();
  auto response = client.perform(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, core::ErrorCode::kServiceUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(HttpClientTest, RefusesOtherSchemes) {
  HttpClient client(1);
  for (const std::string url : {"file:///etc/passwd", "ftp://127.0.0.1/", "gopher://127.0.0.1/", "dict://x"}) {
    HttpRequest request;
    request.url = url;
    auto response = client.perform(request);
    ASSERT_FALSE(response.has_value()) << url;
    EXPECT_NE(response.error().message.find("only http and https"), std::string::npos);
  }
}

TEST(HttpClientTest, DoesNotFollowRedirectsToOtherSchemes) {
  OneShotServer server("HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n");
  HttpClient client(1);
  HttpRequest request;
  request.url = server.url();
  auto response = client.perform(request);
  ASSERT_FALSE(response.has_value());
  EXPECT_EQ(response.error().code, core::ErrorCode::kServiceUnavailable);
}

TEST(HttpClientTest, DoesNotRedirectPosts) {
  OneShotServer server("HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n");
  HttpClient client(1);
  HttpRequest request;
  request.post = true;
  request.url = server.url();
  request.body = "client_secret=s";
  auto response = client.perform(request);
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 307);
}

TEST(HttpClientTest, ResumesTheCallerOnItsOwnThread) {
  OneShotServer server(ok("{}"));
  HttpClient client(1);
  asio::io_context io;
  std::thread::id resumed_on;
  auto done = asio::co_spawn(
      io,
      [&]() -> asio::awaitable<core::Result<HttpResponse>> {
        HttpRequest request;
        request.url = server.url();
        auto response = co_await client.send(std::move(request));
        resumed_on = std::this_thread::get_id();
        co_return response;
      },
      asio::use_future);
  io.run();
  auto response = done.get();
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->body, "{}");
  EXPECT_EQ(resumed_on, std::this_thread::get_id());
}

} // namespace
} // namespace hearth::oauth
