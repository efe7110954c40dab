#include "net/metrics.hpp"

#include <fmt/format.h>

namespace hearth::net {

Metrics::Metrics(std::size_t workers) {
  for (std::size_t worker_idx = 0; worker_idx < workers; ++worker_idx)
    shards_.push_back(std::make_unique<Shard>());
}

Metrics::~Metrics() = default;

void Metrics::observeRequest(std::size_t worker, std::string_view method, std::string_view route, int status,
                             double seconds) {
  Shard& shard = *shards_[worker % shards_.size()];
  const KeyView key{method, route, status};
  std::lock_guard lock(shard.mutex);
  auto it = shard.series.find(key);
  if (it == shard.series.end()) {
    it = shard.series.emplace(Key{std::string(method), std::string(route), status}, Series{}).first;
  }
  Series& series = it->second;
  ++series.count;
  series.sum += seconds;
  for (std::size_t bucket_idx = 0; bucket_idx < kLatencyBuckets.size(); ++bucket_idx) {
    if (seconds <= kLatencyBuckets[bucket_idx]) ++series.buckets[bucket_idx];
  }
}

namespace {
std::string escapeLabel(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
} // namespace

std::string Metrics::render() const {
  // Merge shards: requests are counted per (method, route, status); latency per (method, route).
  std::map<Key, Series, KeyLess> by_key;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    for (const auto& [key, series] : shard->series) {
      Series& merged = by_key[key];
      merged.count += series.count;
      merged.sum += series.sum;
      for (std::size_t bucket_idx = 0; bucket_idx < series.buckets.size(); ++bucket_idx) {
        merged.buckets[bucket_idx] += series.buckets[bucket_idx];
      }
    }
  }
  std::map<std::string, Series> by_route; // key: method \x1f route
  std::string out;
  out += "# HELP hearth_http_requests_total HTTP requests answered, by method, route and status.\n";
  out += "# TYPE hearth_http_requests_total counter\n";
  for (const auto& [key, series] : by_key) {
    out += fmt::format("hearth_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", key.method,
                       escapeLabel(key.route), key.status, series.count);
    Series& merged = by_route[key.method + '\x1f' + key.route];
    merged.count += series.count;
    merged.sum += series.sum;
    for (std::size_t bucket_idx = 0; bucket_idx < series.buckets.size(); ++bucket_idx) {
      merged.buckets[bucket_idx] += series.buckets[bucket_idx];
    }
  }
  out += "# HELP hearth_http_request_duration_seconds Time from a complete request to its response.\n";
  out += "# TYPE hearth_http_request_duration_seconds histogram\n";
  for (const auto& [key, series] : by_route) {
    const auto sep = key.find('\x1f');
    const std::string labels =
        fmt::format("method=\"{}\",route=\"{}\"", key.substr(0, sep), escapeLabel(key.substr(sep + 1)));
    for (std::size_t bucket_idx = 0; bucket_idx < kLatencyBuckets.size(); ++bucket_idx) {
      out += fmt::format("hearth_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                         kLatencyBuckets[bucket_idx], series.buckets[bucket_idx]);
    }
    out += fmt::format("hearth_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, series.count);
    out += fmt::format("hearth_http_request_duration_seconds_sum{{{}}} {}\n", labels, series.sum);
    out += fmt::format("hearth_http_request_duration_seconds_count{{{}}} {}\n", labels, series.count);
  }
  out += "# HELP hearth_http_open_connections HTTP connections open now (WebSockets included).\n";
  out += "# TYPE hearth_http_open_connections gauge\n";
  out += fmt::format("hearth_http_open_connections {}\n", open_connections_.load(std::memory_order_relaxed));
  out += "# HELP hearth_gateway_open_websockets Gateway WebSocket connections open now.\n";
  out += "# TYPE hearth_gateway_open_websockets gauge\n";
  out += fmt::format("hearth_gateway_open_websockets {}\n", open_websockets_.load(std::memory_order_relaxed));
  std::vector<std::function<std::string()>> collectors;
  {
    std::lock_guard lock(collectors_mutex_);
    collectors = collectors_;
  }
  for (const auto& collector : collectors)
    out += collector();
  return out;
}

void Metrics::addCollector(std::function<std::string()> collector) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.push_back(std::move(collector));
}

} // namespace hearth::net
