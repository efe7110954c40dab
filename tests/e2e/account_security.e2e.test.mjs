// End-to-end test of account security in the web client: email verification, password reset,
// two-factor sign-in with app and recovery codes, email change, account deletion, and the
// Connections empty state.
//
//   node tests/support/with_hearthd.mjs -- node --test --test-concurrency=1 tests/e2e/account_security.e2e.test.mjs
//
// The mails matter here, so this file starts its own hearthd (HEARTHD, HEARTH_TEST_PG; no SMTP,
// so every mail lands in <data-dir>/mail/ as an .eml file) instead of using HEARTH_URL's.
// Screenshots go to HEARTH_SCREENSHOT_DIR (default tests/e2e/screenshots).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { startHearthd } from '../support/hearthd.mjs'
import { gradientPng } from '../support/images.mjs'
import { totp } from '../support/totp.mjs'
import { DESKTOP, PHONE, TEST_TIMEOUT_MS, assertClean, openPage, screenshot, useBrowser } from './browser.mjs'

/** The browser's own line for answers the test provoked on purpose (a spent link, a dead session). */
const DELIBERATE_4XX = [/Failed to load resource: .*status of 4\d\d/]
const PASSWORD = 'correct horse battery staple'
const NEW_PASSWORD = 'a much better passphrase'

useBrowser()

/** @type {Awaited<ReturnType<typeof startHearthd>>} */
let server
before(async () => {
  server = await startHearthd()
})
after(async () => {
  await server?.stop()
})

function newAccount() {
  const suffix = randomBytes(4).toString('hex')
  return {
    username: `sec_${suffix}`,
    email: `sec.${suffix}@example.org`,
    displayName: `Ada ${suffix.slice(0, 4).toUpperCase()}`,
    password: PASSWORD,
  }
}

async function api(method, route, { body, token } = {}) {
  const headers = { 'Content-Type': 'application/json', 'User-Agent': 'hearth-e2e/1.0' }
  if (token) headers.Authorization = `Bearer ${token}`
  return fetch(`${server.url}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
}

async function registerThroughApi(account) {
  const response = await api('POST', '/auth/register', {
    body: { email: account.email, username: account.username, password: account.password, display_name: account.displayName },
  })
  assert.equal(response.status, 201, `registering ${account.username}: ${await response.clone().text()}`)
  return (await response.json()).token
}

/** Every mail to `to` whose link goes to `route` (/verify or /reset), oldest first. */
function mailsTo(to, route) {
  const dir = path.join(server.dataDir, 'mail')
  let names = []
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.eml'))
  } catch {
    return []
  }
  // `<unix ms>-<n>.eml`: numeric order is sending order.
  const order = (name) => name.replace(/\.eml$/, '').split('-').map(Number)
  names.sort((a, b) => {
    const [aMs, aN] = order(a)
    const [bMs, bN] = order(b)
    return aMs - bMs || aN - bN
  })
  const links = []
  for (const name of names) {
    const text = readFileSync(path.join(dir, name), 'utf8')
    const recipient = /^To: (.*)$/m.exec(text)?.[1]?.trim()
    if (recipient?.toLowerCase() !== to.toLowerCase()) continue
    // The link is on a line of its own in the body.
    const link = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => /^https?:\/\/\S+#token=\S+$/.test(line) && new URL(line).pathname === route)
    if (link) links.push(link)
  }
  return links
}

/** Waits for the `count`-th such mail and returns its link, pointed at this test's server. */
async function waitForMail(to, route, count = 1) {
  const deadline = Date.now() + 10_000
  for (;;) {
    const links = mailsTo(to, route)
    if (links.length >= count) {
      const link = new URL(links[count - 1])
      return `${server.url}${link.pathname}${link.hash}`
    }
    if (Date.now() > deadline) throw new Error(`no ${route} mail #${count} to ${to} in ${server.dataDir}/mail`)
    await delay(50)
  }
}

/**
 * Hands out TOTP codes the way an authenticator would, but never one for a 30 s step the server
 * already accepted (a code works once): it uses the next step, which the server's one step of
 * skew allows, and waits only when even that was spent.
 */
function authenticator(secret) {
  let lastStep = -1
  return async () => {
    for (;;) {
      const now = Math.floor(Date.now() / 1000)
      const nowStep = Math.floor(now / 30)
      const step = Math.max(nowStep, lastStep + 1)
      // A step that starts in under 2 s may be judged before or after the boundary: wait it out.
      if (step <= nowStep + 1 && !(step === nowStep + 1 && (nowStep + 1) * 30 - now < 2)) {
        lastStep = step
        return totp(secret, step * 30)
      }
      await delay(((nowStep + 1) * 30 - now) * 1000 + 250)
    }
  }
}

