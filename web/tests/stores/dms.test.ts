import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/client'
import { useDmsStore } from '@/stores/dms'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { BOB, CAROL, DAVE, dm, group } from '../support/social_fixtures'

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('DMs store', () => {
  it('orders the list by the newest message, an empty channel by its creation', () => {
    const store = useDmsStore()
    store.applyReady([dm('1000', BOB, '5000'), group('2000', [BOB, CAROL], null), dm('3000', CAROL, '4000'), { id: '9', type: 0, guild_id: '1' }])
    expect(store.sorted.map((channel) => channel.id)).toEqual(['1000', '3000', '2000'])
    store.bumpLastMessage('2000', '6000')
    expect(store.sorted.map((channel) => channel.id)).toEqual(['2000', '1000', '3000'])
    // An older id never moves a channel back.
    store.bumpLastMessage('2000', '1500')
    expect(store.dmById('2000')?.last_message_id).toBe('6000')
  })

  it('applies CHANNEL_CREATE/UPDATE/DELETE and recipient changes; the user leaving loses the group', () => {
    const store = useDmsStore()
    store.applyReady([])
    store.applyChannel(group('2000', [BOB]))
    store.applyChannel({ id: '2000', type: 3, name: 'Book club', last_message_id: null })
    expect(store.dmById('2000')?.name).toBe('Book club')
    // An update without recipients keeps the ones known.
    expect(store.dmById('2000')?.recipients).toEqual([BOB])
    store.addRecipient('2000', CAROL)
    store.addRecipient('2000', CAROL)
    expect(store.dmById('2000')?.recipients.map((user) => user.id)).toEqual([BOB.id, CAROL.id])
    store.removeRecipient('2000', BOB.id, '100')
    expect(store.dmById('2000')?.recipients.map((user) => user.id)).toEqual([CAROL.id])
    store.removeRecipient('2000', '100', '100')
    expect(store.dmById('2000')).toBeNull()
    store.applyChannel(dm('3000', DAVE))
    store.removeChannel('3000')
    expect(store.sorted).toEqual([])
  })

  it('opens the DM with a friend once, reusing the open one', async () => {
    const api = installFakeApi({ 'POST /users/@me/channels': jsonResponse(200, dm('1000', BOB)) })
    const store = useDmsStore()
    const first = await store.openWith(BOB.id)
    const second = await store.openWith(BOB.id)
    expect(first.id).toBe('1000')
    expect(second.id).toBe('1000')
    expect(api.calls('POST /users/@me/channels')).toHaveLength(1)
    expect(api.calls('POST /users/@me/channels')[0]!.body).toEqual({ recipient_id: BOB.id })
  })

  it('creates a group from two or more friends, a DM from one', async () => {
    const api = installFakeApi({
      'POST /users/@me/channels': (request) =>
        jsonResponse(200, (request.body as { recipients?: string[] }).recipients ? group('2000', [BOB, CAROL]) : dm('1000', DAVE)),
    })
    const store = useDmsStore()
    expect((await store.create([BOB.id, CAROL.id])).type).toBe(3)
    expect(api.calls('POST /users/@me/channels')[0]!.body).toEqual({ recipients: [BOB.id, CAROL.id] })
    expect((await store.create([DAVE.id])).type).toBe(1)
    expect(store.sorted.map((channel) => channel.id).sort()).toEqual(['1000', '2000'])
  })

  it('closes at once and brings the channel back when the server refuses', async () => {
    installFakeApi({ 'DELETE /channels/1000': jsonResponse(500, { code: 0, message: 'boom' }) })
    const store = useDmsStore()
    store.applyReady([dm('1000', BOB)])
    const closing = store.close('1000')
    expect(store.dmById('1000')).toBeNull()
    await expect(closing).rejects.toBeInstanceOf(ApiError)
    expect(store.dmById('1000')).not.toBeNull()
  })

  it('renames a group (an empty name clears it) and loads the list again on request', async () => {
    const api = installFakeApi({
      'PATCH /channels/2000': (request) => jsonResponse(200, { ...group('2000', [BOB, CAROL]), ...(request.body as object) }),
      'GET /users/@me/channels': jsonResponse(200, [dm('1000', BOB, '7000')]),
    })
    const store = useDmsStore()
    store.applyReady([group('2000', [BOB, CAROL], null, 'Old')])
    await store.rename('2000', '   ')
    expect(api.calls('PATCH /channels/2000')[0]!.body).toEqual({ name: null })
    expect(store.dmById('2000')?.name).toBeNull()
    await Promise.all([store.refresh(), store.refresh()])
    expect(api.calls('GET /users/@me/channels')).toHaveLength(1)
    expect(store.has('1000')).toBe(true)
    await flushPromises()
  })
})
