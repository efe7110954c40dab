import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useReadStatesStore } from '@/stores/read_states'
import { signInAda } from '../components/account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { BOB, dm, message } from '../support/social_fixtures'

const ME = '100'
const GUILD = '1'
const OTHER_GUILD = '2'

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
})

/** Two servers with text channels, a voice channel and a category, and one DM. */
function ready() {
  const store = useReadStatesStore()
  store.applyReady(
    [
      { id: '11', last_message_id: '500', mention_count: 0 },
      { id: '12', last_message_id: '400', mention_count: 2 },
      { id: '1000', last_message_id: '900', mention_count: 0 },
    ],
    [
      {
        id: GUILD,
        channels: [
          { id: '10', type: 4, last_message_id: null },
          { id: '11', type: 0, last_message_id: '500' },
          { id: '12', type: 0, last_message_id: '600' },
          { id: '13', type: 2, last_message_id: '999' },
        ],
      },
      { id: OTHER_GUILD, channels: [{ id: '21', type: 0, last_message_id: null }, { id: '22', type: 0, last_message_id: '50' }] },
    ],
    [dm('1000', BOB, '900')],
  )
  return store
}

describe('read states store', () => {
  it('compares each channel’s newest message with the last read one; no entry means unread', () => {
    const store = ready()
    expect(store.isUnread('11')).toBe(false)
    expect(store.isUnread('12')).toBe(true)
    expect(store.mentionCount('12')).toBe(2)
    // Voice channels and categories never count.
    expect(store.isUnread('13')).toBe(false)
    expect(store.guildUnread(GUILD)).toBe(true)
    expect(store.guildMentions(GUILD)).toBe(2)
    // No entry and no message: read. No entry and a message: unread.
    expect(store.isUnread('21')).toBe(false)
    expect(store.isUnread('22')).toBe(true)
    expect(store.lastReadId('22')).toBeNull()
    expect(store.guildUnread(OTHER_GUILD)).toBe(true)
    expect(store.dmUnread).toEqual([])
    expect(store.totalMentions).toBe(2)
  })

  it('counts mentions of the user, their roles and @everyone in channels they are not looking at', () => {
    const store = ready()
    const context = { userId: ME, roleIds: ['r1'] }
    store.applyMessage(message('700', '11', BOB.id, { guild_id: GUILD }), context)
    expect(store.isUnread('11')).toBe(true)
    expect(store.mentionCount('11')).toBe(0)
    store.applyMessage(message('701', '11', BOB.id, { guild_id: GUILD, mentions: [{ id: ME }] }), context)
    store.applyMessage(message('702', '11', BOB.id, { guild_id: GUILD, mention_roles: ['r1'] }), context)
    store.applyMessage(message('703', '11', BOB.id, { guild_id: GUILD, mention_roles: ['r2'] }), context)
    store.applyMessage(message('704', '11', BOB.id, { guild_id: GUILD, mention_everyone: true }), context)
    expect(store.mentionCount('11')).toBe(3)
    expect(store.guildMentions(GUILD)).toBe(5)
    expect(store.lastMessageId('11')).toBe('704')
  })

  it('counts nothing in the channel on screen while the window has focus', () => {
    const store = ready()
    store.setActiveChannel('11')
    store.applyMessage(message('700', '11', BOB.id, { guild_id: GUILD, mentions: [{ id: ME }] }), { userId: ME })
    expect(store.mentionCount('11')).toBe(0)
    // The window in the background: the mention counts.
    store.setWindowFocused(false)
    store.applyMessage(message('701', '11', BOB.id, { guild_id: GUILD, mentions: [{ id: ME }] }), { userId: ME })
    expect(store.mentionCount('11')).toBe(1)
  })

  it('counts every message from others in a DM, and the user’s own as read', () => {
    const store = ready()
    store.applyMessage(message('950', '1000', BOB.id), { userId: ME })
    store.applyMessage(message('951', '1000', BOB.id), { userId: ME })
    expect(store.dmUnread).toEqual(['1000'])
    expect(store.dmMentions).toBe(2)
    expect(store.guildMentions(GUILD)).toBe(2)
    store.applyMessage(message('952', '1000', ME), { userId: ME })
    expect(store.isUnread('1000')).toBe(false)
    expect(store.mentionCount('1000')).toBe(0)
    expect(store.lastReadId('1000')).toBe('952')
    // A DM the store had not seen yet is tracked from its first message.
    store.applyMessage(message('960', '1001', BOB.id), { userId: ME })
    expect(store.dmUnread).toEqual(['1001'])
  })

  it('marks read forward only, unless manual', () => {
    const store = ready()
    store.markRead('12', '600')
    expect(store.isUnread('12')).toBe(false)
    expect(store.mentionCount('12')).toBe(0)
    store.markRead('12', '300')
    expect(store.lastReadId('12')).toBe('600')
    store.markRead('12', '300', { manual: true })
    expect(store.lastReadId('12')).toBe('300')
    expect(store.isUnread('12')).toBe(true)
  })

  it('applies MESSAGE_ACK from another session', () => {
    const store = ready()
    store.applyAck('12', '600', 0)
    expect(store.isUnread('12')).toBe(false)
    expect(store.guildUnread(GUILD)).toBe(false)
    expect(store.guildMentions(GUILD)).toBe(0)
  })

  it('acks the newest message once, and not again when nothing is new', async () => {
    const api = installFakeApi({ 'POST /channels/12/messages/600/ack': jsonResponse(200, { token: null }) })
    const store = ready()
    await store.ack('12')
    expect(store.isUnread('12')).toBe(false)
    await store.ack('12')
    expect(api.calls('POST /channels/12/messages/600/ack')).toHaveLength(1)
    expect(api.calls('POST /channels/12/messages/600/ack')[0]!.body).toEqual({})
    await store.ack('21')
    expect(api.sent).toHaveLength(1)
  })

  it('follows the channels a server shows: hidden ones stop counting, a deleted server goes', () => {
    const store = ready()
    store.trackGuildChannels(GUILD, [{ id: '11', type: 0, last_message_id: '500' }])
    expect(store.guildUnread(GUILD)).toBe(false)
    expect(store.guildMentions(GUILD)).toBe(0)
    store.trackChannel(GUILD, { id: '14', type: 0, last_message_id: '800' })
    expect(store.guildUnread(GUILD)).toBe(true)
    store.untrackChannel('14')
    expect(store.guildUnread(GUILD)).toBe(false)
    store.untrackGuild(OTHER_GUILD)
    expect(store.guildUnread(OTHER_GUILD)).toBe(false)
  })
})
