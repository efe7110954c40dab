// A real OpenID Connect provider for tests: panva's oidc-provider (certified by the OpenID
// Foundation) on a loopback port, with one confidential client for hearthd. Any login and any
// password sign in (its development login page), and consent is implied for that client.
//
//   const idp = await startOidcProvider()        // listens: idp.issuer is known
//   const hearthd = await startHearthd({ args: ['--oidc-issuer', idp.issuer, ...] })
//   idp.configure([`${hearthd.url}/api/v1/auth/oauth/oidc/callback`])   // the client's redirect URIs
//   idp.setAccount(login, claims), idp.tamperNextIdToken(fn), idp.clientId, idp.clientSecret
//
// (hearthd fetches discovery only when a flow starts, so the provider may be configured after
// hearthd is up, once hearthd's port, and so its redirect URI, is known.)
//
// Accounts are the login typed in: it is the `sub`, with `email` `<login>@example.test`
// (verified), `preferred_username` and `name` from the login, unless setAccount() says otherwise.
import { createServer } from 'node:http';
import { generateKeyPair, sign } from 'node:crypto';
import { promisify } from 'node:util';
import Provider from 'oidc-provider';

const encode = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
const decode = (part) => JSON.parse(Buffer.from(part, 'base64url').toString());

/**
 * Options: idTokenAlg ('RS256' or 'ES256'); issuerHost, the host name in the issuer URL (default
 * 127.0.0.1; 'localhost' puts the provider on another site than a hearthd at 127.0.0.1, as in
 * real deployments). It listens on 127.0.0.1 and resolves once it does; it answers 503 until
 * configure(redirectUris).
 */
export async function startOidcProvider({ idTokenAlg = 'RS256', issuerHost = '127.0.0.1' } = {}) {
  // Generated off the main thread: once in CI the synchronous call blocked the process for good.
  const newKeyPair = promisify(generateKeyPair);
  const [rsa, ec] = await Promise.all([
    newKeyPair('rsa', { modulusLength: 2048 }),
    newKeyPair('ec', { namedCurve: 'P-256' }),
  ]);
  const keys = {
    RS256: { kid: 'test-rsa', key: rsa.privateKey, jwk: rsa.privateKey.export({ format: 'jwk' }) },
    ES256: { kid: 'test-ec', key: ec.privateKey, jwk: ec.privateKey.export({ format: 'jwk' }) },
  };

  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://${issuerHost}:${server.address().port}`;
  const clientId = 'hearth-test';
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}`;
  const accounts = new Map();
  const tampers = [];
  const tokenRequests = [];

  let handler = (request, response) => {
    response.writeHead(503).end('not configured yet');
  };
  server.on('request', (request, response) => handler(request, response));

  const configure = (redirectUris) => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          id_token_signed_response_alg: idTokenAlg,
        },
      ],
      jwks: {
        keys: [
          { ...keys.RS256.jwk, kid: keys.RS256.kid, alg: 'RS256', use: 'sig' },
          { ...keys.ES256.jwk, kid: keys.ES256.kid, alg: 'ES256', use: 'sig' },
        ],
      },
      // Every client, confidential ones included, must use PKCE (S256 is the only method v9 has).
      pkce: { required: () => true },
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['name', 'preferred_username'],
      },
      cookies: { keys: ['oidc-provider test cookie key'] },
      features: { devInteractions: { enabled: true } },
      async findAccount(ctx, login) {
        const claims = {
          sub: login,
          email: `${login}@example.test`,
          email_verified: true,
          preferred_username: login,
          name: `Test ${login}`,
          ...accounts.get(login),
        };
        return { accountId: login, claims: async () => claims };
      },
      // Consent is implied for the test client, as for a first-party application.
      async loadExistingGrant(ctx) {
        const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
        if (grantId) return ctx.oidc.provider.Grant.find(grantId);
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.account.accountId });
        grant.addOIDCScope('openid email profile');
        await grant.save();
        return grant;
      },
    });

    // Records token requests, and rewrites the next ID token when a test asked for it.
    provider.use(async (ctx, next) => {
      const isToken = ctx.method === 'POST' && ctx.path === '/token';
      if (isToken) tokenRequests.push({ authorization: ctx.get('authorization') });
      await next();
      if (isToken && ctx.status === 200 && ctx.body?.id_token && tampers.length > 0) {
        const tamper = tampers.shift();
        const [header, payload, signature] = ctx.body.id_token.split('.');
        const changed = tamper({ header: decode(header), payload: decode(payload) });
        const input = `${encode(changed.header)}.${encode(changed.payload)}`;
        let newSignature = signature;
        if (changed.sign === 'none') newSignature = '';
        else if (changed.sign === 'provider') newSignature = signWith(keys[changed.header.alg], input);
        ctx.body = { ...ctx.body, id_token: `${input}.${newSignature}` };
      }
    });
    handler = provider.callback();
  };

  return {
    issuer,
    clientId,
    clientSecret,
    tokenRequests,
    /** Creates the provider with the test client's redirect URIs (exact matches). */
    configure,
    /** Overrides the claims of one login (e.g. { email, email_verified: false }). */
    setAccount(login, claims) {
      accounts.set(login, claims);
    },
    /**
     * Rewrites the next ID token the token endpoint returns. `fn({header, payload})` returns
     * {header, payload, sign}: sign 'provider' signs again with the provider's own key for
     * header.alg (a valid signature over false claims), 'none' drops the signature, anything
     * else keeps the old one (a broken signature).
     */
    tamperNextIdToken(fn) {
      tampers.push(fn);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function signWith(key, input) {
  if (key.jwk.kty === 'EC') {
    return sign('sha256', Buffer.from(input), { key: key.key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  }
  return sign('sha256', Buffer.from(input), key.key).toString('base64url');
}
