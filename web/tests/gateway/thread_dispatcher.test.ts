import { describe, expect, it, vi } from 'vitest'
import type { GatewayFrame } from '@/gateway/protocol'
import { createThreadDispatcher, type ThreadDispatchTarget } from '@/gateway/thread_dispatcher'
import { thread } from '../support/thread_fixtures'

function setUp() {
  const threads: ThreadDispatchTarget = {
    applyReady: vi.fn(),
    applyActiveList: vi.fn(),
    applyListSync: vi.fn(),
    applyThread: vi.fn(),
    applyThreadDelete: vi.fn(),
    applyMemberUpdate: vi.fn(),
    applyMembersUpdate: vi.fn(),
    applyMessageCreate: vi.fn(),
    applyMessagesDeleted: vi.fn(),
    forgetGuild: vi.fn(),
    forgetParent: vi.fn(),
    loadActive: vi.fn(async () => undefined),
  }
  const dispatcher = createThreadDispatcher({ threads, currentUserId: () => '100' })
  const send = (t: string, d: unknown) => dispatcher.handle({ op: 0, s: 1, t, d } as GatewayFrame)
  return { threads, send }
}

describe('thread dispatcher', () => {
  it('takes READY’s threads per server, and asks for those of a server just joined', () => {
    const { threads, send } = setUp()
    send('READY', { guilds: [{ id: '900', threads: [thread('1')] }, { nope: true }] })
    expect(threads.applyReady).toHaveBeenCalledWith([{ id: '900', threads: [thread('1')] }])
    send('GUILD_CREATE', { id: '901', name: 'New' })
    expect(threads.loadActive).toHaveBeenCalledWith('901')
    send('GUILD_CREATE', { id: '902', name: 'Other', threads: [thread('2')] })
    expect(threads.applyActiveList).toHaveBeenCalledWith('902', [thread('2')])
  })

  it('applies THREAD_CREATE, THREAD_UPDATE and THREAD_DELETE, ignoring malformed ones', () => {
    const { threads, send } = setUp()
    send('THREAD_CREATE', { ...thread('5'), newly_created: true })
    send('THREAD_UPDATE', thread('5', { name: 'renamed' }))
    send('THREAD_UPDATE', { id: '5' })
    send('THREAD_DELETE', { id: '5', guild_id: '900', parent_id: '11', type: 11 })
    send('THREAD_DELETE', { guild_id: '900' })
    expect(threads.applyThread).toHaveBeenCalledTimes(2)
    expect(threads.applyThreadDelete).toHaveBeenCalledWith('5')
    expect(threads.applyThreadDelete).toHaveBeenCalledTimes(1)
  })

  it('passes member events and list syncs on', () => {
    const { threads, send } = setUp()
    send('THREAD_MEMBER_UPDATE', { id: '5', user_id: '100', join_timestamp: 'x', flags: 0, guild_id: '900' })
    expect(threads.applyMemberUpdate).toHaveBeenCalledWith(expect.objectContaining({ id: '5', user_id: '100' }))
    send('THREAD_MEMBERS_UPDATE', { id: '5', guild_id: '900', member_count: 1, removed_member_ids: ['100', 7] })
    expect(threads.applyMembersUpdate).toHaveBeenCalledWith({ id: '5', member_count: 1, added_members: [], removed_member_ids: ['100'] }, '100')
    send('THREAD_LIST_SYNC', { guild_id: '900', channel_ids: ['11'], threads: [thread('6')], members: [] })
    expect(threads.applyListSync).toHaveBeenCalledWith('900', [thread('6')], [], ['11'])
  })

  it('counts messages in server channels, and forgets what goes', () => {
    const { threads, send } = setUp()
    send('MESSAGE_CREATE', { id: '77', channel_id: '5', guild_id: '900', author: { id: '1' } })
    send('MESSAGE_CREATE', { id: '78', channel_id: '99', author: { id: '1' } })
    expect(threads.applyMessageCreate).toHaveBeenCalledTimes(1)
    expect(threads.applyMessageCreate).toHaveBeenCalledWith('5', '77')
    send('MESSAGE_DELETE_BULK', { ids: ['1', '2'], channel_id: '5', guild_id: '900' })
    expect(threads.applyMessagesDeleted).toHaveBeenCalledWith('5', 2)
    send('CHANNEL_DELETE', { id: '11', guild_id: '900' })
    expect(threads.forgetParent).toHaveBeenCalledWith('11')
    send('GUILD_DELETE', { id: '900', unavailable: true })
    expect(threads.forgetGuild).not.toHaveBeenCalled()
    send('GUILD_DELETE', { id: '900' })
    expect(threads.forgetGuild).toHaveBeenCalledWith('900')
  })
})
