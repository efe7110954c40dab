import { describe, expect, it, vi } from 'vitest'
import { createMessageDispatcher, type MessageDispatchTarget, type TypingDispatchTarget } from '@/gateway/message_dispatcher'
import type { GatewayFrame } from '@/gateway/protocol'
import { message } from '../support/message_fixtures'

function setUp() {
  const messages: MessageDispatchTarget = {
    applyCreate: vi.fn(),
    applyUpdate: vi.fn(),
    applyDelete: vi.fn(),
    applyDeleteBulk: vi.fn(),
    applyReaction: vi.fn(),
    applyReactionsCleared: vi.fn(),
    applyPinsChanged: vi.fn(),
    forgetChannel: vi.fn(),
    resync: vi.fn(),
  }
  const typing: TypingDispatchTarget = { applyTypingStart: vi.fn(), stop: vi.fn() }
  const dispatcher = createMessageDispatcher({ messages, typing, currentUserId: () => '100' })
  const send = (t: string, d: unknown) => dispatcher.handle({ op: 0, s: 1, t, d } as GatewayFrame)
  return { messages, typing, send }
}

describe('message dispatcher', () => {
  it('adds a new message without its member, and ends its author’s typing', () => {
    const { messages, typing, send } = setUp()
    send('MESSAGE_CREATE', { ...message(1), nonce: 'n1', member: { nick: 'Mo' } })
    expect(typing.stop).toHaveBeenCalledWith('11', '301')
    const created = vi.mocked(messages.applyCreate).mock.calls[0]![0]
    expect(created).toMatchObject({ id: '1001', nonce: 'n1' })
    expect(created).not.toHaveProperty('member')
  })

  it('routes edits, deletes, reactions, pins and typing', () => {
    const { messages, typing, send } = setUp()
    send('MESSAGE_UPDATE', { id: '1001', channel_id: '11', content: 'edited' })
    send('MESSAGE_DELETE', { id: '1001', channel_id: '11', guild_id: '900' })
    send('MESSAGE_DELETE_BULK', { ids: ['1002', 7, '1003'], channel_id: '11' })
    send('MESSAGE_REACTION_ADD', { user_id: '301', channel_id: '11', message_id: '1001', emoji: { id: null, name: '👍' } })
    send('MESSAGE_REACTION_REMOVE', { user_id: '301', channel_id: '11', message_id: '1001', emoji: { id: null, name: '👍' } })
    send('MESSAGE_REACTION_REMOVE_EMOJI', { channel_id: '11', message_id: '1001', emoji: { id: null, name: '👍' } })
    send('MESSAGE_REACTION_REMOVE_ALL', { channel_id: '11', message_id: '1001' })
    send('CHANNEL_PINS_UPDATE', { channel_id: '11', last_pin_timestamp: null })
    send('TYPING_START', { channel_id: '11', user_id: '301', timestamp: 1 })
    send('CHANNEL_DELETE', { id: '11', guild_id: '900', type: 0 })
    send('READY', { user: { id: '100' } })
    expect(messages.applyUpdate).toHaveBeenCalledWith({ id: '1001', channel_id: '11', content: 'edited' })
    expect(messages.applyDelete).toHaveBeenCalledWith('11', '1001')
    expect(messages.applyDeleteBulk).toHaveBeenCalledWith('11', ['1002', '1003'])
    expect(messages.applyReaction).toHaveBeenNthCalledWith(1, '11', '1001', { id: null, name: '👍' }, '301', true)
    expect(messages.applyReaction).toHaveBeenNthCalledWith(2, '11', '1001', { id: null, name: '👍' }, '301', false)
    expect(messages.applyReactionsCleared).toHaveBeenNthCalledWith(1, '11', '1001', { id: null, name: '👍' })
    expect(messages.applyReactionsCleared).toHaveBeenNthCalledWith(2, '11', '1001', undefined)
    expect(messages.applyPinsChanged).toHaveBeenCalledWith('11')
    expect(typing.applyTypingStart).toHaveBeenCalledWith({ channel_id: '11', user_id: '301', timestamp: 1 }, '100')
    expect(messages.forgetChannel).toHaveBeenCalledWith('11')
    expect(messages.resync).toHaveBeenCalledOnce()
  })

  it('ignores malformed events', () => {
    const { messages, typing, send } = setUp()
    send('MESSAGE_CREATE', { id: '1', channel_id: '11' })
    send('MESSAGE_CREATE', null)
    send('MESSAGE_CREATE', [1, 2])
    send('MESSAGE_DELETE', { id: 5, channel_id: '11' })
    send('MESSAGE_REACTION_ADD', { user_id: '1', channel_id: '11', message_id: '1', emoji: { name: '' } })
    send('MESSAGE_REACTION_REMOVE_EMOJI', { channel_id: '11', message_id: '1', emoji: 'x' })
    send('TYPING_START', { channel_id: '11' })
    expect(messages.applyCreate).not.toHaveBeenCalled()
    expect(messages.applyDelete).not.toHaveBeenCalled()
    expect(messages.applyReaction).not.toHaveBeenCalled()
    expect(messages.applyReactionsCleared).not.toHaveBeenCalled()
    expect(typing.applyTypingStart).not.toHaveBeenCalled()
  })
})
