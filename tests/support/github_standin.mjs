// A stand-in for GitHub on a loopback port. GitHub itself cannot run here, so this speaks
// GitHub's documented shapes for exactly the calls hearthd makes, and nothing else:
//
//   GET  /login/oauth/authorize     approves at once (as GitHub does for an app the user has
//                                   authorised before) and redirects to redirect_uri?code&state
//   POST /login/oauth/access_token  form body; JSON when asked with Accept: application/json;
//                                   failures are 200 {error, error_description}, as GitHub does;
//                                   checks client credentials, redirect_uri and the PKCE verifier
//   GET  /user, GET /user/emails    with Authorization: Bearer <token>
//
// It is a stand-in for that one provider; the OpenID Connect flows run against a real provider
// (oidc_provider.mjs).
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';

/**
 * Options: clientId, clientSecret. `standin.nextUser = {id, login, name, emails}` decides who
 * approves the next authorization (emails as GitHub lists them: {email, primary, verified}).
 */
export async function startGitHubStandin({ clientId = 'gh-test-client', clientSecret = 'gh-test-secret' } = {}) {
  const codes = new Map();
  const tokens = new Map();
  const requests = [];
  const standin = {
    clientId,
    clientSecret,
    requests,
    nextUser: null,
    url: '',
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  const json = (response, status, body) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url, standin.url);
    let body = '';
    for await (const chunk of request) body += chunk;
    requests.push({ method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body });

    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const query = url.searchParams;
      if (query.get('client_id') !== clientId || !query.get('redirect_uri')) {
        return json(response, 400, { error: 'invalid_request' });
      }
      const redirect = new URL(query.get('redirect_uri'));
      if (!standin.nextUser) {
        redirect.searchParams.set('error', 'access_denied');
      } else {
        const code = randomBytes(10).toString('hex');
        codes.set(code, {
          user: standin.nextUser,
          redirectUri: query.get('redirect_uri'),
          challenge: query.get('code_challenge'),
          method: query.get('code_challenge_method'),
        });
        redirect.searchParams.set('code', code);
      }
      redirect.searchParams.set('state', query.get('state') ?? '');
      response.writeHead(302, { location: redirect.toString() });
      return response.end();
    }

    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = new URLSearchParams(body);
      const grant = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      let error = null;
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        error = ['incorrect_client_credentials', 'The client_id and/or client_secret passed are incorrect.'];
      } else if (!grant) {
        error = ['bad_verification_code', 'The code passed is incorrect or expired.'];
      } else if (grant.redirectUri !== form.get('redirect_uri')) {
        error = ['redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL for this application.'];
      } else if (
        grant.method !== 'S256' ||
        createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== grant.challenge
      ) {
        error = ['invalid_grant', 'The code_verifier does not match the code_challenge.'];
      }
      const answer = error
        ? { error: error[0], error_description: error[1], error_uri: 'https://docs.github.com/apps' }
        : (() => {
            const token = `gho_${randomBytes(16).toString('hex')}`;
            tokens.set(token, grant.user);
            return { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' };
          })();
      if ((request.headers.accept ?? '').includes('application/json')) return json(response, 200, answer);
      response.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' });
      return response.end(new URLSearchParams(answer).toString());
    }

    const user = tokens.get((request.headers.authorization ?? '').replace(/^(Bearer|token) /, ''));
    if (request.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
      if (!user) return json(response, 401, { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest' });
      if (url.pathname === '/user') {
        const publicEmail = user.emails?.find((entry) => entry.visibility === 'public')?.email ?? null;
        return json(response, 200, {
          login: user.login,
          id: user.id,
          node_id: `U_${user.id}`,
          type: 'User',
          name: user.name ?? null,
          email: publicEmail,
        });
      }
      return json(response, 200, (user.emails ?? []).map((entry) => ({ visibility: null, ...entry })));
    }
    json(response, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  standin.url = `http://127.0.0.1:${server.address().port}`;
  return standin;
}
