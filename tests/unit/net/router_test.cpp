#include "net/router.hpp"

#include <gtest/gtest.h>

namespace hearth::net {
namespace {

Handler stub() {
  return [](Request&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}

Request requestFor(Method method, std::string path) {
  Request request;
  request.method = method;
  request.path = std::move(path);
  return request;
}

TEST(Router, MatchesLiteralsAndCapturesParameters) {
  Router router;
  router.add(Method::kGet, "/api/v1/channels/{channel_id}/messages", stub());
  router.add(Method::kGet, "/api/v1/channels/{channel_id}/messages/{message_id}", stub());
  auto request = requestFor(Method::kGet, "/api/v1/channels/42/messages/7");
  const auto match = router.match(request, false);
  ASSERT_EQ(match.kind, RouteMatch::Kind::kHandler);
  EXPECT_EQ(match.pattern, "/api/v1/channels/{channel_id}/messages/{message_id}");
  EXPECT_EQ(request.param("channel_id"), "42");
  EXPECT_EQ(request.param("message_id"), "7");
  EXPECT_EQ(request.param("missing"), "");
}

TEST(Router, LiteralSegmentsWinOverParameters) {
  Router router;
  router.add(Method::kGet, "/api/v1/users/{user_id}", stub());
  router.add(Method::kGet, "/api/v1/users/@me", stub());
  auto me = requestFor(Method::kGet, "/api/v1/users/@me");
  EXPECT_EQ(router.match(me, false).pattern, "/api/v1/users/@me");
  EXPECT_TRUE(me.params.empty());
  auto other = requestFor(Method::kGet, "/api/v1/users/99");
  EXPECT_EQ(router.match(other, false).pattern, "/api/v1/users/{user_id}");
}

TEST(Router, DistinguishesNotFoundFromMethodNotAllowed) {
  Router router;
  router.add(Method::kGet, "/healthz", stub());
  router.add(Method::kPost, "/healthz", stub());
  auto missing = requestFor(Method::kGet, "/nope");
  EXPECT_EQ(router.match(missing, false).kind, RouteMatch::Kind::kNotFound);
  auto wrong = requestFor(Method::kDelete, "/healthz");
  const auto match = router.match(wrong, false);
  EXPECT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allowed, "GET, HEAD, POST");
  auto empty_param = requestFor(Method::kGet, "/api/v1/channels//messages");
  router.add(Method::kGet, "/api/v1/channels/{channel_id}/messages", stub());
  EXPECT_EQ(router.match(empty_param, false).kind, RouteMatch::Kind::kNotFound);
}

TEST(Router, RoutesMayRaiseTheirBodyLimit) {
  Router router;
  router.add(Method::kPatch, "/api/v1/users/@me", stub(), 12 << 20);
  router.add(Method::kGet, "/api/v1/users/@me", stub());
  EXPECT_EQ(router.largestBodyLimit(), 12u << 20);
  Request patch;
  patch.method = Method::kPatch;
  patch.path = "/api/v1/users/@me";
  EXPECT_EQ(router.match(patch, false).body_limit, 12u << 20);
  Request get;
  get.method = Method::kGet;
  get.path = "/api/v1/users/@me";
  EXPECT_EQ(router.match(get, false).body_limit, 0u) << "the server's default";
}

TEST(Router, HeadFallsBackToGet) {
  Router router;
  router.add(Method::kGet, "/healthz", stub());
  auto head = requestFor(Method::kHead, "/healthz");
  EXPECT_EQ(router.match(head, false).kind, RouteMatch::Kind::kHandler);
}

TEST(Router, WebSocketRoutesNeedAnUpgrade) {
  Router router;
  router.add(Method::kGet, "/api/v1/gateway", stub());
  router.addWebSocket("/api/v1/gateway", [](std::shared_ptr<WsConnection>, Request, WsEnded ended) { ended(); });
  auto upgrade = requestFor(Method::kGet, "/api/v1/gateway");
  EXPECT_EQ(router.match(upgrade, true).kind, RouteMatch::Kind::kWebSocket);
  auto plain = requestFor(Method::kGet, "/api/v1/gateway");
  EXPECT_EQ(router.match(plain, false).kind, RouteMatch::Kind::kHandler);
}

TEST(Router, RejectsBadAndDuplicatePatterns) {
  Router router;
  router.add(Method::kGet, "/a/{id}", stub());
  EXPECT_THROW(router.add(Method::kGet, "/a/{id}", stub()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::kGet, "/a/{other}/b", stub()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::kGet, "no-slash", stub()), std::invalid_argument);
  EXPECT_THROW(router.add(Method::kGet, "/b/{unclosed", stub()), std::invalid_argument);
}

} // namespace
} // namespace hearth::net
