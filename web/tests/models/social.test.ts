import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { dmDisplayName, groupMemberCountLabel, sortDms } from '@/models/dm'
import { customStatusOf, presencePayload } from '@/models/presence'
import { badgeText, channelIsUnread, mentionsUser, titleWithCount } from '@/models/read_state'
import {
  RelationshipType,
  checkFriendUsername,
  friendRequestError,
  friendRequestSent,
  relationshipsForTab,
} from '@/models/relationship'
import { BOB, CAROL, DAVE, dm, group, message, relationship } from '../support/social_fixtures'

describe('relationships', () => {
  const list = [
    relationship(DAVE, RelationshipType.Friend),
    relationship(BOB, RelationshipType.Friend),
    relationship(CAROL, RelationshipType.Outgoing),
    relationship({ ...CAROL, id: '301', username: 'zed' }, RelationshipType.Incoming),
    relationship({ ...CAROL, id: '302', username: 'eve' }, RelationshipType.Blocked),
  ]

  it('lists each tab sorted by name, incoming requests first, filtered by the search', () => {
    const online = (id: string) => id === BOB.id
    expect(relationshipsForTab(list, 'online', online).map((entry) => entry.id)).toEqual([BOB.id])
    expect(relationshipsForTab(list, 'all', online).map((entry) => entry.user.username)).toEqual(['bob', 'dave'])
    expect(relationshipsForTab(list, 'pending', online).map((entry) => entry.user.username)).toEqual(['zed', 'carol'])
    expect(relationshipsForTab(list, 'blocked', online).map((entry) => entry.user.username)).toEqual(['eve'])
    expect(relationshipsForTab(list, 'all', online, ' BUILD ').map((entry) => entry.id)).toEqual([BOB.id])
  })

  it('words the Add Friend outcomes as Discord does', () => {
    expect(checkFriendUsername('  ')).toBe('Enter a username.')
    expect(checkFriendUsername('x')).toContain("Hm, didn't work")
    expect(checkFriendUsername('bob')).toBeNull()
    expect(friendRequestSent('bob')).toBe('Success! Your friend request to bob was sent.')
    expect(friendRequestError(new ApiError(404, 'Unknown User', 10013))).toBe(
      "Hm, didn't work. Double check that the username is correct.",
    )
    expect(friendRequestError(new ApiError(400, 'Already friends', 80007))).toBe("You're already friends with that user!")
    expect(friendRequestError(new ApiError(0, 'offline'))).toContain("Couldn't reach the server")
  })
})

describe('DM channels', () => {
  it('names a DM after the other person and a group by its name or members', () => {
    expect(dmDisplayName(dm('1', BOB))).toBe('Bob Builder')
    expect(dmDisplayName(group('2', [BOB, CAROL]))).toBe('Bob Builder, carol')
    expect(dmDisplayName(group('2', [BOB, CAROL], null, 'Readers'))).toBe('Readers')
    expect(groupMemberCountLabel(group('2', [BOB, CAROL]))).toBe('3 Members')
  })

  it('orders by the newest message and compares snowflakes as numbers', () => {
    const channels = [dm('900', BOB, '99999'), dm('1000', CAROL, '100000'), dm('5000', DAVE)]
    expect(sortDms(channels).map((channel) => channel.id)).toEqual(['1000', '900', '5000'])
  })
})

describe('presence and read state rules', () => {
  it('builds op 3: auto-idle only from online, a custom status as activity type 4', () => {
    expect(presencePayload('online', ' Reading ', null)).toEqual({
      since: null,
      activities: [{ type: 4, name: 'Custom Status', state: 'Reading' }],
      status: 'online',
      afk: false,
    })
    expect(presencePayload('online', null, 123)).toEqual({ since: 123, activities: [], status: 'idle', afk: true })
    expect(presencePayload('invisible', null, 123)).toEqual({ since: null, activities: [], status: 'invisible', afk: false })
    // A hidden tab is afk whatever the status (Web Push goes out), and changes nothing else.
    expect(presencePayload('dnd', null, null, true)).toEqual({ since: null, activities: [], status: 'dnd', afk: true })
    expect(customStatusOf([{ type: 0, name: 'Game' }, { type: 4, name: 'Custom Status', state: 'Hi' }])).toBe('Hi')
  })

  it('decides unread and mentions', () => {
    expect(channelIsUnread('100', null)).toBe(true)
    expect(channelIsUnread(null, null)).toBe(false)
    expect(channelIsUnread('99', '100')).toBe(false)
    expect(channelIsUnread('1000', '999')).toBe(true)
    expect(mentionsUser(message('1', '2', '3', { mentions: [{ id: '7' }] }), '7')).toBe(true)
    expect(mentionsUser(message('1', '2', '3', { mention_roles: ['9'] }), '7', ['8'])).toBe(false)
    expect(badgeText(120)).toBe('99+')
    expect(titleWithCount('Hearth', 3)).toBe('(3) Hearth')
    expect(titleWithCount('Hearth', 0)).toBe('Hearth')
  })
})
