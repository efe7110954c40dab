// The gateway load generator of `make bench` (bench/README.md). One binary, several scenarios:
//   fanout  N clients identify; a poster sends messages at a fixed rate, then ramps the rate up
//   idle    N clients identify and stay; the server's memory is sampled before and after
//   storm   N clients identify, drop their TCP connections at once (no close frame) and RESUME
//           while messages keep being posted
//   join    every account joins a server through an invite (POST /api/v1/invites/{code})
//   token   prints an access token for one account
// Clients are spread over worker processes (a process may hold at most 20,000 open files here)
// and over the source addresses 127.0.0.2-127.0.0.9 (about 28k ephemeral ports per source and
// destination). Each worker is one epoll loop over non-blocking sockets speaking a minimal
// RFC 6455 client: handshake, masked client frames, unmasked server frames, fragments, ping/pong,
// close. Every MESSAGE_CREATE is counted per client and per message (content "bench n=<index>
// t=<CLOCK_MONOTONIC ns at POST>"), so a missing or repeated delivery is seen, never estimated.
// Results are printed as key=value lines on stdout; progress and problems go to stderr.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "auth/tokens.hpp"
#include "core/clock.hpp"

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::int64_t kNsPerSec = 1'000'000'000;
constexpr std::int64_t kTimelineBucketNs = 100 * kNsPerMs;
constexpr std::size_t kSessionsPerWorkerMax = 19'000; // the open-file cap is 20,000 per process

std::int64_t monoNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * kNsPerSec + now.tv_nsec;
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "fanout_client: %s\n", message.c_str());
  std::exit(2);
}

std::int64_t toInt(std::string_view text, std::int64_t fallback = 0) {
  std::int64_t value = fallback;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() ? value : fallback;
}

// The integer after `key` in `text` (within `limit` bytes of its start), if any.
std::optional<std::int64_t> intAfter(std::string_view text, std::string_view key,
                                     std::size_t limit = std::string_view::npos) {
  const auto at = text.substr(0, limit).find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t pos = at + key.size();
  std::int64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

// The JSON string after `key` (which ends with the opening quote), without unescaping.
std::string_view stringAfter(std::string_view text, std::string_view key, std::size_t limit = std::string_view::npos) {
  const auto at = text.substr(0, limit).find(key);
  if (at == std::string_view::npos) return {};
  const std::size_t begin = at + key.size();
  const auto end = text.find('"', begin);
  if (end == std::string_view::npos) return {};
  return text.substr(begin, end - begin);
}

std::string base64(const unsigned char* bytes, std::size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t idx = 0; idx < size; idx += 3) {
    std::uint32_t chunk = static_cast<std::uint32_t>(bytes[idx]) << 16;
    if (idx + 1 < size) chunk |= static_cast<std::uint32_t>(bytes[idx + 1]) << 8;
    if (idx + 2 < size) chunk |= bytes[idx + 2];
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += idx + 1 < size ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += idx + 2 < size ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

// Latency in microseconds: 10 µs steps below 1 ms, 100 µs below 100 ms, 10 ms below 10 s,
// 100 ms below 100 s (an overloaded server can be that late).
class Histogram {
public:
  static constexpr std::size_t kBuckets = 2981;

  void add(std::int64_t micros) {
    ++counts_[bucketOf(micros)];
    ++total_;
  }
  std::uint64_t total() const { return total_; }
  void merge(const Histogram& other) {
    for (std::size_t bucket = 0; bucket < kBuckets; ++bucket)
      counts_[bucket] += other.counts_[bucket];
    total_ += other.total_;
  }
  //! The upper edge of the bucket holding the p-th fraction, in milliseconds; -1 when empty.
  double percentileMs(double fraction) const {
    if (total_ == 0) return -1;
    const auto wanted = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(total_)));
    std::uint64_t seen = 0;
    for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
      seen += counts_[bucket];
      if (seen >= std::max<std::uint64_t>(wanted, 1)) return static_cast<double>(upperOf(bucket)) / 1000.0;
    }
    return static_cast<double>(upperOf(kBuckets - 1)) / 1000.0;
  }
  std::string encode() const {
    std::string out;
    for (std::size_t bucket = 0; bucket < kBuckets; ++bucket) {
      if (counts_[bucket] == 0) continue;
      if (!out.empty()) out += ',';
      out += std::to_string(bucket) + ':' + std::to_string(counts_[bucket]);
    }
    return out.empty() ? "-" : out;
  }
  void addEncoded(std::string_view text) {
    while (!text.empty() && text != "-") {
      const auto comma = text.find(',');
      const auto item = text.substr(0, comma);
      const auto colon = item.find(':');
      if (colon != std::string_view::npos) {
        const auto bucket = static_cast<std::size_t>(toInt(item.substr(0, colon)));
        const auto count = static_cast<std::uint64_t>(toInt(item.substr(colon + 1)));
        if (bucket < kBuckets) {
          counts_[bucket] += count;
          total_ += count;
        }
      }
      if (comma == std::string_view::npos) break;
      text.remove_prefix(comma + 1);
    }
  }

private:
  static std::size_t bucketOf(std::int64_t micros) {
    if (micros < 0) micros = 0;
    if (micros < 1000) return static_cast<std::size_t>(micros / 10);
    if (micros < 100'000) return 100 + static_cast<std::size_t>((micros - 1000) / 100);
    if (micros < 10'000'000) return 1090 + static_cast<std::size_t>((micros - 100'000) / 10'000);
    if (micros < 100'000'000) return 2080 + static_cast<std::size_t>((micros - 10'000'000) / 100'000);
    return kBuckets - 1;
  }
  static std::int64_t upperOf(std::size_t bucket) {
    const auto b = static_cast<std::int64_t>(bucket);
    if (bucket < 100) return (b + 1) * 10;
    if (bucket < 1090) return 1000 + (b - 100 + 1) * 100;
    if (bucket < 2080) return 100'000 + (b - 1090 + 1) * 10'000;
    if (bucket < kBuckets - 1) return 10'000'000 + (b - 2080 + 1) * 100'000;
    return 100'000'000;
  }
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
};

// "key=value key=value" → map.
std::map<std::string, std::string> fieldsOf(std::string_view line) {
  std::map<std::string, std::string> out;
  std::istringstream in{std::string(line)};
  std::string word;
  while (in >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) {
      out[word] = "";
    } else {
      out[word.substr(0, eq)] = word.substr(eq + 1);
    }
  }
  return out;
}

std::string countsText(const std::map<std::string, std::uint64_t>& counts) {
  std::string out;
  for (const auto& [key, count] : counts) {
    if (!out.empty()) out += ',';
    out += key + ':' + std::to_string(count);
  }
  return out.empty() ? "-" : out;
}

void addCounts(std::map<std::string, std::uint64_t>& into, std::string_view text) {
  while (!text.empty() && text != "-") {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    const auto colon = item.rfind(':');
    if (colon != std::string_view::npos) {
      into[std::string(item.substr(0, colon))] += static_cast<std::uint64_t>(toInt(item.substr(colon + 1)));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
}

struct Options {
  std::string scenario;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string key_file; //!< hearthd's HS256 key: tokens are minted with its own TokenSigner
  std::string ids_file; //!< "user_id session_id" per line: the clients' accounts
  std::size_t count = 0; //!< clients (0: every line of ids_file)
  std::size_t workers = 0; //!< worker processes (0: enough for the open-file cap, at least 2)
  std::string poster; //!< "user_id:session_id" of the account that posts (hearthd)
  std::string channel; //!< channel id to post into (hearthd); empty: raw peer (POST /broadcast)
  std::size_t frame_bytes = 600; //!< raw peers: the size of the frame they broadcast
  double target = 100'000; //!< fanout: deliveries per second of the fixed-rate window
  double duration = 8; //!< seconds of the fixed-rate window
  double ramp_step = 3; //!< seconds per ramp step
  double ramp_factor = 1.5;
  double ramp_max = 40; //!< stop the ramp at this multiple of the target
  double storm_rate = 5; //!< storm: messages per second posted throughout
  double settle = 3; //!< idle: seconds between the last READY and the memory sample
  int server_pid = 0;
  int pg_pid = 0; //!< the postmaster, to add PostgreSQL's CPU to the notes
  int source_addrs = 8;
  std::size_t inflight = 128; //!< handshakes in flight per worker
  std::size_t post_connections = 16;
  std::string invite; //!< join: the invite code
  double connect_timeout = 600; //!< seconds for all clients to identify
};

Options parseOptions(int argc, char** argv) {
  Options options;
  if (argc < 2) die("usage: fanout_client fanout|idle|storm|join|token --port P [--key-file F --ids F ...]");
  options.scenario = argv[1];
  for (int idx = 2; idx + 1 < argc; idx += 2) {
    const std::string key = argv[idx];
    const std::string value = argv[idx + 1];
    if (key == "--host")
      options.host = value;
    else if (key == "--port")
      options.port = static_cast<int>(toInt(value));
    else if (key == "--key-file")
      options.key_file = value;
    else if (key == "--ids")
      options.ids_file = value;
    else if (key == "--count")
      options.count = static_cast<std::size_t>(toInt(value));
    else if (key == "--workers")
      options.workers = static_cast<std::size_t>(toInt(value));
    else if (key == "--poster")
      options.poster = value;
    else if (key == "--channel")
      options.channel = value;
    else if (key == "--frame-bytes")
      options.frame_bytes = static_cast<std::size_t>(toInt(value));
    else if (key == "--target")
      options.target = std::stod(value);
    else if (key == "--duration")
      options.duration = std::stod(value);
    else if (key == "--ramp-step")
      options.ramp_step = std::stod(value);
    else if (key == "--ramp-factor")
      options.ramp_factor = std::stod(value);
    else if (key == "--ramp-max")
      options.ramp_max = std::stod(value);
    else if (key == "--storm-rate")
      options.storm_rate = std::stod(value);
    else if (key == "--settle")
      options.settle = std::stod(value);
    else if (key == "--server-pid")
      options.server_pid = static_cast<int>(toInt(value));
    else if (key == "--pg-pid")
      options.pg_pid = static_cast<int>(toInt(value));
    else if (key == "--source-addrs")
      options.source_addrs = static_cast<int>(toInt(value));
    else if (key == "--inflight")
      options.inflight = static_cast<std::size_t>(toInt(value));
    else if (key == "--post-connections")
      options.post_connections = static_cast<std::size_t>(toInt(value));
    else if (key == "--invite")
      options.invite = value;
    else if (key == "--connect-timeout")
      options.connect_timeout = std::stod(value);
    else
      die("unknown option " + key);
  }
  if (options.port == 0) die("--port is required");
  return options;
}

// Accounts from the ids file, with access tokens minted by hearthd's own signer and key (the
// sessions exist in auth_sessions, so the server accepts them as if they had signed in).
struct Account {
  std::uint64_t user_id = 0;
  std::uint64_t session_id = 0;
};

std::vector<Account> readAccounts(const std::string& path, std::size_t limit) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  std::vector<Account> out;
  Account account;
  while (in >> account.user_id >> account.session_id) {
    out.push_back(account);
    if (limit != 0 && out.size() == limit) break;
  }
  if (limit != 0 && out.size() < limit) {
    die(path + " has " + std::to_string(out.size()) + " accounts, " + std::to_string(limit) + " wanted");
  }
  return out;
}

std::string signingKey(const std::string& path) {
  if (path.empty()) return {};
  auto key = hearth::auth::loadOrCreateKey(path);
  if (!key) die("key: " + key.error().message);
  return *key;
}

std::string tokenFor(const std::string& key, const Account& account) {
  const hearth::auth::TokenSigner signer(key, hearth::core::SystemClock::instance());
  return signer.issue(account.user_id, account.session_id);
}

Account parsePoster(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) die("--poster wants user_id:session_id");
  return Account{static_cast<std::uint64_t>(toInt(text.substr(0, colon))),
                 static_cast<std::uint64_t>(toInt(text.substr(colon + 1)))};
}

void setNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

sockaddr_in addressOf(const std::string& host, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) die("bad host " + host);
  return address;
}

