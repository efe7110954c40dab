// Sign-in and account linking through OAuth 2.0 / OpenID Connect, against a real hearthd, a
// real OpenID Connect provider (oidc-provider, tests/support/oidc_provider.mjs) and a GitHub
// stand-in (tests/support/github_standin.mjs), all on loopback. A small cookie-keeping client
// follows the redirects by hand, as a browser would, and types a login into the provider's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, dropDatabase, runHearthdToExit, startHearthd } from '../support/hearthd.mjs';
import { startOidcProvider } from '../support/oidc_provider.mjs';
import { startGitHubStandin } from '../support/github_standin.mjs';
import { totp } from '../support/totp.mjs';

let server;
let idp;
let github;

before(async () => {
  idp = await startOidcProvider();
  github = await startGitHubStandin();
  server = await startHearthd({
    args: [
      '--auth-requests-per-minute', '1000',
      '--oidc-issuer', idp.issuer, '--oidc-client-id', idp.clientId, '--oidc-client-secret', idp.clientSecret,
      '--oidc-name', 'Test SSO',
      '--oauth-github-client-id', github.clientId, '--oauth-github-client-secret', github.clientSecret,
      '--oauth-github-url', github.url, '--oauth-github-api-url', github.url,
      // Configured but unreachable (no network here): its discovery fails.
      '--oauth-google-client-id', 'google-id', '--oauth-google-client-secret', 'google-secret',
    ],
  });
  // No --public-url: redirect URIs are derived from the bound address and port.
  idp.configure([`${server.url}/api/v1/auth/oauth/oidc/callback`]);
});
after(async () => {
  await idp?.stop();
  await github?.stop();
  if (server) assert.equal((await server.stop()).code, 0, server.logs());
});

const unique = (prefix = 'u') => `${prefix}${randomBytes(4).toString('hex')}`;
const sha256Hex = (text) => createHash('sha256').update(text).digest('hex');
const PASSWORD = 'correct horse battery';

/** Keeps cookies per host (ports share them, as in browsers) and never follows redirects itself. */
class Browser {
  constructor() {
    this.cookies = new Map();
  }
  cookieHeader(url) {
    const { hostname, pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((cookie) => cookie.host === hostname && pathname.startsWith(cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }
  cookie(name) {
    return [...this.cookies.values()].find((cookie) => cookie.name === name)?.value;
  }
  setCookie(url, name, value, path = '/') {
    const { hostname } = new URL(url);
    this.cookies.set(`${hostname}|${path}|${name}`, { host: hostname, name, value, path });
  }
  async fetch(url, init = {}) {
    const headers = { ...init.headers };
    const cookie = this.cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    const { hostname } = new URL(url);
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const key = `${hostname}|${path}|${name}`;
      if (attributes.some((a) => /^max-age=0$/i.test(a)) || /^expires=thu, 01 jan 1970/i.test(attributes.join(';'))) {
        this.cookies.delete(key);
      } else {
        this.cookies.set(key, { host: hostname, name, value, path });
      }
    }
    return response;
  }
  post(url, form, headers = {}) {
    return this.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }
}

const isCallback = (url) => url.startsWith(`${server.url}/api/v1/auth/oauth/`) && new URL(url).pathname.endsWith('/callback');

/**
 * Follows the redirects from `url` through the provider, signing in as `login` on its login
 * page when it asks, up to the redirect back to hearthd's callback; returns that URL, unfetched.
 */
async function throughProvider(browser, url, login) {
  for (let hop = 0; hop < 12; hop += 1) {
    if (isCallback(url)) return url;
    const response = await browser.fetch(url);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location'), url).toString();
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    assert.ok(response.status === 200 && action && page.includes('name="login"'), `unexpected page at ${url}: ${page}`);
    const submitted = await browser.post(new URL(action, url).toString(), { prompt: 'login', login, password: 'any' });
    assert.ok([302, 303].includes(submitted.status), `login form answered ${submitted.status}`);
    url = new URL(submitted.headers.get('location'), url).toString();
  }
  throw new Error('too many redirects');
}

/** Fetches hearthd's callback and reads the outcome from the redirect to the web client. */
async function finish(browser, callbackUrl) {
  const response = await browser.fetch(callbackUrl);
  assert.equal(response.status, 302, await response.clone().text());
  const location = response.headers.get('location');
  assert.match(location, /^\/oauth\/done#/);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return { response, outcome: Object.fromEntries(new URLSearchParams(location.slice(location.indexOf('#') + 1))) };
}

async function startSignIn(browser, provider = 'oidc') {
  const response = await browser.fetch(`${server.url}/api/v1/auth/oauth/${provider}/authorize`);
  assert.equal(response.status, 302, await response.clone().text());
  return response.headers.get('location');
}

/** A whole sign-in with the provider as `login`; resolves to the callback's outcome. */
async function signIn(browser, login, provider = 'oidc') {
  const callbackUrl = await throughProvider(browser, await startSignIn(browser, provider), login);
  return finish(browser, callbackUrl);
}

/** Trades the refresh cookie a signed-in callback set for an access token. */
async function accessToken(browser) {
  const response = await browser.fetch(`${server.url}/api/v1/auth/refresh`, { method: 'POST' });
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

const api = (path, token, init = {}) =>
  fetch(`${server.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });

async function register() {
  const name = unique('p');
  const response = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.test`, username: name, password: PASSWORD }),
  });
  assert.equal(response.status, 201);
  const data = await response.json();
  return { name, email: `${name}@example.test`, token: data.token, id: data.user_id };
}

