#include "push/sender.hpp"

#include <sys/socket.h>

#include <memory>
#include <stdexcept>

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace hearth::push {

namespace {

constexpr std::size_t kMaxResponseBytes = 4096;
constexpr std::int64_t kJwtLifetimeSeconds = 12 * 3600; // renewed after 12 h; valid for 24 h

struct EasyFree {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct SlistFree {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

struct Transfer {
  std::size_t received = 0;
  bool allow_loopback = false;
  bool refused_address = false;
  const std::atomic<bool>* abort = nullptr;
};

extern "C" std::size_t pushDiscardBody(char*, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  transfer->received += size * count;
  return transfer->received > kMaxResponseBytes ? 0 : size * count;
}

extern "C" int pushProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->abort->load() ? 1 : 0;
}

// The SSRF guard: libcurl resolved the host; the address it is about to connect to must be
// public, whatever DNS said when the subscription was made (DNS rebinding).
extern "C" curl_socket_t pushOpenCheckedSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* transfer = static_cast<Transfer*>(user);
  if (purpose != CURLSOCKTYPE_IPCXN || !publicAddress(&address->addr, transfer->allow_loopback)) {
    transfer->refused_address = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

std::string pathless(const std::string& endpoint) { return originOf(endpoint) + "/…"; }

std::once_flag curl_initialised;

} // namespace

PushSender::PushSender(SenderConfig config, EcKeyPair vapid, const core::Clock& clock, GoneFn on_gone)
    : config_(std::move(config)), vapid_(std::move(vapid)), clock_(clock), on_gone_(std::move(on_gone)) {
  std::call_once(curl_initialised, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("libcurl failed to initialise");
  });
  for (std::size_t index = 0; index < std::max<std::size_t>(1, config_.threads); ++index)
    threads_.emplace_back([this] { run(); });
}

PushSender::~PushSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  abort_ = true;
  wake_.notify_all();
  for (auto& thread : threads_)
    thread.join();
}

bool PushSender::enqueue(PushJob job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    if (queue_.size() >= config_.queue_limit) {
      ++dropped_;
      if (!dropping_) spdlog::warn("push: queue full ({} pushes); dropping new ones", queue_.size());
      dropping_ = true;
      return false;
    }
    dropping_ = false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void PushSender::run() {
  for (;;) {
    PushJob job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    PushOutcome outcome = deliverOnce(job);
    if (outcome == PushOutcome::kRetry) {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, config_.retry_pause, [this] { return stopping_; })) return;
      lock.unlock();
      outcome = deliverOnce(job);
    }
    switch (outcome) {
    case PushOutcome::kDelivered: ++delivered_; break;
    case PushOutcome::kGone:
      ++gone_;
      if (on_gone_) on_gone_(job.subscription);
      break;
    case PushOutcome::kRetry:
    case PushOutcome::kFailed: ++failed_; break;
    }
  }
}

core::Result<std::string> PushSender::jwtFor(const std::string& origin) {
  const std::int64_t now = clock_.unixMillis() / 1000;
  std::lock_guard lock(jwt_mutex_);
  for (const auto& cached : jwts_) {
    if (cached.origin == origin && cached.renew_at > now) return cached.jwt;
  }
  auto jwt = vapidJwt(vapid_, origin, now + 2 * kJwtLifetimeSeconds - 60, config_.contact);
  if (!jwt) return jwt;
  std::erase_if(jwts_, [&](const CachedJwt& cached) { return cached.origin == origin || cached.renew_at <= now; });
  jwts_.push_back({origin, *jwt, now + kJwtLifetimeSeconds});
  return jwt;
}

PushOutcome PushSender::deliverOnce(const PushJob& job) {
  const auto& subscription = job.subscription;
  // The policy again at send time: a row written before a flag changed, or by hand.
  if (!checkEndpoint(subscription.endpoint, config_.policy)) {
    spdlog::warn("push: endpoint {} refused by policy", pathless(subscription.endpoint));
    return PushOutcome::kFailed;
  }
  auto body = encryptMessage(job.payload, subscription.p256dh, subscription.auth);
  if (!body) {
    spdlog::warn("push: cannot encrypt for session {}: {}", subscription.session_id, body.error().message);
    return PushOutcome::kFailed;
  }
  auto jwt = jwtFor(originOf(subscription.endpoint));
  if (!jwt) {
    spdlog::error("push: VAPID signing failed: {}", jwt.error().message);
    return PushOutcome::kFailed;
  }
  std::unique_ptr<CURL, EasyFree> easy(curl_easy_init());
  if (!easy) return PushOutcome::kFailed;
  std::unique_ptr<curl_slist, SlistFree> headers;
  const std::vector<std::string> lines{"Authorization: " + vapidAuthorization(*jwt, vapid_.public_key),
                                       "Content-Encoding: aes128gcm",
                                       "Content-Type: application/octet-stream",
                                       "TTL: " + std::to_string(config_.ttl_seconds),
                                       std::string("Urgency: ") + (job.urgent ? "high" : "normal"),
                                       "Expect:"};
  for (const auto& line : lines) {
    curl_slist* extended = curl_slist_append(headers.get(), line.c_str());
    if (extended == nullptr) return PushOutcome::kFailed;
    headers.release();
    headers.reset(extended);
  }
  Transfer transfer;
  transfer.allow_loopback = config_.policy.allow_insecure_loopback;
  transfer.abort = &abort_;
  CURL* handle = easy.get();
  const bool insecure = subscription.endpoint.starts_with("http://");
  curl_easy_setopt(handle, CURLOPT_URL, subscription.endpoint.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, insecure ? "http" : "https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*"); // a proxy would connect where we cannot check
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.timeout.count()));
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, pushOpenCheckedSocket);
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, pushDiscardBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, pushProgress);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "Hearth");
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body->data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
  const CURLcode code = curl_easy_perform(handle);
  if (transfer.refused_address) {
    spdlog::warn("push: {} resolves to a private or local address; not sent", pathless(subscription.endpoint));
    return PushOutcome::kFailed;
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && status != 0)) {
    spdlog::warn("push: {}: {}", pathless(subscription.endpoint), curl_easy_strerror(code));
    return PushOutcome::kRetry;
  }
  if (status >= 200 && status < 300) return PushOutcome::kDelivered;
  if (status == 404 || status == 410) {
    spdlog::info("push: subscription of session {} is gone ({}); removing it", subscription.session_id, status);
    return PushOutcome::kGone;
  }
  spdlog::warn("push: {} answered {}", pathless(subscription.endpoint), status);
  return status == 429 || status >= 500 ? PushOutcome::kRetry : PushOutcome::kFailed;
}

PushSender::Stats PushSender::stats() const {
  return Stats{delivered_.load(), gone_.load(), failed_.load(), dropped_.load()};
}

std::string PushSender::metricsText() const {
  const Stats now = stats();
  return fmt::format("# TYPE hearth_push_sent_total counter\n"
                     "hearth_push_sent_total{{outcome=\"delivered\"}} {}\n"
                     "hearth_push_sent_total{{outcome=\"gone\"}} {}\n"
                     "hearth_push_sent_total{{outcome=\"failed\"}} {}\n"
                     "hearth_push_sent_total{{outcome=\"dropped\"}} {}\n",
                     now.delivered, now.gone, now.failed, now.dropped);
}

} // namespace hearth::push
