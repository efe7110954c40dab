#include "auth/password.hpp"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <sodium.h>

namespace hearth::auth {

namespace asio = boost::asio;

struct PasswordHasher::Pool {
  explicit Pool(std::size_t threads) : pool(threads) {}
  asio::thread_pool pool;
};

namespace {
std::string hashNow(const std::string& password) {
  char encoded[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(encoded, password.data(), password.size(), PasswordHasher::kOpsLimit,
                            PasswordHasher::kMemLimitBytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return {}; // out of memory
  }
  return encoded;
}

// Releases an in-flight slot however the coroutine ends.
struct SlotGuard {
  std::atomic<std::size_t>& counter;
  ~SlotGuard() { counter.fetch_sub(1); }
};
} // namespace

PasswordHasher::PasswordHasher(std::size_t threads, std::size_t max_waiting)
    : pool_(std::make_unique<Pool>(threads)), max_in_flight_(threads + max_waiting) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  decoy_ = hashNow("decoy password for accounts that do not exist");
}

PasswordHasher::~PasswordHasher() { pool_->pool.join(); }

asio::awaitable<core::Result<std::string>> PasswordHasher::hash(std::string password) {
  if (in_flight_.fetch_add(1) >= max_in_flight_) {
    in_flight_.fetch_sub(1);
    co_return core::fail(core::ErrorCode::kServiceUnavailable, "The server is busy; try again in a moment");
  }
  SlotGuard slot{in_flight_};
  std::string encoded = co_await asio::co_spawn(
      pool_->pool, [&password]() -> asio::awaitable<std::string> { co_return hashNow(password); }, asio::use_awaitable);
  sodium_memzero(password.data(), password.size());
  if (encoded.empty()) co_return core::fail(core::ErrorCode::kGeneral, "Password hashing failed");
  co_return encoded;
}

asio::awaitable<core::Result<bool>> PasswordHasher::verify(std::string encoded, std::string password) {
  if (in_flight_.fetch_add(1) >= max_in_flight_) {
    in_flight_.fetch_sub(1);
    co_return core::fail(core::ErrorCode::kServiceUnavailable, "The server is busy; try again in a moment");
  }
  SlotGuard slot{in_flight_};
  const bool matches = co_await asio::co_spawn(
      pool_->pool,
      [&encoded, &password]() -> asio::awaitable<bool> {
        co_return crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
      },
      asio::use_awaitable);
  sodium_memzero(password.data(), password.size());
  co_return matches;
}

} // namespace hearth::auth
