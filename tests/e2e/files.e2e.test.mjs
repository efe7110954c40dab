// End-to-end test of file sharing in the web client against a running hearthd: Ada attaches an
// image and a text file with the + button, drops a third file on the channel and pastes a
// screenshot; the cards show above the box, one is marked a spoiler and one removed; the sent
// message shows the image preview (Bob sees it live), a click opens the lightbox, the text file is
// a card to download. A slow upload shows its progress and can be cancelled. The files are served
// with the right headers; a stranger and a member removed from the server are refused.
//
//   HEARTH_URL=http://127.0.0.1:8080 node --test tests/e2e/files.e2e.test.mjs
//   (or: node tests/support/with_hearthd.mjs -- node --test tests/e2e/files.e2e.test.mjs)
//
// Screenshots go to HEARTH_SCREENSHOT_DIR (default tests/e2e/screenshots).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { gradientPng } from '../support/images.mjs'
import { BASE_URL, TEST_TIMEOUT_MS, assertClean, openPage, registerAccount, screenshot, signIn, twoPagesInGeneral, useBrowser } from './browser.mjs'

/** The browser's own line for answers the test provoked on purpose (refused fetches). */
const DELIBERATE_4XX = [/Failed to load resource: .*status of 40[34]/]

useBrowser()

function rowWith(scope, text) {
  return scope.locator('article[data-testid="message"]').filter({ has: scope.page().getByTestId('message-content').getByText(text, { exact: true }) })
}

/** Whether every <img> under `locator` has finished loading real pixels. */
async function imageLoaded(locator) {
  await locator.waitFor()
  return locator.evaluate(async (image) => {
    if (!image.complete) await new Promise((resolve) => image.addEventListener('load', resolve, { once: true }))
    return image.naturalWidth > 0
  })
}

/** Fetches `url` from inside the page (its cookies, same origin); resolves status, headers and size. */
function fetchFrom(page, url, headers = {}) {
  return page.evaluate(
    async ([target, extra]) => {
      const response = await fetch(target, { headers: extra, credentials: 'same-origin' })
      const bytes = await response.arrayBuffer()
      return { status: response.status, headers: Object.fromEntries(response.headers.entries()), size: bytes.byteLength }
    },
    [url, headers],
  )
}

/** Drops (or pastes) files made in the page on `selector`, as a user dragging from the desktop would. */
function dispatchFiles(page, selector, kind, files) {
  return page.evaluate(
    ([target, eventKind, list]) => {
      const transfer = new DataTransfer()
      for (const { name, type, text } of list) transfer.items.add(new File([text], name, { type }))
      const element = document.querySelector(target)
      if (eventKind === 'paste') {
        element.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }))
        return
      }
      for (const type of eventKind === 'drag' ? ['dragenter', 'dragover'] : ['dragenter', 'dragover', 'drop']) {
        element.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }))
      }
    },
    [selector, kind, files],
  )
}

