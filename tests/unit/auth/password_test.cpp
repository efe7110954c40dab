#include "auth/password.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace hearth::auth {
namespace {

namespace asio = boost::asio;

template <typename T> T run(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

TEST(PasswordHasher, HashesWithArgon2idAtOwaspParametersAndVerifies) {
  asio::io_context io;
  PasswordHasher hasher(1, 4);
  const auto hash = run(io, hasher.hash("correct horse battery staple"));
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_NE(*hash, run(io, hasher.hash("correct horse battery staple")).value()) << "salted";
  EXPECT_TRUE(run(io, hasher.verify(*hash, "correct horse battery staple")).value());
  EXPECT_FALSE(run(io, hasher.verify(*hash, "correct horse battery stapler")).value());
  EXPECT_FALSE(run(io, hasher.verify("not a hash", "x")).value());
  EXPECT_FALSE(run(io, hasher.verify(hasher.decoyHash(), "")).value());
}

TEST(PasswordHasher, RefusesWorkBeyondItsQueue) {
  asio::io_context io;
  PasswordHasher hasher(1, 1); // one hashing, one waiting
  std::vector<std::future<core::Result<std::string>>> results;
  for (int request_idx = 0; request_idx < 4; ++request_idx) {
    results.push_back(asio::co_spawn(io, hasher.hash("password " + std::to_string(request_idx)), asio::use_future));
  }
  io.run();
  int refused = 0;
  for (auto& result : results) {
    const auto value = result.get();
    if (!value) {
      EXPECT_EQ(value.error().code, core::ErrorCode::kServiceUnavailable);
      ++refused;
    }
  }
  EXPECT_EQ(refused, 2);
}

} // namespace
} // namespace hearth::auth