/** Starts linking `provider` to the account of `token`; returns the provider URL. */
async function startLink(browser, token, provider = 'oidc') {
  const response = await browser.fetch(`${server.url}/api/v1/users/@me/connections/${provider}/authorize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return (await response.json()).url;
}

const connections = async (token) => (await api('/users/@me/connections', token)).json();
const userCount = () => Number(server.db.query('SELECT count(*) FROM users'));
const logHas = (text) => server.logs().includes(text);

test('the provider list names the configured providers in a fixed order', async () => {
  const response = await fetch(`${server.url}/api/v1/auth/oauth/providers`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), [
    { id: 'github', name: 'GitHub' },
    { id: 'google', name: 'Google' },
    { id: 'oidc', name: 'Test SSO' },
  ]);
  const unknown = await fetch(`${server.url}/api/v1/auth/oauth/facebook/authorize`, { redirect: 'manual' });
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).code, 90001);
});

test('authorize sends the browser to the provider with state, nonce, PKCE S256 and the exact redirect URI', async () => {
  const browser = new Browser();
  const response = await browser.fetch(`${server.url}/api/v1/auth/oauth/oidc/authorize`);
  assert.equal(response.status, 302);
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const target = new URL(response.headers.get('location'));
  assert.equal(`${target.origin}${target.pathname}`, `${idp.issuer}/auth`);
  const query = Object.fromEntries(target.searchParams);
  assert.equal(query.response_type, 'code');
  assert.equal(query.client_id, idp.clientId);
  assert.equal(query.redirect_uri, `${server.url}/api/v1/auth/oauth/oidc/callback`);
  assert.equal(query.scope, 'openid email profile');
  assert.equal(query.code_challenge_method, 'S256');
  assert.match(query.code_challenge, /^[\w-]{43}$/);
  assert.match(query.state, /^[\w-]{43}$/);
  assert.match(query.nonce, /^[\w-]{43}$/);

  const cookie = response.headers.get('set-cookie');
  assert.match(cookie, /^hearth_oauth=[\w-]{43}; Path=\/api\/v1\/auth\/oauth; HttpOnly; SameSite=Lax; Max-Age=600$/);
  const secret = browser.cookie('hearth_oauth');
  // Only hashes are stored; the verifier and nonce are derived from the cookie, not kept.
  const row = server.db.query(
    `SELECT provider, browser_hash, link_user_id IS NULL, expires_at > now() + interval '9 minutes' ` +
      `FROM oauth_states WHERE state_hash = '${sha256Hex(query.state)}'`,
  );
  assert.equal(row, `oidc|${sha256Hex(secret)}|t|t`);
  assert.equal(server.db.query(`SELECT count(*) FROM oauth_states WHERE state_hash = '${query.state}'`), '0');

  const behindTls = await fetch(`${server.url}/api/v1/auth/oauth/github/authorize`, {
    redirect: 'manual',
    headers: { 'x-forwarded-proto': 'https' },
  });
  assert.match(behindTls.headers.get('set-cookie'), /; Secure$/);
  const gh = Object.fromEntries(new URL(behindTls.headers.get('location')).searchParams);
  assert.equal(gh.scope, 'read:user user:email');
  assert.equal(gh.redirect_uri, `${server.url}/api/v1/auth/oauth/github/callback`);
  assert.equal(gh.code_challenge_method, 'S256');
  assert.equal(gh.nonce, undefined, 'GitHub is OAuth 2.0 only');
});

test('a first sign-in creates an account; the next one signs in to the same account', async () => {
  const login = unique('ada');
  const browser = new Browser();
  const users = userCount();
  const { response, outcome } = await signIn(browser, login);
  assert.deepEqual(outcome, { status: 'signed_in' });
  assert.match(response.headers.getSetCookie().join('\n'), /hearth_refresh=[\w-]{43}; Path=\/api\/v1\/auth; HttpOnly; SameSite=Strict/);
  assert.match(response.headers.getSetCookie().join('\n'), /hearth_oauth=; Path=\/api\/v1\/auth\/oauth; HttpOnly; SameSite=Lax; Max-Age=0/);
  assert.equal(userCount(), users + 1);

  const { token, user_id: userId } = await accessToken(browser);
  const me = await (await api('/users/@me', token)).json();
  assert.equal(me.id, userId);
  assert.equal(me.username, login);
  assert.equal(me.global_name, `Test ${login}`);
  assert.equal(me.email, `${login}@example.test`);
  assert.equal(me.verified, true, 'the provider verified the address');
  assert.equal(me.has_password, false);
  const [connection, ...more] = await connections(token);
  assert.deepEqual(more, []);
  assert.equal(connection.type, 'oidc');
  assert.equal(connection.id, login);
  assert.equal(connection.name, login);
  assert.match(connection.created_at, /^\d{4}-\d\d-\d\dT/);
  // The token request authenticated with HTTP Basic (client_secret_basic).
  const basic = `Basic ${Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64')}`;
  assert.equal(idp.tokenRequests.at(-1).authorization, basic);

  // Again, from another browser (so the provider asks for the login again).
  const again = new Browser();
  assert.deepEqual((await signIn(again, login)).outcome, { status: 'signed_in' });
  assert.equal((await accessToken(again)).user_id, userId);
  assert.equal(userCount(), users + 1);
  // And from the first browser, whose provider session skips the login page.
  assert.deepEqual((await signIn(browser, login)).outcome, { status: 'signed_in' });
  assert.equal((await accessToken(browser)).user_id, userId);
});

test('a callback without the browser cookie, with another state, or replayed is refused', async () => {
  const login = unique('eve');
  const browser = new Browser();
  const callbackUrl = await throughProvider(browser, await startSignIn(browser), login);
  const secret = browser.cookie('hearth_oauth');
  const stale = 'This sign-in expired or was started in another browser. Please try again.';

  // Another browser (no binding cookie) presenting the genuine callback URL.
  const stranger = new Browser();
  const noCookie = await finish(stranger, callbackUrl);
  assert.deepEqual(noCookie.outcome, { status: 'error', message: stale });
  assert.equal(noCookie.response.headers.get('set-cookie'), null, 'nothing signed in');
  // Another browser's cookie.
  stranger.setCookie(server.url, 'hearth_oauth', randomBytes(32).toString('base64url'), '/api/v1/auth/oauth');
  assert.deepEqual((await finish(stranger, callbackUrl)).outcome, { status: 'error', message: stale });
  // The right browser with a state it never started.
  const forged = new URL(callbackUrl);
  forged.searchParams.set('state', randomBytes(32).toString('base64url'));
  assert.deepEqual((await finish(browser, forged.toString())).outcome, { status: 'error', message: stale });
  const noState = new URL(callbackUrl);
  noState.searchParams.delete('state');
  assert.deepEqual((await finish(browser, noState.toString())).outcome, { status: 'error', message: stale });

  // None of that used up the genuine flow.
  const users = userCount();
  assert.deepEqual((await finish(browser, callbackUrl)).outcome, { status: 'signed_in' });
  assert.equal(userCount(), users + 1);
  // The state works once, even with the cookie put back.
  browser.setCookie(server.url, 'hearth_oauth', secret, '/api/v1/auth/oauth');
  assert.deepEqual((await finish(browser, callbackUrl)).outcome, { status: 'error', message: stale });
  assert.ok(logHas('oidc callback from 127.0.0.1 refused: no browser cookie'));

  // A flow past its ten minutes is refused (and gone).
  const late = new Browser();
  const lateCallback = await throughProvider(late, await startSignIn(late), login);
  const lateHash = sha256Hex(new URL(lateCallback).searchParams.get('state'));
  server.db.query(`UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE state_hash = '${lateHash}'`);
  assert.deepEqual((await finish(late, lateCallback)).outcome, { status: 'error', message: stale });
  assert.equal(server.db.query(`SELECT count(*) FROM oauth_states WHERE state_hash = '${lateHash}'`), '0');
  assert.ok(logHas('refused: unknown, used or expired state'));
});

test('an ID token with a wrong nonce, issuer or audience, a broken signature, alg none or past its expiry is refused', async () => {
  const failed = 'Sign-in with Test SSO failed. Please try again.';
  const cases = [
    ['nonce mismatch', ({ header, payload }) => ({ header, payload: { ...payload, nonce: 'another-flow' }, sign: 'provider' })],
    ['iss "http://evil.example" is not', ({ header, payload }) => ({ header, payload: { ...payload, iss: 'http://evil.example' }, sign: 'provider' })],
    ['aud does not name this client', ({ header, payload }) => ({ header, payload: { ...payload, aud: 'someone-else' }, sign: 'provider' })],
    ['token expired', ({ header, payload }) => ({ header, payload: { ...payload, exp: Math.floor(Date.now() / 1000) - 3600 }, sign: 'provider' })],
    ['signature does not verify', ({ header, payload }) => ({ header, payload: { ...payload, sub: 'sub-admin' }, sign: 'keep' })],
    ['algorithm "none" is not accepted', ({ payload }) => ({ header: { alg: 'none' }, payload, sign: 'none' })],
    ['unknown key id "rotated-away"', ({ header, payload }) => ({ header: { ...header, kid: 'rotated-away' }, payload, sign: 'provider' })],
    ['key "test-rsa" is RS256, the token says ES256', ({ payload }) => ({ header: { alg: 'ES256', kid: 'test-rsa' }, payload, sign: 'provider' })],
  ];
  for (const [reason, tamper] of cases) {
    const users = userCount();
    idp.tamperNextIdToken(tamper);
    const { response, outcome } = await signIn(new Browser(), unique('mallory'));
    assert.deepEqual(outcome, { status: 'error', message: failed }, reason);
    assert.doesNotMatch(response.headers.getSetCookie().join('\n'), /hearth_refresh/, reason);
    assert.equal(userCount(), users, `no account is made: ${reason}`);
    assert.ok(logHas(`refused: ID token: ${reason}`), `logged: ${reason}\n${server.logs().slice(-2000)}`);
  }
});

test('a signed-in user links a provider and then signs in with it', async () => {
  const account = await register();
  const login = unique('lin');
  const browser = new Browser();
  const unauthenticated = await fetch(`${server.url}/api/v1/users/@me/connections/oidc/authorize`, { method: 'POST' });
  assert.equal(unauthenticated.status, 401);

  const url = await startLink(browser, account.token);
  assert.ok(url.startsWith(`${idp.issuer}/auth?`));
  assert.match(browser.cookie('hearth_oauth'), /^[\w-]{43}$/);
  const state = new URL(url).searchParams.get('state');
  assert.equal(server.db.query(`SELECT link_user_id FROM oauth_states WHERE state_hash = '${sha256Hex(state)}'`), account.id);
  const { outcome } = await finish(browser, await throughProvider(browser, url, login));
  assert.deepEqual(outcome, { status: 'linked', provider: 'oidc' });
  const [connection] = await connections(account.token);
  assert.equal(connection.type, 'oidc');
  assert.equal(connection.id, login);

  // Signing in with the provider now opens the password account.
  const users = userCount();
  const other = new Browser();
  assert.deepEqual((await signIn(other, login)).outcome, { status: 'signed_in' });
  assert.equal((await accessToken(other)).user_id, account.id);
  assert.equal(userCount(), users);
});

test('an identity that signs in to another account cannot be linked', async () => {
  const login = unique('tak');
  assert.deepEqual((await signIn(new Browser(), login)).outcome, { status: 'signed_in' });
  const account = await register();
  const browser = new Browser();
  const url = await startLink(browser, account.token);
  const { outcome } = await finish(browser, await throughProvider(browser, url, login));
  assert.deepEqual(outcome, {
    status: 'error',
    message: 'This Test SSO account is already linked to another Hearth account.',
  });
  assert.deepEqual(await connections(account.token), []);

  // Nor can an account take a second identity at the same provider.
  const second = new Browser();
  await finish(second, await throughProvider(second, await startLink(second, account.token), unique('one')));
  const third = new Browser();
  const again = await finish(third, await throughProvider(third, await startLink(third, account.token), unique('two')));
  assert.deepEqual(again.outcome, {
    status: 'error',
    message: 'Your account is already linked to another Test SSO account. Remove it in Settings → Connections first.',
  });
  assert.equal((await connections(account.token)).length, 1);
});

test('a provider identity whose email belongs to an account is not merged into it', async () => {
  const account = await register();
  const login = account.name; // the provider's address for this login is the account's address
  const users = userCount();
  const { response, outcome } = await signIn(new Browser(), login);
  assert.deepEqual(outcome, {
    status: 'error',
    message: 'An account with this email already exists. Log in and link Test SSO from Settings → Connections.',
  });
  assert.doesNotMatch(response.headers.getSetCookie().join('\n'), /hearth_refresh/);
  assert.equal(userCount(), users);
  assert.equal(server.db.query(`SELECT count(*) FROM user_identities WHERE subject = '${login}'`), '0');
  assert.ok(logHas('its email belongs to an existing account'));

  // An address the provider has not verified is not taken at all: the account is made without one.
  const unverified = unique('unv');
  idp.setAccount(unverified, { email: account.email, email_verified: false });
  const browser = new Browser();
  assert.deepEqual((await signIn(browser, unverified)).outcome, { status: 'signed_in' });
  const me = await (await api('/users/@me', (await accessToken(browser)).token)).json();
  assert.notEqual(me.email, account.email);
  assert.ok(!me.email, 'no address');
});

test('the only way to sign in cannot be removed; a linked provider can', async () => {
  const browser = new Browser();
  await signIn(browser, unique('solo'));
  const { token } = await accessToken(browser);
  const refused = await api('/users/@me/connections/oidc', token, { method: 'DELETE' });
  assert.equal(refused.status, 400);
  assert.deepEqual(await refused.json(), {
    code: 50035,
    message: 'Set a password or link another provider before removing your only way to sign in.',
  });
  assert.equal((await connections(token)).length, 1);

  // With GitHub linked as well, either one may go.
  github.nextUser = { id: 7000 + Math.floor(Math.random() * 1e6), login: unique('gh'), emails: [] };
  const linkBrowser = new Browser();
  const linked = await finish(linkBrowser, await throughProvider(linkBrowser, await startLink(linkBrowser, token, 'github'), ''));
  assert.deepEqual(linked.outcome, { status: 'linked', provider: 'github' });
  assert.equal((await api('/users/@me/connections/oidc', token, { method: 'DELETE' })).status, 204);
  assert.deepEqual((await connections(token)).map((c) => c.type), ['github']);
  assert.equal((await api('/users/@me/connections/github', token, { method: 'DELETE' })).status, 400);

  // A password account may drop its only provider.
  const account = await register();
  const other = new Browser();
  await finish(other, await throughProvider(other, await startLink(other, account.token), unique('pw')));
  assert.equal((await api('/users/@me/connections/oidc', account.token, { method: 'DELETE' })).status, 204);
  assert.deepEqual(await connections(account.token), []);
  const gone = await api('/users/@me/connections/oidc', account.token, { method: 'DELETE' });
  assert.equal(gone.status, 404);
  assert.equal((await api('/users/@me/connections', 'not-a-token')).status, 401);
});

test('GitHub: the stand-in gets PKCE and client credentials, and the primary verified address is used', async () => {
  const login = unique('octo');
  const id = 100000 + Math.floor(Math.random() * 1e9);
  github.nextUser = {
    id,
    login,
    name: 'Mona Octocat',
    emails: [
      { email: `${login}.old@example.test`, primary: false, verified: true },
      { email: `${login}@example.test`, primary: true, verified: true },
    ],
  };
  const browser = new Browser();
  const { outcome } = await finish(browser, await throughProvider(browser, await startSignIn(browser, 'github'), ''));
  assert.deepEqual(outcome, { status: 'signed_in' });
  const token = github.requests.findLast((r) => r.path === '/login/oauth/access_token');
  assert.equal(token.headers.accept, 'application/json');
  assert.equal(new URLSearchParams(token.body).get('client_secret'), github.clientSecret);
  const user = github.requests.findLast((r) => r.path === '/user');
  assert.match(user.headers.authorization, /^Bearer gho_/);
  assert.equal(user.headers['x-github-api-version'], '2022-11-28');

  const { token: access } = await accessToken(browser);
  const me = await (await api('/users/@me', access)).json();
  assert.equal(me.username, login);
  assert.equal(me.global_name, 'Mona Octocat');
  assert.equal(me.email, `${login}@example.test`);
  assert.deepEqual((await connections(access)).map(({ type, id: subject, name }) => ({ type, subject, name })), [
    { type: 'github', subject: String(id), name: login },
  ]);

  // The stand-in checked the verifier against this challenge before it gave a token.
  const grant = github.requests.findLast((r) => r.path === '/login/oauth/authorize');
  assert.match(grant.query.get('code_challenge'), /^[\w-]{43}$/);

  // The user cancels at GitHub: the error comes back with the flow's state and uses it up.
  github.nextUser = null;
  const cheat = new Browser();
  const callbackUrl = await throughProvider(cheat, await startSignIn(cheat, 'github'), '');
  const grantCookie = cheat.cookie('hearth_oauth');
  assert.equal(new URL(callbackUrl).searchParams.get('error'), 'access_denied');
  assert.deepEqual((await finish(cheat, callbackUrl)).outcome, {
    status: 'error',
    message: 'Sign-in with GitHub was cancelled.',
  });
  const withCode = new URL(callbackUrl);
  withCode.searchParams.delete('error');
  withCode.searchParams.set('code', 'guessed');
  cheat.setCookie(server.url, 'hearth_oauth', grantCookie, '/api/v1/auth/oauth');
  assert.deepEqual((await finish(cheat, withCode.toString())).outcome, {
    status: 'error',
    message: 'This sign-in expired or was started in another browser. Please try again.',
  });
});

test('two-factor accounts get a ticket instead of a session', async () => {
  const account = await register();
  const login = unique('mfa');
  const linkBrowser = new Browser();
  await finish(linkBrowser, await throughProvider(linkBrowser, await startLink(linkBrowser, account.token), login));
  const json = (body) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const setup = await (await api('/users/@me/mfa/totp/setup', account.token, json({ password: PASSWORD }))).json();
  const enabled = await api('/users/@me/mfa/totp/enable', account.token, json({ code: totp(setup.secret) }));
  assert.equal(enabled.status, 200);
  const { backup_codes: codes } = await enabled.json();

  const browser = new Browser();
  const { response, outcome } = await signIn(browser, login);
  assert.equal(outcome.status, 'mfa');
  assert.match(outcome.ticket, /^[\w-]{20,}$/);
  assert.doesNotMatch(response.headers.getSetCookie().join('\n'), /hearth_refresh/, 'no session before the second factor');
  const done = await fetch(`${server.url}/api/v1/auth/mfa/totp`, json({ ticket: outcome.ticket, code: codes[0].code }));
  assert.equal(done.status, 200, await done.clone().text());
  assert.equal((await done.json()).user_id, account.id);
});

test('a provider that cannot be reached gives an error page, not a hang', async () => {
  const browser = new Browser();
  const response = await browser.fetch(`${server.url}/api/v1/auth/oauth/google/authorize`);
  assert.equal(response.status, 302);
  const location = response.headers.get('location');
  assert.equal(location, `/oauth/done#status=error&message=${encodeURIComponent('Google could not be reached. Please try again later.')}`);
  assert.equal(response.headers.get('set-cookie'), null);
  const account = await register();
  const link = await api('/users/@me/connections/google/authorize', account.token, { method: 'POST' });
  assert.equal(link.status, 503);
  assert.equal((await link.json()).message, 'Google could not be reached. Please try again later.');
});

test('a half-configured provider stops the start; starting flows is rate limited per address', async () => {
  const db = createDatabase();
  try {
    for (const [flags, message] of [
      [['--oauth-github-client-id', 'id'], '--oauth-github-client-secret is required'],
      [['--oidc-client-id', 'id'], '--oidc-issuer is required with --oidc-client-id'],
      [['--oidc-issuer', 'http://sso.example.org', '--oidc-client-id', 'id'], '--oidc-issuer must be an https URL'],
    ]) {
      const dataDir = mkdtempSync(join(tmpdir(), 'hearth-oauth-'));
      const { code, logs } = await runHearthdToExit([...flags, '--data-dir', dataDir], db);
      rmSync(dataDir, { recursive: true, force: true });
      assert.equal(code, 2, logs);
      assert.ok(logs.includes(message), logs);
    }
  } finally {
    dropDatabase(db);
  }

  const limited = await startHearthd({
    args: ['--auth-requests-per-minute', '2', '--oauth-github-client-id', github.clientId,
           '--oauth-github-client-secret', github.clientSecret, '--oauth-github-url', github.url],
  });
  try {
    const start = () => fetch(`${limited.url}/api/v1/auth/oauth/github/authorize`, { redirect: 'manual' });
    assert.ok((await start()).headers.get('location').startsWith(`${github.url}/login/oauth/authorize?`));
    assert.ok((await start()).headers.get('location').startsWith(`${github.url}/login/oauth/authorize?`));
    const refused = await start();
    assert.equal(refused.status, 302);
    assert.equal(refused.headers.get('location'),
                 `/oauth/done#status=error&message=${encodeURIComponent('Too many sign-in attempts. Please wait a minute and try again.')}`);
    assert.equal(limited.db.query('SELECT count(*) FROM oauth_states'), '2');
  } finally {
    assert.equal((await limited.stop()).code, 0, limited.logs());
  }
});
