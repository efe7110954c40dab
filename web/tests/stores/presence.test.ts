import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IDLE_AFTER_MS, type PresencePayload } from '@/models/presence'
import { PRESENCE_STORAGE_KEY, usePresenceStore } from '@/stores/presence'
import { signInAda } from '../components/account_dialogs_support'
import { BOB, CAROL } from '../support/social_fixtures'

beforeEach(() => {
  localStorage.clear()
  vi.useFakeTimers()
  vi.setSystemTime(new Date('2026-03-01T12:00:00Z'))
  signInAda()
})

afterEach(() => {
  vi.useRealTimers()
})

function connectedStore() {
  const store = usePresenceStore()
  const sent: PresencePayload[] = []
  store.attachSender((payload) => {
    sent.push(payload)
    return true
  })
  return { store, sent }
}

describe('presence store', () => {
  it('knows who is online from READY and PRESENCE_UPDATE; offline users are dropped', () => {
    const { store } = connectedStore()
    store.applyReady([
      { user: { id: BOB.id }, status: 'online', activities: [{ type: 4, name: 'Custom Status', state: 'Reading' }] },
      { user: { id: CAROL.id }, status: 'offline', activities: [] },
      { user: {}, status: 'online' },
    ])
    expect(store.statusOf(BOB.id)).toBe('online')
    expect(store.customStatusOf(BOB.id)).toBe('Reading')
    expect(store.statusOf(CAROL.id)).toBe('offline')
    store.applyUpdate({ user: { id: BOB.id }, status: 'dnd', activities: [] })
    expect(store.statusOf(BOB.id)).toBe('dnd')
    expect(store.customStatusOf(BOB.id)).toBeNull()
    store.applyUpdate({ user: { id: BOB.id }, status: 'offline' })
    expect(store.isOnline(BOB.id)).toBe(false)
    expect(store.presences).toEqual({})
    store.applyUpdate({ user: { id: BOB.id }, status: 'asleep' })
    expect(store.presences).toEqual({})
  })

  it('sends the chosen status after READY only, and each change after that', () => {
    const { store, sent } = connectedStore()
    store.setStatus('dnd')
    expect(sent).toEqual([])
    store.onReady()
    expect(sent).toEqual([{ since: null, activities: [], status: 'dnd', afk: false }])
    store.setCustomStatus('  In a meeting  ')
    expect(sent.at(-1)).toEqual({
      since: null,
      activities: [{ type: 4, name: 'Custom Status', state: 'In a meeting' }],
      status: 'dnd',
      afk: false,
    })
    store.setCustomStatus('')
    expect(sent.at(-1)?.activities).toEqual([])
    store.onDisconnected()
    store.setStatus('online')
    expect(sent).toHaveLength(3)
  })

  it('remembers the choice in localStorage for the next visit', () => {
    const { store } = connectedStore()
    store.setStatus('invisible')
    store.setCustomStatus('Away for lunch')
    expect(JSON.parse(localStorage.getItem(PRESENCE_STORAGE_KEY)!)).toEqual({ status: 'invisible', customStatus: 'Away for lunch' })
    signInAda()
    const next = usePresenceStore()
    expect(next.chosenStatus).toBe('invisible')
    expect(next.customStatus).toBe('Away for lunch')
    // Invisible looks offline on the user's own avatar too.
    expect(next.ownStatus).toBe('offline')
    expect(next.statusOf('100')).toBe('offline')
  })

  it('reads a damaged stored value as online', () => {
    localStorage.setItem(PRESENCE_STORAGE_KEY, '{"status":"sleeping"')
    signInAda()
    expect(usePresenceStore().chosenStatus).toBe('online')
  })

  it('turns idle after ten minutes without input, and back to online on input', () => {
    const { store, sent } = connectedStore()
    store.onReady()
    store.startIdleTracking()
    const started = Date.now()
    vi.advanceTimersByTime(IDLE_AFTER_MS - 1000)
    expect(store.effectiveStatus).toBe('online')
    // Input five minutes in moves the deadline.
    store.noteActivity()
    const lastInput = Date.now()
    vi.advanceTimersByTime(IDLE_AFTER_MS - 1)
    expect(store.effectiveStatus).toBe('online')
    vi.advanceTimersByTime(1)
    expect(store.effectiveStatus).toBe('idle')
    expect(store.ownStatus).toBe('idle')
    expect(sent.at(-1)).toEqual({ since: lastInput, activities: [], status: 'idle', afk: true })
    expect(lastInput).toBeGreaterThan(started)
    store.noteActivity()
    expect(store.effectiveStatus).toBe('online')
    expect(sent.at(-1)).toEqual({ since: null, activities: [], status: 'online', afk: false })
    // And the clock starts again.
    vi.advanceTimersByTime(IDLE_AFTER_MS)
    expect(store.effectiveStatus).toBe('idle')
    store.stopIdleTracking()
  })

  it('reports afk while the tab is hidden, keeping the status, and afk false when shown again', () => {
    const { store, sent } = connectedStore()
    store.onReady()
    store.startIdleTracking()
    const visibility = vi.spyOn(document, 'visibilityState', 'get')
    visibility.mockReturnValue('hidden')
    document.dispatchEvent(new Event('visibilitychange'))
    expect(sent.at(-1)).toEqual({ since: null, activities: [], status: 'online', afk: true })
    expect(store.effectiveStatus).toBe('online')
    const count = sent.length
    document.dispatchEvent(new Event('visibilitychange')) // no change: nothing sent
    expect(sent.length).toBe(count)
    visibility.mockReturnValue('visible')
    document.dispatchEvent(new Event('visibilitychange'))
    expect(sent.at(-1)).toEqual({ since: null, activities: [], status: 'online', afk: false })
    store.stopIdleTracking()
    visibility.mockReturnValue('hidden')
    document.dispatchEvent(new Event('visibilitychange')) // no longer tracked
    expect(sent.at(-1)?.afk).toBe(false)
    visibility.mockRestore()
  })

  it('leaves Do Not Disturb alone when the user is away, sending nothing', () => {
    const { store, sent } = connectedStore()
    store.setStatus('dnd')
    store.onReady()
    store.startIdleTracking()
    vi.advanceTimersByTime(IDLE_AFTER_MS * 2)
    expect(store.effectiveStatus).toBe('dnd')
    store.noteActivity()
    expect(sent).toHaveLength(1)
    store.stopIdleTracking()
  })
})
