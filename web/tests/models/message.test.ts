import { describe, expect, it } from 'vitest'
import {
  addReaction,
  buildRows,
  contentLength,
  formatMessageTime,
  GROUP_WINDOW_MS,
  indexOfId,
  isMentioned,
  makeNonce,
  mergeMessages,
  previewText,
  removeReaction,
  snowflakeAt,
  snowflakeTime,
  toChatMessage,
  type ChatMessage,
  type ChatRow,
} from '@/models/message'
import { ADA } from '../support/fake_api'
import { T0, message } from '../support/message_fixtures'

function chat(...args: Parameters<typeof message>): ChatMessage {
  return toChatMessage(message(...args))
}

/** Rows as short strings: "day", "new", "H 1" (a group's first), "· 2" (grouped). */
function shape(rows: readonly ChatRow[]): string[] {
  return rows.map((row) => {
    if (row.kind === 'divider') return 'day'
    if (row.kind === 'unread') return 'new'
    return `${row.head ? 'H' : '·'} ${Number(row.message.id) - 1000}`
  })
}

describe('snowflakes', () => {
  it('round-trips a time through a snowflake and orders nonces by time', () => {
    const id = snowflakeAt(T0, 7)
    expect(snowflakeTime(id)).toBe(T0)
    expect(BigInt(id) & 0xfffn).toBe(7n)
    // Discord's documented example: 175928847299117063 was made 2016-04-30T11:18:25.796Z.
    expect(new Date(snowflakeTime('175928847299117063')).toISOString()).toBe('2016-04-30T11:18:25.796Z')
    const first = makeNonce(T0)
    const second = makeNonce(T0 + 1)
    expect(BigInt(second) > BigInt(first)).toBe(true)
    expect(first.length).toBeLessThanOrEqual(25)
  })
})

describe('merging pages', () => {
  it('keeps one message per id in id order, the newer copy winning and the key kept', () => {
    const held = [chat(1), { ...chat(3), key: 'nonce-3' }, chat(5)]
    const merged = mergeMessages(held, [message(4), { ...message(3), content: 'edited' }, message(2), message(10)])
    expect(merged.map((item) => item.id)).toEqual(['1001', '1002', '1003', '1004', '1005', '1010'])
    expect(merged[2]).toMatchObject({ content: 'edited', key: 'nonce-3', state: 'sent' })
    // Ids of different lengths compare as numbers.
    expect(mergeMessages([], [{ ...message(1), id: '99' }, { ...message(1), id: '100' }]).map((item) => item.id)).toEqual(['99', '100'])
    expect(indexOfId(merged, '1004')).toBe(3)
    expect(indexOfId(merged, '1006')).toBe(-1)
  })
})

describe('reactions', () => {
  const thumbs = { id: null, name: '👍' }

  it('adds and removes, counting the user once however often the same change arrives', () => {
    let list = addReaction([], thumbs, true)
    list = addReaction(list, thumbs, true)
    expect(list).toEqual([{ count: 1, me: true, emoji: thumbs }])
    list = addReaction(list, thumbs, false)
    expect(list).toEqual([{ count: 2, me: true, emoji: thumbs }])
    list = removeReaction(list, thumbs, true)
    list = removeReaction(list, thumbs, true)
    expect(list).toEqual([{ count: 1, me: false, emoji: thumbs }])
    expect(removeReaction(list, thumbs, false)).toEqual([])
    expect(removeReaction(list, { id: null, name: '🔥' }, false)).toEqual(list)
  })
})

describe('mentions', () => {
  it('are direct, by role, or @everyone; never one’s own message', () => {
    const direct = { ...message(1), mentions: [{ ...message(1).author, id: ADA.id }] }
    expect(isMentioned(direct, ADA.id)).toBe(true)
    expect(isMentioned({ ...message(1), mention_roles: ['201'] }, ADA.id, ['201'])).toBe(true)
    expect(isMentioned({ ...message(1), mention_roles: ['201'] }, ADA.id, ['202'])).toBe(false)
    expect(isMentioned({ ...message(1), mention_everyone: true }, ADA.id)).toBe(true)
    expect(isMentioned({ ...message(1, 'ada'), mention_everyone: true }, ADA.id)).toBe(false)
    expect(isMentioned(message(1), null)).toBe(false)
  })
})

describe('rows', () => {
  it('groups one author’s messages within 7 minutes, and starts a new group otherwise', () => {
    const minutes = GROUP_WINDOW_MS / 60_000
    const rows = buildRows([
      chat(1, 'mo', 0),
      chat(2, 'mo', 1),
      chat(3, 'mo', 1 + minutes),
      chat(4, 'mo', 2 + 2 * minutes),
      chat(5, 'hal', 2 + 2 * minutes),
      chat(6, 'mo', 3 + 2 * minutes),
    ])
    expect(shape(rows)).toEqual(['day', 'H 1', '· 2', '· 3', 'H 4', 'H 5', 'H 6'])
  })

  it('starts a group at a reply, a new day and the NEW line', () => {
    const reply = toChatMessage({ ...message(3, 'mo', 3), type: 19, message_reference: { message_id: '1001' } })
    const nextDay = chat(5, 'mo', 24 * 60)
    const rows = buildRows([chat(1, 'mo', 1), chat(2, 'mo', 2), reply, chat(4, 'mo', 4), nextDay, chat(6, 'mo', 24 * 60 + 1), chat(7, 'mo', 24 * 60 + 2)], {
      lastReadId: '1006',
      myId: ADA.id,
    })
    expect(shape(rows)).toEqual(['day', 'H 1', '· 2', 'H 3', '· 4', 'day', 'H 5', '· 6', 'new', 'H 7'])
  })

  it('puts NEW before the first unread message of someone else, not before the user’s own or unsent ones', () => {
    const sending: ChatMessage = { ...chat(9, 'mo', 9), state: 'sending' }
    const rows = buildRows([chat(1, 'mo', 1), chat(2, 'ada', 2), chat(3, 'mo', 3), sending], { lastReadId: '1001', myId: ADA.id })
    expect(shape(rows)).toEqual(['day', 'H 1', 'H 2', 'new', 'H 3', '· 9'])
    expect(shape(buildRows([chat(1), chat(2)], { lastReadId: '1002' }))).toEqual(['day', 'H 1', '· 2'])
    expect(shape(buildRows([chat(1), chat(2)], { lastReadId: null }))).toEqual(['day', 'H 1', '· 2'])
  })

  it('keys rows by the message key, so an optimistic row keeps its place when confirmed', () => {
    const rows = buildRows([{ ...chat(1), key: 'n-1' }])
    expect(rows.map((row) => row.key)).toEqual([expect.stringMatching(/^day-/), 'n-1'])
  })
})

describe('text helpers', () => {
  it('formats times as Discord does beside a name', () => {
    const now = new Date(2026, 0, 5, 18, 0).getTime()
    expect(formatMessageTime(new Date(2026, 0, 5, 9, 41).toISOString(), now)).toBe('Today at 9:41 AM')
    expect(formatMessageTime(new Date(2026, 0, 4, 21, 5).toISOString(), now)).toBe('Yesterday at 9:05 PM')
    expect(formatMessageTime(new Date(2025, 11, 24, 9, 41).toISOString(), now)).toBe('12/24/2025 9:41 AM')
  })

  it('counts code points and folds previews to one line', () => {
    expect(contentLength('👍👍')).toBe(2)
    expect(previewText('a\n\n  b ')).toBe('a b')
    expect(previewText('x'.repeat(10), 5)).toBe('xxxx…')
  })
})
