import { describe, expect, it } from 'vitest'
import { snowflakeAt } from '@/models/message'
import { ALL_PERMISSIONS, hasPermission, Permission } from '@/models/permissions'
import {
  isArchived,
  messageCountLabel,
  suggestedThreadName,
  threadNameError,
  threadPermissions,
  ThreadType,
} from '@/models/thread'
import { NOW, thread } from '../support/thread_fixtures'

const { VIEW_CHANNEL, SEND_MESSAGES, SEND_MESSAGES_IN_THREADS, MANAGE_THREADS, ADD_REACTIONS, READ_MESSAGE_HISTORY } = Permission
const MEMBER = VIEW_CHANNEL | SEND_MESSAGES | SEND_MESSAGES_IN_THREADS | ADD_REACTIONS | READ_MESSAGE_HISTORY

describe('threadPermissions', () => {
  it('sends with SEND_MESSAGES_IN_THREADS, not SEND_MESSAGES', () => {
    const bits = threadPermissions(VIEW_CHANNEL | SEND_MESSAGES_IN_THREADS, thread('1'), false)
    expect(hasPermission(bits, SEND_MESSAGES)).toBe(true)
    const without = threadPermissions(VIEW_CHANNEL | SEND_MESSAGES | ADD_REACTIONS, thread('1'), true)
    expect(hasPermission(without, SEND_MESSAGES)).toBe(false)
    expect(hasPermission(without, ADD_REACTIONS)).toBe(true)
  })

  it('is nothing without VIEW_CHANNEL in the parent', () => {
    expect(threadPermissions(MEMBER & ~VIEW_CHANNEL, thread('1'), true)).toBe(0n)
  })

  it('lets only members and MANAGE_THREADS holders into a private thread', () => {
    const secret = thread('1', { type: ThreadType.Private })
    expect(threadPermissions(MEMBER, secret, false)).toBe(0n)
    expect(hasPermission(threadPermissions(MEMBER, secret, true), SEND_MESSAGES)).toBe(true)
    expect(hasPermission(threadPermissions(MEMBER | MANAGE_THREADS, secret, false), VIEW_CHANNEL)).toBe(true)
  })

  it('keeps a locked thread for MANAGE_THREADS holders', () => {
    const locked = thread('1', {}, { locked: true })
    expect(hasPermission(threadPermissions(MEMBER, locked, true), SEND_MESSAGES)).toBe(false)
    expect(hasPermission(threadPermissions(MEMBER, locked, true), READ_MESSAGE_HISTORY)).toBe(true)
    expect(hasPermission(threadPermissions(MEMBER | MANAGE_THREADS, locked, true), SEND_MESSAGES)).toBe(true)
    expect(hasPermission(threadPermissions(ALL_PERMISSIONS, locked, false), SEND_MESSAGES)).toBe(true)
  })
})

describe('isArchived', () => {
  it('is archived when someone archived it', () => {
    expect(isArchived(thread('1', {}, { archived: true }), NOW)).toBe(true)
    expect(isArchived(thread('1'), NOW)).toBe(false)
  })

  it('is archived when nothing was sent for its auto-archive duration', () => {
    const hour = thread(snowflakeAt(NOW - 3 * 3600_000), {}, { auto_archive_duration: 60, archive_timestamp: new Date(NOW - 3 * 3600_000).toISOString(), create_timestamp: undefined })
    expect(isArchived(hour, NOW)).toBe(true)
    // A message 10 minutes ago keeps it open.
    expect(isArchived({ ...hour, last_message_id: snowflakeAt(NOW - 10 * 60_000) }, NOW)).toBe(false)
    // Unarchived a moment ago (the archive timestamp moves): open again.
    expect(isArchived({ ...hour, thread_metadata: { ...hour.thread_metadata, archive_timestamp: new Date(NOW - 60_000).toISOString() } }, NOW)).toBe(false)
  })
})

describe('the create form', () => {
  it('checks the name as the server does', () => {
    expect(threadNameError('   ')).toBe('A thread needs a name.')
    expect(threadNameError('a\nb')).toBe('A thread name is one line.')
    expect(threadNameError('x'.repeat(101))).toMatch(/at most 100/)
    expect(threadNameError(' Trip plans ')).toBeNull()
  })

  it('suggests the start of the message as the name', () => {
    expect(suggestedThreadName('Where do we\n go?')).toBe('Where do we go?')
    expect(suggestedThreadName('a'.repeat(60))).toBe(`${'a'.repeat(40)}…`)
  })

  it('counts messages in words', () => {
    expect(messageCountLabel(1)).toBe('1 Message')
    expect(messageCountLabel(0)).toBe('0 Messages')
    expect(messageCountLabel(-3)).toBe('0 Messages')
  })
})