// A non-blocking TCP socket connecting from 127.0.0.(2 + source) to `to`; -errno on failure.
int startTcpConnect(const sockaddr_in& to, int source) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source >= 0) {
    // The port is picked at connect() for the whole 4-tuple, not at bind() for the address alone.
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(0x7F000002u + static_cast<std::uint32_t>(source));
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0) {
      const int error = errno;
      ::close(fd);
      return -error;
    }
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    ::close(fd);
    return -error;
  }
  return fd;
}

// ---------------------------------------------------------------------------------------------
// Worker: one process, one epoll loop, a slice of the clients.

enum class State : std::uint8_t {
  kIdle, // not connected (yet, or closed cleanly)
  kConnecting,
  kUpgrading, // upgrade request sent, waiting for 101
  kHello, // waiting for HELLO
  kAuthing, // IDENTIFY or RESUME sent, waiting for READY or RESUMED
  kReady,
  kClosing, // close frame sent, waiting for the server's
  kFailed, // gave up (handshake error, refused, INVALID_SESSION...)
  kLost, // the server closed or broke an identified connection
};

bool inHandshake(State state) {
  return state == State::kConnecting || state == State::kUpgrading || state == State::kHello ||
         state == State::kAuthing;
}

struct Session {
  std::string token;
  std::string session_id;
  std::int64_t seq = 0;
  int fd = -1;
  std::uint32_t generation = 0;
  State state = State::kIdle;
  bool resuming = false;
  bool expected = false; //!< identified once: must receive every message from then on
  int source = 0;
  std::int64_t started_ns = 0;
  std::int64_t heartbeat_ms = 0;
  std::int64_t next_heartbeat_ns = 0;
  std::string in; //!< received bytes not yet parsed
  std::string message; //!< a fragmented message being assembled
  std::string out; //!< bytes the socket did not take yet
  std::vector<std::uint8_t> got; //!< receipts per message index
};

class Worker {
public:
  Worker(const Options& options, std::vector<std::string> tokens, std::size_t first_index, int control_fd,
         std::int64_t epoch_ns)
      : options_(options),
        control_fd_(control_fd),
        epoch_ns_(epoch_ns),
        server_(addressOf(options.host, options.port)),
        random_(std::random_device{}()) {
    sessions_.resize(tokens.size());
    for (std::size_t idx = 0; idx < tokens.size(); ++idx) {
      sessions_[idx].token = std::move(tokens[idx]);
      sessions_[idx].source =
          options.source_addrs > 0
              ? static_cast<int>((first_index + idx) % static_cast<std::size_t>(options.source_addrs))
              : -1;
      queue_.push_back(idx);
    }
  }

  int run() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    epoll_event control{};
    control.events = EPOLLIN;
    control.data.u64 = kControlTag;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, control_fd_, &control);
    connect_started_ns_ = monoNs();
    std::array<epoll_event, 512> events{};
    std::int64_t next_sweep = 0;
    while (!quit_) {
      const int ready = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 10);
      for (int idx = 0; idx < ready; ++idx) {
        if (events[static_cast<std::size_t>(idx)].data.u64 == kControlTag) {
          readControl();
        } else {
          onSocket(events[static_cast<std::size_t>(idx)].data.u64, events[static_cast<std::size_t>(idx)].events);
        }
      }
      const std::int64_t now = monoNs();
      startConnects(now);
      if (now >= next_sweep) {
        sweep(now);
        next_sweep = now + 100 * kNsPerMs;
      }
      checkReady(now);
      checkStats(now);
      checkResume(now);
      checkClose(now);
    }
    return 0;
  }

