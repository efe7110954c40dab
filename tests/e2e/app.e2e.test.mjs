// End-to-end test of the web client as served by a running hearthd.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/app.e2e.test.mjs
//
// HEARTH_URL is required. Screenshots go to HEARTH_SCREENSHOT_DIR (default
// tests/e2e/screenshots). Chromium comes from CHROMIUM_PATH (default
// /usr/bin/chromium); a missing browser fails the run, it never skips.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  BASE_URL,
  DESKTOP,
  PHONE,
  TEST_TIMEOUT_MS,
  assertClean,
  openPage,
  screenshot,
  useBrowser,
} from './browser.mjs'


useBrowser()

/** The four landmarks exist; on a phone the two side ones are closed drawers, so only main must be visible. */
async function assertShell(page) {
  await page.getByRole('main').waitFor()
  await page.locator('nav[aria-label="Servers"]').waitFor({ state: 'attached' })
  await page.locator('nav[aria-label="Channels"]').waitFor({ state: 'attached' })
  await page.locator('aside[aria-label="Members"]').waitFor({ state: 'attached' })
}

async function assertShellVisible(page) {
  await assertShell(page)
  for (const landmark of [
    page.getByRole('navigation', { name: 'Servers' }),
    page.getByRole('navigation', { name: 'Channels' }),
    page.getByRole('complementary', { name: 'Members' }),
  ]) {
    await landmark.waitFor({ state: 'visible' })
  }
}

async function waitForGatewayConnected(page) {
  const indicator = page.getByTestId('gateway-status')
  await page.waitForFunction(
    () => document.querySelector('[data-testid="gateway-status"]')?.getAttribute('data-state') === 'connected',
    null,
    { timeout: 10_000 },
  )
  // textContent, not innerText: on a phone the indicator sits in a closed drawer.
  assert.equal((await indicator.textContent()).trim(), 'Connected')
}

async function horizontalOverflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.scrollingElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    innerWidth: window.innerWidth,
  }))
}

describe('Hearth web client', () => {
  it('renders the app shell, connects to the gateway and switches theme', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, problems } = await openPage()
    try {
      const response = await page.goto(`${BASE_URL}/app`)
      assert.equal(response?.status(), 200)
      const csp = response?.headers()['content-security-policy'] ?? ''
      assert.match(csp, /script-src 'self'/, 'the app must be served with its CSP')

      await assertShellVisible(page)
      await page.getByRole('heading', { name: 'Welcome to Hearth' }).waitFor()
      assert.equal(await page.getByRole('textbox', { name: 'Message' }).getAttribute('placeholder'), 'Sign in to start talking')
      assert.ok(await page.getByRole('textbox', { name: 'Message' }).isDisabled())
      await waitForGatewayConnected(page)

      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark')
      await page.mouse.move(DESKTOP.width / 2, DESKTOP.height / 2)
      await screenshot(page, 'app-dark.png')

      await page.getByTestId('theme-toggle').click()
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light')
      await page.mouse.move(DESKTOP.width / 2, DESKTOP.height / 2)
      await screenshot(page, 'app-light.png')

      // The choice survives a reload.
      await page.reload()
      await assertShellVisible(page)
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light')

      assertClean(problems)
    } finally {
      await context.close()
    }
  })

  it('shows the server error inline when signing in fails', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, problems } = await openPage()
    try {
      const response = await page.goto(`${BASE_URL}/login`)
      assert.equal(response?.status(), 200)
      await page.getByRole('heading', { name: 'Welcome back!' }).waitFor()
      await page.getByRole('link', { name: 'Create an account' }).waitFor()
      await page.getByRole('link', { name: 'Forgot your password?' }).waitFor()

      await page.getByLabel('Email or username').fill('ada@example.org')
      await page.getByLabel('Password').fill('correct horse battery staple')
      const loginResponse = page.waitForResponse((candidate) => candidate.url().endsWith('/api/v1/auth/login'))
      await page.getByRole('button', { name: 'Sign in' }).click()
      const answered = await loginResponse
      assert.equal(answered.request().method(), 'POST')
      assert.deepEqual(answered.request().postDataJSON(), {
        login: 'ada@example.org',
        password: 'correct horse battery staple',
      })

      // Whatever the server said is what the user reads, inline, not in an alert().
      const body = await answered.json().catch(() => null)
      assert.ok(!answered.ok(), 'this test expects sign-in to fail until accounts exist')
      assert.equal(typeof body?.message, 'string', 'the server must answer errors with {code, message}')
      const alert = page.getByRole('alert')
      await alert.waitFor()
      assert.equal((await alert.innerText()).trim(), body.message)
      assert.equal(new URL(page.url()).pathname, '/login')
      await screenshot(page, 'login.png')

      // The browser itself logs the failed request; nothing else may.
      assertClean(problems, { allowConsole: [/Failed to load resource: .*status of 4\d\d/] })
    } finally {
      await context.close()
    }
  })

  it('fits a phone screen and opens the navigation drawer', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, problems } = await openPage({ viewport: PHONE })
    try {
      await page.goto(`${BASE_URL}/app`)
      await assertShell(page)
      await waitForGatewayConnected(page)

      const closed = await horizontalOverflow(page)
      assert.ok(closed.scrollWidth <= PHONE.width, `page scrolls sideways: ${JSON.stringify(closed)}`)
      const servers = page.getByRole('navigation', { name: 'Servers' })
      assert.ok(!(await servers.isVisible()), 'the navigation drawer starts closed')

      await page.getByRole('button', { name: 'Open navigation' }).click()
      await servers.waitFor({ state: 'visible' })
      // Wait for the slide-in to finish before measuring and capturing.
      await page.waitForFunction(() => {
        const drawer = document.getElementById('app-navigation')
        return drawer !== null && drawer.getBoundingClientRect().left === 0
      })
      const open = await horizontalOverflow(page)
      assert.ok(open.scrollWidth <= PHONE.width, `page scrolls sideways with the drawer open: ${JSON.stringify(open)}`)
      const box = await page.getByRole('navigation', { name: 'Channels' }).boundingBox()
      assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, 'the drawer fits on screen')
      await screenshot(page, 'app-mobile.png')

      await page.keyboard.press('Escape')
      await servers.waitFor({ state: 'hidden' })

      await page.getByRole('button', { name: /member list/i }).click()
      await page.getByRole('complementary', { name: 'Members' }).waitFor({ state: 'visible' })
      await screenshot(page, 'app-mobile-members.png')

      assertClean(problems)
    } finally {
      await context.close()
    }
  })

  it('renders client routes on deep links and reloads', { timeout: TEST_TIMEOUT_MS }, async () => {
    const { context, page, problems } = await openPage()
    try {
      const response = await page.goto(`${BASE_URL}/app/123/456`)
      assert.equal(response?.status(), 200, 'the server must fall back to index.html for client routes')
      await assertShellVisible(page)
      await page.getByText('This channel is not available').waitFor()

      const reloaded = await page.reload()
      assert.equal(reloaded?.status(), 200)
      await assertShell(page)
      await page.getByText('This channel is not available').waitFor()
      assert.equal(new URL(page.url()).pathname, '/app/123/456')

      // `/` is only a redirect into the app.
      await page.goto(`${BASE_URL}/`)
      await page.waitForURL((url) => url.pathname === '/app')
      await assertShell(page)

      assertClean(problems)
    } finally {
      await context.close()
    }
  })
})