async function waitForText(page, testId, expected) {
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(text),
    [testId, expected],
    { timeout: 10_000 },
  )
}

async function registerInBrowser(page, account) {
  await page.goto(`${server.url}/register`)
  await page.getByRole('heading', { name: 'Create an account' }).waitFor()
  await page.getByLabel('Email').fill(account.email)
  await page.getByLabel('Display Name').fill(account.displayName)
  await page.getByLabel('Username').fill(account.username)
  await page.getByLabel('Password').fill(account.password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL((url) => url.pathname === '/app')
  await waitForText(page, 'user-panel-name', account.displayName)
}

async function signIn(page, login, password) {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email or username').fill(login)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

async function openSettings(page) {
  await page.getByRole('button', { name: 'User Settings' }).click()
  const settings = page.getByRole('dialog', { name: 'User Settings' })
  await settings.getByTestId('settings-account').waitFor()
  return settings
}

async function logOut(page, settings) {
  await settings.getByRole('button', { name: 'Log Out' }).click()
  await page.waitForURL((url) => url.pathname === '/login')
}

/** Keeps hover effects (the user panel's swap, button hovers) out of screenshots. */
async function parkPointer(page, viewport = DESKTOP) {
  await page.mouse.move(viewport.width - 5, 5)
}

describe('Hearth account security', () => {
  it('verifies the email address from the mailed link', { timeout: TEST_TIMEOUT_MS }, async () => {
    const account = newAccount()
    const { context, page, problems } = await openPage()
    try {
      await registerInBrowser(page, account)
      const banner = page.getByTestId('verify-banner')
      await banner.waitFor()
      assert.match(await banner.innerText(), new RegExp(`Check your inbox to verify ${account.email.replace('.', '\\.')}`))
      const firstLink = await waitForMail(account.email, '/verify')
      await parkPointer(page)
      await screenshot(page, 'security-verify-banner.png')

      // Resend: a new link replaces the first.
      await banner.getByRole('button', { name: 'Resend' }).click()
      await banner.getByText('We sent a new link').waitFor()
      const link = await waitForMail(account.email, '/verify', 2)
      assert.notEqual(link, firstLink)

      await page.goto(link)
      const card = page.getByTestId('verify-email')
      await page.waitForFunction(() => document.querySelector('[data-testid="verify-email"]')?.dataset.status === 'verified')
      await page.getByRole('heading', { name: 'Email verified' }).waitFor()
      assert.match(await card.innerText(), new RegExp(`${account.email.replace('.', '\\.')} is verified`))
      assert.equal(new URL(page.url()).hash, '', 'the spent token is gone from the address bar')
      await screenshot(page, 'security-verify-success.png')

      await card.getByRole('link', { name: 'Open Hearth' }).click()
      await page.waitForURL((url) => url.pathname === '/app')
      await waitForText(page, 'user-panel-name', account.displayName)
      assert.equal(await page.getByTestId('verify-banner').count(), 0, 'the banner is gone once verified')
      const settings = await openSettings(page)
      await settings.getByTestId('account-email').getByText('Verified').waitFor()

      // The replaced first link no longer works; a guest is pointed to signing in.
      const guest = await openPage()
      try {
        await guest.page.goto(firstLink)
        await guest.page.getByRole('heading', { name: 'This link does not work' }).waitFor()
        await guest.page.getByTestId('verify-email').getByRole('link', { name: 'Sign in' }).waitFor()
        assertClean(guest.problems, { allowConsole: DELIBERATE_4XX })
      } finally {
        await guest.context.close()
      }
      assertClean(problems)
    } finally {
      await context.close()
    }
  })

  it('resets a forgotten password and signs out every old session', { timeout: TEST_TIMEOUT_MS }, async () => {
    const account = newAccount()
    const oldToken = await registerThroughApi(account)
    // A browser signed in with the old password, to see it signed out afterwards.
    const before = await openPage()
    const { context, page, problems } = await openPage()
    try {
      await signIn(before.page, account.username, PASSWORD)
      await before.page.waitForURL((url) => url.pathname === '/app')

      await page.goto(`${server.url}/login`)
      await page.getByRole('link', { name: 'Forgot your password?' }).click()
      await page.getByLabel('Email or username').fill(account.email)
      await page.getByRole('button', { name: 'Send reset link' }).click()
      const sent = page.getByTestId('forgot-sent')
      await sent.waitFor()
      assert.match(await sent.innerText(), /If an account exists for/)
      await parkPointer(page)
      await screenshot(page, 'security-forgot-sent.png')

      const link = await waitForMail(account.email, '/reset')
      await page.goto(link)
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor()
      await page.getByLabel(/^New Password/).fill(NEW_PASSWORD)
      await page.getByLabel(/^Confirm New Password/).fill(`${NEW_PASSWORD}!`)
      await page.getByRole('button', { name: 'Change Password' }).click()
      await page.locator('label', { hasText: /^Confirm New Password/ }).getByText('Passwords do not match.').waitFor()
      await parkPointer(page)
      await screenshot(page, 'security-reset-form.png')

      await page.getByLabel(/^Confirm New Password/).fill(NEW_PASSWORD)
      await page.getByRole('button', { name: 'Change Password' }).click()
      const done = page.getByTestId('reset-done')
      await done.waitFor()
      await page.getByRole('heading', { name: 'Password changed' }).waitFor()
      assert.match(await done.innerText(), /All devices were signed out\./)
      await screenshot(page, 'security-reset-done.png')

      // Every old session is over: the API token and the other browser.
      assert.equal((await api('GET', '/users/@me', { token: oldToken })).status, 401)
      // A reload finds the refresh cookie dead: the app shows a guest.
      await before.page.reload()
      await before.page.waitForFunction(
        () => document.querySelector('[data-testid="user-panel-name"]')?.textContent?.trim() === 'Guest',
      )

      // The link works once.
      const again = await openPage()
      try {
        await again.page.goto(link)
        await again.page.getByLabel(/^New Password/).fill('yet another password')
        await again.page.getByLabel(/^Confirm New Password/).fill('yet another password')
        await again.page.getByRole('button', { name: 'Change Password' }).click()
        await again.page.getByTestId('reset-invalid').waitFor()
        assertClean(again.problems, { allowConsole: DELIBERATE_4XX })
      } finally {
        await again.context.close()
      }

      await done.getByRole('link', { name: 'Log in' }).click()
      await page.waitForURL((url) => url.pathname === '/login')
      await page.getByLabel('Email or username').fill(account.username)
      await page.getByLabel('Password').fill(NEW_PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL((url) => url.pathname === '/app')
      await waitForText(page, 'user-panel-name', account.displayName)
      assertClean(problems)
      assertClean(before.problems, { allowConsole: DELIBERATE_4XX })
    } finally {
      await context.close()
      await before.context.close()
    }
  })

  it(
    'turns on two-factor, signs in with an app code and a recovery code, changes the email and deletes the account',
    { timeout: TEST_TIMEOUT_MS * 3 },
    async () => {
      const account = newAccount()
      await registerThroughApi(account)
      const { context, page, problems } = await openPage()
      try {
        await signIn(page, account.username, PASSWORD)
        await page.waitForURL((url) => url.pathname === '/app')
        let settings = await openSettings(page)

        // Enable: password, then the QR code and key, then a code from them.
        await settings.getByRole('button', { name: 'Enable Two-Factor Auth' }).click()
        let dialog = page.getByTestId('mfa-setup-dialog')
        await dialog.getByLabel('Password').fill(PASSWORD)
        await dialog.getByRole('button', { name: 'Continue' }).click()
        await dialog.getByTestId('qr-code').waitFor()
        const modules = await dialog.locator('[data-testid="qr-code"] rect.ui-qr-code__module').count()
        assert.ok(modules > 200, `the QR code has its modules (${modules})`)
        const secret = (await dialog.getByTestId('mfa-secret').innerText()).replace(/\s+/g, '')
        assert.match(secret, /^[A-Z2-7]{16,}$/)
        const nextCode = authenticator(secret)
        await parkPointer(page)
        await screenshot(page, 'security-2fa-setup-qr.png')

        await dialog.getByLabel('Code from your app').fill(await nextCode())
        await dialog.getByRole('button', { name: 'Activate' }).click()
        const codeList = dialog.getByTestId('backup-codes')
        await codeList.waitFor()
        const recoveryCodes = (await codeList.locator('li').allInnerTexts()).map((code) => code.trim())
        assert.equal(recoveryCodes.length, 10)
        for (const code of recoveryCodes) assert.match(code, /^[a-z0-9]{4}-[a-z0-9]{4}$/)
        await screenshot(page, 'security-2fa-backup-codes.png')
        await dialog.getByRole('button', { name: 'I saved them' }).click()
        await dialog.waitFor({ state: 'hidden' })
        await settings.getByTestId('mfa-on').waitFor()
        await settings.getByTestId('settings-security').scrollIntoViewIfNeeded()
        await parkPointer(page)
        await screenshot(page, 'security-2fa-on.png')

        // Sign in again: the password alone now leads to the code step.
        await logOut(page, settings)
        await signIn(page, account.username, PASSWORD)
        const mfaForm = page.getByTestId('mfa-form')
        await mfaForm.waitFor()
        await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor()
        const codeInput = mfaForm.getByLabel('Authentication code')
        assert.equal(await codeInput.getAttribute('autocomplete'), 'one-time-code')
        assert.equal(await codeInput.getAttribute('inputmode'), 'numeric')
        assert.ok(await codeInput.evaluate((input) => input === document.activeElement), 'the code field has focus')
        await parkPointer(page)
        await screenshot(page, 'security-login-code-step.png')
        await codeInput.fill('000000')
        await mfaForm.getByRole('button', { name: 'Log In' }).click()
        await mfaForm.locator('.ui-input__error').waitFor()
        await codeInput.fill(await nextCode())
        await mfaForm.getByRole('button', { name: 'Log In' }).click()
        await page.waitForURL((url) => url.pathname === '/app')
        await waitForText(page, 'user-panel-name', account.displayName)

        // And with a recovery code instead.
        settings = await openSettings(page)
        await logOut(page, settings)
        await signIn(page, account.username, PASSWORD)
        await mfaForm.waitFor()
        await mfaForm.getByRole('button', { name: 'Use a recovery code' }).click()
        await mfaForm.getByLabel('Recovery code').fill(recoveryCodes[0])
        await mfaForm.getByRole('button', { name: 'Log In' }).click()
        await page.waitForURL((url) => url.pathname === '/app')
        await waitForText(page, 'user-panel-name', account.displayName)

        // A used recovery code is refused.
        const check = await api('POST', '/auth/login', { body: { login: account.username, password: PASSWORD } })
        const { ticket } = await check.json()
        const reused = await api('POST', '/auth/mfa/totp', { body: { ticket, code: recoveryCodes[0] } })
        assert.equal(reused.status, 400)

        // Change the email: password and a fresh code.
        settings = await openSettings(page)
        const newEmail = `moved.${account.username}@example.org`
        await settings.getByRole('button', { name: 'Edit email' }).click()
        dialog = page.getByTestId('edit-email-dialog')
        await dialog.getByLabel('Email').fill(newEmail)
        await dialog.getByLabel(/^Current Password/).fill(PASSWORD)
        await dialog.getByLabel('Two-Factor Code').fill(await nextCode())
        await dialog.getByRole('button', { name: 'Done' }).click()
        await dialog.waitFor({ state: 'hidden' })
        await waitForText(page, 'account-email', newEmail)
        await settings.getByTestId('account-email').getByText('Unverified').waitFor()
        await settings.getByRole('button', { name: 'Close settings' }).click()
        await waitForText(page, 'verify-banner', newEmail)
        await waitForMail(newEmail, '/verify')

        // Delete the account (a recovery code this time).
        settings = await openSettings(page)
        await settings.getByRole('button', { name: 'Delete Account' }).click()
        dialog = page.getByTestId('delete-account-dialog')
        await dialog.getByLabel('Password').fill(PASSWORD)
        await dialog.getByLabel('Two-Factor Code').fill(recoveryCodes[1])
        await parkPointer(page)
        await screenshot(page, 'security-delete-dialog.png')
        await dialog.getByRole('button', { name: 'Delete Account' }).click()
        await page.waitForURL((url) => url.pathname === '/login')
        await page.getByTestId('login-notice').getByText('Your account has been deleted.').waitFor()

        await page.getByLabel('Email or username').fill(account.username)
        await page.getByLabel('Password').fill(PASSWORD)
        await page.getByRole('button', { name: 'Sign in' }).click()
        await page.getByRole('alert').getByText('Login or password is invalid.').waitFor()
        assertClean(problems, { allowConsole: DELIBERATE_4XX })
      } finally {
        await context.close()
      }
    },
  )

  it('uploads an avatar and writes an about me', { timeout: TEST_TIMEOUT_MS }, async () => {
    const account = newAccount()
    await registerThroughApi(account)
    const { context, page, problems } = await openPage()
    try {
      await signIn(page, account.username, PASSWORD)
      await page.waitForURL((url) => url.pathname === '/app')
      const settings = await openSettings(page)

      await settings.getByTestId('account-avatar').click()
      const dialog = page.getByTestId('avatar-dialog')
      await dialog.getByRole('button', { name: 'Upload Image' }).waitFor()
      // Over 8 MiB is refused before any upload.
      await dialog.getByTestId('avatar-file').setInputFiles({
        name: 'huge.png',
        mimeType: 'image/png',
        buffer: Buffer.concat([gradientPng(4), Buffer.alloc(8 * 1024 * 1024)]),
      })
      await dialog.getByTestId('avatar-error').getByText('the limit is 8 MiB').waitFor()
      await dialog.getByTestId('avatar-file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: gradientPng(128) })
      await dialog.getByText('Preview of me.png').waitFor()
      assert.equal(await dialog.getByTestId('avatar-error').count(), 0)
      await parkPointer(page)
      await screenshot(page, 'security-avatar-preview.png')
      const patched = page.waitForResponse((response) => response.url().endsWith('/api/v1/users/@me'))
      await dialog.getByRole('button', { name: 'Apply' }).click()
      assert.equal((await patched).status(), 200)
      await dialog.waitFor({ state: 'hidden' })

      // The served image shows in the user panel and on the account card.
      const panelImage = page.getByTestId('user-panel').locator('img')
      await panelImage.waitFor()
      assert.match(await panelImage.getAttribute('src'), /^\/api\/v1\/avatars\/\d+\/[0-9a-f]{32}$/)
      await page.waitForFunction(() => {
        const image = document.querySelector('[data-testid="user-panel"] img')
        return image instanceof HTMLImageElement && image.complete && image.naturalWidth === 128
      })

      await settings.getByRole('button', { name: 'Edit about me' }).click()
      const bio = page.getByTestId('edit-bio-dialog')
      await bio.getByLabel('About Me').fill('Counting engines and\nweaving numbers.')
      await bio.getByTestId('textarea-counter').getByText('153', { exact: true }).waitFor()
      await bio.getByRole('button', { name: 'Done' }).click()
      await bio.waitFor({ state: 'hidden' })
      await waitForText(page, 'account-bio', 'weaving numbers.')
      await parkPointer(page)
      await screenshot(page, 'security-account-profile.png')
      assertClean(problems)
    } finally {
      await context.close()
    }
  })

  it('shows the Connections empty state and fits settings on a phone', { timeout: TEST_TIMEOUT_MS }, async () => {
    const account = newAccount()
    await registerThroughApi(account)
    const { context, page, problems } = await openPage()
    try {
      await page.goto(`${server.url}/login`)
      await page.getByTestId('login-form').waitFor()
      // No provider configured: no "Continue with" buttons at all.
      await page.waitForLoadState('networkidle')
      assert.equal(await page.getByTestId('oauth-providers').count(), 0)

      await signIn(page, account.username, PASSWORD)
      await page.waitForURL((url) => url.pathname === '/app')
      const settings = await openSettings(page)
      await settings.getByRole('button', { name: 'Connections' }).click()
      const empty = settings.getByTestId('connections-empty')
      await empty.waitFor()
      assert.match(await empty.innerText(), /No sign-in providers are set up on this server\./)
      await parkPointer(page)
      await screenshot(page, 'security-connections-empty.png')
      assertClean(problems)
    } finally {
      await context.close()
    }

    const phone = await openPage({ viewport: PHONE })
    try {
      await signIn(phone.page, account.username, PASSWORD)
      await phone.page.waitForURL((url) => url.pathname === '/app')
      await phone.page.getByTestId('verify-banner').waitFor()
      await screenshot(phone.page, 'security-phone-app-banner.png')
      await phone.page.getByRole('button', { name: 'Open navigation' }).click()
      const settings = await openSettings(phone.page)
      const overflow = await settings.evaluate((dialog) => dialog.scrollWidth - dialog.clientWidth)
      assert.equal(overflow, 0, 'settings do not scroll sideways on a phone')
      await screenshot(phone.page, 'security-phone-settings.png')
      await settings.getByTestId('settings-security').scrollIntoViewIfNeeded()
      await screenshot(phone.page, 'security-phone-settings-security.png')
      assertClean(phone.problems)
    } finally {
      await phone.context.close()
    }
  })
})
