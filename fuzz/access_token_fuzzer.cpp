// Access tokens from Authorization headers: any bytes verify or fail with 401, never crash, and
// nothing but a token this key signed is ever accepted.
#include <cstddef>
#include <cstdint>

#include "auth/tokens.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const hearth::core::ManualClock clock;
  static const hearth::auth::TokenSigner signer(std::string(32, 'k'), clock);
  const auto claims = signer.verify({reinterpret_cast<const char*>(data), size});
  if (claims) {
    // A forgery would be a finding: only re-issuing the same claims may reproduce the input.
    if (signer.issue(claims->user_id, claims->session_id) !=
        std::string_view(reinterpret_cast<const char*>(data), size)) {
      __builtin_trap();
    }
  } else if (claims.error().code != hearth::core::ErrorCode::kUnauthorized) {
    __builtin_trap();
  }
  std::string decoded;
  (void)hearth::auth::base64UrlDecode({reinterpret_cast<const char*>(data), size}, decoded);
  return 0;
}
