#pragma once
// Outbound HTTP(S) to identity providers, with libcurl. A transfer blocks, so it runs on a small
// pool of its own threads and the awaiting coroutine resumes on its own executor. Every request
// is bounded: http and https only, 10 s in all, at most 1 MiB of response body, redirects (GET
// only) only to the same scheme, certificates verified.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

namespace hearth::oauth {

struct HttpRequest {
  bool post = false; //!< POST `body` (form-encoded unless a Content-Type header says otherwise), else GET
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  std::string content_type;
  std::string body;
};

struct HttpLimits {
  std::chrono::milliseconds timeout{10000}; //!< the whole transfer, connecting included
  std::size_t max_body_bytes = 1024 * 1024;
  long max_redirects = 3;
};

class HttpClient {
public:
  explicit HttpClient(std::size_t threads = 2, HttpLimits limits = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  //! Performs the request off the I/O threads. kServiceUnavailable when the server cannot be
  //! reached, times out, or answers too much; any HTTP status is a success here.
  boost::asio::awaitable<core::Result<HttpResponse>> send(HttpRequest request);

  //! The same, blocking the calling thread (the pool's threads run this).
  core::Result<HttpResponse> perform(const HttpRequest& request) const;

private:
  struct Pool;
  HttpLimits limits_;
  std::atomic<bool> stopping_{false}; //!< set by the destructor: transfers in flight abort
  std::unique_ptr<Pool> pool_;
};

} // namespace hearth::oauth
