#include "domain/accounts.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "auth/password.hpp"
#include "auth/tokens.hpp"
#include "core/clock.hpp"
#include "core/snowflake.hpp"
#include "domain/internal.hpp"
#include "mail/mailer.hpp"
#include "store/pg.hpp"

namespace hearth::domain {

namespace asio = boost::asio;
using core::ErrorCode;
using core::FieldError;

namespace {

const std::string kInvalidLogin = "Login or password is invalid.";
const std::string kSessionInterval = detail::sessionInterval();
//! How long a rotated refresh token still refreshes (Accounts::refresh).
const std::string kReuseGrace = "30 seconds";

using detail::codePoints;
using detail::formError;

// Discord's field errors, with the sentence itself as the top-level message for clients that
// show only that.
std::unexpected<core::Error> invalidLogin() {
  return std::unexpected(core::Error{
      ErrorCode::kInvalidFormBody,
      kInvalidLogin,
      {FieldError{"login", "INVALID_LOGIN", kInvalidLogin}, FieldError{"password", "INVALID_LOGIN", kInvalidLogin}}});
}

} // namespace

std::string normalizeUsername(std::string_view username) {
  std::string out(username);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

std::optional<FieldError> checkUsername(std::string_view username_text) {
  const std::string username = normalizeUsername(username_text);
  const bool allowed_chars = std::all_of(username.begin(), username.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
  });
  if (username.size() < 2 || username.size() > 32) {
    return FieldError{"username", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 32 characters."};
  }
  if (!allowed_chars) {
    return FieldError{"username", "USERNAME_INVALID_CHARACTERS",
                      "Use only letters, numbers, underscores ( _ ) and periods ( . )."};
  }
  if (username.find("..") != std::string::npos) {
    return FieldError{"username", "USERNAME_INVALID_CHARACTERS", "Periods cannot be next to each other."};
  }
  return std::nullopt;
}

std::optional<FieldError> checkDisplayName(std::string_view display_name) {
  if (codePoints(display_name) > 32 || display_name.find_first_of("\r\n\t") != std::string_view::npos) {
    return FieldError{"display_name", "BASE_TYPE_BAD_LENGTH", "Must be 32 characters or fewer, on one line."};
  }
  return std::nullopt;
}

std::optional<FieldError> checkPassword(std::string_view password, std::string_view field) {
  if (password.size() < 8 || password.size() > 128) {
    return FieldError{std::string(field), "PASSWORD_BAD_LENGTH", "Must be between 8 and 128 characters."};
  }
  return std::nullopt;
}

std::vector<FieldError> validateRegistration(const RegisterInput& input) {
  std::vector<FieldError> errors;
  if (!detail::plausibleEmail(input.email)) {
    errors.push_back({"email", "EMAIL_INVALID", "Enter a valid email address."});
  }
  for (auto error :
       {checkUsername(input.username), checkDisplayName(input.display_name), checkPassword(input.password)}) {
    if (error) errors.push_back(std::move(*error));
  }
  return errors;
}

Accounts::Accounts(core::SnowflakeGenerator& ids, auth::PasswordHasher& hasher, const auth::TokenSigner& signer,
                   mail::Mailer& mailer, const core::Clock& clock, AccountSettings settings)
    : ids_(ids), hasher_(hasher), signer_(signer), mailer_(mailer), clock_(clock), settings_(std::move(settings)) {}

void Accounts::ended(SessionsEnded event) const {
  if (sessions_ended_) sessions_ended_(event);
}

asio::awaitable<core::Result<SignIn>> Accounts::startSession(store::PgPool& pool, std::uint64_t user_id,
                                                             const ClientInfo& client) {
  SignIn sign_in;
  sign_in.user_id = user_id;
  sign_in.session_id = ids_.next();
  sign_in.refresh_token = auth::newRefreshToken();
  std::vector<store::Statement> statements;
  statements.push_back({"INSERT INTO auth_sessions (id, user_id, client, ip, expires_at) "
                        "VALUES ($1, $2, $3, $4, now() + $5::interval)",
                        {std::to_string(sign_in.session_id), std::to_string(user_id), client.user_agent.substr(0, 512),
                         client.ip, kSessionInterval}});
  statements.push_back({"INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)",
                        {auth::tokenHash(sign_in.refresh_token), std::to_string(sign_in.session_id)}});
  auto written = co_await pool.pipeline(std::move(statements));
  if (!written) co_return std::unexpected(written.error());
  sign_in.access_token = signer_.issue(user_id, sign_in.session_id);
  co_return sign_in;
}

asio::awaitable<core::Result<SignIn>> Accounts::registerUser(store::PgPool& pool, RegisterInput input,
                                                             ClientInfo client) {
  if (auto errors = validateRegistration(input); !errors.empty()) co_return formError(std::move(errors));
  const std::string username = normalizeUsername(input.username);
  store::Params taken_params{input.email, username};
  auto taken = co_await pool.query("SELECT lower(email) = lower($1), username = $2 FROM users "
                                   "WHERE lower(email) = lower($1) OR username = $2",
                                   std::move(taken_params));
  if (!taken) co_return std::unexpected(taken.error());
  std::vector<FieldError> conflicts;
  for (int row = 0; row < taken->rows(); ++row) {
    if (taken->text(row, 0) == "t")
      conflicts.push_back({"email", "EMAIL_ALREADY_REGISTERED", "Email is already registered."});
    if (taken->text(row, 1) == "t")
      conflicts.push_back({"username", "USERNAME_ALREADY_TAKEN", "Username is unavailable. Try another."});
  }
  if (!conflicts.empty()) co_return formError(std::move(conflicts));

  auto password_hash = co_await hasher_.hash(std::move(input.password));
  if (!password_hash) co_return std::unexpected(password_hash.error());
  const std::uint64_t user_id = ids_.next();
  store::Params insert_params{std::to_string(user_id), input.email, username,
                              input.display_name.empty() ? std::nullopt : std::optional(input.display_name),
                              *password_hash};
  auto inserted = co_await pool.query(
      "INSERT INTO users (id, email, username, display_name, password_hash) VALUES ($1, $2, $3, $4, $5)",
      std::move(insert_params));
  if (!inserted) {
    // Someone took the name between the check and the insert.
    if (inserted.error().message.find("users_username_key") != std::string::npos) {
      co_return formError({{"username", "USERNAME_ALREADY_TAKEN", "Username is unavailable. Try another."}});
    }
    if (inserted.error().message.find("users_email_key") != std::string::npos) {
      co_return formError({{"email", "EMAIL_ALREADY_REGISTERED", "Email is already registered."}});
    }
    co_return std::unexpected(inserted.error());
  }
  spdlog::info("account {} registered ({})", user_id, username);
  auto mailed = co_await mailToken(pool, user_id, "verify", input.email, username);
  if (!mailed) spdlog::error("account {}: verification mail not queued: {}", user_id, mailed.error().message);
  co_return co_await startSession(pool, user_id, client);
}

asio::awaitable<core::Result<LoginOutcome>> Accounts::login(store::PgPool& pool, std::string login,
                                                            std::string password, ClientInfo client) {
  if (login.empty() || login.size() > 254 || password.empty() || password.size() > 128) co_return invalidLogin();
  store::Params params{login, normalizeUsername(login)};
  auto found = co_await pool.query("SELECT id, password_hash FROM users WHERE (lower(email) = lower($1) OR "
                                   "username = $2) AND deleted_at IS NULL LIMIT 1",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  // An account without a password (made through a provider) can't log in with one.
  const bool exists = found->rows() == 1 && !found->isNull(0, 1);
  // An unknown account still pays for one verification, so timing does not tell it apart.
  std::string encoded = exists ? std::string(found->text(0, 1)) : hasher_.decoyHash();
  auto matches = co_await hasher_.verify(std::move(encoded), std::move(password));
  if (!matches) co_return std::unexpected(matches.error());
  if (!exists || !*matches) co_return invalidLogin();
  const auto user_id = static_cast<std::uint64_t>(found->integer(0, 0).value_or(0));
  co_return co_await signInVerified(pool, user_id, std::move(client));
}

asio::awaitable<core::Result<SignIn>> Accounts::refresh(store::PgPool& pool, std::string refresh_token,
                                                        ClientInfo client) {
  const auto unauthorized = [] { return core::fail(ErrorCode::kUnauthorized, "Sign in again"); };
  if (refresh_token.empty() || refresh_token.size() > 128) co_return unauthorized();
  auto lease = co_await pool.acquire();
  if (!lease) co_return std::unexpected(lease.error());
  auto begun = co_await lease->query("BEGIN");
  if (!begun) co_return std::unexpected(begun.error());
  // FOR UPDATE: two requests racing with the same token must not both rotate it. A token rotated
  // less than kReuseGrace ago still refreshes (its rotation's answer may never have reached the
  // browser: a reload or a closed tab aborts the request after the server committed, and the new
  // cookie is lost); presented later, it is a copy someone kept.
  store::Params lookup_params{auth::tokenHash(refresh_token), kReuseGrace};
  auto found = co_await lease->query(
      "SELECT rt.session_id, rt.rotated_at IS NOT NULL AND rt.rotated_at <= now() - $2::interval, s.user_id, "
      "s.revoked_at IS NULL AND s.expires_at > now() "
      "FROM refresh_tokens rt JOIN auth_sessions s ON s.id = rt.session_id WHERE rt.token_hash = $1 "
      "FOR UPDATE OF rt, s",
      std::move(lookup_params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0 || found->text(0, 3) != "t") {
    co_await lease->query("ROLLBACK");
    co_return unauthorized();
  }
  const std::string session_id(found->text(0, 0));
  const auto user_id = static_cast<std::uint64_t>(found->integer(0, 2).value_or(0));
  if (found->text(0, 1) == "t") {
    // A rotated token came back: whoever holds the newer one, the session can't be trusted.
    store::Params revoke_params{session_id};
    co_await lease->query("UPDATE auth_sessions SET revoked_at = now() WHERE id = $1", std::move(revoke_params));
    co_await lease->query("COMMIT");
    spdlog::warn("refresh token reuse on session {} of user {} from {}: session revoked", session_id, user_id,
                 client.ip);
    ended({user_id, static_cast<std::uint64_t>(found->integer(0, 0).value_or(0)), 0});
    co_return unauthorized();
  }
  SignIn sign_in;
  sign_in.user_id = user_id;
  sign_in.session_id = static_cast<std::uint64_t>(found->integer(0, 0).value_or(0));
  sign_in.refresh_token = auth::newRefreshToken();
  // One round trip inside the open transaction; if a step fails the rest, COMMIT included, are
  // skipped, and the pool discards the connection with its aborted transaction.
  std::vector<store::Statement> rotation;
  rotation.push_back({"UPDATE refresh_tokens SET rotated_at = coalesce(rotated_at, now()) WHERE token_hash = $1",
                      {auth::tokenHash(refresh_token)}}); // a grace use keeps the first rotation's time
  rotation.push_back({"INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)",
                      {auth::tokenHash(sign_in.refresh_token), session_id}});
  rotation.push_back({"UPDATE auth_sessions SET last_used_at = now(), ip = $2, expires_at = now() + $3::interval "
                      "WHERE id = $1",
                      {session_id, client.ip, kSessionInterval}});
  rotation.push_back({"COMMIT", {}});
  auto rotated = co_await lease->pipeline(std::move(rotation));
  if (!rotated) co_return std::unexpected(rotated.error());
  sign_in.access_token = signer_.issue(user_id, sign_in.session_id);
  co_return sign_in;
}

asio::awaitable<core::Result<User>> Accounts::user(store::PgPool& pool, std::uint64_t user_id) {
  store::Params params{std::to_string(user_id)};
  auto found = co_await pool.query(
      "SELECT id, coalesce(email, ''), username, coalesce(display_name, ''), email_verified, "
      "to_json(created_at)#>>'{}', coalesce(bio, ''), coalesce(avatar, ''), totp_secret IS NOT NULL, "
      "password_hash IS NOT NULL FROM users WHERE id = $1 AND deleted_at IS NULL",
      std::move(params));
  if (!found) co_return std::unexpected(found.error());
  if (found->rows() == 0) co_return core::fail(ErrorCode::kUnknownUser, "Unknown User");
  User user;
  user.id = user_id;
  user.email = found->text(0, 1);
  user.username = found->text(0, 2);
  user.display_name = found->text(0, 3);
  user.verified = found->text(0, 4) == "t";
  user.created_at = found->text(0, 5);
  user.bio = found->text(0, 6);
  user.avatar = found->text(0, 7);
  user.mfa_enabled = found->text(0, 8) == "t";
  user.has_password = found->text(0, 9) == "t";
  co_return user;
}

asio::awaitable<core::Result<User>> Accounts::updateProfile(store::PgPool& pool, std::uint64_t user_id,
                                                            std::uint64_t current_session, ProfileUpdate update) {
  std::vector<FieldError> errors;
  if (update.display_name) {
    if (auto error = checkDisplayName(*update.display_name)) {
      error->field = "global_name";
      errors.push_back(std::move(*error));
    }
  }
  if (update.username) {
    if (auto error = checkUsername(*update.username)) errors.push_back(std::move(*error));
  }
  if (update.new_password) {
    if (auto error = checkPassword(*update.new_password, "new_password")) errors.push_back(std::move(*error));
  }
  if (update.email && !detail::plausibleEmail(*update.email)) {
    errors.push_back({"email", "EMAIL_INVALID", "Enter a valid email address."});
  }
  if (update.bio && codePoints(*update.bio) > 190) {
    errors.push_back({"bio", "BASE_TYPE_MAX_LENGTH", "Must be 190 characters or fewer."});
  }
  const bool needs_password = update.username || update.new_password || update.email;
  if (needs_password && (!update.current_password || update.current_password->empty())) {
    errors.push_back({"password", "BASE_TYPE_REQUIRED", "Enter your current password."});
  }
  if (!errors.empty()) co_return formError(std::move(errors));

  const std::string id = std::to_string(user_id);
  if (needs_password) {
    auto account = co_await secrets(pool, user_id);
    if (!account) co_return std::unexpected(account.error());
    auto password_ok = co_await checkPasswordOf(*account, std::move(update.current_password));
    if (!password_ok) co_return std::unexpected(password_ok.error());
    // Changing how one signs in (email, password) also needs the second factor.
    if (update.new_password || update.email) {
      auto code_ok = co_await checkSecondFactor(pool, *account, std::move(update.code));
      if (!code_ok) co_return std::unexpected(code_ok.error());
    }
  }
  std::optional<std::string> new_hash;
  if (update.new_password) {
    auto hashed = co_await hasher_.hash(std::move(*update.new_password));
    if (!hashed) co_return std::unexpected(hashed.error());
    new_hash = std::move(*hashed);
  }
  std::optional<std::string> avatar_hash;
  if (update.avatar && !update.avatar->empty()) {
    auto stored = co_await storeAvatar(user_id, *update.avatar);
    if (!stored) co_return std::unexpected(stored.error());
    avatar_hash = std::move(*stored);
  }

  // One statement per changed column, all in one pipeline: all of it happens or none.
  std::vector<store::Statement> statements;
  if (update.display_name) {
    statements.push_back({"UPDATE users SET display_name = $2 WHERE id = $1",
                          {id, update.display_name->empty() ? std::nullopt : update.display_name}});
  }
  if (update.bio) {
    statements.push_back(
        {"UPDATE users SET bio = $2 WHERE id = $1", {id, update.bio->empty() ? std::nullopt : update.bio}});
  }
  if (update.avatar) statements.push_back({"UPDATE users SET avatar = $2 WHERE id = $1", {id, avatar_hash}});
  if (update.username) {
    statements.push_back({"UPDATE users SET username = $2 WHERE id = $1", {id, normalizeUsername(*update.username)}});
  }
  std::string old_email;
  if (update.email) {
    auto before = co_await user(pool, user_id);
    if (!before) co_return std::unexpected(before.error());
    old_email = before->email;
    statements.push_back({"UPDATE users SET email = $2, email_verified = false WHERE id = $1 AND "
                          "lower(coalesce(email, '')) <> lower($2)",
                          {id, *update.email}});
  }
  if (new_hash) {
    statements.push_back({"UPDATE users SET password_hash = $2 WHERE id = $1", {id, *new_hash}});
    statements.push_back({"UPDATE auth_sessions SET revoked_at = now() WHERE user_id = $1 AND id <> $2 "
                          "AND revoked_at IS NULL",
                          {id, std::to_string(current_session)}});
  }
  if (!statements.empty()) {
    auto written = co_await pool.pipeline(std::move(statements));
    if (!written) {
      if (written.error().message.find("users_username_key") != std::string::npos) {
        co_return formError({{"username", "USERNAME_ALREADY_TAKEN", "Username is unavailable. Try another."}});
      }
      if (written.error().message.find("users_email_key") != std::string::npos) {
        co_return formError({{"email", "EMAIL_ALREADY_REGISTERED", "Email is already registered."}});
      }
      co_return std::unexpected(written.error());
    }
    if (new_hash) {
      spdlog::info("account {} changed its password; other sessions ended", user_id);
      ended({user_id, 0, current_session});
    }
  }
  auto now = co_await user(pool, user_id);
  if (!now) co_return now;
  if (update.email && !old_email.empty() && normalizeUsername(old_email) != normalizeUsername(now->email)) {
    // The old address hears about it, so a hijacked session can't move the account quietly.
    mailer_.send({old_email, "Your Hearth email address was changed",
                  "Hi " + now->username + ",\n\nThe email address of your Hearth account was changed to " + now->email +
                      ".\n\nIf you didn't do this, reset your password and contact the server's "
                      "administrator.\n",
                  ""});
  }
  if (update.email && !now->verified) {
    auto mailed = co_await mailToken(pool, user_id, "verify", now->email, now->username);
    if (!mailed) spdlog::error("account {}: verification mail not queued: {}", user_id, mailed.error().message);
  }
  co_return now;
}

asio::awaitable<core::Result<std::vector<SessionInfo>>> Accounts::sessions(store::PgPool& pool, std::uint64_t user_id) {
  store::Params params{std::to_string(user_id)};
  auto found = co_await pool.query("SELECT id, client, ip, to_json(created_at)#>>'{}', to_json(last_used_at)#>>'{}' "
                                   "FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL "
                                   "AND expires_at > now() ORDER BY last_used_at DESC",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  std::vector<SessionInfo> sessions;
  for (int row = 0; row < found->rows(); ++row) {
    sessions.push_back({static_cast<std::uint64_t>(found->integer(row, 0).value_or(0)),
                        std::string(found->text(row, 1)), std::string(found->text(row, 2)),
                        std::string(found->text(row, 3)), std::string(found->text(row, 4))});
  }
  co_return sessions;
}

asio::awaitable<core::Result<void>> Accounts::revokeSession(store::PgPool& pool, std::uint64_t user_id,
                                                            std::uint64_t session_id) {
  store::Params params{std::to_string(session_id), std::to_string(user_id)};
  auto updated = co_await pool.query(
      "UPDATE auth_sessions SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
      std::move(params));
  if (!updated) co_return std::unexpected(updated.error());
  if (updated->affectedRows() == 0) co_return core::fail(ErrorCode::kNotFound, "Unknown Session");
  ended({user_id, session_id, 0});
  co_return core::Result<void>{};
}

asio::awaitable<core::Result<bool>> Accounts::knownAddress(store::PgPool& pool, std::string login, std::string ip) {
  store::Params params{login, normalizeUsername(login), ip};
  auto found = co_await pool.query("SELECT 1 FROM auth_sessions s JOIN users u ON u.id = s.user_id "
                                   "WHERE (lower(u.email) = lower($1) OR u.username = $2) AND s.ip = $3 LIMIT 1",
                                   std::move(params));
  if (!found) co_return std::unexpected(found.error());
  co_return found->rows() == 1;
}

store::Statement sessionActiveStatement(std::uint64_t session_id) {
  return {"SELECT 1 FROM auth_sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > now()",
          {std::to_string(session_id)}};
}

bool sessionActiveFrom(const store::PgResult& rows) { return rows.rows() == 1; }

asio::awaitable<core::Result<bool>> Accounts::sessionActive(store::PgPool& pool, std::uint64_t session_id) {
  store::Statement statement = sessionActiveStatement(session_id);
  auto found = co_await pool.query(statement.sql, std::move(statement.params));
  if (!found) co_return std::unexpected(found.error());
  co_return sessionActiveFrom(*found);
}

} // namespace hearth::domain
