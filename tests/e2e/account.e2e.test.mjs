// End-to-end test of the My Account settings (display name, username, password) against a
// running hearthd:
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/account.e2e.test.mjs
//
// HEARTH_URL is required. Screenshots go to HEARTH_SCREENSHOT_DIR (default
// tests/e2e/screenshots). The user is registered through the UI with a random name.
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

/** The browser's own line for an answer the test provoked on purpose (wrong password). */
const DELIBERATE_4XX = [/Failed to load resource: .*status of 4\d\d/]
const PASSWORD = 'correct horse battery staple'
const NEW_PASSWORD = 'a much better passphrase'

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

/** Resolves with the next answer to PATCH /users/@me. */
function nextPatch(page) {
  return page.waitForResponse(
    (candidate) => candidate.url().endsWith('/api/v1/users/@me') && candidate.request().method() === 'PATCH',
  )
}

async function waitForText(page, testId, expected) {
  await page.waitForFunction(
    ([id, text]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() === text,
    [testId, expected],
    { timeout: 10_000 },
  )
}

/** A second sign-in from outside the browser, so the account has another session to end. */
async function signInElsewhere(login, password) {
  const response = await fetch(`${BASE_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'hearth-e2e/1.0' },
    body: JSON.stringify({ login, password }),
  })
  assert.equal(response.status, 200, `signing in elsewhere: ${await response.clone().text()}`)
}

describe('Hearth My Account', () => {
  it('changes the display name, the username and the password', { timeout: TEST_TIMEOUT_MS * 2 }, async () => {
    const account = newAccount()
    const { context, page, problems } = await openPage()
    try {
      await page.goto(`${BASE_URL}/register`)
      await page.getByRole('heading', { name: 'Create an account' }).waitFor()
      await page.getByLabel('Email').fill(account.email)
      await page.getByLabel('Display Name').fill(account.displayName)
      await page.getByLabel('Username').fill(account.username)
      await page.getByLabel('Password').fill(account.password)
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL((url) => url.pathname === '/app')
      await waitForText(page, 'user-panel-name', account.displayName)

      await page.getByRole('button', { name: 'User Settings' }).click()
      const settings = page.getByRole('dialog', { name: 'User Settings' })
      await settings.getByTestId('settings-account').waitFor()

      // Display name: Escape closes the dialog and gives focus back to its Edit button.
      const editDisplayName = settings.getByRole('button', { name: 'Edit display name' })
      await editDisplayName.click()
      let dialog = page.getByRole('dialog', { name: 'Change your display name' })
      await dialog.waitFor()
      assert.equal(await dialog.getByLabel('Display Name').inputValue(), account.displayName)
      await page.keyboard.press('Escape')
      await dialog.waitFor({ state: 'hidden' })
      assert.ok(await settings.isVisible(), 'Escape closes only the edit dialog, not the settings')
      assert.ok(await editDisplayName.evaluate((button) => button === document.activeElement), 'focus returns to Edit')

      const newDisplayName = `Grace ${account.username.slice(-4)}`
      await editDisplayName.click()
      await dialog.waitFor()
      await dialog.getByLabel('Display Name').fill(newDisplayName)
      let patched = nextPatch(page)
      await dialog.getByRole('button', { name: 'Done' }).click()
      assert.equal((await patched).status(), 200)
      await dialog.waitFor({ state: 'hidden' })
      await waitForText(page, 'user-panel-name', newDisplayName)
      await waitForText(page, 'account-display-name', newDisplayName)
      await settings.getByRole('status').filter({ hasText: 'display name' }).waitFor()

      // Username: a wrong current password is refused inline, the right one goes through.
      const newUsername = `${account.username}.new`
      await settings.getByRole('button', { name: 'Edit username' }).click()
      dialog = page.getByRole('dialog', { name: 'Change your username' })
      await dialog.waitFor()
      assert.equal(await dialog.getByLabel('Username').inputValue(), account.username)
      await dialog.getByLabel('Username').fill(newUsername)
      await dialog.getByLabel(/^Current Password/).fill(`${PASSWORD}!`)
      patched = nextPatch(page)
      await dialog.getByRole('button', { name: 'Done' }).click()
      const refused = await patched
      assert.equal(refused.status(), 400)
      assert.equal((await refused.json()).code, 50035)
      const passwordLabel = dialog.locator('label', { hasText: /^Current Password/i })
      await passwordLabel.locator('.ui-input__error').waitFor()
      assert.match(await passwordLabel.innerText(), /Password does not match\./)
      assert.equal(await dialog.getByLabel(/^Current Password/).getAttribute('aria-invalid'), 'true')
      assert.equal(await dialog.locator('.ui-input__error').count(), 1, 'only Current Password shows an error')
      await page.mouse.move(DESKTOP.width - 10, 10)
      await screenshot(page, 'account-edit-username.png')

      await dialog.getByLabel(/^Current Password/).fill(PASSWORD)
      patched = nextPatch(page)
      await dialog.getByRole('button', { name: 'Done' }).click()
      assert.equal((await patched).status(), 200)
      await dialog.waitFor({ state: 'hidden' })
      await waitForText(page, 'account-username', newUsername)
      await waitForText(page, 'user-panel-username', newUsername)

      // Password: another session exists first, and only this device is left afterwards.
      await signInElsewhere(newUsername, PASSWORD)
      await settings.getByRole('button', { name: 'Sessions' }).click()
      await settings.getByTestId('session-item').nth(1).waitFor()
      assert.equal(await settings.getByTestId('session-item').count(), 2)
      await settings.getByRole('button', { name: 'My Account' }).click()

      await settings.getByRole('button', { name: 'Change Password' }).click()
      dialog = page.getByRole('dialog', { name: 'Update your password' })
      await dialog.waitFor()
      await dialog.getByLabel(/^Current Password/).fill(PASSWORD)
      await dialog.getByLabel(/^New Password/).fill(NEW_PASSWORD)
      await dialog.getByLabel(/^Confirm New Password/).fill(NEW_PASSWORD)
      await page.mouse.move(DESKTOP.width - 10, 10)
      await screenshot(page, 'account-change-password.png')
      patched = nextPatch(page)
      await dialog.getByRole('button', { name: 'Done' }).click()
      assert.equal((await patched).status(), 200)
      await dialog.waitFor({ state: 'hidden' })
      await settings.getByRole('status').filter({ hasText: 'password' }).waitFor()

      await settings.getByRole('button', { name: 'Sessions' }).click()
      const items = settings.getByTestId('session-item')
      await items.first().waitFor()
      assert.equal(await items.count(), 1, 'the other session was signed out')
      assert.equal(await items.first().getAttribute('data-current'), 'true')

      // The old password no longer works; the new one does.
      await settings.getByRole('button', { name: 'Log Out' }).click()
      await page.waitForURL((url) => url.pathname === '/login')
      await page.getByLabel('Email or username').fill(newUsername)
      await page.getByLabel('Password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
      const alert = page.getByRole('alert')
      await alert.waitFor()
      assert.equal((await alert.innerText()).trim(), 'Login or password is invalid.')

      await page.getByLabel('Password').fill(NEW_PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL((url) => url.pathname === '/app')
      await waitForText(page, 'user-panel-name', newDisplayName)
      await waitForText(page, 'user-panel-username', newUsername)

      assertClean(problems, { allowConsole: DELIBERATE_4XX })
    } finally {
      await context.close()
    }
  })
})
