import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SearchResolver } from '@/models/search_query'
import { useSearchStore } from '@/stores/search'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi, jsonResponse, type SentRequest } from '../support/fake_api'

const GUILD = '900'
const ROUTE = `GET /guilds/${GUILD}/messages/search`
const resolver: SearchResolver = {
  user: (name) => (name === 'bob' ? '102' : null),
  channel: (name) => (name === 'general' ? '11' : null),
}

function message(id: string, content = `message ${id}`) {
  return {
    id,
    type: 0,
    channel_id: '11',
    guild_id: GUILD,
    author: { id: '102', username: 'bob', global_name: null, avatar: null },
    content,
    timestamp: '2026-01-05T10:00:00Z',
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    flags: 0,
  }
}

const answer = (total: number, ids: string[]) => jsonResponse(200, { total_results: total, messages: ids.map((id) => [message(id)]) })
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))
/** All values of a repeatable parameter, which SentRequest.query keeps one of. */
const allOf = (fetch: ReturnType<typeof installFakeApi>['fetch'], call: number, name: string) =>
  new URL(String(fetch.mock.calls[call]![0]), 'http://hearth.test').searchParams.getAll(name)

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('search store', () => {
  it('searches the server with the parsed query and the order, and unwraps the hits', async () => {
    const api = installFakeApi({ [ROUTE]: answer(30, ['3', '2', '1']) })
    const store = useSearchStore()
    store.search({ kind: 'guild', guildId: GUILD }, 'from:bob in:general cake has:link', resolver)
    expect(store.open).toBe(true)
    expect(store.status).toBe('loading')
    await settle()
    expect(store.status).toBe('done')
    expect(store.total).toBe(30)
    expect(store.results.map((hit) => hit.id)).toEqual(['3', '2', '1'])
    expect(store.pageCount).toBe(2)
    const sent = api.calls(ROUTE)[0]!
    expect(sent.query).toMatchObject({
      content: 'cake', author_id: '102', channel_id: '11', has: 'link', sort_by: 'timestamp', sort_order: 'desc', offset: '0', limit: '25',
    })
  })

  it('pages with the offset and reorders from the first page', async () => {
    const api = installFakeApi({ [ROUTE]: answer(60, ['1']) })
    const store = useSearchStore()
    store.search({ kind: 'guild', guildId: GUILD }, 'cake', resolver)
    await settle()
    store.setPage(2)
    await settle()
    expect(api.calls(ROUTE)[1]!.query.offset).toBe('50')
    store.setPage(3) // past the last page: nothing
    store.setSort('relevant')
    await settle()
    expect(api.calls(ROUTE)).toHaveLength(3)
    expect(api.calls(ROUTE)[2]!.query).toMatchObject({ offset: '0', sort_by: 'relevance' })
    expect(store.page).toBe(0)
  })

  it('repeats repeatable filters', async () => {
    const api = installFakeApi({ [ROUTE]: answer(0, []) })
    const store = useSearchStore()
    store.search({ kind: 'guild', guildId: GUILD }, 'from:bob from:123 cake', resolver)
    await settle()
    expect(allOf(api.fetch, 0, 'author_id')).toEqual(['102', '123'])
    expect(store.status).toBe('done')
    expect(store.results).toEqual([])
  })

  it('drops a late answer to an earlier query', async () => {
    let releaseFirst: (response: Response) => void = () => {}
    const api = installFakeApi({
      [ROUTE]: (request: SentRequest) =>
        request.query.content === 'slow' ? new Promise<Response>((resolve) => (releaseFirst = resolve)) : answer(1, ['9']),
    })
    const store = useSearchStore()
    store.search({ kind: 'guild', guildId: GUILD }, 'slow', resolver)
    store.search({ kind: 'guild', guildId: GUILD }, 'fast', resolver)
    await settle()
    releaseFirst(answer(5, ['1', '2']))
    await settle()
    expect(api.calls(ROUTE)).toHaveLength(2)
    expect(store.results.map((hit) => hit.id)).toEqual(['9'])
    expect(store.total).toBe(1)
  })

  it('shows what it could not understand without asking the server', () => {
    const api = installFakeApi({})
    const store = useSearchStore()
    store.search({ kind: 'guild', guildId: GUILD }, 'from:zed before:2025-02-30 cake', resolver)
    expect(store.status).toBe('error')
    expect(store.error).toContain('No member called "zed"')
    expect(store.error).toContain('before:')
    expect(api.fetch).not.toHaveBeenCalled()
  })

  it('an error answer is the error state; Try again asks again', async () => {
    let fail = true
    installFakeApi({
      [ROUTE]: () => (fail ? jsonResponse(400, { code: 50035, message: 'Invalid Form Body' }) : answer(1, ['4'])),
    })
    const store = useSearchStore()
    store.search({ kind: 'guild', guildId: GUILD }, 'cake', resolver)
    await settle()
    expect(store.status).toBe('error')
    expect(store.error).toBe('Invalid Form Body')
    fail = false
    store.retry()
    await settle()
    expect(store.status).toBe('done')
    expect(store.results.map((hit) => hit.id)).toEqual(['4'])
  })

  it('an empty query closes the panel; reset forgets the text', async () => {
    installFakeApi({ [ROUTE]: answer(1, ['4']) })
    const store = useSearchStore()
    store.search({ kind: 'guild', guildId: GUILD }, 'cake', resolver)
    await settle()
    store.search({ kind: 'guild', guildId: GUILD }, '   ', resolver)
    expect(store.open).toBe(false)
    expect(store.results).toEqual([])
    store.search({ kind: 'guild', guildId: GUILD }, 'cake', resolver)
    store.reset()
    expect(store.text).toBe('')
    expect(store.scope).toBeNull()
  })

  it('searches one DM through the channel route', async () => {
    const api = installFakeApi({ 'GET /channels/55/messages/search': answer(1, ['8']) })
    const store = useSearchStore()
    store.search({ kind: 'channel', channelId: '55' }, 'cake', resolver)
    await settle()
    expect(api.calls('GET /channels/55/messages/search')).toHaveLength(1)
    expect(store.results.map((hit) => hit.id)).toEqual(['8'])
  })
})
