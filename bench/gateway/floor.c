// The floor of the fan-out benchmark (bench/README.md): the least work a server can do to send
// one message to N WebSocket clients. It accepts the clients with a minimal RFC 6455 handshake,
// plays the gateway's first steps (HELLO, READY on IDENTIFY, HEARTBEAT_ACK), and on
// `POST /broadcast` writes the posted dispatch, framed once, to every identified client with one
// write() each. No JSON, no queues, no threads: what is left is the kernel's cost of a send.
//   floor PORT [PORT_FILE]   (PORT 0 picks a free one, written to PORT_FILE)
// A write the socket does not take whole is kept and finished when the socket is writable
// again, so the floor loses nothing; the count of such writes is printed on exit.
#define _GNU_SOURCE // accept4, memmem, strcasestr
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum kind { KIND_NEW, KIND_HTTP, KIND_WS };

struct conn {
  int fd;
  enum kind kind;
  int identified;
  size_t slot; // position in `clients` while identified
  char* in;
  size_t in_len, in_cap;
  char* out; // what a write did not take
  size_t out_len;
};

static struct conn** conns; // by fd
static int conns_cap;
static int* clients; // identified WebSocket fds
static size_t client_count, client_cap;
static int epoll_fd;
static unsigned long partial_writes, broadcasts;

static const char kHello[] = "{\"op\":10,\"d\":{\"heartbeat_interval\":41250},\"s\":null,\"t\":null}";
static const char kAck[] = "{\"op\":11,\"d\":null,\"s\":null,\"t\":null}";

static void fatal(const char* what) {
  perror(what);
  exit(2);
}

static void watch(struct conn* c, int writable) {
  struct epoll_event event = {.events = EPOLLIN | (writable ? EPOLLOUT : 0), .data.fd = c->fd};
  epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
}

static void drop(struct conn* c) {
  if (c->identified) {
    clients[c->slot] = clients[--client_count];
    conns[clients[c->slot]]->slot = c->slot;
  }
  close(c->fd);
  conns[c->fd] = NULL;
  free(c->in);
  free(c->out);
  free(c);
}

// Sends `len` bytes with one write; keeps whatever the socket does not take.
static int send_bytes(struct conn* c, const char* data, size_t len) {
  if (c->out_len > 0) {
    c->out = realloc(c->out, c->out_len + len);
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    return 0;
  }
  ssize_t wrote = write(c->fd, data, len);
  if (wrote == (ssize_t)len) return 0;
  if (wrote < 0 && errno != EAGAIN) return -1;
  if (wrote < 0) wrote = 0;
  ++partial_writes;
  c->out = malloc(len - (size_t)wrote);
  memcpy(c->out, data + wrote, len - (size_t)wrote);
  c->out_len = len - (size_t)wrote;
  watch(c, 1);
  return 0;
}

// An unmasked server frame: header and payload in one buffer. Returns its length.
static size_t frame(char* out, int opcode, const char* payload, size_t len) {
  size_t header = 2;
  out[0] = (char)(0x80 | opcode);
  if (len < 126) {
    out[1] = (char)len;
  } else if (len < 65536) {
    out[1] = 126;
    out[2] = (char)(len >> 8);
    out[3] = (char)(len & 0xFF);
    header = 4;
  } else {
    out[1] = 127;
    for (int i = 0; i < 8; ++i)
      out[2 + i] = (char)((uint64_t)len >> (56 - 8 * i));
    header = 10;
  }
  memcpy(out + header, payload, len);
  return header + len;
}

static int send_frame(struct conn* c, int opcode, const char* payload, size_t len) {
  char stack[1024];
  char* buffer = len + 10 <= sizeof stack ? stack : malloc(len + 10);
  const size_t total = frame(buffer, opcode, payload, len);
  const int result = send_bytes(c, buffer, total);
  if (buffer != stack) free(buffer);
  return result;
}

