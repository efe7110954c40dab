#include "push/subscriptions.hpp"

#include "auth/tokens.hpp"
#include "store/pg.hpp"

namespace hearth::push {

boost::asio::awaitable<core::Result<bool>> saveSubscription(store::PgPool& pool, Subscription subscription) {
  store::Params params{std::to_string(subscription.session_id), std::to_string(subscription.user_id),
                       subscription.endpoint, auth::base64UrlEncode(subscription.p256dh),
                       auth::base64UrlEncode(subscription.auth)};
  // xmax <> 0 tells an update (a replaced subscription) from an insert.
  auto saved = co_await pool.query(
      "INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth) "
      "SELECT $1, $2, $3, $4, $5 FROM auth_sessions WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL "
      "ON CONFLICT (session_id) DO UPDATE SET endpoint = EXCLUDED.endpoint, p256dh = EXCLUDED.p256dh, "
      "auth = EXCLUDED.auth, created_at = now() RETURNING xmax <> 0",
      std::move(params));
  if (!saved) co_return std::unexpected(saved.error());
  if (saved->rows() == 0) co_return core::fail(core::ErrorCode::kUnauthorized, "Session ended");
  co_return saved->text(0, 0) == "t";
}

boost::asio::awaitable<core::Result<bool>> deleteSubscription(store::PgPool& pool, std::uint64_t session_id) {
  store::Params params{std::to_string(session_id)};
  auto removed =
      co_await pool.query("DELETE FROM push_subscriptions WHERE session_id = $1 RETURNING 1", std::move(params));
  if (!removed) co_return std::unexpected(removed.error());
  co_return removed->rows() > 0;
}

boost::asio::awaitable<core::Result<void>> deleteGoneSubscription(store::PgPool& pool, std::uint64_t session_id,
                                                                  std::string endpoint) {
  store::Params params{std::to_string(session_id), std::move(endpoint)};
  auto removed =
      co_await pool.query("DELETE FROM push_subscriptions WHERE session_id = $1 AND endpoint = $2", std::move(params));
  if (!removed) co_return std::unexpected(removed.error());
  co_return core::Result<void>{};
}

boost::asio::awaitable<core::Result<std::vector<Subscription>>> subscriptionsOf(store::PgPool& pool,
                                                                                std::vector<std::uint64_t> users) {
  std::vector<Subscription> out;
  if (users.empty()) co_return out;
  std::string list = "{";
  for (const auto user : users) {
    if (list.size() > 1) list += ',';
    list += std::to_string(user);
  }
  list += '}';
  store::Params params{std::move(list)};
  auto found =
      co_await pool.query("SELECT p.session_id, p.user_id, p.endpoint, p.p256dh, p.auth FROM push_subscriptions p "
                          "JOIN auth_sessions s ON s.id = p.session_id "
                          "WHERE p.user_id = ANY($1::bigint[]) AND s.revoked_at IS NULL AND s.expires_at > now()",
                          std::move(params));
  if (!found) co_return std::unexpected(found.error());
  for (int row = 0; row < found->rows(); ++row) {
    Subscription subscription;
    subscription.session_id = static_cast<std::uint64_t>(found->integer(row, 0).value_or(0));
    subscription.user_id = static_cast<std::uint64_t>(found->integer(row, 1).value_or(0));
    subscription.endpoint = std::string(found->text(row, 2));
    if (!auth::base64UrlDecode(found->text(row, 3), subscription.p256dh) ||
        !auth::base64UrlDecode(found->text(row, 4), subscription.auth)) {
      continue;
    }
    out.push_back(std::move(subscription));
  }
  co_return out;
}

boost::asio::awaitable<core::Result<EcKeyPair>> loadOrCreateVapidKey(store::PgPool& pool) {
  auto fresh = generateKeyPair();
  if (!fresh) co_return std::unexpected(fresh.error());
  store::Params params{auth::base64UrlEncode(fresh->private_key), auth::base64UrlEncode(fresh->public_key)};
  auto inserted = co_await pool.query(
      "INSERT INTO vapid_keys (id, private_key, public_key) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING",
      std::move(params));
  if (!inserted) co_return std::unexpected(inserted.error());
  auto stored = co_await pool.query("SELECT private_key FROM vapid_keys WHERE id = 1");
  if (!stored) co_return std::unexpected(stored.error());
  std::string private_key;
  if (stored->rows() != 1 || !auth::base64UrlDecode(stored->text(0, 0), private_key)) {
    co_return core::fail(core::ErrorCode::kDatabase, "vapid_keys holds no usable key");
  }
  co_return keyPairFromPrivate(private_key);
}

} // namespace hearth::push
