#pragma once
// Accounts and their sign-in sessions: registration, login, refresh-token rotation with reuse
// detection, logout, and the session list. Every write to these tables goes through here.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/error.hpp"

namespace hearth::core {
class Clock;
class SnowflakeGenerator;
} // namespace hearth::core
namespace hearth::mail {
class Mailer;
}
namespace hearth::auth {
class PasswordHasher;
class TokenSigner;
} // namespace hearth::auth
namespace hearth::store {
class PgPool;
class PgResult;
struct Statement;
} // namespace hearth::store

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
  std::optional<std::string> new_password; //!< needs current_password (+ code); ends the other sessions
  std::optional<std::string> email; //!< needs current_password (+ code); unverified until its link is used
  std::optional<std::string> bio; //!< empty clears it
  std::optional<std::string> avatar; //!< image bytes; empty removes the avatar
  std::optional<std::string> current_password;
  std::optional<std::string> code; //!< TOTP or recovery code, when two-factor is on
};

//! Operator settings the account rules depend on.
struct AccountSettings {
  std::string public_url = "http://127.0.0.1:8080"; //!< mailed links point here
  //! Unverified accounts may not create or join servers (checked by the servers code through
  //! Accounts::mayJoinServers). hearthd turns it on by default when SMTP is configured.
  bool require_verified_email = false;
  std::filesystem::path avatar_dir = "var/avatars";
  std::size_t avatar_max_bytes = 8 * 1024 * 1024;
  std::uint32_t avatar_max_side = 4096; //!< pixels, each way
};

//! A pending two-factor secret, to show as a QR code and text.
struct TotpSetup {
  std::string secret; //!< base32
  std::string uri; //!< otpauth://
};

//! Sessions that just ended, so live connections (the gateway) can close too.
struct SessionsEnded {
  std::uint64_t user_id = 0;
  std::uint64_t session_id = 0; //!< the one session that ended; 0: all of the user's sessions...
  std::uint64_t except_session = 0; //!< ...but this one (0: none kept)
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

  static constexpr std::chrono::minutes kResetLinkLifetime{30};
  static constexpr std::chrono::hours kVerifyLinkLifetime{24};
  static constexpr std::chrono::minutes kMfaTicketLifetime{5};
  static constexpr int kMfaTicketAttempts = 5;
  static constexpr int kRecoveryCodeCount = 10;

  Accounts(core::SnowflakeGenerator& ids, auth::PasswordHasher& hasher, const auth::TokenSigner& signer,
           mail::Mailer& mailer, const core::Clock& clock, AccountSettings settings = {});

  //! Called whenever sessions are revoked (logout, reuse, password change, deletion...).
  void onSessionsEnded(std::function<void(const SessionsEnded&)> hook) { sessions_ended_ = std::move(hook); }
  //! Set once at start-up, before requests are served (the port may be known only then).
  void setPublicUrl(std::string url) { settings_.public_url = std::move(url); }
  //! Whether this user may create or join servers under the verified-email rule.
  bool mayJoinServers(const User& user) const noexcept { return user.verified || !settings_.require_verified_email; }
  //! Where an avatar's file is kept.
  std::filesystem::path avatarPath(std::uint64_t user_id, std::string_view avatar) const;

