import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import type { Message } from '@/models/message'
import { CACHED_CHANNELS, CACHED_MESSAGES, PAGE_SIZE, useMessagesStore } from '@/stores/messages'
import { signInAda } from '../components/account_dialogs_support'
import { ADA, installFakeApi, jsonResponse, type SentRequest } from '../support/fake_api'
import { CHANNEL_ID, USERS, history, historyRoute, message } from '../support/message_fixtures'
import { FakeXhr } from '../support/fake_xhr'

const ROUTE = `/channels/${CHANNEL_ID}/messages`

function ids(list: readonly { id: string }[]): number[] {
  return list.map((item) => Number(item.id) - 1000)
}

/** A promise to answer a request with later. */
function deferred() {
  let resolve!: (response: Response) => void
  const promise = new Promise<Response>((done) => (resolve = done))
  return { promise, resolve }
}

/** The server's answer to a send: the message, with the nonce as it was sent. */
function sentMessage(request: SentRequest, id: number): Message {
  const body = request.body as { content: string; nonce: string }
  return message(id, 'ada', id, { content: body.content, nonce: body.nonce })
}

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('messages store: history', () => {
  it('loads the newest page in id order, then older pages merged without gaps or repeats', async () => {
    const api = installFakeApi({ [`GET ${ROUTE}`]: historyRoute(history(120)) })
    const store = useMessagesStore()
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)
    const state = store.channelState(CHANNEL_ID)!
    expect(state.status).toBe('done')
    expect(ids(state.messages)).toEqual(Array.from({ length: PAGE_SIZE }, (_, index) => 71 + index))
    expect(state.hasOlder).toBe(true)
    expect(state.hasNewer).toBe(false)

    await store.loadOlder(CHANNEL_ID)
    expect(api.calls(`GET ${ROUTE}`).at(-1)?.query).toEqual({ before: '1071', limit: String(PAGE_SIZE) })
    expect(ids(store.channelState(CHANNEL_ID)!.messages)).toEqual(Array.from({ length: 100 }, (_, index) => 21 + index))
    await store.loadOlder(CHANNEL_ID)
    const all = store.channelState(CHANNEL_ID)!
    expect(ids(all.messages)).toEqual(Array.from({ length: 120 }, (_, index) => index + 1))
    // A short page is the start of the channel.
    expect(all.hasOlder).toBe(false)
    await store.loadOlder(CHANNEL_ID)
    expect(api.calls(`GET ${ROUTE}`)).toHaveLength(3)
  })

  it('keeps live messages in snowflake order and once each, whatever order they come in', async () => {
    installFakeApi({ [`GET ${ROUTE}`]: historyRoute(history(3)) })
    const store = useMessagesStore()
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)
    store.applyCreate(message(6))
    store.applyCreate(message(5))
    store.applyCreate(message(6))
    store.applyCreate(message(4))
    expect(ids(store.messagesOf(CHANNEL_ID))).toEqual([1, 2, 3, 4, 5, 6])
    // A channel never loaded keeps nothing.
    store.applyCreate({ ...message(7), channel_id: '99' })
    expect(store.channelState('99')).toBeNull()
  })

  it('jumps around an old message, ignores live messages while away, and comes back to the present', async () => {
    installFakeApi({ [`GET ${ROUTE}`]: historyRoute(history(200)) })
    const store = useMessagesStore()
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)
    expect(await store.loadAround(CHANNEL_ID, '1030')).toBe(true)
    const state = store.channelState(CHANNEL_ID)!
    expect(ids(state.messages)).toEqual(Array.from({ length: PAGE_SIZE }, (_, index) => 6 + index))
    expect(state.hasNewer).toBe(true)
    expect(state.hasOlder).toBe(true)
    store.applyCreate(message(201))
    expect(ids(store.messagesOf(CHANNEL_ID)).includes(201)).toBe(false)

    await store.loadNewer(CHANNEL_ID)
    expect(ids(store.channelState(CHANNEL_ID)!.messages).at(-1)).toBe(105)
    await store.loadLatest(CHANNEL_ID, true)
    const present = store.channelState(CHANNEL_ID)!
    expect(present.hasNewer).toBe(false)
    expect(ids(present.messages).at(-1)).toBe(200)
    // A message already held needs no request.
    expect(await store.loadAround(CHANNEL_ID, '1190')).toBe(true)
    expect(store.channelState(CHANNEL_ID)!.hasNewer).toBe(false)
  })

  it('keeps only the newest messages of a channel no longer shown, and only the recent channels', async () => {
    installFakeApi({ [`GET ${ROUTE}`]: historyRoute(history(150)) })
    const store = useMessagesStore()
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)
    await store.loadOlder(CHANNEL_ID)
    expect(store.channelState(CHANNEL_ID)!.messages).toHaveLength(100)
    store.close(CHANNEL_ID)
    const cached = store.channelState(CHANNEL_ID)!
    expect(ids(cached.messages)).toEqual(Array.from({ length: CACHED_MESSAGES }, (_, index) => 101 + index))
    expect(cached.hasOlder).toBe(true)
    // Coming back shows the cache at once and asks nothing while it is at the present.
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)
    expect(store.channelState(CHANNEL_ID)!.messages).toHaveLength(CACHED_MESSAGES)
    store.close(CHANNEL_ID)

    for (let index = 0; index < CACHED_CHANNELS + 3; index++) {
      const channelId = `c${index}`
      installFakeApi({ [`GET /channels/${channelId}/messages`]: jsonResponse(200, []) })
      store.open(channelId)
      await store.loadLatest(channelId)
      store.close(channelId)
    }
    expect(Object.keys(store.channels)).toHaveLength(CACHED_CHANNELS)
    expect(store.channelState(CHANNEL_ID)).toBeNull()
    expect(store.channelState(`c${CACHED_CHANNELS + 2}`)).not.toBeNull()
  })

  it('drops answers that arrive after sign-out', async () => {
    const answer = deferred()
    installFakeApi({ [`GET ${ROUTE}`]: () => answer.promise })
    const store = useMessagesStore()
    store.open(CHANNEL_ID)
    const load = store.loadLatest(CHANNEL_ID)
    store.reset()
    answer.resolve(jsonResponse(200, [message(1)]))
    await load
    expect(store.channelState(CHANNEL_ID)).toBeNull()
  })
})

