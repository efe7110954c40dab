// The security side of accounts: two-factor (TOTP and recovery codes), MFA tickets, mailed
// verification and reset links, provider sign-in, avatars and account deletion.
#include <spdlog/spdlog.h>

#include "auth/password.hpp"
#include "auth/tokens.hpp"
#include "auth/totp.hpp"
#include "core/clock.hpp"
#include "core/image_info.hpp"
#include "core/snowflake.hpp"
#include "domain/accounts.hpp"
#include "domain/images.hpp"
#include "domain/internal.hpp"
#include "mail/mailer.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using core::FieldError;
using detail::fieldError;
using detail::formError;

namespace {

constexpr std::string_view kIssuer = "Hearth";

std::string minutesInterval(std::chrono::minutes minutes) { return std::to_string(minutes.count()) + " minutes"; }

std::unexpected<core::Error> invalidToken() {
  return fieldError("token", "INVALID_TOKEN", "This link is invalid or has expired. Ask for a new one.");
}
std::unexpected<core::Error> invalidCode() {
  return fieldError("code", "INVALID_MFA_CODE", "Invalid two-factor code.");
}

} // namespace

std::filesystem::path Accounts::avatarPath(std::uint64_t user_id, std::string_view avatar) const {
  return settings_.avatar_dir / std::to_string(user_id) / std::string(avatar);
}