  //! Creates the account and signs it in. kInvalidFormBody with field errors for bad input or
  //! a taken email/username.
  boost::asio::awaitable<core::Result<SignIn>> registerUser(store::PgPool& pool, RegisterInput input,
                                                            ClientInfo client);
  //! `login` is the email or the username. A wrong password and an unknown account give the
  //! same answer (kInvalidFormBody "Login or password is invalid.") in about the same time.
  //! With two-factor on, the outcome is a ticket for completeMfa instead of a session.
  boost::asio::awaitable<core::Result<LoginOutcome>> login(store::PgPool& pool, std::string login, std::string password,
                                                           ClientInfo client);
  //! Exchanges an MFA ticket and a TOTP or recovery code for a session. Field errors: `code`
  //! INVALID_MFA_CODE, `ticket` MFA_TICKET_EXPIRED (expired, used, or out of tries).
  boost::asio::awaitable<core::Result<SignIn>> completeMfa(store::PgPool& pool, std::string ticket, std::string code,
                                                           ClientInfo client);
  //! Uses a mailed verification token; the account's current email becomes verified.
  boost::asio::awaitable<core::Result<User>> verifyEmail(store::PgPool& pool, std::string token);
  //! Mails a new verification link (nothing if already verified).
  boost::asio::awaitable<core::Result<void>> resendVerification(store::PgPool& pool, std::uint64_t user_id);
  //! Mails a reset link if `login` names an account with an email; succeeds either way.
  boost::asio::awaitable<core::Result<void>> forgotPassword(store::PgPool& pool, std::string login);
  //! Sets a new password with a reset token (and a code when two-factor is on); every session ends.
  boost::asio::awaitable<core::Result<void>> resetPassword(store::PgPool& pool, std::string token, std::string password,
                                                           std::optional<std::string> code);
  //! Starts two-factor enrolment: a new pending secret (the password confirms it's the owner).
  boost::asio::awaitable<core::Result<TotpSetup>> setupTotp(store::PgPool& pool, std::uint64_t user_id,
                                                            std::string password);
  //! Confirms the pending secret with a code; returns the ten recovery codes (shown once).
  boost::asio::awaitable<core::Result<std::vector<std::string>>> enableTotp(store::PgPool& pool, std::uint64_t user_id,
                                                                            std::string code);
  boost::asio::awaitable<core::Result<void>> disableTotp(store::PgPool& pool, std::uint64_t user_id,
                                                         std::string password, std::string code);
  //! A new set of recovery codes; the old ones stop working.
  boost::asio::awaitable<core::Result<std::vector<std::string>>>
  regenerateRecoveryCodes(store::PgPool& pool, std::uint64_t user_id, std::string password, std::string code);
  //! Ends every session of the user.
  boost::asio::awaitable<core::Result<void>> revokeAllSessions(store::PgPool& pool, std::uint64_t user_id);
  //! Deletes the account (docs/auth.md: what goes, what is anonymised). Needs the password and a
  //! code with two-factor on; an account without a password confirms with its username.
  boost::asio::awaitable<core::Result<void>> deleteAccount(store::PgPool& pool, std::uint64_t user_id,
                                                           std::optional<std::string> password,
                                                           std::optional<std::string> code,
                                                           std::optional<std::string> confirm);
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
  struct Secrets; // the password hash and two-factor state of one account
  boost::asio::awaitable<core::Result<SignIn>> startSession(store::PgPool& pool, std::uint64_t user_id,
                                                            const ClientInfo& client);
  boost::asio::awaitable<core::Result<Secrets>> secrets(store::PgPool& pool, std::uint64_t user_id);
  //! kInvalidFormBody on field `password` unless it matches.
  boost::asio::awaitable<core::Result<void>> checkPasswordOf(const Secrets& secrets,
                                                             std::optional<std::string> password);
  //! With two-factor on: the code must be a fresh TOTP code or an unused recovery code (which
  //! is then spent). Without it: nothing to check.
  boost::asio::awaitable<core::Result<void>> checkSecondFactor(store::PgPool& pool, const Secrets& secrets,
                                                               std::optional<std::string> code);
  boost::asio::awaitable<core::Result<std::vector<std::string>>>
  replaceRecoveryCodes(store::PgPool& pool, std::uint64_t user_id, bool enable_pending);
  boost::asio::awaitable<core::Result<void>> mailToken(store::PgPool& pool, std::uint64_t user_id, std::string purpose,
                                                       std::string email, std::string username);
  //! Checks the bytes are an image within the limits and writes it; returns its hash.
  boost::asio::awaitable<core::Result<std::string>> storeAvatar(std::uint64_t user_id, const std::string& bytes) const;
  void ended(SessionsEnded event) const;

  core::SnowflakeGenerator& ids_;
  auth::PasswordHasher& hasher_;
  const auth::TokenSigner& signer_;
  mail::Mailer& mailer_;
  const core::Clock& clock_;
  AccountSettings settings_;
  std::function<void(const SessionsEnded&)> sessions_ended_;
};

//! Accounts::sessionActive as one statement, to pipeline with others, and its answer.
store::Statement sessionActiveStatement(std::uint64_t session_id);
bool sessionActiveFrom(const store::PgResult& rows);

} // namespace hearth::domain
