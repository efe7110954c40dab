#pragma once
// Accounts and their sign-in sessions: registration, login, refresh-token rotation with reuse
// detection, logout, and the session list. Every write to these tables goes through here.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

namespace hearth::core {
class SnowflakeGenerator;
}
namespace hearth::auth {
class PasswordHasher;
class TokenSigner;
} // namespace hearth::auth
namespace hearth::store {
class PgPool;
}

namespace hearth::domain {

//! Who is asking, recorded on the session.
struct ClientInfo {
  std::string user_agent;
  std::string ip;
};

struct RegisterInput {
  std::string email;
  std::string username;
  std::string display_name; //!< optional; empty means none
  std::string password;
};

struct User {
  std::uint64_t id = 0;
  std::string email; //!< empty for an account made through a provider that gave none
  std::string username;
  std::string display_name;
  bool verified = false;
  std::string created_at; //!< ISO 8601
  std::string bio; //!< "about me", at most 190 characters
  std::string avatar; //!< content hash of the avatar image; empty for none
  bool mfa_enabled = false;
  bool has_password = true; //!< false for accounts made through OAuth/OIDC that never set one
};

//! The result of signing in: a short-lived access token and the session's refresh token.
struct SignIn {
  std::uint64_t user_id = 0;
  std::uint64_t session_id = 0;
  std::string access_token;
  std::string refresh_token;
};

//! The result of a password (or provider) check: either a session, or a ticket to finish
//! with a two-factor code (POST /auth/mfa/totp) when the account has two-factor on.
struct LoginOutcome {
  std::optional<SignIn> session;
  std::string mfa_ticket; //!< set when `session` is empty
};

//! An account to create from an OAuth/OIDC identity (no password).
struct ExternalAccount {
  std::string email; //!< empty if the provider gave none; must not belong to another account
  bool email_verified = false; //!< the provider vouches for the address
  std::string username_hint; //!< preferred_username / login; made valid and unique
  std::string display_name;
};

//! Changes to one's own account; an unset field stays as it is.
struct ProfileUpdate {
  std::optional<std::string> display_name; //!< empty clears it
  std::optional<std::string> username; //!< needs current_password
  std::optional<std::string> new_password; //!< needs current_password; ends the other sessions
  std::optional<std::string> current_password;
};

struct SessionInfo {
  std::uint64_t id = 0;
  std::string client;
  std::string ip;
  std::string created_at;
  std::string last_used_at;
};

//! Username rules: 2-32 characters of a-z, 0-9, '_' and '.', compared without case.
std::string normalizeUsername(std::string_view username);
//! Every rule the input breaks, as Discord-style field errors (empty when valid).
std::vector<core::FieldError> validateRegistration(const RegisterInput& input);
//! The rules for each field alone; nullopt when the value is fine.
std::optional<core::FieldError> checkUsername(std::string_view username);
std::optional<core::FieldError> checkDisplayName(std::string_view display_name);
std::optional<core::FieldError> checkPassword(std::string_view password, std::string_view field = "password");

class Accounts {
public:
  static constexpr std::chrono::hours kSessionLifetime{24 * 30}; //!< since the last refresh

  Accounts(core::SnowflakeGenerator& ids, auth::PasswordHasher& hasher, const auth::TokenSigner& signer);

  //! Creates the account and signs it in. kInvalidFormBody with field errors for bad input or
  //! a taken email/username.
  boost::asio::awaitable<core::Result<SignIn>> registerUser(store::PgPool& pool, RegisterInput input,
                                                            ClientInfo client);
  //! `login` is the email or the username. A wrong password and an unknown account give the
  //! same answer (kInvalidFormBody "Login or password is invalid.") in about the same time.
  boost::asio::awaitable<core::Result<SignIn>> login(store::PgPool& pool, std::string login, std::string password,
                                                     ClientInfo client);
  //! Rotates a refresh token: the old one stops working and a new pair is returned. Presenting
  //! an already rotated token revokes its whole session (it was copied). kUnauthorized otherwise.
  boost::asio::awaitable<core::Result<SignIn>> refresh(store::PgPool& pool, std::string refresh_token,
                                                       ClientInfo client);
  boost::asio::awaitable<core::Result<User>> user(store::PgPool& pool, std::uint64_t user_id);
  //! Applies `update` and returns the account as it now is. kInvalidFormBody with field errors
  //! for bad values, a taken username, or a missing or wrong current password. A new password
  //! signs out every session but `current_session`.
  boost::asio::awaitable<core::Result<User>> updateProfile(store::PgPool& pool, std::uint64_t user_id,
                                                           std::uint64_t current_session, ProfileUpdate update);
  //! The user's live sessions, most recently used first.
  boost::asio::awaitable<core::Result<std::vector<SessionInfo>>> sessions(store::PgPool& pool, std::uint64_t user_id);
  //! Ends one of the user's sessions (its refresh token stops working). kUnauthorized-free:
  //! an unknown or foreign id is kNotFound.
  boost::asio::awaitable<core::Result<void>> revokeSession(store::PgPool& pool, std::uint64_t user_id,
                                                           std::uint64_t session_id);
  //! Whether `ip` has signed in to the account named by `login` (email or username) before: such
  //! an address is exempt from the per-account failed-login cap, so an attacker guessing from
  //! elsewhere cannot lock the owner out.
  boost::asio::awaitable<core::Result<bool>> knownAddress(store::PgPool& pool, std::string login, std::string ip);
  //! Signs in an account whose identity was proven another way (an OAuth/OIDC provider): a
  //! session, or an MFA ticket when two-factor is on. kUnknownUser for a deleted account.
  boost::asio::awaitable<core::Result<LoginOutcome>> signInVerified(store::PgPool& pool, std::uint64_t user_id,
                                                                    ClientInfo client);
  //! Creates an account without a password for a provider identity and returns its id. A taken
  //! email is kInvalidFormBody (field `email`, EMAIL_ALREADY_REGISTERED): identities are never
  //! merged by email; the owner links the provider from settings instead.
  boost::asio::awaitable<core::Result<std::uint64_t>> createExternalUser(store::PgPool& pool, ExternalAccount account);
  //! Whether the session is still live (not revoked or expired).
  boost::asio::awaitable<core::Result<bool>> sessionActive(store::PgPool& pool, std::uint64_t session_id);

private:
  boost::asio::awaitable<core::Result<SignIn>> startSession(store::PgPool& pool, std::uint64_t user_id,
                                                            const ClientInfo& client);

  core::SnowflakeGenerator& ids_;
  auth::PasswordHasher& hasher_;
  const auth::TokenSigner& signer_;
};

} // namespace hearth::domain