private:
  static constexpr std::uint64_t kControlTag = ~0ULL;

  struct Phase {
    int id = 0;
    std::int64_t first = 0;
    Histogram latency;
  };
  struct StatsRequest {
    int phase = 0;
    std::int64_t from = 0;
    std::int64_t to = 0;
    std::int64_t deadline = 0;
    std::vector<std::int64_t> skip;
  };

  // -- control channel ----------------------------------------------------------------------
  void reply(const std::string& line) {
    const std::string text = line + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t wrote = ::write(control_fd_, text.data() + done, text.size() - done);
      if (wrote < 0 && errno == EINTR) continue;
      if (wrote <= 0) std::_Exit(3);
      done += static_cast<std::size_t>(wrote);
    }
  }

  void readControl() {
    char buffer[4096];
    const ssize_t got = ::read(control_fd_, buffer, sizeof buffer);
    if (got <= 0) {
      quit_ = true; // the controller is gone
      return;
    }
    control_in_.append(buffer, static_cast<std::size_t>(got));
    std::size_t newline;
    while ((newline = control_in_.find('\n')) != std::string::npos) {
      const std::string line = control_in_.substr(0, newline);
      control_in_.erase(0, newline + 1);
      onCommand(line);
    }
  }

  void onCommand(const std::string& line) {
    std::istringstream in(line);
    std::string command;
    in >> command;
    if (command == "phase") {
      Phase phase;
      in >> phase.id >> phase.first;
      phases_.push_back(std::move(phase));
    } else if (command == "stats") {
      StatsRequest request;
      in >> request.phase >> request.from >> request.to >> request.deadline;
      std::int64_t skipped;
      while (in >> skipped)
        request.skip.push_back(skipped);
      stats_ = std::move(request);
    } else if (command == "timeline") {
      std::string out = "timeline lost=" + std::to_string(lost_) + " closes=" + countsText(closes_) + " buckets=";
      bool any = false;
      for (std::size_t bucket = 0; bucket < timeline_.size(); ++bucket) {
        if (timeline_[bucket] == 0) continue;
        if (any) out += ',';
        out += std::to_string(bucket) + ':' + std::to_string(timeline_[bucket]);
        any = true;
      }
      if (!any) out += '-';
      reply(out);
    } else if (command == "drop") {
      in >> drop_ns_ >> resume_deadline_;
      drop();
    } else if (command == "close") {
      closeAll();
    } else if (command == "exit") {
      quit_ = true;
    }
  }

  // -- connections ----------------------------------------------------------------------------
  static std::uint64_t tagOf(std::size_t index, std::uint32_t generation) {
    return (static_cast<std::uint64_t>(generation) << 32) | index;
  }

  void watch(Session& session, std::size_t index, bool writable) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | (writable ? EPOLLOUT : 0u);
    event.data.u64 = tagOf(index, session.generation);
    epoll_ctl(epoll_, EPOLL_CTL_MOD, session.fd, &event);
  }

  void startConnects(std::int64_t now) {
    while (inflight_ < options_.inflight && cursor_ < queue_.size()) {
      const std::size_t index = queue_[cursor_++];
      Session& session = sessions_[index];
      const int fd = startTcpConnect(server_, session.source);
      ++session.generation;
      session.started_ns = now;
      if (fd < 0) {
        session.state = State::kFailed;
        ++failures_[std::string("connect:") + std::strerror(-fd)];
        continue;
      }
      session.fd = fd;
      session.state = State::kConnecting;
      ++inflight_;
      epoll_event event{};
      event.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
      event.data.u64 = tagOf(index, session.generation);
      epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
    }
  }

  void closeFd(Session& session) {
    if (session.fd >= 0) ::close(session.fd);
    session.fd = -1;
    session.in.clear();
    session.in.shrink_to_fit();
    session.message.clear();
    session.out.clear();
  }

  // Leaves the handshake (for better or worse): lets the next client start.
  void settle(Session& session, State next) {
    if (inHandshake(session.state) && inflight_ > 0) --inflight_;
    session.state = next;
  }

  void fail(Session& session, const std::string& reason) {
    ++failures_[reason];
    if (session.resuming) ++resume_failed_;
    closeFd(session);
    settle(session, State::kFailed);
  }

  void onSocket(std::uint64_t tag, std::uint32_t events) {
    const std::size_t index = tag & 0xFFFFFFFFu;
    if (index >= sessions_.size()) return;
    Session& session = sessions_[index];
    if (session.fd < 0 || session.generation != static_cast<std::uint32_t>(tag >> 32)) return;
    if (session.state == State::kConnecting) {
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(session.fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) {
        fail(session, std::string("connect:") + std::strerror(error));
        return;
      }
      if ((events & EPOLLOUT) == 0) return;
      std::array<unsigned char, 16> nonce{};
      for (auto& byte : nonce)
        byte = static_cast<unsigned char>(random_());
      session.state = State::kUpgrading;
      watch(session, index, false);
      sendRaw(session, index,
              "GET /api/v1/gateway HTTP/1.1\r\nHost: " + options_.host + ":" + std::to_string(options_.port) +
                  "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
                  base64(nonce.data(), nonce.size()) + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
      return;
    }
    if ((events & EPOLLOUT) != 0 && !session.out.empty()) {
      const ssize_t wrote = ::send(session.fd, session.out.data(), session.out.size(), MSG_NOSIGNAL);
      if (wrote > 0) session.out.erase(0, static_cast<std::size_t>(wrote));
      if (session.out.empty()) watch(session, index, false);
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0) readFrom(session, index);
  }

  void readFrom(Session& session, std::size_t index) {
    static char buffer[1 << 16];
    for (;;) {
      const ssize_t got = ::read(session.fd, buffer, sizeof buffer);
      if (got > 0) {
        feed(session, index, buffer, static_cast<std::size_t>(got));
        if (session.fd < 0 || static_cast<std::size_t>(got) < sizeof buffer) return;
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      onEnd(session, got == 0 ? "eof" : std::string("read:") + std::strerror(errno));
      return;
    }
  }

  void onEnd(Session& session, const std::string& reason) {
    if (session.state == State::kClosing) {
      closeFd(session);
      session.state = State::kIdle;
    } else if (inHandshake(session.state)) {
      fail(session, reason + (session.state == State::kUpgrading ? " before 101" : " in handshake"));
    } else if (session.state == State::kReady) {
      ++lost_;
      ++failures_["lost:" + reason];
      closeFd(session);
      session.state = State::kLost;
    } else {
      closeFd(session);
    }
  }

  void feed(Session& session, std::size_t index, const char* data, std::size_t size) {
    if (session.state == State::kUpgrading) {
      session.in.append(data, size);
      const auto end = session.in.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (session.in.size() > 16384) fail(session, "upgrade answer too long");
        return;
      }
      if (session.in.compare(0, 12, "HTTP/1.1 101") != 0) {
        fail(session, "upgrade refused: " + session.in.substr(0, std::min<std::size_t>(session.in.find('\r'), 40)));
        return;
      }
      session.in.erase(0, end + 4);
      session.state = State::kHello;
      if (session.in.empty()) return;
      const std::string rest = std::move(session.in);
      session.in.clear();
      feed(session, index, rest.data(), rest.size());
      return;
    }
    if (session.in.empty()) {
      const std::size_t used = parseFrames(session, index, data, size);
      if (session.fd >= 0 && used < size) session.in.assign(data + used, size - used);
      return;
    }
    session.in.append(data, size);
    const std::string pending = std::move(session.in);
    session.in.clear();
    const std::size_t used = parseFrames(session, index, pending.data(), pending.size());
    if (session.fd >= 0 && used < pending.size()) session.in.assign(pending, used);
  }

  std::size_t parseFrames(Session& session, std::size_t index, const char* data, std::size_t size) {
    std::size_t pos = 0;
    while (size - pos >= 2 && session.fd >= 0) {
      const auto* bytes = reinterpret_cast<const unsigned char*>(data + pos);
      std::uint64_t length = bytes[1] & 0x7F;
      std::size_t header = 2;
      if (length == 126) {
        if (size - pos < 4) break;
        length = (static_cast<std::uint64_t>(bytes[2]) << 8) | bytes[3];
        header = 4;
      } else if (length == 127) {
        if (size - pos < 10) break;
        length = 0;
        for (std::size_t idx = 0; idx < 8; ++idx)
          length = (length << 8) | bytes[2 + idx];
        header = 10;
      }
      const bool masked = (bytes[1] & 0x80) != 0;
      if (masked) header += 4;
      if (length > (16u << 20)) {
        fail(session, "frame over 16 MiB");
        return size;
      }
      if (size - pos < header + length) break;
      std::string_view payload(data + pos + header, length);
      std::string unmasked;
      if (masked) {
        unmasked.assign(payload);
        for (std::size_t idx = 0; idx < unmasked.size(); ++idx)
          unmasked[idx] = static_cast<char>(unmasked[idx] ^ data[pos + header - 4 + idx % 4]);
        payload = unmasked;
      }
      onFrame(session, index, (bytes[0] & 0x80) != 0, bytes[0] & 0x0F, payload);
      pos += header + length;
    }
    return pos;
  }

  void onFrame(Session& session, std::size_t index, bool fin, int opcode, std::string_view payload) {
    switch (opcode) {
    case 0:
      session.message.append(payload);
      if (fin) {
        const std::string whole = std::move(session.message);
        session.message.clear();
        onMessage(session, index, whole);
      }
      break;
    case 1:
    case 2:
      if (fin) {
        onMessage(session, index, payload);
      } else {
        session.message.assign(payload);
      }
      break;
    case 8: {
      const int code = payload.size() >= 2
                           ? (static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1])
                           : 1005;
      if (session.state != State::kClosing) {
        ++closes_[std::to_string(code)];
        const char echo[2] = {payload.size() >= 2 ? payload[0] : '\x03', payload.size() >= 2 ? payload[1] : '\xE8'};
        sendFrame(session, index, 8, std::string_view(echo, 2));
        onEnd(session, "close " + std::to_string(code));
      } else {
        closeFd(session);
        session.state = State::kIdle;
      }
      break;
    }
    case 9: sendFrame(session, index, 10, payload); break;
    default: break; // pong
    }
  }

  void sendRaw(Session& session, std::size_t index, std::string_view bytes) {
    if (session.fd < 0) return;
    if (!session.out.empty()) {
      session.out.append(bytes);
      return;
    }
    const ssize_t wrote = ::send(session.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (wrote == static_cast<ssize_t>(bytes.size())) return;
    if (wrote < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      onEnd(session, std::string("write:") + std::strerror(errno));
      return;
    }
    session.out.assign(bytes.substr(wrote > 0 ? static_cast<std::size_t>(wrote) : 0));
    watch(session, index, true);
  }

  // A masked client frame (RFC 6455 §5.3: every client frame is masked).
  void sendFrame(Session& session, std::size_t index, int opcode, std::string_view payload) {
    std::string frame;
    frame.reserve(payload.size() + 14);
    frame += static_cast<char>(0x80 | opcode);
    const std::size_t size = payload.size();
    if (size < 126) {
      frame += static_cast<char>(0x80 | size);
    } else if (size < 65536) {
      frame += static_cast<char>(0x80 | 126);
      frame += static_cast<char>(size >> 8);
      frame += static_cast<char>(size & 0xFF);
    } else {
      frame += static_cast<char>(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8)
        frame += static_cast<char>((size >> shift) & 0xFF);
    }
    const auto mask = static_cast<std::uint32_t>(random_());
    char key[4];
    std::memcpy(key, &mask, 4);
    frame.append(key, 4);
    for (std::size_t idx = 0; idx < size; ++idx)
      frame += static_cast<char>(payload[idx] ^ key[idx % 4]);
    sendRaw(session, index, frame);
  }

  void sendHeartbeat(Session& session, std::size_t index) {
    const std::string beat =
        "{\"op\":1,\"d\":" + (session.seq > 0 ? std::to_string(session.seq) : std::string("null")) + "}";
    sendFrame(session, index, 1, beat);
  }

  // -- the gateway protocol -------------------------------------------------------------------
  void onMessage(Session& session, std::size_t index, std::string_view text) {
    const auto op = intAfter(text, "\"op\":", 32);
    if (!op) {
      ++foreign_;
      return;
    }
    const std::int64_t now = monoNs();
    switch (*op) {
    case 0: {
      if (const auto seq = intAfter(text, "\"s\":", 48); seq && *seq > session.seq) session.seq = *seq;
      const auto type = stringAfter(text, "\"t\":\"", 64);
      if (type == "MESSAGE_CREATE") {
        onDelivery(session, text, now);
      } else if (type == "READY") {
        session.session_id = std::string(stringAfter(text, "\"session_id\":\""));
        session.expected = true;
        if (session.state == State::kAuthing) {
          settle(session, State::kReady);
          ++identified_;
          last_ready_ns_ = now;
        }
      } else if (type == "RESUMED") {
        if (session.state == State::kAuthing) {
          settle(session, State::kReady);
          session.resuming = false;
          ++resumed_;
          resume_times_.add((now - drop_ns_) / 1000);
        }
      }
      break;
    }
    case 10: { // HELLO
      session.heartbeat_ms = intAfter(text, "\"heartbeat_interval\":").value_or(41250);
      std::uniform_real_distribution<double> jitter(0.0, 1.0);
      session.next_heartbeat_ns =
          now + static_cast<std::int64_t>(jitter(random_) * static_cast<double>(session.heartbeat_ms) * 1e6);
      session.state = State::kAuthing;
      if (session.resuming) {
        sendFrame(session, index, 1,
                  "{\"op\":6,\"d\":{\"token\":\"" + session.token + "\",\"session_id\":\"" + session.session_id +
                      "\",\"seq\":" + std::to_string(session.seq) + "}}");
      } else {
        sendFrame(
            session, index, 1,
            "{\"op\":2,\"d\":{\"token\":\"" + session.token +
                "\",\"properties\":{\"os\":\"linux\",\"browser\":\"hearth-bench\",\"device\":\"hearth-bench\"}}}");
      }
      break;
    }
    case 1: sendHeartbeat(session, index); break;
    case 9: { // INVALID_SESSION
      const bool resuming = session.resuming;
      if (resuming) ++resume_invalid_;
      session.resuming = false; // counted as invalid, not also as failed
      sendFrame(session, index, 8, std::string_view("\x03\xE8", 2));
      fail(session, resuming ? "resume:invalid_session" : "identify:invalid_session");
      break;
    }
    case 7: ++failures_["reconnect_asked"]; break;
    default: break; // 11 HEARTBEAT_ACK
    }
  }

  Phase* phaseOf(std::int64_t message) {
    for (auto it = phases_.rbegin(); it != phases_.rend(); ++it) {
      if (message >= it->first) return &*it;
    }
    return nullptr;
  }

  void onDelivery(Session& session, std::string_view text, std::int64_t now) {
    const auto mark = text.find("bench n=");
    if (mark == std::string_view::npos) {
      ++foreign_;
      return;
    }
    const auto message = intAfter(text.substr(mark), "bench n=");
    const auto sent = intAfter(text.substr(mark), " t=", 40);
    if (!message || !sent || *message < 0 || *message > 50'000'000) {
      ++foreign_;
      return;
    }
    const auto slot = static_cast<std::size_t>(*message);
    if (slot >= session.got.size()) session.got.resize((slot + 256) & ~std::size_t{255}, 0);
    if (slot >= received_by_.size()) {
      received_by_.resize(slot + 1024, 0);
      delivered_.resize(slot + 1024, 0);
      last_ns_.resize(slot + 1024, 0);
    }
    auto& count = session.got[slot];
    if (count < 255) ++count;
    if (count == 1) ++received_by_[slot];
    ++delivered_[slot];
    last_ns_[slot] = std::max(last_ns_[slot], now);
    frame_bytes_ += text.size();
    ++frames_;
    if (Phase* phase = phaseOf(*message)) phase->latency.add((now - *sent) / 1000);
    const auto bucket = static_cast<std::size_t>(std::max<std::int64_t>(0, now - epoch_ns_) / kTimelineBucketNs);
    if (bucket >= timeline_.size()) timeline_.resize(bucket + 600, 0);
    ++timeline_[bucket];
  }

  // -- periodic work ----------------------------------------------------------------------------
  void sweep(std::int64_t now) {
    for (std::size_t index = 0; index < sessions_.size(); ++index) {
      Session& session = sessions_[index];
      if (session.fd < 0) continue;
      if (inHandshake(session.state) && now - session.started_ns > 60 * kNsPerSec) {
        fail(session, "handshake timeout (60 s)");
        continue;
      }
      if ((session.state == State::kReady || session.state == State::kAuthing) && session.heartbeat_ms > 0 &&
          now >= session.next_heartbeat_ns) {
        sendHeartbeat(session, index);
        session.next_heartbeat_ns = now + session.heartbeat_ms * kNsPerMs;
      }
    }
  }

  void checkReady(std::int64_t now) {
    if (ready_reported_ || cursor_ < queue_.size() || inflight_ > 0) return;
    ready_reported_ = true;
    (void)now;
    reply("ready ok=" + std::to_string(identified_) + " failed=" + std::to_string(sessions_.size() - identified_) +
          " first=" + std::to_string(connect_started_ns_) + " last=" + std::to_string(last_ready_ns_) +
          " failures=" + countsText(failures_));
  }

  void checkStats(std::int64_t now) {
    if (!stats_) return;
    const auto& request = *stats_;
    std::uint64_t expected = 0;
    for (const auto& session : sessions_)
      expected += session.expected ? 1 : 0;
    std::uint64_t missing = 0;
    std::uint64_t deliveries = 0;
    std::uint64_t duplicates = 0;
    std::int64_t last = 0;
    for (std::int64_t message = request.from; message < request.to; ++message) {
      if (std::find(request.skip.begin(), request.skip.end(), message) != request.skip.end()) continue;
      const auto slot = static_cast<std::size_t>(message);
      const std::uint64_t received = slot < received_by_.size() ? received_by_[slot] : 0;
      missing += expected > received ? expected - received : 0;
      if (slot < delivered_.size()) {
        deliveries += delivered_[slot];
        duplicates += delivered_[slot] - received;
        last = std::max(last, last_ns_[slot]);
      }
    }
    if (missing > 0 && now < request.deadline) return;
    Histogram latency;
    for (const auto& phase : phases_) {
      if (phase.first >= request.from && phase.first < request.to) latency.merge(phase.latency);
    }
    reply("stats phase=" + std::to_string(request.phase) + " expected=" + std::to_string(expected) +
          " deliveries=" + std::to_string(deliveries) + " missing=" + std::to_string(missing) +
          " duplicates=" + std::to_string(duplicates) + " last=" + std::to_string(last) +
          " frame_bytes=" + std::to_string(frame_bytes_) + " frames=" + std::to_string(frames_) +
          " lost=" + std::to_string(lost_) + " foreign=" + std::to_string(foreign_) + " closes=" + countsText(closes_) +
          " failures=" + countsText(failures_) + " latency=" + latency.encode());
    stats_.reset();
  }

  // -- reconnect storm ------------------------------------------------------------------------
  void drop() {
    // Every identified connection goes at once, as when a network path dies: no close frame.
    queue_.clear();
    cursor_ = 0;
    for (std::size_t index = 0; index < sessions_.size(); ++index) {
      Session& session = sessions_[index];
      if (session.state != State::kReady) continue;
      closeFd(session);
      session.state = State::kIdle;
      session.resuming = true;
      queue_.push_back(index);
    }
    dropped_ = queue_.size();
    resume_pending_ = true;
  }

  void checkResume(std::int64_t now) {
    if (!resume_pending_) return;
    const bool done = resumed_ + resume_invalid_ + resume_failed_ >= dropped_ && cursor_ >= queue_.size();
    if (!done && now < resume_deadline_) return;
    resume_pending_ = false;
    reply("resumed dropped=" + std::to_string(dropped_) + " ok=" + std::to_string(resumed_) +
          " invalid=" + std::to_string(resume_invalid_) + " failed=" + std::to_string(resume_failed_) +
          " pending=" + std::to_string(dropped_ - std::min(dropped_, resumed_ + resume_invalid_ + resume_failed_)) +
          " failures=" + countsText(failures_) + " times=" + resume_times_.encode());
  }

  // -- the end ----------------------------------------------------------------------------------
  void closeAll() {
    // Close 1000 ends each session on the server at once, so the next round starts clean.
    for (std::size_t index = 0; index < sessions_.size(); ++index) {
      Session& session = sessions_[index];
      if (session.fd < 0) continue;
      if (session.state == State::kReady) {
        sendFrame(session, index, 8, std::string_view("\x03\xE8", 2));
        if (session.fd >= 0) session.state = State::kClosing;
      } else {
        closeFd(session);
      }
    }
    closing_ = true;
    close_deadline_ = monoNs() + 10 * kNsPerSec;
    cursor_ = queue_.size(); // nothing more to start
  }

  void checkClose(std::int64_t now) {
    if (!closing_) return;
    std::size_t open = 0;
    for (const auto& session : sessions_)
      open += session.fd >= 0 ? 1 : 0;
    if (open > 0 && now < close_deadline_) return;
    for (auto& session : sessions_)
      closeFd(session);
    closing_ = false;
    reply("closed unanswered=" + std::to_string(open));
  }

  // given
  const Options& options_;
  int control_fd_;
  std::int64_t epoch_ns_;
  sockaddr_in server_;
  // owned
  std::mt19937_64 random_;
  int epoll_ = -1;
  std::vector<Session> sessions_;
  std::vector<std::size_t> queue_; //!< sessions to connect, in order
  std::size_t cursor_ = 0;
  std::size_t inflight_ = 0;
  std::string control_in_;
  bool quit_ = false;
  bool ready_reported_ = false;
  std::int64_t connect_started_ns_ = 0;
  std::int64_t last_ready_ns_ = 0;
  std::size_t identified_ = 0;
  std::map<std::string, std::uint64_t> failures_;
  std::map<std::string, std::uint64_t> closes_;
  std::uint64_t lost_ = 0;
  std::uint64_t foreign_ = 0;
  std::vector<Phase> phases_;
  std::optional<StatsRequest> stats_;
  std::vector<std::uint32_t> received_by_; //!< per message: clients that received it
  std::vector<std::uint32_t> delivered_; //!< per message: deliveries, repeats included
  std::vector<std::int64_t> last_ns_; //!< per message: the last receipt
  std::vector<std::uint32_t> timeline_; //!< receipts per 100 ms since the epoch
  std::uint64_t frame_bytes_ = 0;
  std::uint64_t frames_ = 0;
  std::int64_t drop_ns_ = 0;
  std::int64_t resume_deadline_ = 0;
  std::size_t dropped_ = 0;
  std::size_t resumed_ = 0;
  std::size_t resume_invalid_ = 0;
  std::size_t resume_failed_ = 0;
  bool resume_pending_ = false;
  Histogram resume_times_;
  bool closing_ = false;
  std::int64_t close_deadline_ = 0;
};

