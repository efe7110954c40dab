// Starts real hearthd processes for tests: each on a free port, against its own fresh database
// in the test PostgreSQL cluster (HEARTH_TEST_PG), so every test owns its data.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function requireEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through scripts/test.sh (make test)`);
  return value;
}

function psql(conninfo, sql) {
  return execFileSync('psql', [conninfo, '-v', 'ON_ERROR_STOP=1', '-Atqc', sql], { encoding: 'utf8' }).trim();
}

/** Creates an empty database and returns its libpq conninfo. */
export function createDatabase() {
  const admin = requireEnv('HEARTH_TEST_PG');
  const name = `hearth_it_${randomBytes(6).toString('hex')}`;
  psql(admin, `CREATE DATABASE ${name}`);
  return { name, conninfo: `${admin} dbname=${name}`, query: (sql) => psql(`${admin} dbname=${name}`, sql) };
}

export function dropDatabase(db) {
  psql(requireEnv('HEARTH_TEST_PG'), `DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
}

/**
 * Starts hearthd and resolves once it listens. Options: args (extra flags), db (from
 * createDatabase; default: a new one), webRoot. Several nodes of one cluster share a database:
 * start the first, then pass its `db` to the others (used as is, not copied; only the node that
 * created it drops it when stopped).
 */
export async function startHearthd({ args = [], db, webRoot } = {}) {
  const binary = requireEnv('HEARTHD');
  const ownDb = !db;
  db = db ?? createDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'hearthd-'));
  const portFile = join(dir, 'port');
  const child = spawn(
    binary,
    [
      '--port', '0', '--port-file', portFile, '--threads', '2', '--database-url', db.conninfo,
      '--data-dir', dir, '--web-root', webRoot ?? process.env.HEARTH_WEB_ROOT ?? join(repo, 'web/dist'),
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let logs = '';
  child.stdout.on('data', (chunk) => (logs += chunk));
  child.stderr.on('data', (chunk) => (logs += chunk));
  const exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));

  const deadline = Date.now() + 30000;
  while (!existsSync(portFile) || readFileSync(portFile, 'utf8').trim() === '') {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 25))]);
    if (early) throw new Error(`hearthd exited early (${JSON.stringify(early)}):\n${logs}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hearthd did not start within 30 s:\n${logs}`);
    }
  }
  const port = Number(readFileSync(portFile, 'utf8').trim());
  const server = {
    port,
    dataDir: dir,
    url: `http://127.0.0.1:${port}`,
    db,
    child,
    exited,
    logs: () => logs,
    /** SIGTERM, wait for the exit; resolves to {code, signal}. */
    async stop({ signal = 'SIGTERM', keepDb = !ownDb } = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      rmSync(dir, { recursive: true, force: true });
      if (!keepDb) dropDatabase(db);
      return result;
    },
  };
  return server;
}

/** Runs hearthd to completion (for start-up failures); resolves to {code, logs}. */
export function runHearthdToExit(args, db) {
  const binary = requireEnv('HEARTHD');
  return new Promise((resolveRun) => {
    const child = spawn(binary, ['--port', '0', '--database-url', db.conninfo, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout.on('data', (chunk) => (logs += chunk));
    child.stderr.on('data', (chunk) => (logs += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, logs });
    });
  });
}
