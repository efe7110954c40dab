#include "mail/mailer.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>

#include <curl/curl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace hearth::mail {

namespace {

std::string headerValue(std::string_view value) {
  std::string out;
  for (const char c : value)
    if (c != '\r' && c != '\n') out += c;
  return out;
}

std::string rfc5322Date() {
  const auto now = std::chrono::system_clock::now();
  return fmt::format("{:%a, %d %b %Y %H:%M:%S} +0000", fmt::gmtime(std::chrono::system_clock::to_time_t(now)));
}

std::int64_t unixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class OutboxMailer final : public Mailer {
public:
  OutboxMailer(std::filesystem::path dir, std::string from) : dir_(std::move(dir)), from_(std::move(from)) {}

  void send(Message message) override {
    std::lock_guard lock(mutex_);
    std::error_code error;
    std::filesystem::create_directories(dir_, error);
    const std::string name = fmt::format("{}-{}", unixMillis(), ++count_);
    const auto path = dir_ / (name + ".eml");
    std::ofstream out(path, std::ios::binary);
    out << formatMessage(from_, message, fmt::format("<{}@hearth.outbox>", name));
    if (!out.flush()) {
      spdlog::error("mail outbox: cannot write {}", path.string());
      return;
    }
    spdlog::info("mail to {} ({}) written to {}; link: {}", message.to, message.subject, path.string(), message.link);
  }
  std::string_view kind() const noexcept override { return "outbox"; }

private:
  std::filesystem::path dir_;
  std::string from_;
  std::mutex mutex_;
  std::uint64_t count_ = 0;
};

class SmtpMailer final : public Mailer {
public:
  SmtpMailer(SmtpConfig config, std::string from) : config_(std::move(config)), from_(std::move(from)) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    worker_ = std::thread([this] { run(); });
  }
  ~SmtpMailer() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  void send(Message message) override {
    {
      std::lock_guard lock(mutex_);
      if (queue_.size() >= config_.queue_limit) {
        spdlog::error("mail queue full ({}): mail to {} dropped", queue_.size(), message.to);
        return;
      }
      queue_.push_back(std::move(message));
    }
    wake_.notify_one();
  }
  std::string_view kind() const noexcept override { return "smtp"; }

private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) {
        if (!queue_.empty()) spdlog::warn("stopping with {} mails unsent", queue_.size());
        return;
      }
      Message message = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      deliver(message);
      lock.lock();
    }
  }

  // Tries a few times with growing pauses; waits are cut short by shutdown.
  void deliver(const Message& message) {
    std::chrono::seconds pause{1};
    for (int attempt = 1; attempt <= config_.attempts; ++attempt) {
      const std::string error = transmit(message);
      if (error.empty()) {
        spdlog::info("mail to {} ({}) sent", message.to, message.subject);
        return;
      }
      spdlog::warn("mail to {} failed (attempt {}/{}): {}", message.to, attempt, config_.attempts, error);
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, pause, [this] { return stopping_; })) return;
      pause *= 5;
    }
    spdlog::error("mail to {} ({}) given up after {} attempts", message.to, message.subject, config_.attempts);
  }

  struct Upload {
    std::string_view data;
    std::size_t offset = 0;
  };
  static std::size_t readChunk(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, upload->data.size() - upload->offset);
    std::copy_n(upload->data.data() + upload->offset, n, buffer);
    upload->offset += n;
    return n;
  }

  // One SMTP transaction; the error text, or empty on success.
  std::string transmit(const Message& message) {
    const std::string text = formatMessage(
        from_, message, fmt::format("<{}.{}@hearth>", unixMillis(), reinterpret_cast<std::uintptr_t>(&message)));
    Upload upload{text};
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return "curl_easy_init failed";
    curl_slist* recipients = nullptr;
    const std::string mail_from = "<" + addressOf(from_) + ">";
    const std::string rcpt = "<" + headerValue(message.to) + ">";
    recipients = curl_slist_append(recipients, rcpt.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &SmtpMailer::readChunk);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (!config_.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, config_.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.password.c_str());
    }
    if (config_.url.starts_with("smtp://") && config_.starttls) curl_easy_setopt(curl, CURLOPT_USE_SSL, CURLUSESSL_ALL);
    if (!config_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_file.c_str());
    const CURLcode code = curl_easy_perform(curl);
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    return code == CURLE_OK ? std::string() : std::string(curl_easy_strerror(code));
  }

  SmtpConfig config_;
  std::string from_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Message> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

} // namespace

std::string addressOf(std::string_view from) {
  const auto open = from.rfind('<');
  const auto close = from.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    return headerValue(from.substr(open + 1, close - open - 1));
  }
  return headerValue(from);
}

std::string formatMessage(std::string_view from, const Message& message, std::string_view message_id) {
  std::string text;
  text += "From: " + headerValue(from) + "\r\n";
  text += "To: " + headerValue(message.to) + "\r\n";
  text += "Subject: " + headerValue(message.subject) + "\r\n";
  text += "Date: " + rfc5322Date() + "\r\n";
  text += "Message-ID: " + headerValue(message_id) + "\r\n";
  text += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  // CRLF line ends; a line that is just "." would end the SMTP DATA early, so dot-stuff it.
  std::size_t start = 0;
  while (start <= message.text.size()) {
    auto end = message.text.find('\n', start);
    if (end == std::string::npos) end = message.text.size();
    std::string_view line(message.text.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with('.')) text += '.';
    text += line;
    text += "\r\n";
    start = end + 1;
  }
  return text;
}

std::unique_ptr<Mailer> makeOutboxMailer(std::filesystem::path dir, std::string from) {
  return std::make_unique<OutboxMailer>(std::move(dir), std::move(from));
}

std::unique_ptr<Mailer> makeSmtpMailer(SmtpConfig config, std::string from) {
  return std::make_unique<SmtpMailer>(std::move(config), std::move(from));
}

} // namespace hearth::mail
