#include "net/metrics.hpp"

#include <gtest/gtest.h>

namespace hearth::net {
namespace {

TEST(Metrics, MergesShardsIntoCountersAndHistograms) {
  Metrics metrics(2);
  metrics.observeRequest(0, "GET", "/healthz", 200, 0.0004);
  metrics.observeRequest(1, "GET", "/healthz", 200, 0.003);
  metrics.observeRequest(1, "GET", "/healthz", 503, 0.2);
  const std::string text = metrics.render();
  EXPECT_NE(text.find("hearth_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("hearth_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"503\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("hearth_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"0.0005\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("hearth_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"0.005\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("hearth_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("hearth_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 3\n"),
            std::string::npos);
}

TEST(Metrics, CountsOpenConnections) {
  Metrics metrics(1);
  metrics.connectionOpened();
  metrics.connectionOpened();
  metrics.connectionClosed();
  const std::string text = metrics.render();
  EXPECT_NE(text.find("hearth_http_open_connections 1\n"), std::string::npos);
}

TEST(Metrics, AppendsOtherModulesText) {
  Metrics metrics(1);
  int scrapes = 0;
  metrics.addCollector([&scrapes] {
    ++scrapes;
    return "# TYPE hearth_bus_events_published_total counter\nhearth_bus_events_published_total " +
           std::to_string(scrapes) + "\n";
  });
  EXPECT_NE(metrics.render().find("\nhearth_bus_events_published_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.render().find("\nhearth_bus_events_published_total 2\n"), std::string::npos)
      << "asked at each scrape";
}

TEST(Metrics, EscapesLabelValues) {
  Metrics metrics(1);
  metrics.observeRequest(0, "GET", "/a\"b\\c", 200, 0.001);
  EXPECT_NE(metrics.render().find("route=\"/a\\\"b\\\\c\""), std::string::npos);
}

} // namespace
} // namespace hearth::net