static void base64(const unsigned char* in, size_t len, char* out) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t chunk = (uint32_t)in[i] << 16;
    if (i + 1 < len) chunk |= (uint32_t)in[i + 1] << 8;
    if (i + 2 < len) chunk |= in[i + 2];
    out[o++] = alphabet[(chunk >> 18) & 63];
    out[o++] = alphabet[(chunk >> 12) & 63];
    out[o++] = i + 1 < len ? alphabet[(chunk >> 6) & 63] : '=';
    out[o++] = i + 2 < len ? alphabet[chunk & 63] : '=';
  }
  out[o] = 0;
}

static const char* header_value(const char* head, const char* name, size_t* len) {
  const char* at = strcasestr(head, name);
  if (!at) return NULL;
  at += strlen(name);
  while (*at == ' ')
    ++at;
  const char* end = strstr(at, "\r\n");
  *len = end ? (size_t)(end - at) : strlen(at);
  return at;
}

static void broadcast(const char* body, size_t len) {
  char* buffer = malloc(len + 10);
  const size_t total = frame(buffer, 1, body, len);
  for (size_t i = 0; i < client_count;) {
    struct conn* c = conns[clients[i]];
    if (send_bytes(c, buffer, total) != 0) {
      drop(c); // the last client moved into slot i
      continue;
    }
    ++i;
  }
  ++broadcasts;
  free(buffer);
}

// One HTTP request at the front of `in`; returns bytes used, 0 if incomplete, -1 to close.
static long http_request(struct conn* c, char* in, size_t in_len) {
  char* end = memmem(in, in_len, "\r\n\r\n", 4);
  if (!end) return in_len > 65536 ? -1 : 0;
  const size_t head_len = (size_t)(end - in) + 4;
  char head[8192];
  if (head_len >= sizeof head) return -1;
  memcpy(head, in, head_len);
  head[head_len] = 0;
  size_t key_len = 0;
  const char* key = header_value(head, "\r\nSec-WebSocket-Key:", &key_len);
  if (strncmp(head, "GET /api/v1/gateway", 19) == 0 && key && key_len < 64) {
    char material[128];
    memcpy(material, key, key_len);
    memcpy(material + key_len, "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", 36);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char*)material, key_len + 36, digest);
    char accept[64];
    base64(digest, sizeof digest, accept);
    char answer[256];
    const int n = snprintf(answer, sizeof answer,
                           "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: %s\r\n\r\n",
                           accept);
    c->kind = KIND_WS;
    if (send_bytes(c, answer, (size_t)n) != 0) return -1;
    if (send_frame(c, 1, kHello, sizeof kHello - 1) != 0) return -1;
    return (long)head_len;
  }
  c->kind = KIND_HTTP;
  if (strncmp(head, "POST /broadcast ", 16) == 0) {
    size_t value_len = 0;
    const char* value = header_value(head, "\r\nContent-Length:", &value_len);
    const size_t body_len = value ? strtoul(value, NULL, 10) : 0;
    if (in_len < head_len + body_len) return 0;
    broadcast(in + head_len, body_len);
    static const char done[] = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
    if (send_bytes(c, done, sizeof done - 1) != 0) return -1;
    return (long)(head_len + body_len);
  }
  static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
                           "{\"status\":\"ok\"}";
  if (send_bytes(c, ok, sizeof ok - 1) != 0) return -1;
  return (long)head_len;
}