// ---------------------------------------------------------------------------------------------
// The controller's HTTP client: a few keep-alive connections, one request in flight on each.

class HttpClient {
public:
  using Done = std::function<void(std::uint64_t tag, int status, std::int64_t sent_ns, std::string_view body)>;

  void open(int epoll, const Options& options, std::size_t connections, std::uint64_t tag_base, Done done) {
    epoll_ = epoll;
    address_ = addressOf(options.host, options.port);
    tag_base_ = tag_base;
    done_ = std::move(done);
    connections_.resize(connections); // opened when first needed
  }
  bool owns(std::uint64_t tag) const { return tag >= tag_base_ && tag < tag_base_ + connections_.size(); }
  std::size_t busy() const {
    std::size_t count = 0;
    for (const auto& connection : connections_)
      count += connection.busy ? 1 : 0;
    return count;
  }
  bool idle() const { return busy() < connections_.size(); }

  //! Sends on an idle connection (check idle() first).
  void send(const std::string& request, std::uint64_t tag) {
    // A connection used lately is preferred; one left unused for a while is opened afresh
    // first, so a server's keep-alive or first-request timeout never closes it under a request.
    const std::int64_t now = monoNs();
    std::size_t chosen = connections_.size();
    for (std::size_t idx = 0; idx < connections_.size(); ++idx) {
      const auto& connection = connections_[idx];
      if (connection.busy) continue;
      if (connection.fd >= 0 && now - connection.last_used_ns < kFreshNs) {
        chosen = idx;
        break;
      }
      if (chosen == connections_.size()) chosen = idx;
    }
    if (chosen == connections_.size()) return;
    auto& connection = connections_[chosen];
    if (connection.fd < 0 || now - connection.last_used_ns >= kFreshNs) reconnect(chosen);
    connection.busy = true;
    connection.tag = tag;
    connection.sent_ns = now;
    connection.last_used_ns = now;
    std::size_t done = 0;
    while (done < request.size()) {
      const ssize_t wrote = ::send(connection.fd, request.data() + done, request.size() - done, MSG_NOSIGNAL);
      if (wrote > 0) {
        done += static_cast<std::size_t>(wrote);
        continue;
      }
      if (wrote < 0 && (errno == EAGAIN || errno == EINTR)) {
        pollfd poll_fd{connection.fd, POLLOUT, 0};
        ::poll(&poll_fd, 1, 100);
        continue;
      }
      broken(chosen);
      return;
    }
  }

