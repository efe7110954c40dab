// An identified gateway client for tests: connects, identifies with a user's token, and collects
// dispatches so a test can wait for one or assert that none arrives.
import assert from 'node:assert/strict';
import WebSocket from 'ws';

/**
 * Connects to `server` (from startHearthd) as the user with `token`. Resolves READY's d through
 * `ready`; `next(predicate)` waits for a matching dispatch, `none(predicate)` asserts none comes.
 */
export function connectGateway(server, token) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`);
  const events = [];
  let wake = () => {};
  const ready = new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.op === 10) socket.send(JSON.stringify({ op: 2, d: { token, properties: {} } }));
      if (frame.op !== 0) return;
      if (frame.t === 'READY') return resolve(frame.d);
      events.push(frame);
      wake();
    });
  });
  return {
    ready,
    events,
    /** Waits for a dispatch matching the predicate (of the frame: {t, d, s}). */
    async next(predicate, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such event; got ${events.map((e) => e.t).join(', ')}`);
        await new Promise((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
    },
    /** All dispatches matching the predicate so far. */
    all: (predicate) => events.filter(predicate),
    /** Asserts nothing matching arrives within a moment. */
    async none(predicate, ms = 500) {
      await new Promise((r) => setTimeout(r, ms));
      const unexpected = events.filter(predicate);
      assert.equal(unexpected.length, 0, `unexpected ${unexpected.map((e) => `${e.t} ${JSON.stringify(e.d)}`)}`);
    },
    /** Forgets the dispatches received so far. */
    clear() {
      events.length = 0;
    },
    close: () => socket.close(),
  };
}
