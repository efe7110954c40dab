// Shared set-up of the end-to-end tests: Debian's Chromium through playwright-core, pages that
// record console errors, uncaught exceptions and CSP violations, and screenshots.
//
// HEARTH_URL (required) is the hearthd under test; screenshots go to HEARTH_SCREENSHOT_DIR
// (default tests/e2e/screenshots); Chromium comes from CHROMIUM_PATH (default /usr/bin/chromium).
// A missing browser fails the run, it never skips.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { after, before } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const BASE_URL = process.env.HEARTH_URL?.replace(/\/+$/, '')
export const SCREENSHOT_DIR = path.resolve(
  process.env.HEARTH_SCREENSHOT_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots'),
)
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
// Background networking off: this machine's closed network refuses Chromium's own connections.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 375, height: 812 }
export const TEST_TIMEOUT_MS = 60_000

/** @type {import('playwright-core').Browser} */
let browser

/** Registers the file's before/after hooks that start and close one browser. */
export function useBrowser() {
  before(async () => {
    assert.ok(BASE_URL, 'HEARTH_URL must point at a running hearthd, e.g. http://127.0.0.1:8080')
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    // Playwright gives every launch a fresh temporary --user-data-dir.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
  })
  after(async () => {
    await browser?.close()
  })
}

/**
 * A fresh context and page that record console errors, uncaught exceptions
 * and CSP violations (the server sends a strict Content-Security-Policy).
 */
export async function openPage({ viewport = DESKTOP, colorScheme = 'dark' } = {}) {
  const context = await browser.newContext({ viewport, colorScheme })
  const page = await context.newPage()
  const problems = { consoleErrors: [], pageErrors: [], cspViolations: [] }
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(`${message.text()} @ ${message.location().url}`)
  })
  page.on('pageerror', (error) => problems.pageErrors.push(String(error)))
  await page.exposeFunction('__hearthReportCspViolation', (violation) => problems.cspViolations.push(violation))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__hearthReportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`)
    })
  })
  return { context, page, problems }
}

export function assertClean(problems, { allowConsole = [] } = {}) {
  const consoleErrors = problems.consoleErrors.filter((text) => !allowConsole.some((pattern) => pattern.test(text)))
  assert.deepEqual(problems.cspViolations, [], 'CSP violations')
  assert.deepEqual(problems.pageErrors, [], 'uncaught page errors')
  assert.deepEqual(consoleErrors, [], 'console errors')
}

/** Transitions are fast-forwarded, so a hover fading out or a dialog opening is captured at rest. */
export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name), animations: 'disabled' })
}

export const PASSWORD = 'correct horse battery staple'

/**
 * Registers an account through the API (its username starts with `prefix`); resolves {id,
 * username, email, displayName, token, call(method, path, body?)} where `call` answers {status,
 * body}.
 */
export async function registerAccount(name, prefix = 'e2e') {
  const suffix = randomBytes(4).toString('hex')
  const account = {
    username: `${prefix}_${suffix}`,
    email: `${prefix}.${suffix}@example.org`,
    displayName: `${name} ${suffix.slice(0, 3).toUpperCase()}`,
  }
  const response = await fetch(`${BASE_URL}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...account, display_name: account.displayName, password: PASSWORD }),
  })
  assert.equal(response.status, 201, await response.clone().text())
  const { token, user_id: id } = await response.json()
  const call = async (method, path, body) => {
    const answer = await fetch(`${BASE_URL}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await answer.text()
    return { status: answer.status, body: text ? JSON.parse(text) : null }
  }
  return { ...account, id, token, call }
}

/** Signs in through the login page (at `baseUrl`) and waits for the app. */
export async function signIn(page, account, baseUrl = BASE_URL) {
  await page.goto(`${baseUrl}/login`)
  await page.getByLabel('Email or username').fill(account.username)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname.startsWith('/app'))
}

/**
 * Ada and Bob (accounts prefixed `prefix`) in a new server named `name` Ada owns, Bob joined by
 * invite; resolves {ada, bob, guild, general} (`general` its first text channel).
 */
export async function twoInAServer(name, prefix) {
  const ada = await registerAccount('Ada', prefix)
  const bob = await registerAccount('Bob', prefix)
  const created = await ada.call('POST', '/guilds', { name: `${name} ${ada.username.slice(-4)}` })
  assert.equal(created.status, 201)
  const guild = created.body
  const general = (await ada.call('GET', `/guilds/${guild.id}/channels`)).body.find((channel) => channel.type === 0)
  const invite = await ada.call('POST', `/channels/${general.id}/invites`, {})
  assert.equal(invite.status, 200, JSON.stringify(invite.body))
  assert.equal((await bob.call('POST', `/invites/${invite.body.code}`)).status, 200)
  return { ada, bob, guild, general }
}

/**
 * twoInAServer, then a page for each signed in at the server's #general, its beginning shown
 * (Ada's page dark, Bob's light, so both themes are seen); resolves {ada, bob, guild, general,
 * channelUrl, a, b} (`a` and `b` as openPage gives them). The caller closes both pages' contexts
 * (in a `finally`); if getting there fails they are closed here.
 */
export async function twoPagesInGeneral(name, prefix) {
  const { ada, bob, guild, general } = await twoInAServer(name, prefix)
  const channelUrl = `${BASE_URL}/app/${guild.id}/${general.id}`
  const a = await openPage()
  const b = await openPage({ colorScheme: 'light' }).catch(async (error) => {
    await a.context.close()
    throw error
  })
  try {
    await signIn(a.page, ada)
    await signIn(b.page, bob)
    await a.page.goto(channelUrl)
    await b.page.goto(channelUrl)
    await a.page.getByRole('heading', { name: 'Welcome to #general!' }).waitFor()
    await b.page.getByRole('heading', { name: 'Welcome to #general!' }).waitFor()
  } catch (error) {
    await a.context.close()
    await b.context.close()
    throw error
  }
  return { ada, bob, guild, general, channelUrl, a, b }
}