describe('messages store: sending', () => {
  async function opened(routes: Record<string, Parameters<typeof installFakeApi>[0][string]>) {
    const api = installFakeApi({ [`GET ${ROUTE}`]: historyRoute(history(2)), ...routes })
    const store = useMessagesStore()
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)
    return { api, store }
  }

  it('shows a send at once, then the server’s message in its place (answer first, echo second)', async () => {
    const answer = deferred()
    const { api, store } = await opened({ [`POST ${ROUTE}`]: () => answer.promise })
    const sending = store.send(CHANNEL_ID, 'hello')
    const optimistic = store.messagesOf(CHANNEL_ID).at(-1)!
    expect(optimistic).toMatchObject({ content: 'hello', state: 'sending', author: { id: ADA.id } })
    const body = api.calls(`POST ${ROUTE}`)[0]!.body as { nonce: string; enforce_nonce: boolean }
    expect(body.enforce_nonce).toBe(true)
    expect(body.nonce).toBe(optimistic.nonce)
    expect(body.nonce.length).toBeLessThanOrEqual(25)

    const confirmed = sentMessage(api.calls(`POST ${ROUTE}`)[0]!, 3)
    answer.resolve(jsonResponse(200, confirmed))
    await sending
    store.applyCreate(confirmed)
    const list = store.messagesOf(CHANNEL_ID)
    expect(ids(list)).toEqual([1, 2, 3])
    expect(list.at(-1)).toMatchObject({ state: 'sent', key: optimistic.key })
    expect(store.channelState(CHANNEL_ID)!.pending).toEqual([])
  })

  it('takes the gateway’s echo (matched by nonce) when it comes before the answer', async () => {
    const answer = deferred()
    const { api, store } = await opened({ [`POST ${ROUTE}`]: () => answer.promise })
    const sending = store.send(CHANNEL_ID, 'fast')
    const key = store.messagesOf(CHANNEL_ID).at(-1)!.key
    const confirmed = sentMessage(api.calls(`POST ${ROUTE}`)[0]!, 3)
    store.applyCreate(confirmed)
    expect(store.messagesOf(CHANNEL_ID).filter((item) => item.content === 'fast')).toHaveLength(1)
    expect(store.messagesOf(CHANNEL_ID).at(-1)).toMatchObject({ id: confirmed.id, key, state: 'sent' })
    answer.resolve(jsonResponse(200, confirmed))
    await sending
    expect(ids(store.messagesOf(CHANNEL_ID))).toEqual([1, 2, 3])
  })

  it('keeps a refused send, red with the reason, until it is retried with the same nonce or deleted', async () => {
    let refuse = true
    const { api, store } = await opened({
      [`POST ${ROUTE}`]: (request) =>
        refuse
          ? new Response(JSON.stringify({ message: 'You are being rate limited.', retry_after: 2.4, global: false }), {
              status: 429,
              headers: { 'Content-Type': 'application/json', 'Retry-After': '3' },
            })
          : jsonResponse(200, sentMessage(request, 3)),
    })
    const failure = await store.send(CHANNEL_ID, 'too soon').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ApiError)
    expect((failure as ApiError).retryAfter).toBe(3)
    const failed = store.messagesOf(CHANNEL_ID).at(-1)!
    expect(failed).toMatchObject({ state: 'failed', error: 'Slowmode: you can send again in 3 s.' })

    refuse = false
    await store.retry(CHANNEL_ID, failed.key)
    const [first, second] = api.calls(`POST ${ROUTE}`)
    expect((second!.body as { nonce: string }).nonce).toBe((first!.body as { nonce: string }).nonce)
    expect(store.messagesOf(CHANNEL_ID).at(-1)).toMatchObject({ state: 'sent', content: 'too soon', key: failed.key })

    refuse = true
    await store.send(CHANNEL_ID, 'again').catch(() => undefined)
    const again = store.messagesOf(CHANNEL_ID).at(-1)!
    expect(again.state).toBe('failed')
    store.discard(CHANNEL_ID, again.key)
    expect(store.messagesOf(CHANNEL_ID).map((item) => item.content)).toEqual(['message 1', 'message 2', 'too soon'])
  })

  it('uploads files with progress on the pending message, and a cancel drops it', async () => {
    const { store } = await opened({})
    FakeXhr.made = []
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const file = new File(['0123456789'], 'cat.png', { type: 'image/png' })
    const sending = store.send(CHANNEL_ID, 'a cat', { files: [{ file, filename: 'cat.png' }] })
    const pending = store.messagesOf(CHANNEL_ID).at(-1)!
    expect(pending).toMatchObject({ state: 'sending', upload: { files: [{ filename: 'cat.png', size: 10 }], loaded: 0, total: 10 } })
    const xhr = FakeXhr.made[0]!
    expect(JSON.parse(xhr.body!.get('payload_json') as string)).toMatchObject({ content: 'a cat', nonce: pending.nonce })
    xhr.upload.onprogress?.({ loaded: 4, total: 10, lengthComputable: true })
    expect(store.messagesOf(CHANNEL_ID).at(-1)!.upload).toMatchObject({ loaded: 4, total: 10 })
    const attachment = { id: '77', filename: 'cat.png', size: 10, content_type: 'image/png', url: '/a', proxy_url: '/a?preview=1' }
    xhr.respond(200, { ...message(3, 'ada', 3, { content: 'a cat', nonce: String(pending.nonce) }), attachments: [attachment] })
    await sending
    expect(store.messagesOf(CHANNEL_ID).at(-1)).toMatchObject({ state: 'sent', key: pending.key, attachments: [attachment] })

    const cancelled = store.send(CHANNEL_ID, '', { files: [{ file, filename: 'dog.png' }] })
    const second = store.messagesOf(CHANNEL_ID).at(-1)!
    store.cancelUpload(CHANNEL_ID, second.key)
    await cancelled
    expect(FakeXhr.made[1]!.aborted).toBe(true)
    expect(store.channelState(CHANNEL_ID)!.pending).toEqual([])
    expect(store.messagesOf(CHANNEL_ID).map((item) => item.content)).toEqual(['message 1', 'message 2', 'a cat'])
  })

  it('keeps the files of a failed upload, so Retry sends them again', async () => {
    const { store } = await opened({})
    FakeXhr.made = []
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const file = new File(['x'], 'a.txt')
    const sending = store.send(CHANNEL_ID, '', { files: [{ file, filename: 'a.txt' }] })
    FakeXhr.made[0]!.respond(413, { code: 40005, message: 'Request entity too large' })
    await sending.catch(() => undefined)
    const failed = store.messagesOf(CHANNEL_ID).at(-1)!
    expect(failed).toMatchObject({ state: 'failed', error: 'Request entity too large' })
    const retried = store.retry(CHANNEL_ID, failed.key)
    expect((FakeXhr.made[1]!.body!.get('files[0]') as File).name).toBe('a.txt')
    FakeXhr.made[1]!.respond(200, message(3, 'ada', 3, { content: '', nonce: String(failed.nonce) }))
    await retried
    expect(store.messagesOf(CHANNEL_ID).at(-1)).toMatchObject({ state: 'sent', key: failed.key })
  })

  it('says what went wrong when the network fails or sending is not allowed', async () => {
    const { store } = await opened({ [`POST ${ROUTE}`]: jsonResponse(403, { code: 50013, message: 'Missing Permissions' }) })
    await store.send(CHANNEL_ID, 'nope').catch(() => undefined)
    expect(store.messagesOf(CHANNEL_ID).at(-1)?.error).toBe('You do not have permission to send messages here.')
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))))
    await store.send(CHANNEL_ID, 'offline').catch(() => undefined)
    expect(store.messagesOf(CHANNEL_ID).at(-1)?.error).toBe('Could not reach the server.')
  })

  it('sends a reply with its reference and whether it pings', async () => {
    const { api, store } = await opened({ [`POST ${ROUTE}`]: (request) => jsonResponse(200, sentMessage(request, 3)) })
    const target = store.findMessage(CHANNEL_ID, '1001')!
    await store.send(CHANNEL_ID, 'answer', { replyTo: target, mentionReplied: false })
    expect(api.calls(`POST ${ROUTE}`)[0]!.body).toMatchObject({
      message_reference: { message_id: '1001' },
      allowed_mentions: { replied_user: false },
    })
  })

  it('edits at once and puts the text back when refused', async () => {
    const { store } = await opened({
      [`PATCH ${ROUTE}/1002`]: jsonResponse(403, { code: 50013, message: 'Missing Permissions' }),
    })
    const editing = store.edit(CHANNEL_ID, '1002', 'changed')
    expect(store.findMessage(CHANNEL_ID, '1002')).toMatchObject({ content: 'changed' })
    await expect(editing).rejects.toBeInstanceOf(ApiError)
    expect(store.findMessage(CHANNEL_ID, '1002')).toMatchObject({ content: 'message 2', edited_timestamp: null })
    expect(store.findMessage(CHANNEL_ID, '1002')?.error).toContain('Missing Permissions')
  })

  it('deletes at once and brings the message back when refused', async () => {
    const { store } = await opened({
      [`DELETE ${ROUTE}/1001`]: jsonResponse(403, { code: 50013, message: 'Missing Permissions' }),
      [`DELETE ${ROUTE}/1002`]: jsonResponse(204),
    })
    const removing = store.remove(CHANNEL_ID, '1001')
    expect(ids(store.messagesOf(CHANNEL_ID))).toEqual([2])
    await expect(removing).rejects.toBeInstanceOf(ApiError)
    expect(ids(store.messagesOf(CHANNEL_ID))).toEqual([1, 2])
    expect(store.notice?.text).toContain('Could not delete')
    await store.remove(CHANNEL_ID, '1002')
    expect(ids(store.messagesOf(CHANNEL_ID))).toEqual([1])
  })
})

