// Web Push inputs from untrusted clients and push bodies: subscription fields (endpoint URL,
// base64url keys) and aes128gcm bodies. Nothing may crash; accepted endpoints are https.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "push/subscriptions.hpp"
#include "push/web_push_crypto.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Three fields separated by newlines: endpoint, p256dh, auth.
  const auto first = input.find('\n');
  const auto second = first == std::string_view::npos ? first : input.find('\n', first + 1);
  const auto endpoint = input.substr(0, first);
  const auto p256dh =
      first == std::string_view::npos ? std::string_view() : input.substr(first + 1, second - first - 1);
  const auto auth = second == std::string_view::npos ? std::string_view() : input.substr(second + 1);
  for (const bool loopback : {false, true}) {
    hearth::push::EndpointPolicy policy;
    policy.allow_insecure_loopback = loopback;
    const auto checked = hearth::push::validateSubscription(endpoint, p256dh, auth, policy);
    if (checked && !loopback && !checked->endpoint.starts_with("https://")) std::abort();
  }
  hearth::push::publicAddressText(endpoint);
  static const auto receiver = hearth::push::keyPairFromPrivate(std::string(31, '\0') + '\x07');
  if (receiver) (void)hearth::push::decryptMessage(input, *receiver, std::string(16, 'a'));
  return 0;
}
