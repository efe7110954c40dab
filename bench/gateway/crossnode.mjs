// The cross-node client of `make bench` (bench/README.md, part `crossnode`): posts messages one
// at a time through one node and times their MESSAGE_CREATE on gateway clients of one or more
// nodes. Each message's latency is (receipt on that client − start of its POST), both read from
// one monotonic clock in this process; the next message is posted once the POST has answered
// and every client has received the event, plus a short pause, so nothing queues.
//   node bench/gateway/crossnode.mjs --post PORT --token T --channel ID --count N
//        --receive NAME=PORT [--receive NAME=PORT ...] [--warmup N] [--gap-ms MS]
// Prints key=value lines: <name>_p50_ms, <name>_p99_ms, <name>_mean_ms, post_p50_ms,
// post_p99_ms, messages, missing (receipts that never came within 5 s), failures (non-2xx).
// `ws` comes from the tests' package set (tests/package.json already depends on it).
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/package.json', import.meta.url));
const WebSocket = require('ws');

const options = { receive: [], warmup: 100, gapMs: 1 };
for (let index = 2; index < process.argv.length; index += 2) {
  const [flag, value] = [process.argv[index], process.argv[index + 1]];
  if (flag === '--post') options.post = Number(value);
  else if (flag === '--token') options.token = value;
  else if (flag === '--channel') options.channel = value;
  else if (flag === '--count') options.count = Number(value);
  else if (flag === '--warmup') options.warmup = Number(value);
  else if (flag === '--gap-ms') options.gapMs = Number(value);
  else if (flag === '--receive') {
    const [name, port] = value.split('=');
    options.receive.push({ name, port: Number(port) });
  } else throw new Error(`unknown flag ${flag}`);
}
if (!options.post || !options.token || !options.channel || !options.count || !options.receive.length) {
  throw new Error('usage: crossnode.mjs --post PORT --token T --channel ID --count N --receive NAME=PORT ...');
}

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An identified gateway client; `waiters` maps a message's nonce to the resolver of its receipt. */
function connect({ name, port }) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/gateway`, { perMessageDeflate: false });
    const client = { name, socket, waiters: new Map(), seq: null, timer: null };
    socket.on('error', reject);
    socket.on('close', (code) => reject(new Error(`${name}: gateway closed ${code}`)));
    socket.on('message', (raw) => {
      const at = now();
      const frame = JSON.parse(raw.toString());
      if (frame.s !== null && frame.s !== undefined) client.seq = frame.s;
      if (frame.op === 10) {
        socket.send(JSON.stringify({ op: 2, d: { token: options.token, properties: {} } }));
        client.timer = setInterval(() => socket.send(JSON.stringify({ op: 1, d: client.seq })),
          frame.d.heartbeat_interval);
      } else if (frame.op === 0 && frame.t === 'READY') {
        resolve(client);
      } else if (frame.op === 0 && frame.t === 'MESSAGE_CREATE') {
        const waiter = client.waiters.get(frame.d.nonce);
        if (waiter) waiter(at);
      }
    });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function post(body) {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1', port: options.post, method: 'POST', agent,
      path: `/api/v1/channels/${options.channel}/messages`,
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json',
        'content-length': Buffer.byteLength(body) },
    }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, at: now() }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const clients = [];
for (const target of options.receive) clients.push(await connect(target));

const latencies = Object.fromEntries(clients.map((c) => [c.name, []]));
const postTimes = [];
let missing = 0;
let failures = 0;
const total = options.warmup + options.count;
for (let index = 0; index < total; ++index) {
  const nonce = `x${index}-${process.pid}`;
  const receipts = clients.map((client) => new Promise((resolve) => {
    const timeout = setTimeout(() => { client.waiters.delete(nonce); resolve(null); }, 5000);
    client.waiters.set(nonce, (at) => { clearTimeout(timeout); client.waiters.delete(nonce); resolve(at); });
  }));
  const body = JSON.stringify({ content: `crossnode n=${index}`, nonce });
  const start = now();
  const answer = await post(body);
  const measured = index >= options.warmup;
  if (answer.status < 200 || answer.status >= 300) {
    if (measured) ++failures;
    // No event follows a refused message: drop the waiters.
    for (const client of clients) client.waiters.get(nonce)?.(null);
    await Promise.all(receipts);
    continue;
  }
  const times = await Promise.all(receipts);
  if (measured) {
    postTimes.push(answer.at - start);
    times.forEach((at, which) => {
      if (at === null) ++missing;
      else latencies[clients[which].name].push(at - start);
    });
  }
  if (options.gapMs > 0) await sleep(options.gapMs);
}

const percentile = (values, p) => {
  if (!values.length) return 'nan';
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(3);
};
const mean = (values) => (values.length ? (values.reduce((a, b) => a + b, 0) / values.length).toFixed(3) : 'nan');
for (const [name, values] of Object.entries(latencies)) {
  console.log(`${name}_p50_ms=${percentile(values, 50)}`);
  console.log(`${name}_p99_ms=${percentile(values, 99)}`);
  console.log(`${name}_mean_ms=${mean(values)}`);
}
console.log(`post_p50_ms=${percentile(postTimes, 50)}`);
console.log(`post_p99_ms=${percentile(postTimes, 99)}`);
console.log(`messages=${postTimes.length}`);
console.log(`missing=${missing}`);
console.log(`failures=${failures}`);
for (const client of clients) {
  clearInterval(client.timer);
  client.socket.removeAllListeners('close');
  client.socket.terminate();
}
agent.destroy();
