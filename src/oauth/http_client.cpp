#include "oauth/http_client.hpp"

#include <mutex>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <curl/curl.h>
#include <fmt/format.h>

namespace hearth::oauth {

namespace asio = boost::asio;

struct HttpClient::Pool {
  explicit Pool(std::size_t threads) : pool(threads) {}
  asio::thread_pool pool;
};

namespace {

struct EasyFree {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct SlistFree {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

struct Transfer {
  std::string body;
  std::size_t max_body_bytes = 0;
  bool too_large = false;
  const std::atomic<bool>* stopping = nullptr;
};

extern "C" std::size_t writeBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer->body.size() + bytes > transfer->max_body_bytes) {
    transfer->too_large = true;
    return 0; // ends the transfer with CURLE_WRITE_ERROR
  }
  transfer->body.append(data, bytes);
  return bytes;
}

extern "C" int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->stopping->load() ? 1 : 0;
}

core::Result<HttpResponse> unreachable(const HttpRequest& request, std::string_view reason) {
  // The URL is the provider's endpoint (configuration or its discovery document), never a secret.
  const auto query = request.url.find('?');
  return core::fail(core::ErrorCode::kServiceUnavailable,
                    fmt::format("{} {}: {}", request.post ? "POST" : "GET", request.url.substr(0, query), reason));
}

std::once_flag curl_initialised;

} // namespace

HttpClient::HttpClient(std::size_t threads, HttpLimits limits) : limits_(limits) {
  std::call_once(curl_initialised, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("libcurl failed to initialise");
  });
  pool_ = std::make_unique<Pool>(threads);
}

HttpClient::~HttpClient() {
  stopping_ = true;
  pool_->pool.join();
}

asio::awaitable<core::Result<HttpResponse>> HttpClient::send(HttpRequest request) {
  co_return co_await asio::co_spawn(
      pool_->pool, [this, &request]() -> asio::awaitable<core::Result<HttpResponse>> { co_return perform(request); },
      asio::use_awaitable);
}

core::Result<HttpResponse> HttpClient::perform(const HttpRequest& request) const {
  const bool https = request.url.starts_with("https://");
  if (!https && !request.url.starts_with("http://")) return unreachable(request, "only http and https are allowed");
  std::unique_ptr<CURL, EasyFree> easy(curl_easy_init());
  if (!easy) return unreachable(request, "libcurl could not start a transfer");
  Transfer transfer;
  transfer.max_body_bytes = limits_.max_body_bytes;
  transfer.stopping = &stopping_;
  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* extended = curl_slist_append(headers.get(), line.c_str());
    if (extended == nullptr) return unreachable(request, "out of memory");
    headers.release();
    headers.reset(extended);
  }
  CURL* handle = easy.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(limits_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(limits_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits_.max_body_bytes));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, writeBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "Hearth");
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, ""); // whatever libcurl can decode
  if (headers) curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  if (request.post) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    // A redirect may not leave TLS; a POST (carrying the client secret) is never redirected.
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle, CURLOPT_MAXREDIRS, limits_.max_redirects);
    curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
  }
  const CURLcode code = curl_easy_perform(handle);
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return unreachable(request, fmt::format("response larger than {} bytes", limits_.max_body_bytes));
  }
  if (code != CURLE_OK) return unreachable(request, curl_easy_strerror(code));
  HttpResponse response;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  char* content_type = nullptr;
  if (curl_easy_getinfo(handle, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type != nullptr) {
    response.content_type = content_type;
  }
  response.body = std::move(transfer.body);
  return response;
}

} // namespace hearth::oauth
