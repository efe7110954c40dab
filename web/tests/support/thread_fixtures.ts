// Threads to test against (docs/threads.md shapes): in Book Club's #general (guild_fixtures).
import type { Thread } from '@/models/thread'
import { GUILD_ID } from './guild_fixtures'
import { ADA } from './fake_api'

/** 2026-01-05T10:00:00Z, as message_fixtures' T0. */
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0)

/** A public thread `id` in channel 11 started by Ada, active, with `extra` on top. */
export function thread(id: string, extra: Partial<Thread> = {}, metadata: Partial<Thread['thread_metadata']> = {}): Thread {
  return {
    id,
    type: 11,
    guild_id: GUILD_ID,
    parent_id: '11',
    owner_id: ADA.id,
    name: `thread ${id}`,
    last_message_id: null,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    flags: 0,
    thread_metadata: {
      archived: false,
      auto_archive_duration: 1440,
      archive_timestamp: new Date(T0).toISOString(),
      locked: false,
      create_timestamp: new Date(T0).toISOString(),
      ...metadata,
    },
    ...extra,
  }
}

/** A time during T0's day, so no fixture thread has auto-archived. */
export const NOW = T0 + 60 * 60_000
