#include "net/router.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>

namespace hearth::net {

namespace {
constexpr std::size_t kMethodCount = 8;

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = path.starts_with('/') ? 1 : 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}
} // namespace

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literal_children;
  std::unique_ptr<Node> param_child;
  std::string param_name; //!< set on a param_child
  std::string pattern;
  std::array<std::unique_ptr<Handler>, kMethodCount> handlers;
  std::array<std::size_t, kMethodCount> body_limits{};
  std::unique_ptr<WsHandler> ws_handler;
};

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;

void Router::add(Method method, std::string_view pattern, Handler handler, std::size_t body_limit) {
  if (!pattern.starts_with('/')) throw std::invalid_argument("route pattern must start with '/'");
  Node* node = root_.get();
  for (const auto segment : splitPath(pattern)) {
    if (segment.starts_with('{')) {
      if (!segment.ends_with('}') || segment.size() < 3) throw std::invalid_argument("bad parameter in route");
      const std::string name(segment.substr(1, segment.size() - 2));
      if (!node->param_child) {
        node->param_child = std::make_unique<Node>();
        node->param_child->param_name = name;
      } else if (node->param_child->param_name != name) {
        throw std::invalid_argument("conflicting parameter names in routes");
      }
      node = node->param_child.get();
    } else {
      auto& child = node->literal_children[std::string(segment)];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  auto& slot = node->handlers[static_cast<std::size_t>(method)];
  if (slot) throw std::invalid_argument("duplicate route: " + std::string(pattern));
  slot = std::make_unique<Handler>(std::move(handler));
  node->body_limits[static_cast<std::size_t>(method)] = body_limit;
  largest_body_limit_ = std::max(largest_body_limit_, body_limit);
  node->pattern = std::string(pattern);
}

void Router::addWebSocket(std::string_view pattern, WsHandler handler) {
  Node* node = root_.get();
  for (const auto segment : splitPath(pattern)) {
    auto& child = node->literal_children[std::string(segment)];
    if (!child) child = std::make_unique<Node>();
    node = child.get();
  }
  node->ws_handler = std::make_unique<WsHandler>(std::move(handler));
  node->pattern = std::string(pattern);
}

RouteMatch Router::match(Request& request, bool is_upgrade) const {
  const Node* node = root_.get();
  request.params.clear();
  for (const auto segment : splitPath(request.path)) {
    if (const auto it = node->literal_children.find(segment); it != node->literal_children.end()) {
      node = it->second.get();
    } else if (node->param_child && !segment.empty()) {
      node = node->param_child.get();
      request.params.emplace_back(node->param_name, std::string(segment));
    } else {
      return {};
    }
  }
  RouteMatch result;
  result.pattern = node->pattern;
  if (is_upgrade && node->ws_handler) {
    result.kind = RouteMatch::Kind::kWebSocket;
    result.ws_handler = node->ws_handler.get();
    return result;
  }
  auto method_idx = static_cast<std::size_t>(request.method);
  if (!node->handlers[method_idx] && request.method == Method::kHead) {
    method_idx = static_cast<std::size_t>(Method::kGet);
  }
  if (node->handlers[method_idx]) {
    result.kind = RouteMatch::Kind::kHandler;
    result.handler = node->handlers[method_idx].get();
    result.body_limit = node->body_limits[method_idx];
    return result;
  }
  for (std::size_t idx = 0; idx < kMethodCount; ++idx) {
    if (!node->handlers[idx]) continue;
    if (!result.allowed.empty()) result.allowed += ", ";
    result.allowed += methodName(static_cast<Method>(idx));
    if (static_cast<Method>(idx) == Method::kGet) result.allowed += ", HEAD";
  }
  if (node->ws_handler && result.allowed.empty()) result.allowed = "GET";
  result.kind = result.allowed.empty() ? RouteMatch::Kind::kNotFound : RouteMatch::Kind::kMethodNotAllowed;
  return result;
}

} // namespace hearth::net