  void onEvent(std::uint64_t tag) {
    const std::size_t idx = tag - tag_base_;
    auto& connection = connections_[idx];
    if (connection.fd < 0) return; // an event of a connection closed since
    char buffer[16384];
    for (;;) {
      const ssize_t got = ::read(connection.fd, buffer, sizeof buffer);
      if (got > 0) {
        connection.in.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
      if (got < 0 && errno == EINTR) continue;
      if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      broken(idx);
      return;
    }
    for (;;) {
      const auto end = connection.in.find("\r\n\r\n");
      if (end == std::string::npos) return;
      std::string head = connection.in.substr(0, end);
      for (auto& c : head)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const int status = static_cast<int>(toInt(std::string_view(head).substr(9, 3)));
      std::size_t body_length = 0;
      if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos) {
        std::size_t pos = at + 17;
        while (pos < head.size() && head[pos] == ' ')
          ++pos;
        body_length = static_cast<std::size_t>(toInt(std::string_view(head).substr(pos)));
      }
      if (connection.in.size() < end + 4 + body_length) return;
      const std::string body = connection.in.substr(end + 4, body_length);
      connection.in.erase(0, end + 4 + body_length);
      if (!connection.busy) continue;
      connection.busy = false;
      connection.last_used_ns = monoNs();
      done_(connection.tag, status, connection.sent_ns, body);
    }
  }

private:
  static constexpr std::int64_t kFreshNs = 5 * kNsPerSec;

  struct Connection {
    int fd = -1;
    bool busy = false;
    std::uint64_t tag = 0;
    std::int64_t sent_ns = 0;
    std::int64_t last_used_ns = 0;
    std::string in;
  };

  void reconnect(std::size_t idx) {
    auto& connection = connections_[idx];
    if (connection.fd >= 0) ::close(connection.fd);
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&address_), sizeof address_) != 0) {
      die(std::string("poster cannot connect: ") + std::strerror(errno));
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setNonBlocking(fd);
    connection.fd = fd;
    connection.in.clear();
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = tag_base_ + idx;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
  }

  void broken(std::size_t idx) {
    auto& connection = connections_[idx];
    ::close(connection.fd);
    connection.fd = -1;
    connection.in.clear();
    if (connection.busy) {
      connection.busy = false;
      done_(connection.tag, 0, connection.sent_ns, "connection lost");
    }
  }

  int epoll_ = -1;
  sockaddr_in address_{};
  std::uint64_t tag_base_ = 0;
  Done done_;
  std::vector<Connection> connections_;
};

// ---------------------------------------------------------------------------------------------
// /proc readings.

std::int64_t cpuMicros(int pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  std::int64_t utime = 0;
  std::int64_t stime = 0;
  for (int idx = 3; fields >> field; ++idx) {
    if (idx == 14) utime = toInt(field);
    if (idx == 15) {
      stime = toInt(field);
      break;
    }
  }
  return (utime + stime) * 1'000'000 / sysconf(_SC_CLK_TCK);
}

// The postmaster and its children (the backends serving the server under test).
std::int64_t pgCpuMicros(int postmaster) {
  if (postmaster <= 0) return 0;
  std::int64_t total = cpuMicros(postmaster);
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return total;
  while (const dirent* entry = readdir(proc)) {
    const int pid = static_cast<int>(toInt(entry->d_name));
    if (pid <= 0) continue;
    std::ifstream in(std::string("/proc/") + entry->d_name + "/stat");
    std::string line;
    std::getline(in, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    int parent = 0;
    fields >> state >> parent;
    if (parent == postmaster) total += cpuMicros(pid);
  }
  closedir(proc);
  return total;
}

std::int64_t rssBytes(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return toInt(std::string_view(line).substr(line.find_first_of("0123456789"))) * 1024;
  }
  return 0;
}

// Kernel memory that grows with connections: the slab caches of sockets, their inodes and
// dentries, open files and epoll entries, plus TCP buffer memory (sockstat, in pages).
struct KernelMemory {
  std::int64_t slab = 0;
  std::int64_t buffers = 0;
};

