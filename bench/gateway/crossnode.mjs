// The cross-node client of `make bench` (bench/README.md, part `crossnode`): posts messages one
// at a time and times their MESSAGE_CREATE on a gateway client. Each case names the node a
// message is posted to and the node of the client that must receive it; the cases take turns in
// blocks of messages, so they share the machine's load (the development machine is shared) and
// their figures compare. A message's latency is (receipt on that client − start of its POST),
// both read from this process's monotonic clock; the next message leaves once the POST has
// answered and the event has arrived, plus a short pause, so nothing queues.
//   node bench/gateway/crossnode.mjs --token T --channel ID --count N
//        --case NAME=POST_PORT:RECEIVE_PORT [--case ...] [--warmup N] [--gap-ms MS]
//        [--block N] [--block-warmup N]
// Prints key=value lines per case: <name>_p50_ms, <name>_p99_ms, <name>_mean_ms,
// <name>_after_answer_p50_ms (receipt − end of the POST's answer; negative when the event came
// first), <name>_post_p50_ms, <name>_post_p99_ms, <name>_messages, <name>_missing (receipts not
// within 5 s), <name>_failures (POSTs not answered 2xx). N and the warm-up count are per case.
// `ws` comes from the tests' package set (tests/package.json already depends on it).
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/package.json', import.meta.url));
const WebSocket = require('ws');

const options = { cases: [], warmup: 100, gapMs: 1, block: 50, blockWarmup: 3 };
for (let index = 2; index < process.argv.length; index += 2) {
  const [flag, value] = [process.argv[index], process.argv[index + 1]];
  if (flag === '--token') options.token = value;
  else if (flag === '--channel') options.channel = value;
  else if (flag === '--count') options.count = Number(value);
  else if (flag === '--warmup') options.warmup = Number(value);
  else if (flag === '--gap-ms') options.gapMs = Number(value);
  else if (flag === '--block') options.block = Number(value);
  else if (flag === '--block-warmup') options.blockWarmup = Number(value);
  else if (flag === '--case') {
    const [name, ports] = value.split('=');
    const [post, receive] = ports.split(':').map(Number);
    options.cases.push({ name, post, receive });
  } else throw new Error(`unknown flag ${flag}`);
}
if (!options.token || !options.channel || !options.count || !options.cases.length) {
  throw new Error('usage: crossnode.mjs --token T --channel ID --count N --case NAME=POST_PORT:RECEIVE_PORT ...');
}

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An identified gateway client; `waiters` maps a message's nonce to the resolver of its receipt. */
function connect(name, port) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/gateway`, { perMessageDeflate: false });
    const client = { name, socket, waiters: new Map(), seq: null, timer: null, ready: false };
    socket.on('error', reject);
    socket.on('close', (code) => reject(new Error(`${name}: gateway closed ${code}`)));
    socket.on('message', (raw) => {
      const at = now();
      // Once identified, a client waiting for nothing (another case's turn) skips the frame,
      // so it does not delay the receipt being timed on another client.
      if (client.ready && client.waiters.size === 0) return;
      const frame = JSON.parse(raw.toString());
      if (frame.op === 10) {
        socket.send(JSON.stringify({ op: 2, d: { token: options.token, properties: {} } }));
        // Heartbeats carry no sequence: this client never resumes.
        client.timer = setInterval(() => socket.send('{"op":1,"d":null}'), frame.d.heartbeat_interval);
      } else if (frame.op === 0 && frame.t === 'READY') {
        client.ready = true;
        resolve(client);
      } else if (frame.op === 0 && frame.t === 'MESSAGE_CREATE') {
        client.waiters.get(frame.d.nonce)?.(at);
      }
    });
  });
}

/** POST of one message to `port`; resolves with the status and the time of the answer's end. */
const agents = new Map();
function post(port, body) {
  if (!agents.has(port)) agents.set(port, new http.Agent({ keepAlive: true, maxSockets: 1 }));
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1', port, method: 'POST', agent: agents.get(port),
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

for (const one of options.cases) {
  one.client = await connect(one.name, one.receive);
  Object.assign(one, { latencies: [], afterAnswer: [], postTimes: [], missing: 0, failures: 0 });
}

/** Posts one message for `one` and waits for its receipt; records it when `measured`. */
let serial = 0;
async function send(one, measured) {
  const nonce = `x${++serial}-${process.pid}`;
  const { client } = one;
  const receipt = new Promise((resolve) => {
    const timeout = setTimeout(() => { client.waiters.delete(nonce); resolve(null); }, 5000);
    client.waiters.set(nonce, (at) => { clearTimeout(timeout); client.waiters.delete(nonce); resolve(at); });
  });
  const body = JSON.stringify({ content: `crossnode ${one.name} n=${serial}`, nonce });
  const start = now();
  const answer = await post(one.post, body);
  if (answer.status < 200 || answer.status >= 300) {
    if (measured) ++one.failures;
    client.waiters.get(nonce)?.(null); // no event follows a refused message
    await receipt;
  } else {
    const at = await receipt;
    if (measured) {
      one.postTimes.push(answer.at - start);
      if (at === null) ++one.missing;
      else {
        one.latencies.push(at - start);
        one.afterAnswer.push(at - answer.at);
      }
    }
  }
  if (options.gapMs > 0) await sleep(options.gapMs);
}

// Blocks: a case sends `block` messages in a row (the first `blockWarmup` not counted, while its
// node's threads and pooled connection wake up), then the next case; the cases take turns block
// by block until each has `count` counted, so time-varying load weighs on them alike.
for (const one of options.cases) {
  for (let index = 0; index < options.warmup; ++index) await send(one, false);
}
while (options.cases.some((one) => one.postTimes.length + one.failures < options.count)) {
  for (const one of options.cases) {
    for (let index = 0; index < options.block; ++index) {
      if (one.postTimes.length + one.failures >= options.count) break;
      await send(one, index >= options.blockWarmup);
    }
  }
}

const percentile = (values, p) => {
  if (!values.length) return 'nan';
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(3);
};
const mean = (values) => (values.length ? (values.reduce((a, b) => a + b, 0) / values.length).toFixed(3) : 'nan');
for (const one of options.cases) {
  console.log(`${one.name}_p50_ms=${percentile(one.latencies, 50)}`);
  console.log(`${one.name}_p99_ms=${percentile(one.latencies, 99)}`);
  console.log(`${one.name}_mean_ms=${mean(one.latencies)}`);
  console.log(`${one.name}_after_answer_p50_ms=${percentile(one.afterAnswer, 50)}`);
  console.log(`${one.name}_post_p50_ms=${percentile(one.postTimes, 50)}`);
  console.log(`${one.name}_post_p99_ms=${percentile(one.postTimes, 99)}`);
  console.log(`${one.name}_messages=${one.postTimes.length}`);
  console.log(`${one.name}_missing=${one.missing}`);
  console.log(`${one.name}_failures=${one.failures}`);
}
for (const one of options.cases) {
  clearInterval(one.client.timer);
  one.client.socket.removeAllListeners('close');
  one.client.socket.terminate();
}
for (const agent of agents.values()) agent.destroy();
