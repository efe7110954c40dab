// ID tokens and JWKS documents from identity providers: any bytes parse or fail cleanly, and only
// the two tokens signed here with the keys below ever verify (anything else would be a forgery).
// The keys and tokens were made once with node:crypto; the private keys were thrown away.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oauth/jwt_verify.hpp"

namespace {

using hearth::oauth::IdTokenCheck;

constexpr std::string_view kJwks =
    "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"tM7IRB7EQHee8xC1OLVsSXBVqcOFoquoJDnKih49wOQ8_EYZ3F_oYr2ugueeE7dDeoCPgLala"
    "lmcBij-9zc31vYm9anU8vqxQk1qyXwltj9B-5nvt01uuvyHzsLhXFJ8r-iqOTFAHoitpNwAKJqVLVSNG1HgDAy41W8rmb-tFTnH6"
    "Bn10Ziw23L1rc9V156MK5vIkYO7J-X_DBOxQyV4TplHRms6QT-uNkdZcnvXXZblIKl09K2Fxq9iqDEDwavfB6H7kRL-WZDYgj5zE"
    "9xbo0kB3h0m-CUyQr_dc2ktwFPDd9v_MXKk_gtpTLHJoPhoAeDdKNloOFYLYNgFClMFsQ\",\"e\":\"AQAB\",\"kid\":\"fuzz-rsa\",\""
    "alg\":\"RS256\",\"use\":\"sig\"},{\"kty\":\"EC\",\"x\":\"VE1EDDsFf9VOsb1ZkSlNTT7yfZZ9BgqvJJS9m-TUJ8k\",\"y\":"
    "\"NQsD53c"
    "ha3XZ52Rjv0HFe_9eTFEQ1h7kzUmXTVTmwz0\",\"crv\":\"P-256\",\"kid\":\"fuzz-ec\",\"alg\":\"ES256\",\"use\":\"sig\"}]}";

// RS256 with kid fuzz-rsa, and ES256 with kid fuzz-ec (aud as an array).
constexpr std::string_view kTokens[] = {
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZ1enotcnNhIiwidHlwIjoiSldUIn0.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUub3Jn"
    "IiwiYXVkIjoiaGVhcnRoIiwic3ViIjoiZnV6ei1zdWJqZWN0Iiwibm9uY2UiOiJmdXp6LW5vbmNlIiwiaWF0IjoxNzAwMDAwMDAw"
    "LCJleHAiOjQxMDI0NDQ4MDAsImVtYWlsIjoiZkBleGFtcGxlLm9yZyIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlfQ.LE2v8hKO-3qil"
    "Gbbk1yBBSsjodb9_Q4FNYuOQ-b3pn3cQFpdNFpExqsnRfyTtzWYOQ1aXirE38Q1KQo4Z_eITs8ILZ1ysVh79RYwhqYNtVmP1jQBs"
    "KlNs4ndJYLHi7FppIb9T8aiJvlUGT5bRUiTEjAuxmLn8cXwXt47lHU5g4otfNiVvpEhgDZvdBIvmlUWUXqgt0CnaYCkcbfK6m1Ef"
    "FZTfcWTIrAlE1WBTvOX2elGujLjR25dvdjloDXJYyYa-cG4t8U__VngunnV_Fg0H8k5UC3YC4yCIhqMpC_pBQ5fMqdLZGuFl4MtL"
    "CafkkwNZfWtTZoSopUhC4TtiSj5Gg",
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImZ1enotZWMifQ.eyJpc3MiOiJodHRwczovL2lkLmV4YW1wbGUub3JnIiwiYXVkIjpbImhlY"
    "XJ0aCJdLCJzdWIiOiJmdXp6LXN1YmplY3QiLCJub25jZSI6ImZ1enotbm9uY2UiLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6NDEwM"
    "jQ0NDgwMCwiZW1haWwiOiJmQGV4YW1wbGUub3JnIiwiZW1haWxfdmVyaWZpZWQiOnRydWV9.rm1EjIVso8tEfCAy6djT8yJximxs"
    "dGb99uo38EGzG49noaRxkHgtymFGJ5RdEQU1ZLQShoIEUwt2sgzYUzfebA",
};

const IdTokenCheck kCheck{"https://id.example.org", "hearth", "fuzz-nonce", 1'700'000'000, 60};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const hearth::oauth::Jwks jwks = hearth::oauth::parseJwks(kJwks).value();
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // As a token, against the fixed keys.
  const auto claims = hearth::oauth::verifyIdToken(input, jwks, kCheck);
  if (claims) {
    bool known = false;
    for (const auto token : kTokens)
      known = known || input == token;
    if (!known || claims->subject != "fuzz-subject") __builtin_trap();
  } else if (claims.error().code != hearth::core::ErrorCode::kUnauthorized) {
    __builtin_trap();
  }
  (void)hearth::oauth::jwsKeyId(input);

  // As a JWKS document: any bytes parse or are refused, and whatever keys come out are used.
  if (const auto parsed = hearth::oauth::parseJwks(input)) {
    for (const auto token : kTokens)
      (void)hearth::oauth::verifyIdToken(token, *parsed, kCheck);
  }
  return 0;
}