describe('messages store: live changes', () => {
  async function loaded(messages: Message[]) {
    installFakeApi({ [`GET ${ROUTE}`]: historyRoute(messages) })
    const store = useMessagesStore()
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)
    return store
  }

  it('applies edits and deletes to messages and to the previews of replies to them', async () => {
    const reply = message(3, 'ada', 3, { type: 19, message_reference: { message_id: '1001' }, referenced_message: message(1) })
    const store = await loaded([message(1), message(2), reply])
    store.applyUpdate({ ...message(1), content: 'edited', edited_timestamp: new Date().toISOString() })
    expect(store.findMessage(CHANNEL_ID, '1001')?.content).toBe('edited')
    expect(store.findMessage(CHANNEL_ID, '1003')?.referenced_message?.content).toBe('edited')
    store.applyDelete(CHANNEL_ID, '1001')
    expect(store.findMessage(CHANNEL_ID, '1001')).toBeNull()
    expect(store.findMessage(CHANNEL_ID, '1003')?.referenced_message).toBeNull()
    store.applyDeleteBulk(CHANNEL_ID, ['1002', '1003', '1009'])
    expect(store.messagesOf(CHANNEL_ID)).toEqual([])
  })

  it('counts reactions once per user, the user’s own toggled at once and undone when refused', async () => {
    const emoji = { id: null, name: '👍' }
    const base = `PUT ${ROUTE}/1001/reactions/${encodeURIComponent('👍')}/@me`
    let allow = true
    installFakeApi({
      [`GET ${ROUTE}`]: historyRoute([message(1)]),
      [base]: () => (allow ? jsonResponse(204) : jsonResponse(403, { code: 50013, message: 'Missing Permissions' })),
    })
    const store = useMessagesStore()
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)

    const toggling = store.toggleReaction(CHANNEL_ID, '1001', emoji)
    expect(store.findMessage(CHANNEL_ID, '1001')?.reactions).toEqual([{ count: 1, me: true, emoji }])
    await toggling
    // Its MESSAGE_REACTION_ADD comes back: still one.
    store.applyReaction(CHANNEL_ID, '1001', emoji, ADA.id, true)
    store.applyReaction(CHANNEL_ID, '1001', emoji, USERS.mo.id, true)
    expect(store.findMessage(CHANNEL_ID, '1001')?.reactions).toEqual([{ count: 2, me: true, emoji }])
    store.applyReaction(CHANNEL_ID, '1001', emoji, USERS.mo.id, false)
    store.applyReaction(CHANNEL_ID, '1001', emoji, ADA.id, false)
    expect(store.findMessage(CHANNEL_ID, '1001')?.reactions).toEqual([])

    allow = false
    await store.toggleReaction(CHANNEL_ID, '1001', { id: null, name: '👍' })
    await flushPromises()
    expect(store.findMessage(CHANNEL_ID, '1001')?.reactions).toEqual([])
    expect(store.notice?.text).toContain('Could not react')

    store.applyReaction(CHANNEL_ID, '1001', emoji, USERS.mo.id, true)
    store.applyReaction(CHANNEL_ID, '1001', { id: null, name: '🔥' }, USERS.hal.id, true)
    store.applyReactionsCleared(CHANNEL_ID, '1001', emoji)
    expect(store.findMessage(CHANNEL_ID, '1001')?.reactions?.map((reaction) => reaction.emoji.name)).toEqual(['🔥'])
    store.applyReactionsCleared(CHANNEL_ID, '1001')
    expect(store.findMessage(CHANNEL_ID, '1001')?.reactions).toEqual([])
  })

  it('forgets channels not on screen after the gateway reconnects, and reloads the one shown', async () => {
    const api = installFakeApi({
      [`GET ${ROUTE}`]: historyRoute([message(1)]),
      'GET /channels/12/messages': jsonResponse(200, []),
    })
    const store = useMessagesStore()
    store.open('12')
    await store.loadLatest('12')
    store.close('12')
    store.open(CHANNEL_ID)
    await store.loadLatest(CHANNEL_ID)
    store.resync()
    await flushPromises()
    expect(store.channelState('12')).toBeNull()
    expect(api.calls(`GET ${ROUTE}`)).toHaveLength(2)
  })
})
