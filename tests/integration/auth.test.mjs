// Accounts over REST against a real hearthd and PostgreSQL: sign-up, login, token checks,
// refresh rotation with reuse detection, sessions, logout, and the abuse limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startHearthd } from '../support/hearthd.mjs';

let server;
before(async () => {
  server = await startHearthd({ args: ['--auth-requests-per-minute', '1000'] });
});
after(async () => {
  assert.equal((await server.stop()).code, 0, server.logs());
});

const unique = () => `u${randomBytes(5).toString('hex')}`;
const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const refreshCookieOf = (response) => /hearth_refresh=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1];

async function register(overrides = {}) {
  const name = unique();
  const body = { email: `${name}@example.org`, username: name, password: 'correct horse battery', ...overrides };
  const response = await fetch(`${server.url}/api/v1/auth/register`, json(body));
  return { response, body, data: await response.json() };
}

const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });
const refresh = (cookie) =>
  fetch(`${server.url}/api/v1/auth/refresh`, { method: 'POST', headers: { cookie: `hearth_refresh=${cookie}` } });

test('sign-up returns an access token, sets an HttpOnly refresh cookie, and stores a hashed password', async () => {
  const { response, body, data } = await register({ display_name: 'Ada Lovelace', username: `Ada_${unique()}` });
  assert.equal(response.status, 201);
  assert.match(data.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.match(data.user_id, /^\d+$/);
  const cookie = response.headers.get('set-cookie');
  assert.match(cookie, /hearth_refresh=[\w-]{43}; Path=\/api\/v1\/auth; HttpOnly; SameSite=Strict; Max-Age=2592000/);
  assert.doesNotMatch(cookie, /Secure/, 'plain HTTP on loopback');

  const me = await fetch(`${server.url}/api/v1/users/@me`, bearer(data.token));
  assert.equal(me.status, 200);
  const user = await me.json();
  assert.equal(user.id, data.user_id);
  assert.equal(user.username, body.username.toLowerCase(), 'usernames are stored lower-case');
  assert.equal(user.global_name, 'Ada Lovelace');
  assert.equal(user.email, body.email);
  assert.equal(user.verified, false);

  const stored = server.db.query(`SELECT password_hash FROM users WHERE id = ${data.user_id}`);
  assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.ok(!stored.includes(body.password));
  const tokens = server.db.query(`SELECT count(*) FROM refresh_tokens WHERE token_hash = '${refreshCookieOf(response)}'`);
  assert.equal(tokens, '0', 'refresh tokens are stored only as hashes');
});

test('taken usernames (any case) and emails are field errors in Discord shape', async () => {
  const first = await register();
  const again = await register({ username: first.body.username.toUpperCase() });
  assert.equal(again.response.status, 400);
  assert.equal(again.data.code, 50035);
  assert.equal(again.data.errors.username._errors[0].code, 'USERNAME_ALREADY_TAKEN');
  const sameEmail = await register({ email: first.body.email.toUpperCase() });
  assert.equal(sameEmail.data.errors.email._errors[0].code, 'EMAIL_ALREADY_REGISTERED');
});

test('invalid sign-ups name every bad field', async () => {
  const bad = await register({ email: 'no-at-sign', username: 'x', password: 'short' });
  assert.equal(bad.response.status, 400);
  assert.deepEqual(Object.keys(bad.data.errors).sort(), ['email', 'password', 'username']);
  const chars = await register({ username: 'bad name!' });
  assert.equal(chars.data.errors.username._errors[0].code, 'USERNAME_INVALID_CHARACTERS');
  const missing = await fetch(`${server.url}/api/v1/auth/register`, json({ email: 'a@b.c', password: 12345678 }));
  const missingBody = await missing.json();
  assert.equal(missingBody.errors.username._errors[0].code, 'BASE_TYPE_REQUIRED');
  assert.equal(missingBody.errors.password._errors[0].code, 'BASE_TYPE_STRING');
});

test('login works by username or email; wrong password and unknown account answer alike', async () => {
  const { body } = await register();
  for (const login of [body.username, body.email, body.email.toUpperCase()]) {
    const response = await fetch(`${server.url}/api/v1/auth/login`, json({ login, password: body.password }));
    assert.equal(response.status, 200, login);
    assert.ok((await response.json()).token);
  }
  const wrong = await fetch(`${server.url}/api/v1/auth/login`, json({ login: body.username, password: 'nope nope nope' }));
  const unknown = await fetch(`${server.url}/api/v1/auth/login`, json({ login: unique(), password: 'nope nope nope' }));
  assert.equal(wrong.status, 400);
  assert.equal(unknown.status, 400);
  const wrongBody = await wrong.json();
  assert.equal(wrongBody.code, 50035);
  assert.equal(wrongBody.message, 'Login or password is invalid.');
  assert.equal(wrongBody.errors.login._errors[0].code, 'INVALID_LOGIN');
  assert.deepEqual(wrongBody, await unknown.json());
});

test('tampered, foreign-algorithm and missing tokens are refused with 401', async () => {
  const { data } = await register();
  const [header, payload, signature] = data.token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: '1' })).toString('base64url');
  const none = Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url');
  for (const token of [`${header}.${forged}.${signature}`, `${none}.${payload}.`, `${none}.${payload}.${signature}`,
                       'garbage', `${header}.${payload}`]) {
    const response = await fetch(`${server.url}/api/v1/users/@me`, bearer(token));
    assert.equal(response.status, 401, token);
    assert.equal((await response.json()).code, 40001);
  }
  const missing = await fetch(`${server.url}/api/v1/users/@me`);
  assert.equal(missing.status, 401);
});

