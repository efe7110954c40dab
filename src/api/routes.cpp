#include "api/routes.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <boost/json/value.hpp>
#include <spdlog/spdlog.h>

#include "net/json_body.hpp"
#include "net/metrics.hpp"
#include "store/pg.hpp"

namespace hearth::api {

using net::Method;
using net::Request;
using net::Response;

namespace {

std::string_view stringField(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string_view(value->as_string()) : std::string_view("?");
}

// A violation means the client tried something the policy forbids: worth one log line each,
// but a hostile page must not flood the log, so at most 20 lines a minute are written.
void logCspReport(const boost::json::value& report, const std::string& remote) {
  static std::atomic<std::int64_t> window_start{0};
  static std::atomic<int> logged{0};
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (now - window_start.load() >= 60) {
    window_start = now;
    logged = 0;
  }
  if (logged.fetch_add(1) >= 20) return;
  // Two shapes: report-uri sends {"csp-report": {...}}; the Reporting API sends [{"body": {...}}].
  const boost::json::object* body = nullptr;
  if (report.is_object()) {
    if (const auto* inner = report.as_object().if_contains("csp-report"); inner && inner->is_object()) {
      body = &inner->as_object();
    }
  } else if (report.is_array() && !report.as_array().empty() && report.as_array().front().is_object()) {
    if (const auto* inner = report.as_array().front().as_object().if_contains("body"); inner && inner->is_object()) {
      body = &inner->as_object();
    }
  }
  if (body == nullptr) {
    spdlog::warn("csp report from {}: unrecognised shape", remote);
    return;
  }
  const auto directive =
      stringField(*body, body->contains("violated-directive") ? "violated-directive" : "effectiveDirective");
  const auto blocked = stringField(*body, body->contains("blocked-uri") ? "blocked-uri" : "blockedURL");
  const auto page = stringField(*body, body->contains("document-uri") ? "document-uri" : "documentURL");
  spdlog::warn("csp violation from {}: {} blocked {} on {}", remote, directive.substr(0, 200), blocked.substr(0, 200),
               page.substr(0, 200));
}

} // namespace

void addOpsRoutes(net::Router& router, OpsDeps deps) {
  router.add(Method::kGet, "/healthz", [](Request&) -> boost::asio::awaitable<Response> {
    Response response = net::jsonResponse(200, "{\"status\":\"ok\"}");
    response.headers.add("Cache-Control", "no-store");
    co_return response;
  });

  router.add(Method::kGet, "/readyz", [deps](Request& request) -> boost::asio::awaitable<Response> {
    if (deps.shutting_down != nullptr && deps.shutting_down->load()) {
      co_return net::errorResponse(core::ErrorCode::kShuttingDown, "Shutting down");
    }
    auto result = co_await deps.pools.at(request.worker)->query("SELECT 1");
    if (!result) {
      co_return net::errorResponse(core::ErrorCode::kServiceUnavailable,
                                   "Database unreachable: " + result.error().message);
    }
    Response response = net::jsonResponse(200, "{\"status\":\"ready\"}");
    response.headers.add("Cache-Control", "no-store");
    co_return response;
  });

  router.add(Method::kGet, "/metrics", [deps](Request&) -> boost::asio::awaitable<Response> {
    // Each pool belongs to one thread: read its gauges there, not from this one.
    store::PgPoolStats total;
    for (std::size_t worker_idx = 0; worker_idx < deps.pools.size(); ++worker_idx) {
      auto* pool = deps.pools[worker_idx];
      const auto stats = co_await boost::asio::co_spawn(
          deps.executors.at(worker_idx),
          [pool]() -> boost::asio::awaitable<store::PgPoolStats> { co_return pool->stats(); },
          boost::asio::use_awaitable);
      total.open += stats.open;
      total.in_use += stats.in_use;
      total.waiting += stats.waiting;
      total.queries += stats.queries;
      total.errors += stats.errors;
    }
    Response response;
    response.headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    response.headers.add("Cache-Control", "no-store");
    response.body = deps.metrics->render();
    response.body += fmt::format("# HELP hearth_db_pool_connections Database connections by state.\n"
                                 "# TYPE hearth_db_pool_connections gauge\n"
                                 "hearth_db_pool_connections{{state=\"open\"}} {}\n"
                                 "hearth_db_pool_connections{{state=\"in_use\"}} {}\n"
                                 "# HELP hearth_db_pool_waiting Requests waiting for a database connection.\n"
                                 "# TYPE hearth_db_pool_waiting gauge\n"
                                 "hearth_db_pool_waiting {}\n"
                                 "# HELP hearth_db_queries_total Database statements run.\n"
                                 "# TYPE hearth_db_queries_total counter\n"
                                 "hearth_db_queries_total {}\n"
                                 "# HELP hearth_db_errors_total Database statements that failed.\n"
                                 "# TYPE hearth_db_errors_total counter\n"
                                 "hearth_db_errors_total {}\n",
                                 total.open, total.in_use, total.waiting, total.queries, total.errors);
    co_return response;
  });

  router.add(Method::kPost, "/api/v1/csp-reports", [](Request& request) -> boost::asio::awaitable<Response> {
    auto report =
        net::parseJsonBodyAs(request, {"application/csp-report", "application/reports+json", "application/json"});
    if (!report) co_return net::errorResponse(report.error());
    logCspReport(*report, request.remote_address);
    Response response;
    response.status = 204;
    co_return response;
  });

  router.add(Method::kGet, "/api/v1/gateway", [](Request& request) -> boost::asio::awaitable<Response> {
    // Behind a TLS-terminating proxy the scheme is the proxy's; it says so in X-Forwarded-Proto.
    const bool secure = request.headers.get("X-Forwarded-Proto") == "https";
    const std::string url =
        std::string(secure ? "wss://" : "ws://") + std::string(request.headers.get("Host")) + "/api/v1/gateway";
    co_return net::jsonResponse(200, "{\"url\":\"" + net::jsonEscape(url) + "\"}");
  });
}

} // namespace hearth::api