KernelMemory kernelMemory() {
  KernelMemory out;
  const std::int64_t page = sysconf(_SC_PAGESIZE);
  std::ifstream slabinfo("/proc/slabinfo");
  std::string line;
  static const std::vector<std::string> caches = {"TCP",           "sock_inode_cache", "dentry",           "filp",
                                                  "eventpoll_epi", "eventpoll_pwq",    "skbuff_head_cache"};
  while (std::getline(slabinfo, line)) {
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    if (std::find(caches.begin(), caches.end(), name) == caches.end()) continue;
    // name active_objs num_objs objsize objperslab pagesperslab : tunables ... : slabdata active num shared
    std::vector<std::string> words;
    std::string word;
    while (fields >> word)
      words.push_back(word);
    if (words.size() < 13) continue;
    const std::int64_t pages_per_slab = toInt(words[4]);
    const std::int64_t slabs = toInt(words[12]);
    out.slab += slabs * pages_per_slab * page;
  }
  std::ifstream sockstat("/proc/net/sockstat");
  while (std::getline(sockstat, line)) {
    if (line.rfind("TCP:", 0) == 0) out.buffers = intAfter(line, " mem ").value_or(0) * page;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The controller: forks the workers, posts messages, gathers results.

class Controller {
public:
  explicit Controller(const Options& options) : options_(options) {}

  int run() {
    const std::string key = signingKey(options_.key_file);
    if (options_.scenario == "token") {
      std::printf("%s\n", tokenFor(key, parsePoster(options_.poster)).c_str());
      return 0;
    }
    accounts_ = readAccounts(options_.ids_file, options_.count);
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    if (options_.scenario == "join") return join(key);
    std::vector<std::string> tokens;
    tokens.reserve(accounts_.size());
    for (const auto& account : accounts_)
      tokens.push_back(key.empty() ? "bench" : tokenFor(key, account));
    if (!options_.poster.empty()) poster_token_ = tokenFor(key, parsePoster(options_.poster));
    epoch_ns_ = monoNs();
    std::size_t warm = 0; // idle: the accounts of the warm-up tenth
    if (options_.scenario == "idle") {
      base_rss_ = rssBytes(options_.server_pid);
      base_kernel_ = kernelMemory();
      // A first tenth identifies before the measured rest: what a server pays once (database
      // connections opened on demand, caches, allocator arenas) is then not counted per session.
      warm = tokens.size() >= 20 ? tokens.size() / 10 : 0;
      if (warm > 0) {
        std::vector<std::string> first(std::make_move_iterator(tokens.begin()),
                                       std::make_move_iterator(tokens.begin() + static_cast<std::ptrdiff_t>(warm)));
        tokens.erase(tokens.begin(), tokens.begin() + static_cast<std::ptrdiff_t>(warm));
        spawn(std::move(first));
        warm_ok_ = waitConnected(0, false).ok;
        pumpFor(1.0);
        warm_rss_ = rssBytes(options_.server_pid);
        warm_kernel_ = kernelMemory();
        warm_links_ = links_.size();
      } else {
        warm_rss_ = base_rss_;
        warm_kernel_ = base_kernel_;
      }
    }
    spawn(std::move(tokens), warm);
    openPoster();
    if (options_.scenario == "fanout") return fanout();
    if (options_.scenario == "idle") return idle();
    if (options_.scenario == "storm") return storm();
    die("unknown scenario " + options_.scenario);
  }

private:
  struct Link {
    pid_t pid = 0;
    int fd = -1;
    std::string in;
    std::deque<std::string> lines;
  };

  static constexpr std::uint64_t kPosterTagBase = 1'000'000;
  static constexpr std::int64_t kStormDeadlineNs = 120 * kNsPerSec; //!< RESUMEs still pending then are reported

  // -- workers --------------------------------------------------------------------------------
  // Starts workers for `tokens`, the accounts from `offset` on.
  void spawn(std::vector<std::string> tokens, std::size_t offset = 0) {
    std::size_t workers = options_.workers;
    if (workers == 0) {
      workers = std::max<std::size_t>(2, (tokens.size() + 9'499) / 9'500);
    }
    workers = std::max<std::size_t>(1, std::min(workers, tokens.size()));
    const std::size_t per_worker = (tokens.size() + workers - 1) / workers;
    if (per_worker > kSessionsPerWorkerMax) die("too many clients per worker: raise --workers");
    std::fflush(stdout);
    std::fflush(stderr);
    for (std::size_t worker = 0; worker < workers; ++worker) {
      const std::size_t begin = worker * per_worker;
      const std::size_t end = std::min(tokens.size(), begin + per_worker);
      if (begin >= end) break;
      int pair[2];
      if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) die("socketpair failed");
      const pid_t pid = fork();
      if (pid < 0) die("fork failed");
      if (pid == 0) {
        ::close(pair[0]);
        for (const auto& link : links_)
          ::close(link.fd);
        std::vector<std::string> slice(std::make_move_iterator(tokens.begin() + static_cast<std::ptrdiff_t>(begin)),
                                       std::make_move_iterator(tokens.begin() + static_cast<std::ptrdiff_t>(end)));
        Worker worker_loop(options_, std::move(slice), offset + begin, pair[1], epoch_ns_);
        std::_Exit(worker_loop.run());
      }
      ::close(pair[1]);
      setNonBlocking(pair[0]);
      Link link;
      link.pid = pid;
      link.fd = pair[0];
      links_.push_back(std::move(link));
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = links_.size() - 1;
      epoll_ctl(epoll_, EPOLL_CTL_ADD, pair[0], &event);
    }
    std::fprintf(stderr, "fanout_client: %zu clients over %zu worker processes\n", tokens.size(), links_.size());
  }

  // The load generator's own CPU (this process and its workers), to show it is not the limit.
  std::int64_t loadCpuMicros() const {
    std::int64_t total = cpuMicros(static_cast<int>(getpid()));
    for (const auto& link : links_)
      total += cpuMicros(link.pid);
    return total;
  }

  void tell(const std::string& line) {
    const std::string text = line + "\n";
    for (auto& link : links_) {
      if (::send(link.fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
        die("worker " + std::to_string(link.pid) + " is gone");
      }
    }
  }

  // One line from every worker, starting with `word`; fields of each.
  // (The workers from index `from` on only.)
  std::vector<std::map<std::string, std::string>> gather(const std::string& word, std::int64_t deadline_ns,
                                                         std::size_t from = 0) {
    std::vector<std::map<std::string, std::string>> out(links_.size() - from);
    std::vector<bool> have(links_.size(), false);
    for (;;) {
      bool all = true;
      for (std::size_t idx = from; idx < links_.size(); ++idx) {
        auto& lines = links_[idx].lines;
        while (!have[idx] && !lines.empty()) {
          const std::string line = std::move(lines.front());
          lines.pop_front();
          if (line.rfind(word + " ", 0) == 0) {
            out[idx - from] = fieldsOf(std::string_view(line).substr(word.size() + 1));
            have[idx] = true;
          }
        }
        all = all && have[idx];
      }
      if (all) return out;
      if (monoNs() > deadline_ns) die("workers did not answer \"" + word + "\" in time");
      pump(5);
    }
  }

  void shutdownWorkers() {
    tell("close");
    const auto closed = gather("closed", monoNs() + 30 * kNsPerSec);
    std::uint64_t unanswered = 0;
    for (const auto& fields : closed)
      unanswered += static_cast<std::uint64_t>(toInt(fields.at("unanswered")));
    if (unanswered > 0) std::fprintf(stderr, "fanout_client: %lu close frames unanswered\n", unanswered);
    tell("exit");
    for (auto& link : links_) {
      int status = 0;
      waitpid(link.pid, &status, 0);
      ::close(link.fd);
    }
    links_.clear();
  }

  // -- the event loop: worker lines, poster answers, the posting schedule ----------------------
  void pump(int timeout_ms) {
    if (posting_) {
      const std::int64_t due = postDue(next_post_);
      const std::int64_t wait_ms = (due - monoNs()) / kNsPerMs;
      timeout_ms = static_cast<int>(std::clamp<std::int64_t>(wait_ms, 0, timeout_ms));
    }
    std::array<epoll_event, 64> events{};
    const int ready = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout_ms);
    for (int idx = 0; idx < ready; ++idx) {
      const std::uint64_t tag = events[static_cast<std::size_t>(idx)].data.u64;
      if (http_.owns(tag)) {
        http_.onEvent(tag);
      } else if (tag < links_.size()) {
        readLink(links_[tag]);
      }
    }
    servicePosting();
  }

  void pumpFor(double seconds) {
    const std::int64_t until = monoNs() + static_cast<std::int64_t>(seconds * 1e9);
    while (monoNs() < until)
      pump(10);
  }

  void readLink(Link& link) {
    char buffer[65536];
    for (;;) {
      const ssize_t got = ::read(link.fd, buffer, sizeof buffer);
      if (got > 0) {
        link.in.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
      if (got == 0) die("worker " + std::to_string(link.pid) + " exited");
      break;
    }
    std::size_t newline;
    while ((newline = link.in.find('\n')) != std::string::npos) {
      link.lines.push_back(link.in.substr(0, newline));
      link.in.erase(0, newline + 1);
    }
  }

  // -- posting --------------------------------------------------------------------------------
  void openPoster() {
    if (options_.scenario == "idle") return;
    http_.open(epoll_, options_, options_.post_connections, kPosterTagBase,
               [this](std::uint64_t tag, int status, std::int64_t sent_ns, std::string_view body) {
                 onPosted(tag, status, sent_ns, body);
               });
  }

  std::string postRequest(std::int64_t message, std::int64_t now) {
    const std::string content = "bench n=" + std::to_string(message) + " t=" + std::to_string(now);
    std::string body;
    std::string head;
    if (!options_.channel.empty()) {
      body = "{\"content\":\"" + content + "\"}";
      head = "POST /api/v1/channels/" + options_.channel + "/messages HTTP/1.1\r\nAuthorization: Bearer " +
             poster_token_ + "\r\n";
    } else {
      // A raw peer broadcasts the body as it is: a dispatch shaped and sized like hearthd's.
      body = "{\"op\":0,\"s\":1,\"t\":\"MESSAGE_CREATE\",\"d\":{\"content\":\"" + content + "\",\"pad\":\"";
      const std::size_t tail = 3;
      if (body.size() + tail < options_.frame_bytes) body.append(options_.frame_bytes - body.size() - tail, 'x');
      body += "\"}}";
      head = "POST /broadcast HTTP/1.1\r\n";
    }
    return head + "Host: " + options_.host +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  std::int64_t postDue(std::int64_t k) const {
    return post_start_ns_ + static_cast<std::int64_t>(static_cast<double>(k) * 1e9 / post_rate_);
  }

  void startPosting(double rate) {
    posting_ = true;
    post_rate_ = rate;
    post_start_ns_ = monoNs();
    next_post_ = 0;
  }
  void stopPosting() { posting_ = false; }

  void servicePosting() {
    while (posting_) {
      const std::int64_t now = monoNs();
      if (postDue(next_post_) > now) return;
      if (!http_.idle()) {
        late_ = true; // every connection waits for an answer: the poster falls behind the schedule
        return;
      }
      const std::int64_t message = next_message_++;
      if (post_status_.size() <= static_cast<std::size_t>(message)) post_status_.resize(message + 1024, -1);
      post_status_[static_cast<std::size_t>(message)] = 0;
      http_.send(postRequest(message, now), static_cast<std::uint64_t>(message));
      ++next_post_;
      ++posted_;
      if (now - postDue(next_post_ - 1) > 10 * kNsPerMs) ++posted_late_;
    }
  }

  void onPosted(std::uint64_t tag, int status, std::int64_t sent_ns, std::string_view body) {
    const auto message = static_cast<std::size_t>(tag);
    if (message < post_status_.size()) post_status_[message] = status;
    post_latency_.add((monoNs() - sent_ns) / 1000);
    if (status < 200 || status >= 300) {
      ++post_errors_;
      if (post_errors_ <= 3) {
        std::fprintf(stderr, "fanout_client: POST answered %d: %.*s\n", status,
                     static_cast<int>(std::min<std::size_t>(body.size(), 200)), body.data());
      }
    }
  }

  void waitPosted(std::int64_t deadline_ns) {
    while (http_.busy() > 0 && monoNs() < deadline_ns)
      pump(5);
  }

  std::vector<std::int64_t> failedPosts(std::int64_t from, std::int64_t to) const {
    std::vector<std::int64_t> out;
    for (std::int64_t message = from; message < to; ++message) {
      const int status = post_status_[static_cast<std::size_t>(message)];
      if (status < 200 || status >= 300) out.push_back(message);
    }
    return out;
  }

  struct Totals {
    std::uint64_t expected = 0;
    std::uint64_t deliveries = 0;
    std::uint64_t missing = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t frame_bytes = 0;
    std::uint64_t frames = 0;
    std::uint64_t lost = 0;
    std::uint64_t failed_posts = 0; //!< not answered 2xx: left out of `missing`
    std::int64_t last = 0;
    std::map<std::string, std::uint64_t> closes;
    std::map<std::string, std::uint64_t> failures;
    Histogram latency;
  };

  Totals stats(int phase, std::int64_t from, std::int64_t to, double wait_seconds) {
    std::string command = "stats " + std::to_string(phase) + " " + std::to_string(from) + " " + std::to_string(to) +
                          " " + std::to_string(monoNs() + static_cast<std::int64_t>(wait_seconds * 1e9));
    const auto skip = failedPosts(from, to);
    for (const auto message : skip)
      command += " " + std::to_string(message);
    tell(command);
    Totals totals;
    totals.failed_posts = skip.size();
    for (const auto& fields : gather("stats", monoNs() + static_cast<std::int64_t>((wait_seconds + 30) * 1e9))) {
      totals.expected += static_cast<std::uint64_t>(toInt(fields.at("expected")));
      totals.deliveries += static_cast<std::uint64_t>(toInt(fields.at("deliveries")));
      totals.missing += static_cast<std::uint64_t>(toInt(fields.at("missing")));
      totals.duplicates += static_cast<std::uint64_t>(toInt(fields.at("duplicates")));
      totals.frame_bytes += static_cast<std::uint64_t>(toInt(fields.at("frame_bytes")));
      totals.frames += static_cast<std::uint64_t>(toInt(fields.at("frames")));
      totals.lost += static_cast<std::uint64_t>(toInt(fields.at("lost")));
      totals.last = std::max(totals.last, toInt(fields.at("last")));
      addCounts(totals.closes, fields.at("closes"));
      addCounts(totals.failures, fields.at("failures"));
      totals.latency.addEncoded(fields.at("latency"));
    }
    return totals;
  }

  // Receipts per 100 ms bucket, all workers together.
  std::map<std::size_t, std::uint64_t> timeline(std::uint64_t& lost) {
    tell("timeline");
    std::map<std::size_t, std::uint64_t> out;
    lost = 0;
    for (const auto& fields : gather("timeline", monoNs() + 30 * kNsPerSec)) {
      lost += static_cast<std::uint64_t>(toInt(fields.at("lost")));
      std::map<std::string, std::uint64_t> buckets;
      addCounts(buckets, fields.at("buckets"));
      for (const auto& [bucket, count] : buckets)
        out[static_cast<std::size_t>(toInt(bucket))] += count;
    }
    return out;
  }

  struct Connected {
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    double seconds = 0;
    std::map<std::string, std::uint64_t> failures;
  };

  // Waits for the workers from index `from` on to identify their clients; prints the figures.
  Connected waitConnected(std::size_t from = 0, bool report = true) {
    Connected out;
    std::int64_t first = INT64_MAX;
    std::int64_t last = 0;
    const std::int64_t deadline = monoNs() + static_cast<std::int64_t>(options_.connect_timeout * 1e9);
    for (const auto& fields : gather("ready", deadline, from)) {
      out.ok += static_cast<std::uint64_t>(toInt(fields.at("ok")));
      out.failed += static_cast<std::uint64_t>(toInt(fields.at("failed")));
      first = std::min(first, toInt(fields.at("first")));
      last = std::max(last, toInt(fields.at("last")));
      addCounts(out.failures, fields.at("failures"));
    }
    out.seconds = last > first ? static_cast<double>(last - first) / 1e9 : 0;
    if (!report) return out;
    std::printf("clients=%zu\nconnected=%lu\nconnect_failed=%lu\nconnect_seconds=%.3f\nconnect_rate=%.0f\n",
                accounts_.size(), out.ok, out.failed, out.seconds,
                out.seconds > 0 ? static_cast<double>(out.ok) / out.seconds : 0.0);
    if (!out.failures.empty()) std::printf("connect_failures=%s\n", countsText(out.failures).c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "fanout_client: %lu identified, %lu failed in %.1f s\n", out.ok, out.failed, out.seconds);
    return out;
  }

  // -- scenarios ------------------------------------------------------------------------------
  int fanout() {
    const auto connected = waitConnected();
    if (connected.ok == 0) die("no client identified");
    pumpFor(1.0);
    const double clients = static_cast<double>(connected.ok);

    // 1. The fixed rate: target deliveries per second.
    const double rate = options_.target / clients;
    const std::int64_t first = next_message_;
    tell("phase 1 " + std::to_string(first));
    const std::int64_t cpu_before = cpuMicros(options_.server_pid);
    const std::int64_t pg_before = pgCpuMicros(options_.pg_pid);
    const std::int64_t load_before = loadCpuMicros();
    const std::int64_t start = monoNs();
    startPosting(rate);
    pumpFor(options_.duration);
    stopPosting();
    const std::int64_t last_message = next_message_;
    const bool fixed_late = late_;
    waitPosted(monoNs() + 30 * kNsPerSec);
    const Totals fixed = stats(1, first, last_message, 15);
    const std::int64_t cpu_after = cpuMicros(options_.server_pid);
    const std::int64_t pg_after = pgCpuMicros(options_.pg_pid);
    const std::int64_t load_after = loadCpuMicros();
    const double window = static_cast<double>(std::max(fixed.last, start + 1) - start) / 1e9;
    const double delivered_rate = static_cast<double>(fixed.deliveries) / window;
    std::printf("fixed_target=%.0f\nfixed_msg_rate=%.2f\nfixed_messages=%ld\nfixed_post_failures=%lu\n",
                options_.target, rate, last_message - first, fixed.failed_posts);
    std::printf("fixed_deliveries=%lu\nfixed_expected=%lu\nfixed_seconds=%.3f\nfixed_rate=%.0f\n", fixed.deliveries,
                fixed.expected * static_cast<std::uint64_t>(last_message - first), window, delivered_rate);
    std::printf(
        "fixed_cpu_us_per_delivery=%.3f\nfixed_pg_cpu_us_per_delivery=%.3f\n",
        fixed.deliveries > 0 ? static_cast<double>(cpu_after - cpu_before) / static_cast<double>(fixed.deliveries)
                             : 0.0,
        fixed.deliveries > 0 ? static_cast<double>(pg_after - pg_before) / static_cast<double>(fixed.deliveries) : 0.0);
    std::printf("fixed_load_cpu_us_per_delivery=%.3f\n",
                fixed.deliveries > 0
                    ? static_cast<double>(load_after - load_before) / static_cast<double>(fixed.deliveries)
                    : 0.0);
    std::printf("fixed_p50_ms=%.3f\nfixed_p99_ms=%.3f\nfixed_max_ms=%.3f\nfixed_missing=%lu\nfixed_duplicates=%lu\n",
                fixed.latency.percentileMs(0.50), fixed.latency.percentileMs(0.99), fixed.latency.percentileMs(1.0),
                fixed.missing, fixed.duplicates);
    std::printf("fixed_post_p50_ms=%.3f\nfixed_post_p99_ms=%.3f\nfixed_poster_late=%d\nframe_bytes=%.0f\n",
                post_latency_.percentileMs(0.5), post_latency_.percentileMs(0.99), fixed_late ? 1 : 0,
                fixed.frames > 0 ? static_cast<double>(fixed.frame_bytes) / static_cast<double>(fixed.frames) : 0.0);
    std::printf("fixed_lost=%lu\nfixed_closes=%s\n", fixed.lost, countsText(fixed.closes).c_str());
    std::fflush(stdout);
    std::fprintf(stderr, "fanout_client: fixed rate: %.0f deliveries/s, p99 %.1f ms, %lu missing\n", delivered_rate,
                 fixed.latency.percentileMs(0.99), fixed.missing);

    // 2. The ramp: the rate grows by ramp_factor per step until deliveries stop keeping up.
    const std::int64_t ramp_first = next_message_;
    double step_rate = rate;
    double best = 0;
    int behind = 0;
    int step = 0;
    std::string stop_reason = "ramp_max";
    std::uint64_t lost = 0;
    posted_late_ = 0;
    while (step_rate * clients < options_.target * options_.ramp_max) {
      ++step;
      step_rate *= options_.ramp_factor;
      tell("phase " + std::to_string(1 + step) + " " + std::to_string(next_message_));
      const std::uint64_t posted_before = posted_;
      const std::int64_t step_start = monoNs();
      if (posting_) {
        // Keep the schedule continuous: the new rate starts where the old one stops.
        post_rate_ = step_rate;
        post_start_ns_ = step_start;
        next_post_ = 0;
      } else {
        startPosting(step_rate);
      }
      pumpFor(options_.ramp_step);
      const std::int64_t step_end = monoNs();
      const double offered =
          static_cast<double>(posted_ - posted_before) * clients / (static_cast<double>(step_end - step_start) / 1e9);
      // Receipts in the last three quarters of the step (the first quarter still drains the last).
      const auto buckets = timeline(lost);
      const auto from_bucket = static_cast<std::size_t>(
          (step_start + (step_end - step_start) / 4 - epoch_ns_ + kTimelineBucketNs - 1) / kTimelineBucketNs);
      const auto to_bucket = static_cast<std::size_t>((step_end - epoch_ns_) / kTimelineBucketNs);
      std::uint64_t receipts = 0;
      for (std::size_t bucket = from_bucket; bucket < to_bucket; ++bucket) {
        if (const auto found = buckets.find(bucket); found != buckets.end()) receipts += found->second;
      }
      const double seconds = static_cast<double>(to_bucket - std::min(to_bucket, from_bucket)) * 0.1;
      const double delivered = seconds > 0 ? static_cast<double>(receipts) / seconds : 0;
      best = std::max(best, delivered);
      std::fprintf(stderr, "fanout_client: ramp step %d: offered %.0f, delivered %.0f deliveries/s\n", step, offered,
                   delivered);
      std::printf("ramp_step_%d=%.0f/%.0f\n", step, offered, delivered);
      if (lost > 0) {
        stop_reason = "connections_lost";
        break;
      }
      if (offered < 0.8 * step_rate * clients) {
        stop_reason = "posts_backlogged"; // the server answers posts slower than the schedule
        break;
      }
      behind = delivered < 0.9 * offered ? behind + 1 : 0;
      if (behind >= 2) {
        stop_reason = "saturated";
        break;
      }
    }
    stopPosting();
    waitPosted(monoNs() + 30 * kNsPerSec);
    // Past saturation the server works through a backlog of several seconds' deliveries (and an
    // event whose lookup found every database connection taken waits its turn again): late is
    // not missing, so the ramp's messages get a minute. The wait ends as soon as all are in.
    const Totals ramp = stats(99, ramp_first, next_message_, 60);
    std::printf("saturation_rate=%.0f\nramp_stop=%s\nramp_missing=%lu\nramp_duplicates=%lu\nramp_lost=%lu\n", best,
                stop_reason.c_str(), ramp.missing, ramp.duplicates, ramp.lost);
    std::printf("ramp_closes=%s\nramp_p99_ms=%.3f\npost_errors=%lu\n", countsText(ramp.closes).c_str(),
                ramp.latency.percentileMs(0.99), post_errors_);
    std::fflush(stdout);
    shutdownWorkers();
    return 0;
  }

  // Per session: the growth from after the warm-up tenth to after everyone, over the rest (the
  // cost of one more session); the growth from the start over everyone is printed beside it.
  int idle() {
    const auto connected = waitConnected(warm_links_);
    pumpFor(options_.settle);
    const std::int64_t rss = rssBytes(options_.server_pid);
    const KernelMemory kernel = kernelMemory();
    const double sessions = std::max<double>(1, static_cast<double>(connected.ok));
    const double everyone = std::max<double>(1, static_cast<double>(connected.ok + warm_ok_));
    std::printf("idle_warm_sessions=%lu\nidle_rss_before=%ld\nidle_rss_warm=%ld\nidle_rss_after=%ld\n", warm_ok_,
                base_rss_, warm_rss_, rss);
    std::printf("idle_rss_per_session=%.0f\nidle_rss_whole_per_session=%.0f\n",
                static_cast<double>(rss - warm_rss_) / sessions, static_cast<double>(rss - base_rss_) / everyone);
    std::printf("idle_kernel_slab_per_session=%.0f\nidle_kernel_buffers_per_session=%.0f\n",
                static_cast<double>(kernel.slab - warm_kernel_.slab) / sessions,
                static_cast<double>(kernel.buffers - warm_kernel_.buffers) / sessions);
    std::fflush(stdout);
    shutdownWorkers();
    return 0;
  }

  int storm() {
    const auto connected = waitConnected();
    if (connected.ok == 0) die("no client identified");
    pumpFor(1.0);
    const std::int64_t first = next_message_;
    tell("phase 1 " + std::to_string(first));
    startPosting(options_.storm_rate);
    pumpFor(2.0);
    const std::int64_t drop_ns = monoNs();
    const std::int64_t posted_before_drop = next_message_ - first;
    tell("drop " + std::to_string(drop_ns) + " " + std::to_string(drop_ns + kStormDeadlineNs));
    std::uint64_t dropped = 0;
    std::uint64_t resumed = 0;
    std::uint64_t invalid = 0;
    std::uint64_t failed = 0;
    std::uint64_t pending = 0;
    std::map<std::string, std::uint64_t> failures;
    Histogram times;
    for (const auto& fields : gather("resumed", monoNs() + 180 * kNsPerSec)) {
      dropped += static_cast<std::uint64_t>(toInt(fields.at("dropped")));
      resumed += static_cast<std::uint64_t>(toInt(fields.at("ok")));
      invalid += static_cast<std::uint64_t>(toInt(fields.at("invalid")));
      failed += static_cast<std::uint64_t>(toInt(fields.at("failed")));
      pending += static_cast<std::uint64_t>(toInt(fields.at("pending")));
      addCounts(failures, fields.at("failures"));
      times.addEncoded(fields.at("times"));
    }
    const double storm_seconds = static_cast<double>(monoNs() - drop_ns) / 1e9;
    pumpFor(2.0);
    stopPosting();
    const std::int64_t last = next_message_;
    waitPosted(monoNs() + 30 * kNsPerSec);
    const Totals totals = stats(1, first, last, 20);
    // Times to 50%/99%/100% of the dropped sessions back, whatever became of the rest.
    const auto share = [&](double fraction) {
      if (resumed == 0) return -1.0;
      const double wanted = fraction * static_cast<double>(dropped);
      if (wanted > static_cast<double>(resumed)) return -1.0; // never reached
      return times.percentileMs(wanted / static_cast<double>(resumed));
    };
    std::printf("storm_sessions=%lu\nstorm_dropped=%lu\nstorm_resumed=%lu\nstorm_invalid=%lu\nstorm_failed=%lu\n",
                connected.ok, dropped, resumed, invalid, failed);
    std::printf("storm_pending=%lu\n", pending); // still waiting for RESUMED at the deadline
    std::printf("storm_p50_ms=%.1f\nstorm_p99_ms=%.1f\nstorm_all_ms=%.1f\nstorm_wait_seconds=%.2f\n", share(0.5),
                share(0.99), share(1.0), storm_seconds);
    std::printf("storm_messages=%ld\nstorm_messages_before_drop=%ld\nstorm_post_failures=%lu\n", last - first,
                posted_before_drop, totals.failed_posts);
    std::printf("storm_deliveries=%lu\nstorm_missing=%lu\nstorm_duplicates=%lu\nstorm_lost=%lu\nstorm_closes=%s\n",
                totals.deliveries, totals.missing, totals.duplicates, totals.lost, countsText(totals.closes).c_str());
    if (!failures.empty()) std::printf("storm_failures=%s\n", countsText(failures).c_str());
    std::fflush(stdout);
    shutdownWorkers();
    return 0;
  }

  // Each account joins through the invite, as people following a link do.
  int join(const std::string& key) {
    std::size_t next = 0;
    std::size_t done = 0;
    std::map<std::string, std::uint64_t> statuses;
    http_.open(epoll_, options_, options_.post_connections, kPosterTagBase,
               [&](std::uint64_t, int status, std::int64_t, std::string_view body) {
                 ++done;
                 ++statuses[std::to_string(status)];
                 if (status != 200 && statuses[std::to_string(status)] <= 2) {
                   std::fprintf(stderr, "fanout_client: join answered %d: %.*s\n", status,
                                static_cast<int>(std::min<std::size_t>(body.size(), 200)), body.data());
                 }
               });
    const std::int64_t start = monoNs();
    while (done < accounts_.size()) {
      while (next < accounts_.size() && http_.idle()) {
        const std::string request = "POST /api/v1/invites/" + options_.invite + " HTTP/1.1\r\nHost: " + options_.host +
                                    "\r\nAuthorization: Bearer " + tokenFor(key, accounts_[next]) +
                                    "\r\nContent-Length: 0\r\n\r\n";
        http_.send(request, next);
        ++next;
      }
      pump(10);
    }
    const double seconds = static_cast<double>(monoNs() - start) / 1e9;
    std::printf("joined=%lu\njoin_statuses=%s\njoin_seconds=%.2f\n", statuses["200"], countsText(statuses).c_str(),
                seconds);
    return statuses["200"] == accounts_.size() ? 0 : 1;
  }

  // given
  const Options& options_;
  // owned
  std::vector<Account> accounts_;
  std::string poster_token_;
  int epoll_ = -1;
  std::int64_t epoch_ns_ = 0;
  std::vector<Link> links_;
  HttpClient http_;
  bool posting_ = false;
  bool late_ = false;
  double post_rate_ = 1;
  std::int64_t post_start_ns_ = 0;
  std::int64_t next_post_ = 0;
  std::int64_t next_message_ = 0;
  std::uint64_t posted_ = 0;
  std::uint64_t posted_late_ = 0;
  std::uint64_t post_errors_ = 0;
  std::vector<int> post_status_;
  Histogram post_latency_;
  std::int64_t base_rss_ = 0;
  std::uint64_t warm_ok_ = 0; //!< idle: of them, identified
  std::size_t warm_links_ = 0; //!< idle: the warm-up's workers (the first links)
  std::int64_t warm_rss_ = 0;
  KernelMemory base_kernel_;
  KernelMemory warm_kernel_;
};

} // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const Options options = parseOptions(argc, argv);
  Controller controller(options);
  return controller.run();
}
