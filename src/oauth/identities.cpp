#include "oauth/identities.hpp"

#include "store/pg.hpp"

namespace hearth::oauth {

namespace asio = boost::asio;

namespace {

std::optional<std::string> orNull(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return text;
}

} // namespace

asio::awaitable<core::Result<void>> saveFlow(store::PgPool& pool, PendingFlow flow, std::int64_t now_ms) {
  std::vector<store::Statement> statements;
  // Expired flows are swept whenever a new one starts: the table stays as small as the number
  // of sign-ins of the last ten minutes, without a timer.
  statements.push_back({"DELETE FROM oauth_states WHERE expires_at < to_timestamp($1::bigint / 1000.0)",
                        store::Params{std::to_string(now_ms)}});
  statements.push_back(
      {"INSERT INTO oauth_states (state_hash, provider, browser_hash, link_user_id, expires_at) "
       "VALUES ($1, $2, $3, $4, to_timestamp($5::bigint / 1000.0))",
       store::Params{flow.state_hash, flow.provider, flow.browser_hash,
                     flow.link_user_id == 0 ? std::nullopt : std::optional(std::to_string(flow.link_user_id)),
                     std::to_string(flow.expires_at_ms)}});
  auto done = co_await pool.pipeline(std::move(statements));
  if (!done) co_return std::unexpected(done.error());
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<std::optional<PendingFlow>>> takeFlow(store::PgPool& pool, std::string state_hash,
                                                                   std::string browser_hash, std::int64_t now_ms) {
  store::Params params{state_hash, browser_hash};
  // One statement finds and deletes, so two requests with the same state cannot both get it.
  auto taken = co_await pool.query("DELETE FROM oauth_states WHERE state_hash = $1 AND browser_hash = $2 "
                                   "RETURNING provider, link_user_id, (extract(epoch FROM expires_at) * 1000)::bigint",
                                   std::move(params));
  if (!taken) co_return std::unexpected(taken.error());
  if (taken->rows() == 0) co_return std::optional<PendingFlow>();
  PendingFlow flow;
  flow.state_hash = std::move(state_hash);
  flow.browser_hash = std::move(browser_hash);
  flow.provider = std::string(taken->text(0, 0));
  flow.link_user_id = static_cast<std::uint64_t>(taken->integer(0, 1).value_or(0));
  flow.expires_at_ms = taken->integer(0, 2).value_or(0);
  if (flow.expires_at_ms < now_ms) co_return std::optional<PendingFlow>();
  co_return std::optional<PendingFlow>(std::move(flow));
}

asio::awaitable<core::Result<std::optional<std::uint64_t>>> identityOwner(store::PgPool& pool, std::string provider,
                                                                          std::string subject) {
  store::Params params{std::move(provider), std::move(subject)};
  auto found = co_await pool.query("SELECT user_id FROM user_identities WHERE provider = $1 AND subject = $2",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return std::optional<std::uint64_t>();
  co_return std::optional<std::uint64_t>(static_cast<std::uint64_t>(found->integer(0, 0).value_or(0)));
}

asio::awaitable<core::Result<LinkOutcome>> linkIdentity(store::PgPool& pool, Identity identity) {
  store::Params params{identity.provider, identity.subject, std::to_string(identity.user_id), identity.display,
                       orNull(identity.email)};
  // ON CONFLICT covers both keys: (provider, subject) and (user_id, provider).
  auto inserted = co_await pool.query("INSERT INTO user_identities (provider, subject, user_id, display, email) "
                                      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1",
                                      std::move(params));
  if (!inserted) co_return std::unexpected(inserted.error());
  if (inserted->rows() == 1) co_return LinkOutcome::kLinked;
  std::string provider = identity.provider;
  std::string subject = identity.subject;
  auto owner = co_await identityOwner(pool, std::move(provider), std::move(subject));
  if (!owner) co_return std::unexpected(owner.error());
  if (*owner == identity.user_id) co_return LinkOutcome::kAlreadyLinked;
  if (owner->has_value()) co_return LinkOutcome::kTakenByOther;
  co_return LinkOutcome::kProviderTaken;
}

asio::awaitable<core::Result<void>> refreshIdentity(store::PgPool& pool, Identity identity) {
  store::Params params{identity.provider, identity.subject, identity.display, orNull(identity.email)};
  auto updated =
      co_await pool.query("UPDATE user_identities SET display = $3, email = $4 WHERE provider = $1 AND subject = $2 "
                          "AND (display IS DISTINCT FROM $3 OR email IS DISTINCT FROM $4)",
                          std::move(params));
  if (!updated) co_return std::unexpected(updated.error());
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<std::vector<Identity>>> identitiesOf(store::PgPool& pool, std::uint64_t user_id) {
  store::Params params{std::to_string(user_id)};
  auto found = co_await pool.query("SELECT provider, subject, display, coalesce(email, ''), "
                                   "to_json(created_at)#>>'{}' FROM user_identities WHERE user_id = $1 "
                                   "ORDER BY created_at, provider",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<Identity> identities;
  for (int row_idx = 0; row_idx < found->rows(); ++row_idx) {
    Identity identity;
    identity.provider = std::string(found->text(row_idx, 0));
    identity.subject = std::string(found->text(row_idx, 1));
    identity.user_id = user_id;
    identity.display = std::string(found->text(row_idx, 2));
    identity.email = std::string(found->text(row_idx, 3));
    identity.created_at = std::string(found->text(row_idx, 4));
    identities.push_back(std::move(identity));
  }
  co_return identities;
}

asio::awaitable<core::Result<void>> unlinkIdentity(store::PgPool& pool, std::uint64_t user_id, std::string provider,
                                                   bool has_password) {
  auto lease = co_await pool.acquire();
  if (!lease) co_return std::unexpected(lease.error());
  // A failure below returns the lease inside the transaction; the pool discards such a
  // connection, which rolls it back.
  auto begun = co_await lease->query("BEGIN");
  if (!begun) co_return std::unexpected(begun.error());
  store::Params lock_params{std::to_string(user_id)};
  auto locked = co_await lease->query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", std::move(lock_params));
  if (!locked) co_return std::unexpected(locked.error());
  store::Params delete_params{std::to_string(user_id), provider, has_password ? "true" : "false"};
  auto deleted = co_await lease->query(
      "DELETE FROM user_identities WHERE user_id = $1 AND provider = $2 AND ($3::boolean OR EXISTS "
      "(SELECT 1 FROM user_identities WHERE user_id = $1 AND provider <> $2)) RETURNING 1",
      std::move(delete_params));
  if (!deleted) co_return std::unexpected(deleted.error());
  bool exists = true;
  if (deleted->rows() == 0) {
    store::Params exists_params{std::to_string(user_id), provider};
    auto found = co_await lease->query("SELECT 1 FROM user_identities WHERE user_id = $1 AND provider = $2",
                                       std::move(exists_params));
    if (!found) co_return std::unexpected(found.error());
    exists = found->rows() == 1;
  }
  auto committed = co_await lease->query("COMMIT");
  if (!committed) co_return std::unexpected(committed.error());
  if (!exists) co_return core::fail(core::ErrorCode::kNotFound, "Unknown Connection");
  if (deleted->rows() == 0) {
    co_return core::fail(core::ErrorCode::kInvalidFormBody,
                         "Set a password or link another provider before removing your only way to sign in.");
  }
  co_return core::Result<void>{};
}

} // namespace hearth::oauth