describe('Hearth files', () => {
  it('attaches, previews, opens, downloads and guards files', { timeout: TEST_TIMEOUT_MS * 4 }, async () => {
    const { ada, bob, guild, general, a, b } = await twoPagesInGeneral('Files', 'file')
    const c = await openPage()
    try {
      const pane = a.page.locator('main [data-testid="message-pane"]')
      const composer = a.page.getByTestId('composer-input')

      // --- attach with the + button, drop and paste: cards above the box -------------------------
      await a.page.getByTestId('composer-file-input').setInputFiles([
        { name: 'sunset.png', mimeType: 'image/png', buffer: gradientPng(800, 600) },
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Remember the milk.\n') },
      ])
      const cards = a.page.getByTestId('composer-file')
      await cards.nth(1).waitFor()
      await dispatchFiles(a.page, 'main [data-testid="message-pane"]', 'drag', [{ name: 'dropped.txt', type: 'text/plain', text: 'dropped' }])
      await a.page.getByTestId('file-drop-overlay').waitFor()
      await screenshot(a.page, 'files-drop-overlay.png')
      await dispatchFiles(a.page, 'main [data-testid="message-pane"]', 'drop', [{ name: 'dropped.txt', type: 'text/plain', text: 'dropped' }])
      await a.page.getByTestId('file-drop-overlay').waitFor({ state: 'detached' })
      await dispatchFiles(a.page, '[data-testid="composer-input"]', 'paste', [{ name: 'image.png', type: 'image/png', text: 'not really' }])
      await cards.nth(3).waitFor()
      assert.deepEqual(await cards.locator('.composer-files__name').allTextContents(), [
        'sunset.png',
        'notes.txt',
        'dropped.txt',
        (await cards.nth(3).locator('.composer-files__name').textContent()).trim(),
      ])
      assert.match(await cards.nth(3).locator('.composer-files__name').textContent(), /^pasted-\d{14}\.png$/)
      // The pasted and the dropped file go; the text file becomes a spoiler.
      await cards.nth(3).getByTestId('composer-file-remove').click()
      await cards.nth(2).getByTestId('composer-file-remove').click()
      await cards.nth(1).getByTestId('composer-file-spoiler').click()
      await composer.fill('A sunset, and a note')
      await a.page.mouse.move(5, 795)
      await screenshot(a.page, 'files-composer.png')
      await composer.press('Enter')

      // --- the message: an image preview and a (spoiler) file card -------------------------------
      const row = rowWith(pane, 'A sunset, and a note')
      const image = row.locator('[data-testid="attachment-image"] img')
      assert.equal(await imageLoaded(image), true, 'the preview loads for the sender')
      const file = row.getByTestId('attachment-file')
      await file.getByTestId('attachment-spoiler').click()
      assert.equal(await file.getByTestId('attachment-download').textContent(), 'notes.txt')
      const bobImage = rowWith(b.page.locator('main [data-testid="message-pane"]'), 'A sunset, and a note').locator('[data-testid="attachment-image"] img')
      assert.equal(await imageLoaded(bobImage), true, 'the preview loads for a member, live')
      await a.page.mouse.move(5, 795)
      await screenshot(a.page, 'files-message.png')

      // --- the lightbox ----------------------------------------------------------------------------
      await row.locator('.media__open').click()
      const lightbox = a.page.getByTestId('lightbox')
      assert.equal(await imageLoaded(lightbox.getByTestId('lightbox-image')), true)
      assert.match(await lightbox.textContent(), /800×600/)
      await screenshot(a.page, 'files-lightbox.png')
      await a.page.keyboard.press('Escape')
      await lightbox.waitFor({ state: 'detached' })

      // --- what the server answers for each file ---------------------------------------------------
      const sent = (await ada.call('GET', `/channels/${general.id}/messages?limit=1`)).body[0]
      const [png, txt] = sent.attachments
      assert.equal(png.content_type, 'image/png')
      assert.deepEqual([png.width, png.height], [800, 600])
      assert.equal(txt.filename, 'SPOILER_notes.txt')
      const served = await fetchFrom(a.page, png.url)
      assert.equal(served.status, 200)
      assert.match(served.headers['content-disposition'], /^inline/)
      assert.equal(served.headers['x-content-type-options'], 'nosniff')
      assert.match(served.headers['content-security-policy'], /sandbox/)
      const download = await fetchFrom(a.page, txt.url)
      assert.equal(download.status, 200)
      assert.match(download.headers['content-type'], /^text\/plain/)
      assert.match(download.headers['content-disposition'], /^attachment/)
      assert.equal(download.size, 'Remember the milk.\n'.length)
      const part = await fetchFrom(a.page, txt.url, { Range: 'bytes=0-7' })
      assert.equal(part.status, 206)
      assert.equal(part.headers['content-range'], `bytes 0-7/${download.size}`)

      // --- a stranger, and a member once removed, are refused -------------------------------------
      const carol = await registerAccount('Carol', 'file')
      await signIn(c.page, carol)
      const stranger = await fetchFrom(c.page, png.url)
      assert.ok([403, 404].includes(stranger.status), `a stranger got ${stranger.status}`)
      assert.equal((await fetchFrom(b.page, png.url)).status, 200, 'a member may fetch it')
      assert.equal((await ada.call('DELETE', `/guilds/${guild.id}/members/${bob.id}`)).status, 204)
      const removed = await fetchFrom(b.page, png.url)
      assert.ok([403, 404].includes(removed.status), `a removed member got ${removed.status}`)
      const anonymous = await fetch(`${BASE_URL}${png.url}`)
      assert.ok([401, 403, 404].includes(anonymous.status), `no session got ${anonymous.status}`)

      // --- a slow upload shows its progress and can be cancelled ----------------------------------
      const cdp = await a.context.newCDPSession(a.page)
      await cdp.send('Network.enable')
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 })
      await a.page.getByTestId('composer-file-input').setInputFiles([
        { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(8 * 1024 * 1024, 7) },
      ])
      await composer.press('Enter')
      const progress = pane.getByTestId('upload-progress')
      await progress.waitFor()
      await a.page.waitForFunction(() => Number(document.querySelector('[data-testid="upload-progress"] [role="progressbar"]')?.getAttribute('aria-valuenow')) > 0)
      await a.page.mouse.move(5, 795)
      await screenshot(a.page, 'files-upload-progress.png')
      await progress.getByTestId('upload-cancel').click()
      await progress.waitFor({ state: 'detached' })
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
      const after = (await ada.call('GET', `/channels/${general.id}/messages?limit=5`)).body
      assert.equal(after[0].id, sent.id, 'the cancelled upload left no message')

      assertClean(a.problems)
      assertClean(b.problems, { allowConsole: DELIBERATE_4XX })
      assertClean(c.problems, { allowConsole: DELIBERATE_4XX })
    } finally {
      await a.context.close()
      await b.context.close()
      await c.context.close()
    }
  })
})
