// End-to-end test of signing in and linking through an OpenID Connect provider, in Chromium:
//
//   HEARTH_TEST_PG=... HEARTHD=build/dev/hearthd node --test tests/e2e/oauth.e2e.test.mjs
//
// Unlike the other e2e suites, this one starts its own hearthd (it needs the provider's flags)
// and its own provider (oidc-provider, tests/support/oidc_provider.mjs). hearthd is reached
// through a loopback TCP proxy at --public-url, as behind a real front end, and the provider
// lives on another site (localhost, against 127.0.0.1), so the cookies cross sites as they
// would in production. Screenshots go to tests/e2e/screenshots/oauth-*.png.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { connect, createServer } from 'node:net'
import { after, describe, it } from 'node:test'
import { startHearthd } from '../support/hearthd.mjs'
import { startOidcProvider } from '../support/oidc_provider.mjs'

/** Forwards a loopback port to hearthd's, byte for byte. */
async function startProxy() {
  const sockets = new Set()
  const proxy = { port: 0, target: 0 }
  const server = createServer((client) => {
    const upstream = connect(proxy.target, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.port = server.address().port
  proxy.stop = async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
  return proxy
}

// ES256 here, RS256 in tests/integration/oauth.test.mjs: both paths run against a real provider.
const idp = await startOidcProvider({ issuerHost: 'localhost', idTokenAlg: 'ES256' })
const proxy = await startProxy()
const PUBLIC_URL = `http://127.0.0.1:${proxy.port}`
const hearthd = await startHearthd({
  args: [
    '--public-url', PUBLIC_URL,
    '--auth-requests-per-minute', '1000',
    '--oidc-issuer', idp.issuer, '--oidc-client-id', idp.clientId, '--oidc-client-secret', idp.clientSecret,
    '--oidc-name', 'Hearth Test ID',
  ],
})
proxy.target = hearthd.port
idp.configure([`${PUBLIC_URL}/api/v1/auth/oauth/oidc/callback`])
// browser.mjs reads the address under test when it is loaded.
process.env.HEARTH_URL = PUBLIC_URL
const { TEST_TIMEOUT_MS, assertClean, openPage, screenshot, useBrowser } = await import('./browser.mjs')

after(async () => {
  await proxy.stop()
  await idp.stop()
  const stopped = await hearthd.stop()
  assert.equal(stopped.code, 0, hearthd.logs())
})
useBrowser()

/** The provider's development login page loads a web font from Google (unreachable here) and
 * its favicon (which it does not have); neither is Hearth's. */
const PROVIDER_NOISE = [
  /ERR_NAME_NOT_RESOLVED @ https:\/\/fonts\.googleapis\.com\//,
  new RegExp(`status of 404 \\(Not Found\\) @ ${idp.issuer.replaceAll('.', '\\.')}/favicon\\.ico$`),
]
/** The browser's line for the 4xx a test provokes on purpose. */
const DELIBERATE_4XX = [/Failed to load resource: .*status of 4\d\d/]

async function waitForText(page, testId, expected) {
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() === text,
    [testId, expected],
    { timeout: 10_000 },
  )
}

/** On the provider's development login page: any login and password sign in. */
async function loginAtProvider(page, login, shot) {
  await page.waitForURL((url) => url.origin === idp.issuer && url.pathname.startsWith('/interaction/'))
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any password')
  if (shot) await screenshot(page, shot)
  await page.locator('button[type="submit"]').click()
}

describe('Hearth sign-in with an OpenID Connect provider', () => {
  it('signs in from the login page through the provider and lands in the app', { timeout: TEST_TIMEOUT_MS }, async () => {
    const login = `e2e${randomBytes(4).toString('hex')}`
    const { context, page, problems } = await openPage()
    try {
      await page.goto(`${PUBLIC_URL}/login`)
      const button = page.getByTestId('oauth-oidc')
      await button.waitFor()
      assert.equal((await button.textContent()).trim(), 'Continue with Hearth Test ID')
      await screenshot(page, 'oauth-login-button.png')
      await button.click()
      await loginAtProvider(page, login, 'oauth-provider-login.png')

      await page.waitForURL((url) => url.origin === PUBLIC_URL && url.pathname === '/app')
      await waitForText(page, 'user-panel-name', `Test ${login}`)
      await waitForText(page, 'user-panel-username', login)
      await page.mouse.move(640, 400)
      await screenshot(page, 'oauth-signed-in.png')
      // Set by the callback, a top-level navigation from the provider's site (SameSite allows that).
      const cookies = (await context.cookies()).filter((cookie) => cookie.domain === '127.0.0.1')
      const refresh = cookies.find((cookie) => cookie.name === 'hearth_refresh')
      assert.ok(refresh?.httpOnly && refresh.sameSite === 'Strict' && refresh.path === '/api/v1/auth', JSON.stringify(cookies))
      assert.ok(!cookies.some((cookie) => cookie.name === 'hearth_oauth'), 'the binding cookie is gone once used')

      // The session survives a reload, like any other.
      await page.reload()
      await waitForText(page, 'user-panel-name', `Test ${login}`)
      assertClean(problems, { allowConsole: PROVIDER_NOISE })
    } finally {
      await context.close()
    }
  })

  it('links the provider from Settings → Connections, then signs in with it', { timeout: TEST_TIMEOUT_MS * 2 }, async () => {
    const suffix = randomBytes(4).toString('hex')
    const account = { username: `e2e_${suffix}`, email: `e2e.${suffix}@example.org`, password: 'correct horse battery staple' }
    const registered = await fetch(`${PUBLIC_URL}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...account, display_name: `Linker ${suffix.slice(0, 4)}` }),
    })
    assert.equal(registered.status, 201)
    const login = `link${suffix}`
    const { context, page, problems } = await openPage()
    try {
      await page.goto(`${PUBLIC_URL}/login`)
      await page.getByLabel('Email or username').fill(account.username)
      await page.getByLabel('Password').fill(account.password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL((url) => url.pathname === '/app')

      await page.getByRole('button', { name: 'User Settings' }).click()
      const settings = page.getByRole('dialog', { name: 'User Settings' })
      await settings.getByRole('button', { name: 'Connections' }).click()
      await settings.getByTestId('settings-connections').waitFor()
      const connect = settings.getByTestId('link-oidc')
      await connect.waitFor()
      await screenshot(page, 'oauth-connections-empty.png')
      await connect.click()
      await loginAtProvider(page, login)

      // Back in the app, with the settings open on the new connection.
      await page.waitForURL((url) => url.origin === PUBLIC_URL && url.pathname === '/app')
      const linked = page.getByRole('dialog', { name: 'User Settings' }).getByTestId('connection-oidc')
      await linked.waitFor()
      assert.match(await linked.textContent(), new RegExp(login))
      await page.getByTestId('connections-notice').waitFor()
      await screenshot(page, 'oauth-connections-linked.png')
      assertClean(problems, { allowConsole: PROVIDER_NOISE })
    } finally {
      await context.close()
    }

    // A fresh browser signs in to the same (password) account with the provider.
    const second = await openPage()
    try {
      await second.page.goto(`${PUBLIC_URL}/login`)
      await second.page.getByTestId('oauth-oidc').click()
      await loginAtProvider(second.page, login)
      await second.page.waitForURL((url) => url.origin === PUBLIC_URL && url.pathname === '/app')
      await waitForText(second.page, 'user-panel-username', account.username)
      assertClean(second.problems, { allowConsole: PROVIDER_NOISE })
    } finally {
      await second.context.close()
    }
  })

  it('refuses to merge by email and says how to link instead', { timeout: TEST_TIMEOUT_MS }, async () => {
    const suffix = randomBytes(4).toString('hex')
    const login = `dup${suffix}`
    // The provider gives <login>@example.test: make an account with that address first.
    const registered = await fetch(`${PUBLIC_URL}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${login}@example.test`, username: `owner_${suffix}`, password: 'correct horse battery staple' }),
    })
    assert.equal(registered.status, 201)
    const { context, page, problems } = await openPage()
    try {
      await page.goto(`${PUBLIC_URL}/login`)
      await page.getByTestId('oauth-oidc').click()
      await loginAtProvider(page, login)
      await page.waitForURL((url) => url.origin === PUBLIC_URL && url.pathname === '/login')
      const notice = page.getByTestId('form-error')
      await notice.waitFor()
      assert.equal(
        (await notice.textContent()).trim(),
        'An account with this email already exists. Log in and link Hearth Test ID from Settings → Connections.',
      )
      await screenshot(page, 'oauth-email-taken.png')
      assertClean(problems, { allowConsole: [...PROVIDER_NOISE, ...DELIBERATE_4XX] })
    } finally {
      await context.close()
    }
  })
})