// One client frame at the front of `in`; returns bytes used, 0 if incomplete, -1 to close.
static long ws_frame(struct conn* c, char* in, size_t in_len) {
  if (in_len < 2) return 0;
  const unsigned char* b = (const unsigned char*)in;
  uint64_t len = b[1] & 0x7F;
  size_t header = 2;
  if (len == 126) {
    if (in_len < 4) return 0;
    len = ((uint64_t)b[2] << 8) | b[3];
    header = 4;
  } else if (len == 127) {
    return -1; // nothing a client sends here is that large
  }
  if (!(b[1] & 0x80)) return -1; // client frames are masked
  header += 4;
  if (len > 65536) return -1;
  if (in_len < header + len) return 0;
  char* payload = in + header;
  const unsigned char* mask = b + header - 4;
  for (size_t i = 0; i < len; ++i)
    payload[i] = (char)(payload[i] ^ mask[i % 4]);
  const int opcode = b[0] & 0x0F;
  if (opcode == 8) {
    send_frame(c, 8, payload, len >= 2 ? 2 : 0);
    return -1;
  }
  if (opcode == 9) {
    if (send_frame(c, 10, payload, len) != 0) return -1;
  } else if (opcode == 1) {
    const char* op = memmem(payload, len, "\"op\":", 5);
    const long code = op ? strtol(op + 5, NULL, 10) : -1;
    if (code == 1) {
      if (send_frame(c, 1, kAck, sizeof kAck - 1) != 0) return -1;
    } else if (code == 2 && !c->identified) {
      char ready[160];
      const int n = snprintf(ready, sizeof ready,
                             "{\"op\":0,\"s\":1,\"t\":\"READY\",\"d\":{\"v\":10,\"session_id\":\"floor%08d\"}}", c->fd);
      if (send_frame(c, 1, ready, (size_t)n) != 0) return -1;
      if (client_count == client_cap) {
        client_cap = client_cap ? client_cap * 2 : 1024;
        clients = realloc(clients, client_cap * sizeof *clients);
      }
      c->identified = 1;
      c->slot = client_count;
      clients[client_count++] = c->fd;
    }
  }
  return (long)(header + len);
}

static void on_readable(struct conn* c) {
  for (;;) {
    if (c->in_cap - c->in_len < 16384) {
      c->in_cap = c->in_cap ? c->in_cap * 2 : 32768;
      c->in = realloc(c->in, c->in_cap);
    }
    const ssize_t got = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
      drop(c);
      return;
    }
    if (got < 0) break;
    c->in_len += (size_t)got;
  }
  size_t used = 0;
  for (;;) {
    const long step = c->kind == KIND_WS ? ws_frame(c, c->in + used, c->in_len - used)
                                         : http_request(c, c->in + used, c->in_len - used);
    if (step < 0) {
      drop(c);
      return;
    }
    if (step == 0) break;
    used += (size_t)step;
  }
  memmove(c->in, c->in + used, c->in_len - used);
  c->in_len -= used;
}

static void on_writable(struct conn* c) {
  const ssize_t wrote = write(c->fd, c->out, c->out_len);
  if (wrote < 0 && errno != EAGAIN) {
    drop(c);
    return;
  }
  if (wrote > 0) {
    memmove(c->out, c->out + wrote, c->out_len - (size_t)wrote);
    c->out_len -= (size_t)wrote;
  }
  if (c->out_len == 0) watch(c, 0);
}

static void on_term(int signal_number) {
  (void)signal_number;
  char line[128];
  const int n = snprintf(line, sizeof line, "floor: %lu broadcasts, %lu partial writes\n", broadcasts, partial_writes);
  if (write(2, line, (size_t)n) < 0) _exit(1);
  _exit(0);
}

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: floor PORT [PORT_FILE]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, on_term);
  signal(SIGINT, on_term);
  conns_cap = 65536;
  conns = calloc((size_t)conns_cap, sizeof *conns);
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  const int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1]))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr*)&address, sizeof address) != 0) fatal("bind");
  if (listen(listener, 4096) != 0) fatal("listen");
  if (argc == 3) {
    socklen_t length = sizeof address;
    getsockname(listener, (struct sockaddr*)&address, &length);
    FILE* port_file = fopen(argv[2], "w");
    if (!port_file) fatal("port file");
    fprintf(port_file, "%d\n", ntohs(address.sin_port));
    fclose(port_file);
  }
  epoll_fd = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &event);
  struct epoll_event events[512];
  for (;;) {
    const int ready = epoll_wait(epoll_fd, events, 512, -1);
    for (int i = 0; i < ready; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listener) {
        for (;;) {
          const int client = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
          if (client < 0) break;
          if (client >= conns_cap) {
            close(client);
            continue;
          }
          setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct conn* c = calloc(1, sizeof *c);
          c->fd = client;
          conns[client] = c;
          struct epoll_event add = {.events = EPOLLIN, .data.fd = client};
          epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &add);
        }
        continue;
      }
      struct conn* c = conns[fd];
      if (!c) continue;
      if (events[i].events & EPOLLOUT) {
        on_writable(c);
        c = conns[fd];
        if (!c) continue;
      }
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
    }
  }
}