test('refresh rotates the token; replaying a rotated one revokes the whole session', async () => {
  const { response } = await register();
  const first = refreshCookieOf(response);
  const rotated = await refresh(first);
  assert.equal(rotated.status, 200);
  const second = refreshCookieOf(rotated);
  assert.ok(second && second !== first);
  const access = (await rotated.json()).token;
  assert.equal((await fetch(`${server.url}/api/v1/users/@me`, bearer(access))).status, 200);

  // Right after its rotation the old token still refreshes: the browser may never have received
  // the answer (a reload aborted it) and kept the old cookie.
  const retried = await refresh(first);
  assert.equal(retried.status, 200, 'a rotated token within the grace');
  const third = refreshCookieOf(retried);
  assert.ok(third && third !== first && third !== second);
  assert.equal((await refresh(third)).status, 200, 'its new token works');

  // Past the grace (30 s: the rotation is dated back here), it is a copy someone kept.
  const firstHash = createHash('sha256').update(first).digest('hex');
  server.db.query(`UPDATE refresh_tokens SET rotated_at = now() - interval '31 seconds' WHERE token_hash = '${firstHash}'`);
  const replay = await refresh(first);
  assert.equal(replay.status, 401);
  assert.match(replay.headers.get('set-cookie'), /hearth_refresh=; .*Max-Age=0/);
  assert.equal((await refresh(second)).status, 401, 'the newer token died with its session');
  assert.equal((await fetch(`${server.url}/api/v1/users/@me`, bearer(access))).status, 401, 'and so did access');
  assert.match(server.logs(), /refresh token reuse on session/);
});

test('sessions are listed and revocable; logout ends the current one', async () => {
  const { body, response } = await register();
  const firstCookie = refreshCookieOf(response);
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    ...json({ login: body.username, password: body.password }),
    headers: { 'content-type': 'application/json', 'user-agent': 'HearthTest/2.0 (Second Device)' },
  });
  const { token } = await login.json();
  const sessions = await (await fetch(`${server.url}/api/v1/users/@me/sessions`, bearer(token))).json();
  assert.equal(sessions.length, 2);
  const current = sessions.find((s) => s.current);
  const other = sessions.find((s) => !s.current);
  assert.equal(current.client, 'HearthTest/2.0 (Second Device)');
  assert.equal(current.ip, '127.0.0.1');
  assert.match(current.last_used_at, /^\d{4}-\d\d-\d\dT/);

  const revoked = await fetch(`${server.url}/api/v1/users/@me/sessions/${other.id}`, { method: 'DELETE', ...bearer(token) });
  assert.equal(revoked.status, 204);
  assert.equal((await refresh(firstCookie)).status, 401, 'the revoked device is signed out');
  const again = await fetch(`${server.url}/api/v1/users/@me/sessions/${other.id}`, { method: 'DELETE', ...bearer(token) });
  assert.equal(again.status, 404);

  const logout = await fetch(`${server.url}/api/v1/auth/logout`, { method: 'POST', ...bearer(token) });
  assert.equal(logout.status, 204);
  assert.match(logout.headers.get('set-cookie'), /Max-Age=0/);
  assert.equal((await fetch(`${server.url}/api/v1/users/@me`, bearer(token))).status, 401);
});

const patchMe = (token, body) => fetch(`${server.url}/api/v1/users/@me`, {
  method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body: JSON.stringify(body),
});

test('the display name changes without a password and can be cleared', async () => {
  const { data } = await register();
  const named = await patchMe(data.token, { global_name: 'Grace Hopper' });
  assert.equal(named.status, 200);
  assert.equal((await named.json()).global_name, 'Grace Hopper');
  const cleared = await patchMe(data.token, { global_name: null });
  assert.equal((await cleared.json()).global_name, null);
  const tooLong = await patchMe(data.token, { global_name: 'x'.repeat(33) });
  assert.equal((await tooLong.json()).errors.global_name._errors[0].code, 'BASE_TYPE_BAD_LENGTH');
});

