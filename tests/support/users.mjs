// Signs up test users against a running hearthd and gives each a small API caller.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

export const TEST_PASSWORD = 'correct horse battery';

/**
 * Registers a new account on `server` (from startHearthd). Resolves to
 * {id, name, label, token, call(method, path, body?, headers?)}; `call` answers
 * {status, text, headers, body} with body parsed from JSON when there is one.
 */
export async function registerUser(server, label = 'u') {
  const name = `${label}${randomBytes(5).toString('hex')}`;
  const response = await fetch(`${server.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${name}@example.org`, username: name, password: TEST_PASSWORD }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  const { token, user_id } = await response.json();
  const call = async (method, path, body, headers = {}) => {
    const answer = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await answer.text();
    return { status: answer.status, text, headers: answer.headers, body: text ? JSON.parse(text) : null };
  };
  return { id: user_id, name, label, token, call };
}