asio::awaitable<core::Result<Accounts::Secrets>> Accounts::secrets(store::PgPool& pool, std::uint64_t user_id) {
  store::Params params{std::to_string(user_id)};
  auto found =
      co_await pool.query("SELECT username, coalesce(email, ''), password_hash, totp_secret, "
                          "totp_pending_secret, totp_last_step FROM users WHERE id = $1 AND deleted_at IS NULL",
                          std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return core::fail(ErrorCode::kUnknownUser, "Unknown User");
  const auto optional = [&](int column) -> std::optional<std::string> {
    if (found->isNull(0, column)) return std::nullopt;
    return std::string(found->text(0, column));
  };
  Secrets secrets;
  secrets.user_id = user_id;
  secrets.username = found->text(0, 0);
  secrets.email = found->text(0, 1);
  secrets.password_hash = optional(2);
  secrets.totp_secret = optional(3);
  secrets.totp_pending_secret = optional(4);
  secrets.totp_last_step = found->integer(0, 5);
  co_return secrets;
}

asio::awaitable<core::Result<void>> Accounts::checkPasswordOf(const Secrets& secrets,
                                                              std::optional<std::string> password) {
  if (!password || password->empty()) {
    co_return fieldError("password", "BASE_TYPE_REQUIRED", "Enter your current password.");
  }
  if (!secrets.password_hash) {
    co_return fieldError("password", "PASSWORD_NOT_SET",
                         "This account has no password yet. Set one with \"Forgot your password?\".");
  }
  std::string encoded = *secrets.password_hash;
  auto matches = co_await hasher_.verify(std::move(encoded), std::move(*password));
  if (!matches) co_return std::unexpected(matches.error());
  if (!*matches) co_return fieldError("password", "PASSWORD_DOES_NOT_MATCH", "Password does not match.");
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<void>> Accounts::checkSecondFactor(store::PgPool& pool, const Secrets& secrets,
                                                                std::optional<std::string> code) {
  if (!secrets.totp_secret) co_return core::Result<void>{};
  if (!code || code->empty()) co_return fieldError("code", "MFA_REQUIRED", "Enter a two-factor code.");
  const std::string id = std::to_string(secrets.user_id);
  if (auth::looksLikeTotp(*code)) {
    const auto step = auth::verifyTotp(*secrets.totp_secret, *code, clock_.unixMillis() / 1000, secrets.totp_last_step);
    if (!step) co_return invalidCode();
    // The condition makes the step single-use even when two requests race with one code.
    store::Params params{id, std::to_string(*step)};
    auto claimed = co_await pool.query("UPDATE users SET totp_last_step = $2 WHERE id = $1 AND "
                                       "(totp_last_step IS NULL OR totp_last_step < $2)",
                                       std::move(params));
    if (!claimed) co_return std::unexpected(claimed.error());
    if (claimed->affectedRows() != 1) co_return invalidCode();
    co_return core::Result<void>{};
  }
  store::Params params{id, auth::tokenHash(auth::normalizeRecoveryCode(*code))};
  auto spent = co_await pool.query("UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 "
                                   "AND used_at IS NULL",
                                   std::move(params));
  if (!spent) co_return std::unexpected(spent.error());
  if (spent->affectedRows() != 1) co_return invalidCode();
  spdlog::info("account {} used a recovery code", secrets.user_id);
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<std::vector<std::string>>>
Accounts::replaceRecoveryCodes(store::PgPool& pool, std::uint64_t user_id, bool enable_pending) {
  const std::string id = std::to_string(user_id);
  std::vector<std::string> codes;
  std::vector<store::Statement> statements;
  if (enable_pending) {
    // The step the confirming code used stays as totp_last_step: it can't be replayed at login.
    statements.push_back({"UPDATE users SET totp_secret = totp_pending_secret, totp_pending_secret = NULL "
                          "WHERE id = $1 AND totp_pending_secret IS NOT NULL",
                          {id}});
  }
  statements.push_back({"DELETE FROM recovery_codes WHERE user_id = $1", {id}});
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    codes.push_back(auth::newRecoveryCode());
    statements.push_back({"INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                          {id, auth::tokenHash(auth::normalizeRecoveryCode(codes.back()))}});
  }
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  co_return codes;
}

asio::awaitable<core::Result<void>> Accounts::mailToken(store::PgPool& pool, std::uint64_t user_id, std::string purpose,
                                                        std::string email, std::string username) {
  if (email.empty()) co_return core::Result<void>{};
  const bool reset = purpose == "reset";
  const std::string token = auth::newRefreshToken();
  const std::string lifetime =
      reset ? minutesInterval(kResetLinkLifetime) : std::to_string(kVerifyLinkLifetime.count()) + " hours";
  // A new link replaces older unused ones of the same kind.
  std::vector<store::Statement> statements;
  statements.push_back(
      {"UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
       {std::to_string(user_id), purpose}});
  statements.push_back({"INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) "
                        "VALUES ($1, $2, $3, $4, now() + $5::interval)",
                        {auth::tokenHash(token), std::to_string(user_id), purpose, email, lifetime}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  std::string base = settings_.public_url;
  while (base.ends_with('/'))
    base.pop_back();
  const std::string link = base + (reset ? "/reset#token=" : "/verify#token=") + token;
  mail::Message message;
  message.to = email;
  message.link = link;
  if (reset) {
    message.subject = "Reset your Hearth password";
    message.text = "Hi " + username +
                   ",\n\nSomeone (hopefully you) asked to reset the password of your Hearth "
                   "account. Open this link within 30 minutes to choose a new one:\n\n" +
                   link +
                   "\n\nIt works once. Resetting signs you out everywhere. If you didn't ask, ignore this mail: "
                   "your password stays as it is.\n";
  } else {
    message.subject = "Verify your email for Hearth";
    message.text = "Hi " + username +
                   ",\n\nConfirm that this is your email address by opening this link within "
                   "24 hours:\n\n" +
                   link + "\n\nIf you didn't sign up for Hearth, ignore this mail.\n";
  }
  mailer_.send(std::move(message));
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<std::string>> Accounts::storeAvatar(std::uint64_t user_id,
                                                                 const std::string& bytes) const {
  std::filesystem::path dir = settings_.avatar_dir / std::to_string(user_id);
  ImageLimits limits{settings_.avatar_max_bytes, settings_.avatar_max_side};
  std::string field = "avatar";
  co_return co_await storeImage(std::move(dir), bytes, limits, std::move(field));
}

asio::awaitable<core::Result<LoginOutcome>> Accounts::signInVerified(store::PgPool& pool, std::uint64_t user_id,
                                                                     ClientInfo client) {
  auto account = co_await secrets(pool, user_id);
  if (!account) co_return std::unexpected(account.error());
  LoginOutcome outcome;
  if (account->totp_secret) {
    outcome.mfa_ticket = auth::newRefreshToken();
    store::Params params{auth::tokenHash(outcome.mfa_ticket), std::to_string(user_id),
                         minutesInterval(kMfaTicketLifetime)};
    auto stored = co_await pool.query(
        "INSERT INTO mfa_tickets (ticket_hash, user_id, expires_at) VALUES ($1, $2, now() + $3::interval)",
        std::move(params));
    if (!stored) co_return std::unexpected(stored.error());
    co_return outcome;
  }
  auto session = co_await startSession(pool, user_id, client);
  if (!session) co_return std::unexpected(session.error());
  outcome.session = std::move(*session);
  co_return outcome;
}

asio::awaitable<core::Result<SignIn>> Accounts::completeMfa(store::PgPool& pool, std::string ticket, std::string code,
                                                            ClientInfo client) {
  const auto expired = [] {
    return fieldError("ticket", "MFA_TICKET_EXPIRED", "Your login attempt expired. Log in again.");
  };
  if (ticket.empty() || ticket.size() > 128) co_return expired();
  // Each try is counted before the code is checked, so parallel guesses share the budget.
  store::Params params{auth::tokenHash(ticket), std::to_string(kMfaTicketAttempts)};
  auto found = co_await pool.query("UPDATE mfa_tickets SET attempts = attempts + 1 WHERE ticket_hash = $1 AND "
                                   "used_at IS NULL AND expires_at > now() AND attempts < $2::int RETURNING user_id",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return expired();
  const auto user_id = static_cast<std::uint64_t>(found->integer(0, 0).value_or(0));
  auto account = co_await secrets(pool, user_id);
  if (!account) co_return std::unexpected(account.error());
  if (!account->totp_secret) co_return expired(); // turned off meanwhile: start again
  auto checked = co_await checkSecondFactor(pool, *account, std::move(code));
  if (!checked) co_return std::unexpected(checked.error());
  store::Params used_params{auth::tokenHash(ticket)};
  auto used = co_await pool.query("UPDATE mfa_tickets SET used_at = now() WHERE ticket_hash = $1 AND used_at IS NULL",
                                  std::move(used_params));
  if (!used) co_return std::unexpected(used.error());
  if (used->affectedRows() != 1) co_return expired();
  co_return co_await startSession(pool, user_id, client);
}

asio::awaitable<core::Result<std::uint64_t>> Accounts::createExternalUser(store::PgPool& pool,
                                                                          ExternalAccount account) {
  if (!account.email.empty()) {
    store::Params params{account.email};
    auto taken = co_await pool.query("SELECT 1 FROM users WHERE lower(email) = lower($1)", std::move(params));
    if (!taken) co_return std::unexpected(taken.error());
    if (taken->rows() != 0) {
      co_return fieldError("email", "EMAIL_ALREADY_REGISTERED", "An account with this email already exists.");
    }
  }
  // The provider's name, made valid: lower case, allowed characters only, 2-32 long.
  std::string base;
  for (const char c : normalizeUsername(account.username_hint)) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (allowed && !(c == '.' && base.ends_with('.'))) base += c;
  }
  if (base.size() < 2) base = "user";
  base = base.substr(0, 26);
  std::string display_name = account.display_name;
  if (checkDisplayName(display_name)) display_name.clear();
  const std::uint64_t user_id = ids_.next();
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::string username = base;
    if (attempt > 0) username += "_" + std::to_string(user_id % 100000 + static_cast<std::uint64_t>(attempt));
    store::Params params{std::to_string(user_id), account.email.empty() ? std::nullopt : std::optional(account.email),
                         username, display_name.empty() ? std::nullopt : std::optional(display_name),
                         account.email_verified && !account.email.empty() ? "true" : "false"};
    auto inserted = co_await pool.query("INSERT INTO users (id, email, username, display_name, email_verified) "
                                        "VALUES ($1, $2, $3, $4, $5::boolean)",
                                        std::move(params));
    if (inserted) {
      spdlog::info("account {} created through a provider ({})", user_id, username);
      co_return user_id;
    }
    if (inserted.error().message.find("users_email_key") != std::string::npos) {
      co_return fieldError("email", "EMAIL_ALREADY_REGISTERED", "An account with this email already exists.");
    }
    if (inserted.error().message.find("users_username_key") == std::string::npos) {
      co_return std::unexpected(inserted.error());
    }
  }
  co_return core::fail(ErrorCode::kGeneral, "Could not find a free username");
}

asio::awaitable<core::Result<User>> Accounts::verifyEmail(store::PgPool& pool, std::string token) {
  if (token.empty() || token.size() > 128) co_return invalidToken();
  // The link proves the address it was sent to, so it only verifies while that is still the
  // account's address.
  store::Params params{auth::tokenHash(token)};
  auto found = co_await pool.query(
      "WITH spent AS (UPDATE email_tokens SET used_at = now() WHERE token_hash = $1 AND purpose = 'verify' "
      "AND used_at IS NULL AND expires_at > now() RETURNING user_id, email) "
      "UPDATE users u SET email_verified = true FROM spent WHERE u.id = spent.user_id "
      "AND lower(u.email) = lower(spent.email) AND u.deleted_at IS NULL RETURNING u.id",
      std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return invalidToken();
  const auto user_id = static_cast<std::uint64_t>(found->integer(0, 0).value_or(0));
  spdlog::info("account {} verified its email", user_id);
  co_return co_await user(pool, user_id);
}

asio::awaitable<core::Result<void>> Accounts::resendVerification(store::PgPool& pool, std::uint64_t user_id) {
  auto account = co_await user(pool, user_id);
  if (!account) co_return std::unexpected(account.error());
  if (account->verified || account->email.empty()) co_return core::Result<void>{};
  co_return co_await mailToken(pool, user_id, "verify", account->email, account->username);
}

asio::awaitable<core::Result<void>> Accounts::forgotPassword(store::PgPool& pool, std::string login) {
  if (login.empty() || login.size() > 254) co_return core::Result<void>{};
  store::Params params{login, normalizeUsername(login)};
  auto found = co_await pool.query("SELECT id, email, username FROM users WHERE (lower(email) = lower($1) OR "
                                   "username = $2) AND deleted_at IS NULL AND email IS NOT NULL LIMIT 1",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  // The answer is the same either way: it must not tell whether the account exists.
  if (found->rows() == 0) co_return core::Result<void>{};
  const auto user_id = static_cast<std::uint64_t>(found->integer(0, 0).value_or(0));
  co_return co_await mailToken(pool, user_id, "reset", std::string(found->text(0, 1)), std::string(found->text(0, 2)));
}

asio::awaitable<core::Result<void>> Accounts::resetPassword(store::PgPool& pool, std::string token,
                                                            std::string password, std::optional<std::string> code) {
  if (token.empty() || token.size() > 128) co_return invalidToken();
  if (auto error = checkPassword(password)) co_return formError({*error});
  store::Params params{auth::tokenHash(token)};
  auto found = co_await pool.query("SELECT user_id FROM email_tokens WHERE token_hash = $1 AND purpose = 'reset' "
                                   "AND used_at IS NULL AND expires_at > now()",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return invalidToken();
  const auto user_id = static_cast<std::uint64_t>(found->integer(0, 0).value_or(0));
  auto account = co_await secrets(pool, user_id);
  if (!account) co_return invalidToken();
  // The mailbox alone is not enough when two-factor is on.
  auto second = co_await checkSecondFactor(pool, *account, std::move(code));
  if (!second) co_return std::unexpected(second.error());
  auto hashed = co_await hasher_.hash(std::move(password));
  if (!hashed) co_return std::unexpected(hashed.error());
  const std::string id = std::to_string(user_id);
  std::vector<store::Statement> statements;
  // Spending the token is the first statement and must change a row, or nothing happens.
  // (1/0 fails the whole pipeline when a racing request spent the token first.)
  statements.push_back({"WITH spent AS (UPDATE email_tokens SET used_at = now() WHERE token_hash = $1 AND "
                        "used_at IS NULL AND expires_at > now() RETURNING 1) SELECT 1 / count(*)::int FROM spent",
                        {auth::tokenHash(token)}});
  // The mailbox was reached, so it is verified too.
  statements.push_back({"UPDATE users SET password_hash = $2, email_verified = true WHERE id = $1", {id, *hashed}});
  statements.push_back({"UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", {id}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) {
    if (written.error().message.find("division by zero") != std::string::npos) co_return invalidToken();
    co_return std::unexpected(written.error());
  }
  spdlog::info("account {} reset its password; every session ended", user_id);
  ended({user_id, 0, 0});
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<TotpSetup>> Accounts::setupTotp(store::PgPool& pool, std::uint64_t user_id,
                                                             std::string password) {
  auto account = co_await secrets(pool, user_id);
  if (!account) co_return std::unexpected(account.error());
  auto password_ok = co_await checkPasswordOf(*account, std::move(password));
  if (!password_ok) co_return std::unexpected(password_ok.error());
  if (account->totp_secret) {
    co_return fieldError("password", "MFA_ALREADY_ENABLED", "Two-factor authentication is already on.");
  }
  TotpSetup setup;
  setup.secret = auth::newTotpSecret();
  setup.uri = auth::otpauthUri(kIssuer, account->username, setup.secret);
  store::Params params{std::to_string(user_id), setup.secret};
  auto stored = co_await pool.query("UPDATE users SET totp_pending_secret = $2 WHERE id = $1", std::move(params));
  if (!stored) co_return std::unexpected(stored.error());
  co_return setup;
}

asio::awaitable<core::Result<std::vector<std::string>>> Accounts::enableTotp(store::PgPool& pool, std::uint64_t user_id,
                                                                             std::string code) {
  auto account = co_await secrets(pool, user_id);
  if (!account) co_return std::unexpected(account.error());
  if (account->totp_secret) {
    co_return fieldError("code", "MFA_ALREADY_ENABLED", "Two-factor authentication is already on.");
  }
  if (!account->totp_pending_secret) {
    co_return fieldError("code", "MFA_NOT_SET_UP", "Start the two-factor setup again.");
  }
  // The confirming code is checked against the pending secret and claims its step.
  Secrets pending = *account;
  pending.totp_secret = account->totp_pending_secret;
  auto checked = co_await checkSecondFactor(pool, pending, std::move(code));
  if (!checked) co_return std::unexpected(checked.error());
  auto codes = co_await replaceRecoveryCodes(pool, user_id, true);
  if (codes) spdlog::info("account {} turned two-factor on", user_id);
  co_return codes;
}

asio::awaitable<core::Result<void>> Accounts::disableTotp(store::PgPool& pool, std::uint64_t user_id,
                                                          std::string password, std::string code) {
  auto account = co_await secrets(pool, user_id);
  if (!account) co_return std::unexpected(account.error());
  if (!account->totp_secret) co_return fieldError("code", "MFA_NOT_ENABLED", "Two-factor authentication is off.");
  auto password_ok = co_await checkPasswordOf(*account, std::move(password));
  if (!password_ok) co_return std::unexpected(password_ok.error());
  auto code_ok = co_await checkSecondFactor(pool, *account, std::move(code));
  if (!code_ok) co_return std::unexpected(code_ok.error());
  const std::string id = std::to_string(user_id);
  std::vector<store::Statement> statements;
  statements.push_back({"UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL WHERE id = $1", {id}});
  statements.push_back({"DELETE FROM recovery_codes WHERE user_id = $1", {id}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  spdlog::info("account {} turned two-factor off", user_id);
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<std::vector<std::string>>>
Accounts::regenerateRecoveryCodes(store::PgPool& pool, std::uint64_t user_id, std::string password, std::string code) {
  auto account = co_await secrets(pool, user_id);
  if (!account) co_return std::unexpected(account.error());
  if (!account->totp_secret) co_return fieldError("code", "MFA_NOT_ENABLED", "Two-factor authentication is off.");
  auto password_ok = co_await checkPasswordOf(*account, std::move(password));
  if (!password_ok) co_return std::unexpected(password_ok.error());
  auto code_ok = co_await checkSecondFactor(pool, *account, std::move(code));
  if (!code_ok) co_return std::unexpected(code_ok.error());
  co_return co_await replaceRecoveryCodes(pool, user_id, false);
}

asio::awaitable<core::Result<void>> Accounts::revokeAllSessions(store::PgPool& pool, std::uint64_t user_id) {
  store::Params params{std::to_string(user_id)};
  auto revoked = co_await pool.query(
      "UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", std::move(params));
  if (!revoked) co_return std::unexpected(revoked.error());
  ended({user_id, 0, 0});
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<void>> Accounts::deleteAccount(store::PgPool& pool, std::uint64_t user_id,
                                                            std::optional<std::string> password,
                                                            std::optional<std::string> code,
                                                            std::optional<std::string> confirm) {
  auto account = co_await secrets(pool, user_id);
  if (!account) co_return std::unexpected(account.error());
  if (account->password_hash) {
    auto password_ok = co_await checkPasswordOf(*account, std::move(password));
    if (!password_ok) co_return std::unexpected(password_ok.error());
  } else if (!confirm || normalizeUsername(*confirm) != account->username) {
    co_return fieldError("confirm", "CONFIRM_USERNAME", "Type your username to confirm.");
  }
  auto code_ok = co_await checkSecondFactor(pool, *account, std::move(code));
  if (!code_ok) co_return std::unexpected(code_ok.error());
  // The row stays as an anonymous tombstone so what others received from this account (messages,
  // later) keeps an author; everything that identifies the person or signs them in goes.
  const std::string id = std::to_string(user_id);
  std::vector<store::Statement> statements;
  statements.push_back({"UPDATE users SET email = NULL, username = 'deleted_user_' || to_hex(id), display_name = NULL, "
                        "password_hash = NULL, email_verified = false, bio = NULL, avatar = NULL, totp_secret = NULL, "
                        "totp_pending_secret = NULL, deleted_at = now() WHERE id = $1",
                        {id}});
  statements.push_back({"DELETE FROM auth_sessions WHERE user_id = $1", {id}});
  statements.push_back({"DELETE FROM email_tokens WHERE user_id = $1", {id}});
  statements.push_back({"DELETE FROM recovery_codes WHERE user_id = $1", {id}});
  statements.push_back({"DELETE FROM mfa_tickets WHERE user_id = $1", {id}});
  statements.push_back({"DELETE FROM user_identities WHERE user_id = $1", {id}});
  statements.push_back({"DELETE FROM oauth_states WHERE link_user_id = $1", {id}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  std::error_code error;
  std::filesystem::remove_all(settings_.avatar_dir / id, error);
  spdlog::info("account {} deleted", user_id);
  ended({user_id, 0, 0});
  co_return core::Result<void>{};
}

} // namespace hearth::domain
