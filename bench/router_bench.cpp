// Route matching: Hearth's segment tree against the common alternative, a list of regular
// expressions tried in order, on the same Discord-shaped route table.
#include <regex>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "net/router.hpp"

namespace {

using hearth::net::Method;

const std::vector<std::string>& patterns() {
  static const std::vector<std::string> table = [] {
    std::vector<std::string> routes = {"/healthz",          "/readyz",
                                       "/metrics",          "/api/v1/gateway",
                                       "/api/v1/users/@me", "/api/v1/users/{user_id}",
                                       "/api/v1/guilds",    "/api/v1/invites/{code}"};
    for (const std::string resource : {"guilds/{guild_id}", "channels/{channel_id}"}) {
      for (const std::string tail :
           {"", "/messages", "/messages/{message_id}", "/messages/{message_id}/reactions", "/pins", "/invites",
            "/webhooks", "/typing", "/threads", "/members", "/members/{user_id}", "/roles", "/roles/{role_id}", "/bans",
            "/bans/{user_id}", "/audit-logs", "/permissions/{overwrite_id}"}) {
        routes.push_back("/api/v1/" + resource + tail);
      }
    }
    return routes;
  }();
  return table;
}

const std::vector<std::string> kPaths = {"/healthz", "/api/v1/channels/175928847299117063/messages/175928847299117064",
                                         "/api/v1/guilds/175928847299117063/members/99", "/api/v1/users/@me",
                                         "/api/v1/nothing/here"};

void BM_RouterTree(benchmark::State& state) {
  hearth::net::Router router;
  for (const auto& pattern : patterns()) {
    router.add(Method::kGet, pattern, [](hearth::net::Request&) -> boost::asio::awaitable<hearth::net::Response> {
      co_return hearth::net::Response{};
    });
  }
  hearth::net::Request request;
  std::size_t path_idx = 0;
  for (auto _ : state) {
    request.path = kPaths[path_idx++ % kPaths.size()];
    benchmark::DoNotOptimize(router.match(request, false));
  }
}
BENCHMARK(BM_RouterTree);

void BM_RegexListPeer(benchmark::State& state) {
  std::vector<std::regex> expressions;
  for (const auto& pattern : patterns()) {
    expressions.emplace_back("^" + std::regex_replace(pattern, std::regex(R"(\{[a-z_]+\})"), "([^/]+)") + "$");
  }
  std::size_t path_idx = 0;
  std::smatch groups;
  for (auto _ : state) {
    const std::string& path = kPaths[path_idx++ % kPaths.size()];
    for (const auto& expression : expressions) {
      if (std::regex_match(path, groups, expression)) break;
    }
    benchmark::DoNotOptimize(groups);
  }
}
BENCHMARK(BM_RegexListPeer);

} // namespace
