// A gateway client for integration tests: identifies with a token and collects dispatches.
import assert from 'node:assert/strict';
import WebSocket from 'ws';

/**
 * Connects to `server` (from startHearthd) and identifies. Resolves nothing by itself: `ready`
 * resolves with READY's `d`; `events` holds every later dispatch frame.
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
    /** Waits for a dispatch matching the predicate; fails after `timeoutMs`. */
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
    /** Asserts that nothing matching arrives within `ms`. */
    async none(predicate, ms = 500) {
      await new Promise((r) => setTimeout(r, ms));
      const found = events.filter(predicate);
      assert.equal(found.length, 0, `unexpected ${found.map((e) => `${e.t} ${JSON.stringify(e.d)}`).join('; ')}`);
    },
    close: () => socket.close(),
  };
}
