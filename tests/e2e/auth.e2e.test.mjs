// End-to-end test of accounts in the web client, against a running hearthd:
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/auth.e2e.test.mjs
//
// HEARTH_URL is required. Screenshots go to HEARTH_SCREENSHOT_DIR (default
// tests/e2e/screenshots). Chromium comes from CHROMIUM_PATH (default
// /usr/bin/chromium); a missing browser fails the run, it never skips.
// Every test registers its own users with random names, so runs never collide.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  BASE_URL,
  DESKTOP,
  TEST_TIMEOUT_MS,
  assertClean,
  openPage,
  screenshot,
  useBrowser,
} from './browser.mjs'

/** The browser's own line for an answer the test provoked on purpose (wrong password, taken username). */
const DELIBERATE_4XX = [/Failed to load resource: .*status of 4\d\d/]
const PASSWORD = 'correct horse battery staple'

useBrowser()

function newAccount() {
  const suffix = randomBytes(4).toString('hex')
  return {
    username: `e2e_${suffix}`,
    email: `e2e.${suffix}@example.org`,
    displayName: `Ada ${suffix.slice(0, 4).toUpperCase()}`,
    password: PASSWORD,
  }
}

/** Registers straight through the API (outside any browser context), for tests about a second user. */
async function registerThroughApi(account) {
  const response = await fetch(`${BASE_URL}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      email: account.email,
      username: account.username,
      password: account.password,
      display_name: account.displayName,
    }),
  })
  assert.equal(response.status, 201, `registering ${account.username}: ${await response.clone().text()}`)
}

/** The signed-in shell: the user panel names the user, and home is the friends page (nobody yet). */
async function assertSignedInShell(page, account) {
  await page.waitForURL((url) => url.pathname === '/app')
  const name = page.getByTestId('user-panel-name')
  await page.waitForFunction(
    (expected) => document.querySelector('[data-testid="user-panel-name"]')?.textContent?.trim() === expected,
    account.displayName,
    { timeout: 10_000 },
  )
  assert.equal((await name.textContent()).trim(), account.displayName)
  assert.equal((await page.getByTestId('user-panel-username').textContent()).trim(), account.username)
  await page.getByTestId('friends-page').waitFor()
  await page.getByTestId('friends-empty').waitFor()
  assert.equal(await page.getByRole('textbox', { name: 'Message' }).count(), 0, 'there is no conversation to write in yet')
}

/** Moves the pointer off the user panel, whose second line swaps to the gateway state on hover. */
async function parkPointer(page) {
  await page.mouse.move(DESKTOP.width / 2, DESKTOP.height / 2)
}

describe('Hearth accounts', () => {
  it('registers, survives a reload, lists the session, logs out and signs back in', { timeout: TEST_TIMEOUT_MS }, async () => {
    const account = newAccount()
    const { context, page, problems } = await openPage()
    try {
      await page.goto(`${BASE_URL}/register`)
      await page.getByRole('heading', { name: 'Create an account' }).waitFor()
      await page.getByLabel('Email').fill(account.email)
      await page.getByLabel('Display Name').fill(account.displayName)
      await page.getByLabel('Username').fill(account.username)
      await page.getByLabel('Password').fill(account.password)
      const registered = page.waitForResponse((candidate) => candidate.url().endsWith('/api/v1/auth/register'))
      await page.getByRole('button', { name: 'Create account' }).click()
      const registerResponse = await registered
      assert.equal(registerResponse.status(), 201)
      const { token } = await registerResponse.json()
      assert.equal(typeof token, 'string')
      await assertSignedInShell(page, account)

      // The access token stays in memory; only the server's HttpOnly cookie survives a reload.
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))
      assert.ok(!stored.includes(token), 'the access token must not be persisted in web storage')
      const refreshCookie = (await context.cookies()).find((cookie) => cookie.name === 'hearth_refresh')
      assert.ok(refreshCookie, 'register must set the hearth_refresh cookie')
      assert.equal(refreshCookie.httpOnly, true)
      assert.equal(refreshCookie.sameSite, 'Strict')
      assert.equal(refreshCookie.path, '/api/v1/auth')

      const refreshed = page.waitForResponse((candidate) => candidate.url().endsWith('/api/v1/auth/refresh'))
      await page.reload()
      assert.equal((await refreshed).status(), 200)
      await assertSignedInShell(page, account)

      await page.getByRole('button', { name: 'User Settings' }).click()
      const settings = page.getByRole('dialog', { name: 'User Settings' })
      await settings.waitFor()
      await settings.getByTestId('settings-account').waitFor()
      assert.match(await settings.getByTestId('settings-account').innerText(), new RegExp(account.email.replace(/\./g, '\\.')))

      await settings.getByRole('button', { name: 'Sessions' }).click()
      const items = settings.getByTestId('session-item')
      await items.first().waitFor()
      assert.equal(await items.count(), 1, 'a new account has exactly one session')
      assert.equal(await items.first().getAttribute('data-current'), 'true')
      await items.first().getByText('This device').waitFor()
      await items.first().getByRole('button', { name: /Revoke/ }).waitFor()
      await parkPointer(page)
      await screenshot(page, 'settings-sessions.png')

      const loggedOut = page.waitForResponse((candidate) => candidate.url().endsWith('/api/v1/auth/logout'))
      await settings.getByRole('button', { name: 'Log Out' }).click()
      assert.equal((await loggedOut).status(), 204)
      await page.waitForURL((url) => url.pathname === '/login')
      await page.getByRole('heading', { name: 'Welcome back!' }).waitFor()
      assert.ok(
        !(await context.cookies()).some((cookie) => cookie.name === 'hearth_refresh' && cookie.value !== ''),
        'logout must clear the refresh cookie',
      )

      await page.getByLabel('Email or username').fill(account.username)
      await page.getByLabel('Password').fill(account.password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await assertSignedInShell(page, account)
      await parkPointer(page)
      await screenshot(page, 'app-signed-in.png')

      assertClean(problems)
    } finally {
      await context.close()
    }
  })

  it("shows the server's field error inline when the username is taken", { timeout: TEST_TIMEOUT_MS }, async () => {
    const first = newAccount()
    await registerThroughApi(first)
    const { context, page, problems } = await openPage()
    try {
      await page.goto(`${BASE_URL}/register`)
      await page.getByLabel('Email').fill(`other.${first.email}`)
      await page.getByLabel('Username').fill(first.username)
      await page.getByLabel('Password').fill(first.password)
      const answered = page.waitForResponse((candidate) => candidate.url().endsWith('/api/v1/auth/register'))
      await page.getByRole('button', { name: 'Create account' }).click()
      const response = await answered
      assert.equal(response.status(), 400)
      const body = await response.json()
      assert.equal(body.code, 50035)
      const message = body.errors?.username?._errors?.[0]?.message
      assert.equal(typeof message, 'string', `expected a username field error, got ${JSON.stringify(body)}`)

      // Under the username input, not in a banner, and the input is marked invalid.
      const username = page.getByLabel(/^Username/)
      await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]') !== null)
      assert.equal(await username.getAttribute('aria-invalid'), 'true')
      const label = page.locator('label', { has: page.locator('.ui-input__error') })
      assert.equal(await label.count(), 1, 'only the username field shows an error')
      assert.match(await label.innerText(), /^USERNAME/)
      assert.ok((await label.innerText()).includes(message), `the label shows "${message}"`)
      assert.equal(await page.getByRole('alert').count(), 0, 'field errors are not repeated in a banner')
      assert.equal(new URL(page.url()).pathname, '/register')
      await page.mouse.move(DESKTOP.width - 10, 10)
      await screenshot(page, 'register-taken.png')

      assertClean(problems, { allowConsole: DELIBERATE_4XX })
    } finally {
      await context.close()
    }
  })

  it('says "Login or password is invalid." inline for a wrong password', { timeout: TEST_TIMEOUT_MS }, async () => {
    const account = newAccount()
    await registerThroughApi(account)
    const { context, page, problems } = await openPage()
    try {
      await page.goto(`${BASE_URL}/login`)
      await page.getByLabel('Email or username').fill(account.username)
      await page.getByLabel('Password').fill(`${account.password}!`)
      const answered = page.waitForResponse((candidate) => candidate.url().endsWith('/api/v1/auth/login'))
      await page.getByRole('button', { name: 'Sign in' }).click()
      const response = await answered
      assert.equal(response.status(), 400)
      assert.equal((await response.json()).code, 50035)

      const alert = page.getByRole('alert')
      await alert.waitFor()
      assert.equal((await alert.innerText()).trim(), 'Login or password is invalid.')
      assert.equal(new URL(page.url()).pathname, '/login')
      // The right password still works afterwards.
      await page.getByLabel('Password').fill(account.password)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await assertSignedInShell(page, account)

      assertClean(problems, { allowConsole: DELIBERATE_4XX })
    } finally {
      await context.close()
    }
  })
})
