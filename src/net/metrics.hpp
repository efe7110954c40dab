#pragma once
// Process metrics in Prometheus text format (GET /metrics). Request counters are sharded per
// io_context thread so the hot path takes no shared lock.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::net {

class Metrics {
public:
  //! Upper bounds (seconds) of the latency histogram buckets; +Inf is implicit.
  static constexpr std::array<double, 12> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                             0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  explicit Metrics(std::size_t workers);
  ~Metrics();

  //! Records one answered request; `route` is the route pattern (bounded cardinality).
  void observeRequest(std::size_t worker, std::string_view method, std::string_view route, int status, double seconds);
  void connectionOpened() noexcept { open_connections_.fetch_add(1, std::memory_order_relaxed); }
  void connectionClosed() noexcept { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
  void websocketOpened() noexcept { open_websockets_.fetch_add(1, std::memory_order_relaxed); }
  void websocketClosed() noexcept { open_websockets_.fetch_sub(1, std::memory_order_relaxed); }

  //! Adds exposition text from another module (the event bus), appended by render(). Any thread.
  void addCollector(std::function<std::string()> collector);

  //! The whole exposition text.
  std::string render() const;

private:
  struct Series {
    std::uint64_t count = 0;
    double sum = 0;
    std::array<std::uint64_t, kLatencyBuckets.size()> buckets{};
  };
  struct KeyView {
    std::string_view method;
    std::string_view route;
    int status;
    auto operator<=>(const KeyView&) const = default;
  };
  struct Key {
    std::string method;
    std::string route;
    int status;
    KeyView view() const noexcept { return {method, route, status}; }
  };
  // Compares stored keys with views, so a lookup on the hot path allocates nothing.
  struct KeyLess {
    using is_transparent = void;
    static KeyView asView(const Key& key) noexcept { return key.view(); }
    static KeyView asView(const KeyView& key) noexcept { return key; }
    template <typename A, typename B> bool operator()(const A& a, const B& b) const noexcept {
      return asView(a) < asView(b);
    }
  };
  struct Shard {
    mutable std::mutex mutex; // contended only by a scrape
    std::map<Key, Series, KeyLess> series;
  };
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::int64_t> open_websockets_{0};
  mutable std::mutex collectors_mutex_;
  std::vector<std::function<std::string()>> collectors_;
};

} // namespace hearth::net
