#pragma once
// Password hashing with Argon2id (libsodium) at OWASP's parameters (19 MiB, t=2, p=1). Hashing
// costs tens of milliseconds of CPU, so it runs on a small pool of its own threads, never on an
// I/O thread, and a flood of logins waits in a bounded queue instead of starving the server.
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

namespace hearth::auth {

class PasswordHasher {
public:
  //! `threads` hash at once; at most `max_waiting` more may queue (others get kServiceUnavailable).
  PasswordHasher(std::size_t threads, std::size_t max_waiting);
  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  //! The encoded Argon2id hash ("$argon2id$v=19$m=19456,t=2,p=1$...").
  boost::asio::awaitable<core::Result<std::string>> hash(std::string password);
  //! Whether `password` matches `encoded`. A malformed `encoded` never matches.
  boost::asio::awaitable<core::Result<bool>> verify(std::string encoded, std::string password);
  //! A valid hash of nothing anyone knows: verifying against it when an account does not exist
  //! makes "no such account" take as long as "wrong password".
  const std::string& decoyHash() const noexcept { return decoy_; }

  //! The parameters, for tests and docs.
  static constexpr unsigned long long kOpsLimit = 2;
  static constexpr std::size_t kMemLimitBytes = 19 * 1024 * 1024;

private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
  std::size_t max_in_flight_;
  std::atomic<std::size_t> in_flight_{0};
  std::string decoy_;
};

} // namespace hearth::auth
