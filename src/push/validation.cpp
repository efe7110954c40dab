#include "push/subscriptions.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <memory>

#include "auth/tokens.hpp"

// The pure half of subscriptions.hpp (no database): what the fuzz target exercises.
namespace hearth::push {

namespace {

core::Error fieldError(const char* field, const char* code, std::string message) {
  return core::invalidFormBody({core::FieldError{field, code, std::move(message)}});
}

bool publicIpv4(std::uint32_t host_order, bool allow_loopback) {
  const auto in = [host_order](std::uint32_t network, int bits) {
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (host_order & mask) == network;
  };
  if (allow_loopback && host_order == 0x7f000001) return true;
  return !(in(0x00000000, 8) || // "this network"
           in(0x0a000000, 8) || // private
           in(0x64400000, 10) || // CGNAT
           in(0x7f000000, 8) || // loopback
           in(0xa9fe0000, 16) || // link-local (and cloud metadata)
           in(0xac100000, 12) || // private
           in(0xc0000000, 24) || // IETF protocol assignments
           in(0xc0000200, 24) || // TEST-NET-1
           in(0xc0a80000, 16) || // private
           in(0xc6120000, 15) || // benchmarking
           in(0xc6336400, 24) || // TEST-NET-2
           in(0xcb007100, 24) || // TEST-NET-3
           in(0xe0000000, 4) || // multicast
           in(0xf0000000, 4)); // reserved, broadcast
}

bool publicIpv6(const unsigned char* bytes, bool allow_loopback) {
  static constexpr std::array<unsigned char, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes, kMapped.data(), kMapped.size()) == 0) {
    const std::uint32_t v4 = (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) |
                             (std::uint32_t{bytes[14]} << 8) | std::uint32_t{bytes[15]};
    return publicIpv4(v4, allow_loopback);
  }
  bool leading_zero = true; // :: and ::1, and the deprecated IPv4-compatible ::a.b.c.d
  for (int index = 0; index < 12; ++index)
    leading_zero = leading_zero && bytes[index] == 0;
  if (leading_zero) return false;
  if ((bytes[0] & 0xfe) == 0xfc) return false; // unique local fc00::/7
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) return false; // link-local fe80::/10
  if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0xc0) return false; // site-local fec0::/10
  if (bytes[0] == 0xff) return false; // multicast
  if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b) return false; // NAT64
  if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8) return false; // documentation
  return true;
}

} // namespace

bool publicAddress(const sockaddr* address, bool allow_loopback) {
  if (address == nullptr) return false;
  if (address->sa_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, address, sizeof v4);
    return publicIpv4(ntohl(v4.sin_addr.s_addr), allow_loopback);
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, address, sizeof v6);
    return publicIpv6(v6.sin6_addr.s6_addr, allow_loopback);
  }
  return false;
}

bool publicAddressText(std::string_view text, bool allow_loopback) {
  const std::string copy(text);
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) return publicIpv4(ntohl(v4.s_addr), allow_loopback);
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) return publicIpv6(v6.s6_addr, allow_loopback);
  return false;
}

core::Result<std::string> checkEndpoint(std::string_view url, const EndpointPolicy& policy) {
  const auto refuse = [](std::string message) {
    return std::unexpected(fieldError("endpoint", "URL_TYPE_INVALID_URL", std::move(message)));
  };
  if (url.empty() || url.size() > kMaxEndpointBytes) return refuse("Must be a URL of at most 2048 characters.");
  for (const char letter : url) {
    if (static_cast<unsigned char>(letter) <= 0x20 || static_cast<unsigned char>(letter) >= 0x7f)
      return refuse("Not a well formed URL.");
  }
  const bool https = url.starts_with("https://");
  const bool http = url.starts_with("http://");
  if (!https && !http) return refuse("Must be an https URL.");
  if (url.find('#') != std::string_view::npos) return refuse("Not a well formed URL.");
  const std::size_t start = https ? 8 : 7;
  const std::size_t authority_end = url.find_first_of("/?", start);
  const std::string_view authority = url.substr(start, authority_end - start);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return refuse("Not a well formed URL.");
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return refuse("Not a well formed URL.");
    host = authority.substr(1, close - 1);
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return refuse("Not a well formed URL.");
      port = rest.substr(1);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return refuse("Not a well formed URL.");
  for (const char digit : port) {
    if (digit < '0' || digit > '9') return refuse("Not a well formed URL.");
  }
  if (port.size() > 5 || (authority.back() == ':')) return refuse("Not a well formed URL.");
  if (http) {
    // Only the test flag's exception: a loopback push service the integration tests run.
    if (!policy.allow_insecure_loopback || host != "127.0.0.1" || port.empty()) return refuse("Must be an https URL.");
    return std::string(host);
  }
  const bool numeric = authority.front() == '[' || host.find_first_not_of("0123456789.") == std::string_view::npos;
  if (numeric && !publicAddressText(host, false)) return refuse("Must not point at a private or local address.");
  if (host == "localhost" || host.ends_with(".localhost") || host.ends_with(".local") || host.ends_with(".internal"))
    return refuse("Must not point at a private or local address.");
  return std::string(host);
}

core::Result<void> checkResolvedHost(const std::string& host, const EndpointPolicy& policy) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return std::unexpected(fieldError("endpoint", "URL_TYPE_INVALID_URL", "The push service's host does not resolve."));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
  for (const addrinfo* entry = found; entry != nullptr; entry = entry->ai_next) {
    if (!publicAddress(entry->ai_addr, policy.allow_insecure_loopback && host == "127.0.0.1")) {
      return std::unexpected(
          fieldError("endpoint", "URL_TYPE_INVALID_URL", "Must not point at a private or local address."));
    }
  }
  return {};
}

core::Result<Subscription> validateSubscription(std::string_view endpoint, std::string_view p256dh,
                                                std::string_view auth, const EndpointPolicy& policy) {
  std::vector<core::FieldError> errors;
  Subscription out;
  if (auto checked = checkEndpoint(endpoint, policy); !checked) {
    errors.insert(errors.end(), checked.error().fields.begin(), checked.error().fields.end());
  } else {
    out.endpoint = std::string(endpoint);
  }
  if (!auth::base64UrlDecode(p256dh, out.p256dh) || !validPublicKey(out.p256dh)) {
    errors.push_back({"keys.p256dh", "BASE_TYPE_INVALID", "Must be an uncompressed P-256 public key, base64url."});
  }
  if (!auth::base64UrlDecode(auth, out.auth) || out.auth.size() != kAuthSecretBytes) {
    errors.push_back({"keys.auth", "BASE_TYPE_INVALID", "Must be 16 bytes, base64url."});
  }
  if (!errors.empty()) return std::unexpected(core::invalidFormBody(std::move(errors)));
  return out;
}

} // namespace hearth::push
