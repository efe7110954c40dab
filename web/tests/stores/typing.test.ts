import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { TYPING_SHOW_MS, typingText, useTypingStore } from '@/stores/typing'

beforeEach(() => {
  setActivePinia(createPinia())
  vi.useFakeTimers()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('typing store', () => {
  it('shows a typer for 10 s after their last event, never the user themselves', () => {
    const store = useTypingStore()
    store.applyTypingStart({ channel_id: '11', user_id: '301', member: { nick: 'Mo', user: { id: '301', username: 'mo' } } }, '100')
    store.applyTypingStart({ channel_id: '11', user_id: '100' }, '100')
    expect(store.typersOf('11').map((typer) => [typer.userId, typer.nick])).toEqual([['301', 'Mo']])
    vi.advanceTimersByTime(TYPING_SHOW_MS - 1000)
    // Still typing: the 10 s start again.
    store.applyTypingStart({ channel_id: '11', user_id: '301' }, '100')
    vi.advanceTimersByTime(TYPING_SHOW_MS - 1000)
    expect(store.typersOf('11')).toHaveLength(1)
    vi.advanceTimersByTime(1000)
    expect(store.typersOf('11')).toEqual([])
  })

  it('stops showing a typer whose message arrived', () => {
    const store = useTypingStore()
    store.applyTypingStart({ channel_id: '11', user_id: '301' }, '100')
    store.applyTypingStart({ channel_id: '11', user_id: '302' }, '100')
    store.stop('11', '301')
    expect(store.typersOf('11').map((typer) => typer.userId)).toEqual(['302'])
    store.reset()
    expect(store.typersOf('11')).toEqual([])
  })

  it('words the line as Discord does', () => {
    expect(typingText([])).toBe('')
    expect(typingText(['Ada'])).toBe('Ada is typing…')
    expect(typingText(['Ada', 'Bob'])).toBe('Ada and Bob are typing…')
    expect(typingText(['Ada', 'Bob', 'Cy'])).toBe('Ada, Bob and Cy are typing…')
    expect(typingText(['Ada', 'Bob', 'Cy', 'Di'])).toBe('Several people are typing…')
  })
})
