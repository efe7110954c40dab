#pragma once
// REST routes. This foundation has the operational endpoints; product routes join in later
// issues, each module adding its own register function here.
#include <atomic>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "net/router.hpp"

namespace hearth::net {
class Metrics;
}
namespace hearth::store {
class PgPool;
}

namespace hearth::api {

struct OpsDeps {
  std::vector<store::PgPool*> pools; //!< one per worker thread, indexed by Request::worker
  std::vector<boost::asio::any_io_executor> executors; //!< the worker threads' executors, same order
  net::Metrics* metrics = nullptr;
  const std::atomic<bool>* shutting_down = nullptr;
};

//! GET /healthz (process alive), GET /readyz (database reachable, not draining), GET /metrics
//! (Prometheus text), GET /api/v1/gateway (the WebSocket URL, as Discord's GET /gateway),
//! POST /api/v1/csp-reports (Content-Security-Policy violation reports from browsers).
void addOpsRoutes(net::Router& router, OpsDeps deps);

} // namespace hearth::api
