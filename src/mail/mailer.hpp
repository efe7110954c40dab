#pragma once
// Outgoing mail (verification and password-reset links, notices). Two implementations behind
// one interface: SMTP through libcurl (host, port, STARTTLS or implicit TLS, login), and, when
// no SMTP server is configured, an outbox folder (<data-dir>/mail/) plus a log line with the
// link, so a single-node admin can act on it. send() never blocks the caller.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace hearth::mail {

struct Message {
  std::string to; //!< one address
  std::string subject;
  std::string text; //!< plain text body, UTF-8
  std::string link; //!< the action link in the body, logged by the outbox (never by SMTP)
};

struct SmtpConfig {
  std::string url; //!< smtp://host:port (STARTTLS) or smtps://host:port (implicit TLS)
  std::string username; //!< empty: no AUTH
  std::string password;
  bool starttls = true; //!< for smtp://: require STARTTLS; false sends in the clear (loopback only!)
  std::string ca_file; //!< extra CA bundle to trust (self-signed relays)
  std::size_t queue_limit = 10000; //!< mails waiting beyond this are dropped with an error
  int attempts = 4; //!< tries per mail, with growing pauses (1 s, 5 s, 25 s)
};

class Mailer {
public:
  virtual ~Mailer() = default;
  //! Queues or writes the mail; failures are logged, never thrown.
  virtual void send(Message message) = 0;
  //! "smtp" or "outbox", for logs and /metrics.
  virtual std::string_view kind() const noexcept = 0;
};

//! Writes each mail as <dir>/<unix ms>-<n>.eml and logs its link.
std::unique_ptr<Mailer> makeOutboxMailer(std::filesystem::path dir, std::string from);
//! Sends through an SMTP server from one background thread.
std::unique_ptr<Mailer> makeSmtpMailer(SmtpConfig config, std::string from);

//! The RFC 5322 text of a mail: headers (CR and LF removed from values) and a CRLF body.
std::string formatMessage(std::string_view from, const Message& message, std::string_view message_id);
//! The bare address of "Name <addr@host>" or "addr@host".
std::string addressOf(std::string_view from);

} // namespace hearth::mail
