// Start-up and shutdown: migrations, refusing a newer schema, data kept across restarts,
// graceful drain on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHearthd, createDatabase, dropDatabase, runHearthdToExit } from '../support/hearthd.mjs';

test('migrations are applied once and recorded; a restart keeps the data', async () => {
  const db = createDatabase();
  try {
    const first = await startHearthd({ db });
    assert.match(first.logs(), /migrations applied/);
    assert.equal((await first.stop()).code, 0);
    const versions = db.query('SELECT string_agg(version::text, \',\' ORDER BY version) FROM schema_migrations');
    assert.match(versions, /^1(,\d+)*$/);
    db.query("INSERT INTO users (id, email, username, password_hash) VALUES (7, 'kept@example.org', 'kept', 'x')");

    const second = await startHearthd({ db });
    assert.doesNotMatch(second.logs(), /migrations applied/);
    assert.equal((await second.stop()).code, 0);
    assert.equal(db.query("SELECT count(*) FROM users WHERE username = 'kept'"), '1');
    assert.equal(db.query('SELECT string_agg(version::text, \',\' ORDER BY version) FROM schema_migrations'), versions);
  } finally {
    dropDatabase(db);
  }
});

test('hearthd refuses to start against a schema newer than it knows', async () => {
  const db = createDatabase();
  try {
    const first = await startHearthd({ db });
    await first.stop();
    db.query("INSERT INTO schema_migrations (version, name) VALUES (999999, '999999_from_the_future')");
    const { code, logs } = await runHearthdToExit([], db);
    assert.equal(code, 1);
    assert.match(logs, /999999/);
    assert.equal(db.query('SELECT max(version) FROM schema_migrations'), '999999', 'nothing changed');
  } finally {
    dropDatabase(db);
  }
});

test('an unreachable database stops start-up with a clear message', async () => {
  const { code, logs } = await runHearthdToExit([], { conninfo: 'host=/nonexistent/socket dbname=x connect_timeout=2' });
  assert.equal(code, 1);
  assert.match(logs, /database/i);
});

test('bad flags exit non-zero with a message; --help documents every setting', async () => {
  const bad = await runHearthdToExit(['--log-format', 'yaml'], { conninfo: '' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.logs, /log-format/);
  const help = await runHearthdToExit(['--help'], { conninfo: '' });
  assert.equal(help.code, 0);
  for (const flag of ['--port', '--database-url', '--web-root', '--log-format', '--max-body-bytes', '--config', '--threads']) {
    assert.ok(help.logs.includes(flag), `--help lists ${flag}`);
  }
});

test('SIGTERM drains: WebSockets get 1012, idle connections close, exit code 0', async () => {
  const server = await startHearthd();
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`);
  const closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise((resolve) => socket.on('message', resolve));
  const health = await fetch(`${server.url}/healthz`, { keepalive: true });
  assert.equal(health.status, 200);
  const started = Date.now();
  const result = await server.stop();
  assert.equal(result.code, 0, server.logs());
  assert.equal(await closed, 1012);
  assert.ok(Date.now() - started < 5000, 'drains promptly');
  assert.match(server.logs(), /drained/);
});

test('a config file sets options; JSON logs are one object per line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-config-'));
  const config = join(dir, 'hearthd.toml');
  writeFileSync(config, 'log-format = "json"\nheartbeat-interval-ms = 1234\n');
  const server = await startHearthd({ args: ['--config', config] });
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api/v1/gateway`);
  const hello = await new Promise((resolve) => socket.on('message', (data) => resolve(JSON.parse(data.toString()))));
  assert.equal(hello.d.heartbeat_interval, 1234);
  socket.close(1000);
  await fetch(`${server.url}/api/v1/nope`);
  await server.stop();
  const lines = server.logs().trim().split('\n');
  assert.ok(lines.length >= 2);
  for (const line of lines) {
    let entry;
    assert.doesNotThrow(() => (entry = JSON.parse(line)), `not a JSON log line: ${line}\nwhole log:\n${server.logs()}`);
    assert.ok(entry.time && entry.level && typeof entry.msg === 'string', line);
  }
  rmSync(dir, { recursive: true, force: true });
});
