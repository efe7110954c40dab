// Runs a command with one hearthd (fresh database) up, passing its URL as HEARTH_URL:
//   node tests/support/with_hearthd.mjs -- <command> [args...]
import { spawn } from 'node:child_process';
import { startHearthd } from './hearthd.mjs';

const separator = process.argv.indexOf('--');
const command = process.argv.slice(separator + 1);
if (separator < 0 || command.length === 0) {
  console.error('usage: with_hearthd.mjs -- <command> [args...]');
  process.exit(2);
}
// The push e2e test plays the push service on loopback (a tests-only flag). Every test signs up
// and signs in from 127.0.0.1: the per-address limit on those (tested in
// tests/integration/auth.test.mjs) would refuse a fast run's later tests with 429.
const server = await startHearthd({ args: ['--push-allow-insecure-loopback', '--auth-requests-per-minute', '100000'] });
const child = spawn(command[0], command.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, HEARTH_URL: server.url },
});
const code = await new Promise((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
const stopped = await server.stop();
// A failed run shows the end of the server's log too: the other half of what went wrong.
if (code !== 0 && stopped.code === 0) {
  console.error(`the command failed (${code}); the end of hearthd's log:\n${server.logs().split('\n').slice(-300).join('\n')}`);
}
if (stopped.code !== 0) {
  console.error(`hearthd exited with ${JSON.stringify(stopped)}; its log:\n${server.logs()}`);
  process.exit(1);
}
process.exit(code);