test('a new username needs the current password and must be free', async () => {
  const { data, body } = await register();
  const other = await register();
  const newName = unique();
  const missing = await (await patchMe(data.token, { username: newName })).json();
  assert.equal(missing.errors.password._errors[0].code, 'BASE_TYPE_REQUIRED');
  const wrong = await (await patchMe(data.token, { username: newName, password: 'not my password' })).json();
  assert.equal(wrong.errors.password._errors[0].code, 'PASSWORD_DOES_NOT_MATCH');
  const taken = await (await patchMe(data.token, { username: other.body.username.toUpperCase(), password: body.password })).json();
  assert.equal(taken.errors.username._errors[0].code, 'USERNAME_ALREADY_TAKEN');
  const renamed = await patchMe(data.token, { username: newName.toUpperCase(), password: body.password });
  assert.equal(renamed.status, 200);
  assert.equal((await renamed.json()).username, newName);
  const login = await fetch(`${server.url}/api/v1/auth/login`, json({ login: newName, password: body.password }));
  assert.equal(login.status, 200);
});

test('a new password signs out the other sessions and replaces the old one', async () => {
  const { data, body, response } = await register();
  const otherDevice = refreshCookieOf(response);
  const login = await fetch(`${server.url}/api/v1/auth/login`, json({ login: body.username, password: body.password }));
  const { token } = await login.json();
  const short = await (await patchMe(token, { new_password: 'short', password: body.password })).json();
  assert.equal(short.errors.new_password._errors[0].code, 'PASSWORD_BAD_LENGTH');
  const changed = await patchMe(token, { new_password: 'a much better passphrase', password: body.password });
  assert.equal(changed.status, 200);
  assert.equal((await refresh(otherDevice)).status, 401, 'the other device is signed out');
  assert.equal((await fetch(`${server.url}/api/v1/users/@me`, bearer(data.token))).status, 401);
  assert.equal((await fetch(`${server.url}/api/v1/users/@me`, bearer(token))).status, 200, 'this one stays');
  const old = await fetch(`${server.url}/api/v1/auth/login`, json({ login: body.username, password: body.password }));
  assert.equal(old.status, 400);
  const fresh = await fetch(`${server.url}/api/v1/auth/login`,
    json({ login: body.username, password: 'a much better passphrase' }));
  assert.equal(fresh.status, 200);
});

test('another user cannot revoke my session', async () => {
  const mine = await register();
  const theirs = await register();
  const sessions = await (await fetch(`${server.url}/api/v1/users/@me/sessions`, bearer(mine.data.token))).json();
  const attempt = await fetch(`${server.url}/api/v1/users/@me/sessions/${sessions[0].id}`, {
    method: 'DELETE', ...bearer(theirs.data.token),
  });
  assert.equal(attempt.status, 404);
  assert.equal((await fetch(`${server.url}/api/v1/users/@me`, bearer(mine.data.token))).status, 200);
});

test('per-IP limits answer 429 with Discord rate-limit headers', async () => {
  const limited = await startHearthd({ args: ['--auth-requests-per-minute', '3'] });
  try {
    const attempt = () => fetch(`${limited.url}/api/v1/auth/login`, json({ login: 'someone', password: 'whatever1' }));
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await attempt());
    assert.deepEqual(answers.map((r) => r.status), [400, 400, 400, 429]);
    const last = answers[3];
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
    assert.equal(last.headers.get('x-ratelimit-limit'), '3');
    assert.equal(last.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(last.headers.get('x-ratelimit-bucket'), 'auth');
    assert.ok(Number(last.headers.get('x-ratelimit-reset-after')) > 0);
    const body = await last.json();
    assert.equal(body.global, false);
    assert.ok(body.retry_after > 0);
  } finally {
    await limited.stop();
  }
});

test('failed logins per account are capped, but not for an address the owner signed in from', async () => {
  // --trust-proxy lets the test present another client address in X-Forwarded-For.
  const limited = await startHearthd({ args: ['--failed-logins-per-hour', '2', '--trust-proxy'] });
  try {
    const name = unique();
    const ok = await fetch(`${limited.url}/api/v1/auth/register`,
      json({ email: `${name}@example.org`, username: name, password: 'correct horse battery' }));
    assert.equal(ok.status, 201);
    const attempt = (password, address) => fetch(`${limited.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(address ? { 'x-forwarded-for': address } : {}) },
      body: JSON.stringify({ login: name, password }),
    });
    const attacker = '203.0.113.7';
    assert.equal((await attempt('wrong guess 1', attacker)).status, 400);
    assert.equal((await attempt('wrong guess 2', attacker)).status, 400);
    const blocked = await attempt('wrong guess 3', attacker);
    assert.equal(blocked.status, 429, 'the account is capped for unknown addresses');
    assert.equal(blocked.headers.get('x-ratelimit-bucket'), 'login');
    assert.equal((await attempt('correct horse battery', '198.51.100.9')).status, 429, 'even with the right password');
    // The owner signed up from 127.0.0.1: that address still gets in.
    assert.equal((await attempt('correct horse battery')).status, 200);
  } finally {
    await limited.stop();
  }
});
