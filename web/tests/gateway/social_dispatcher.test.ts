import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createSocialDispatcher } from '@/gateway/social_dispatcher'
import { useDmsStore } from '@/stores/dms'
import { usePresenceStore } from '@/stores/presence'
import { useReadStatesStore } from '@/stores/read_states'
import { useRelationshipsStore } from '@/stores/relationships'
import { signInAda } from '../components/account_dialogs_support'
import { BOB, CAROL, dm, group, message, relationship } from '../support/social_fixtures'

const ME = '100'

function setUp(roles: Record<string, string[]> = {}) {
  signInAda()
  localStorage.clear()
  const stores = {
    relationships: useRelationshipsStore(),
    dms: useDmsStore(),
    presence: usePresenceStore(),
    readStates: useReadStatesStore(),
  }
  const sent: unknown[] = []
  stores.presence.attachSender((payload) => {
    sent.push(payload)
    return true
  })
  const refresh = vi.spyOn(stores.dms, 'refresh').mockResolvedValue()
  const dispatcher = createSocialDispatcher({ ...stores, currentUserId: () => ME, myRoleIds: (guildId) => roles[guildId] ?? [] })
  let seq = 0
  const dispatch = (t: string, d: unknown) => dispatcher.handle({ op: 0, t, s: ++seq, d })
  return { ...stores, sent, refresh, dispatch }
}

function readyPayload() {
  return {
    v: 10,
    user: { id: ME },
    guilds: [{ id: '1', name: 'Book Club', channels: [{ id: '11', type: 0, last_message_id: '500' }] }],
    private_channels: [dm('1000', BOB, '9000'), group('2000', [BOB, CAROL], '8000')],
    relationships: [relationship(BOB, 1), relationship(CAROL, 3)],
    presences: [{ user: { id: BOB.id }, status: 'idle', activities: [] }],
    read_state: { version: 1, partial: false, entries: [{ id: '11', last_message_id: '400', mention_count: 1 }] },
  }
}

describe('social dispatcher', () => {
  beforeEach(() => {
    localStorage.clear()
  })

  it('fills every store from READY, then sends the user’s status', () => {
    const s = setUp()
    s.dispatch('READY', readyPayload())
    expect(s.relationships.friends.map((entry) => entry.id)).toEqual([BOB.id])
    expect(s.relationships.pendingCount).toBe(1)
    expect(s.dms.sorted.map((channel) => channel.id)).toEqual(['1000', '2000'])
    expect(s.presence.statusOf(BOB.id)).toBe('idle')
    expect(s.readStates.isUnread('11')).toBe(true)
    expect(s.readStates.guildMentions('1')).toBe(1)
    // DMs without a read entry, but with messages, are unread.
    expect(s.readStates.dmUnread).toEqual(['1000', '2000'])
    expect(s.sent).toEqual([{ since: null, activities: [], status: 'online', afk: false }])
  })

  it('applies relationship, DM channel, recipient and presence events', () => {
    const s = setUp()
    s.dispatch('READY', readyPayload())
    s.dispatch('RELATIONSHIP_ADD', relationship(CAROL, 1))
    expect(s.relationships.isFriend(CAROL.id)).toBe(true)
    s.dispatch('RELATIONSHIP_REMOVE', { id: BOB.id, type: 1 })
    expect(s.relationships.isFriend(BOB.id)).toBe(false)

    s.dispatch('CHANNEL_CREATE', dm('3000', CAROL))
    expect(s.dms.has('3000')).toBe(true)
    // A server's channel is not a DM.
    s.dispatch('CHANNEL_CREATE', { id: '12', type: 0, guild_id: '1', name: 'news', last_message_id: '700' })
    expect(s.dms.has('12')).toBe(false)
    expect(s.readStates.lastMessageId('12')).toBe('700')
    s.dispatch('CHANNEL_UPDATE', { ...group('2000', [BOB, CAROL], '8000'), name: 'Readers' })
    expect(s.dms.dmById('2000')?.name).toBe('Readers')
    s.dispatch('CHANNEL_RECIPIENT_REMOVE', { channel_id: '2000', user: BOB })
    expect(s.dms.dmById('2000')?.recipients.map((user) => user.id)).toEqual([CAROL.id])
    s.dispatch('CHANNEL_RECIPIENT_ADD', { channel_id: '2000', user: BOB })
    expect(s.dms.dmById('2000')?.recipients).toHaveLength(2)
    s.dispatch('CHANNEL_RECIPIENT_REMOVE', { channel_id: '2000', user: { id: ME, username: 'ada' } })
    expect(s.dms.has('2000')).toBe(false)
    expect(s.readStates.dmUnread).toEqual(['1000'])
    s.dispatch('CHANNEL_DELETE', { id: '1000', type: 1 })
    expect(s.dms.has('1000')).toBe(false)

    s.dispatch('PRESENCE_UPDATE', { user: { id: BOB.id }, status: 'dnd', activities: [], client_status: { web: 'dnd' } })
    expect(s.presence.statusOf(BOB.id)).toBe('dnd')
  })

  it('moves a DM up and counts its messages; a closed DM that gets a message is loaded again', () => {
    const s = setUp()
    s.dispatch('READY', readyPayload())
    s.dispatch('MESSAGE_CREATE', message('9500', '2000', BOB.id))
    expect(s.dms.sorted[0]!.id).toBe('2000')
    expect(s.readStates.mentionCount('2000')).toBe(1)
    s.dispatch('MESSAGE_CREATE', message('9600', '4000', CAROL.id))
    expect(s.refresh).toHaveBeenCalledTimes(1)
  })

  it('counts a role mention with the user’s roles in that server, and clears on MESSAGE_ACK', () => {
    const s = setUp({ '1': ['r1'] })
    s.dispatch('READY', readyPayload())
    s.dispatch('MESSAGE_CREATE', message('600', '11', BOB.id, { guild_id: '1', mention_roles: ['r1'] }))
    expect(s.readStates.guildMentions('1')).toBe(2)
    s.dispatch('MESSAGE_ACK', { channel_id: '11', message_id: '600', mention_count: 0 })
    expect(s.readStates.guildUnread('1')).toBe(false)
    expect(s.readStates.guildMentions('1')).toBe(0)
  })

  it('drops a deleted server’s channels and takes a new server’s', () => {
    const s = setUp()
    s.dispatch('READY', readyPayload())
    s.dispatch('GUILD_DELETE', { id: '1' })
    expect(s.readStates.guildUnread('1')).toBe(false)
    s.dispatch('GUILD_CREATE', { id: '5', name: 'New', channels: [{ id: '51', type: 0, last_message_id: '10' }] })
    expect(s.readStates.guildUnread('5')).toBe(true)
  })

  it('ignores frames it cannot read', () => {
    const s = setUp()
    s.dispatch('READY', null)
    s.dispatch('MESSAGE_CREATE', { id: '1', channel_id: '2' })
    s.dispatch('CHANNEL_RECIPIENT_ADD', { channel_id: '2000' })
    s.dispatch('RELATIONSHIP_REMOVE', {})
    expect(s.dms.sorted).toEqual([])
    expect(s.readStates.channels).toEqual({})
  })
})
