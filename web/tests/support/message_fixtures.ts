// Messages to test against, and a stand-in for a channel's history route that pages the way
// hearthd does (docs/messages.md): newest first, before / after / around, limit.
import type { Message } from '@/models/message'
import { compareIds } from '@/models/guild'
import { ADA } from './fake_api'
import { jsonResponse, type SentRequest } from './fake_api'

export const CHANNEL_ID = '11'
/** 2026-01-05T10:00:00Z. */
export const T0 = Date.UTC(2026, 0, 5, 10, 0, 0)

export const USERS = {
  ada: { id: ADA.id, username: 'ada', global_name: 'Ada Lovelace', avatar: null },
  mo: { id: '301', username: 'mo', global_name: 'Mo', avatar: null },
  hal: { id: '302', username: 'hal', global_name: 'Hal', avatar: null },
} as const

/** Message `id` (a number, so order is by it) by `author`, `minutes` after T0. */
export function message(id: number, author: keyof typeof USERS = 'mo', minutes = id, extra: Partial<Message> = {}): Message {
  return {
    id: String(1000 + id),
    type: 0,
    channel_id: CHANNEL_ID,
    guild_id: '900',
    author: { ...USERS[author] },
    content: `message ${id}`,
    timestamp: new Date(T0 + minutes * 60_000).toISOString(),
    edited_timestamp: null,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    pinned: false,
    reactions: [],
    ...extra,
  }
}

/** Messages 1..count, one a minute, alternating nobody (all by Mo). */
export function history(count: number): Message[] {
  return Array.from({ length: count }, (_, index) => message(index + 1))
}

/** Answers GET /channels/{id}/messages from `all` (any order) as the server pages it. */
export function historyRoute(all: readonly Message[]) {
  const sorted = [...all].sort((a, b) => compareIds(a.id, b.id))
  return (request: SentRequest) => {
    const limit = Number(request.query.limit ?? 50)
    let page: Message[]
    if (request.query.before) {
      const older = sorted.filter((item) => compareIds(item.id, request.query.before!) < 0)
      page = older.slice(-limit)
    } else if (request.query.after) {
      page = sorted.filter((item) => compareIds(item.id, request.query.after!) > 0).slice(0, limit)
    } else if (request.query.around) {
      const target = request.query.around
      const newer = sorted.filter((item) => compareIds(item.id, target) > 0).slice(0, Math.floor(limit / 2))
      const rest = sorted.filter((item) => compareIds(item.id, target) <= 0).slice(-(limit - newer.length))
      page = [...rest, ...newer]
    } else {
      page = sorted.slice(-limit)
    }
    return jsonResponse(200, [...page].reverse())
  }
}
