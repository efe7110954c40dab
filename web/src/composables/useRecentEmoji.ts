// The emoji the user picked lately (reactions and the composer), newest first, kept in
// localStorage; the picker's "Frequently Used" row, filled with popular emoji until there are some.
import { ref } from 'vue'
import { emojiByCharacter, popularEmoji, type Emoji } from '@/models/emoji'

export const RECENT_EMOJI_KEY = 'hearth.emoji.recent'
export const RECENT_EMOJI_MAX = 27

function read(): string[] {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(RECENT_EMOJI_KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string').slice(0, RECENT_EMOJI_MAX) : []
  } catch {
    return []
  }
}

const recent = ref<string[]>(read())

export function useRecentEmoji() {
  function remember(emoji: string): void {
    recent.value = [emoji, ...recent.value.filter((item) => item !== emoji)].slice(0, RECENT_EMOJI_MAX)
    try {
      window.localStorage.setItem(RECENT_EMOJI_KEY, JSON.stringify(recent.value))
    } catch {
      // A full or refused storage only loses the history.
    }
  }

  /** Recent ones first, then popular ones, `count` in all. */
  function frequent(count: number): Emoji[] {
    const list: Emoji[] = []
    const seen = new Set<string>()
    for (const character of recent.value) {
      const entry = emojiByCharacter(character)
      if (entry && !seen.has(entry.emoji)) {
        list.push(entry)
        seen.add(entry.emoji)
      }
    }
    for (const entry of popularEmoji(count + list.length)) {
      if (list.length >= count) break
      if (!seen.has(entry.emoji)) {
        list.push(entry)
        seen.add(entry.emoji)
      }
    }
    return list.slice(0, count)
  }

  return { recent, remember, frequent }
}
