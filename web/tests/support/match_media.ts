// jsdom has no matchMedia; this one answers from a set of matching queries
// and lets a test change them and fire 'change'.
import { vi } from 'vitest'

export function installMatchMedia(matching: string[] = []) {
  const active = new Set(matching)
  const lists = new Map<string, { listeners: Set<(event: MediaQueryListEvent) => void> }>()

  const matchMedia = vi.fn((query: string) => {
    const entry = lists.get(query) ?? { listeners: new Set() }
    lists.set(query, entry)
    return {
      get matches() {
        return active.has(query)
      },
      media: query,
      onchange: null,
      addEventListener: (_type: string, listener: (event: MediaQueryListEvent) => void) => entry.listeners.add(listener),
      removeEventListener: (_type: string, listener: (event: MediaQueryListEvent) => void) =>
        entry.listeners.delete(listener),
      addListener: () => {},
      removeListener: () => {},
      dispatchEvent: () => false,
    } as unknown as MediaQueryList
  })
  vi.stubGlobal('matchMedia', matchMedia)

  return {
    set(query: string, matches: boolean) {
      if (matches) active.add(query)
      else active.delete(query)
      for (const listener of lists.get(query)?.listeners ?? []) {
        listener({ matches, media: query } as MediaQueryListEvent)
      }
    },
  }
}
