// Unicode emoji by Discord-style shortcode (`:joy:`, `:thumbsup:`), for the Markdown renderer,
// the composer's `:` autocomplete and the reaction picker. The table (emoji_data.json) is
// generated from emojibase-data by scripts/generate_emoji_data.mjs; see that script.
import data from './emoji_data.json'

export type EmojiCategoryKey = 'people' | 'nature' | 'food' | 'activities' | 'travel' | 'objects' | 'symbols' | 'flags'

export interface Emoji {
  /** The emoji itself, as Discord sends it in reactions (`👍`, `❤️` with its U+FE0F). */
  readonly emoji: string
  /** Shortcodes without colons, the preferred one first (`['thumbsup', '+1', …]`). */
  readonly names: readonly string[]
  readonly category: EmojiCategoryKey
  /** Unicode's name, for screen readers ("thumbs up"). */
  readonly label: string
}

export interface EmojiCategory {
  readonly key: EmojiCategoryKey
  readonly label: string
  /** In Unicode's order, the picker's order. */
  readonly emoji: readonly Emoji[]
}

/**
 * The reactions and shortcodes people use most (public usage rankings), best first. They
 * fill a picker's "frequently used" row until the user has history, and rank first in search.
 */
const POPULAR_NAMES = [
  'joy', 'heart', 'sob', 'skull', 'thumbsup', 'fire', 'pray', 'rofl', 'pleading_face', 'sparkles',
  'heart_eyes', 'eyes', 'smile', 'weary', '100', 'tada', 'ok_hand', 'clap', 'thinking', 'sweat_smile',
  'blush', 'wink', 'grinning', 'kissing_heart', 'cry', 'rolling_eyes', 'upside_down', 'slight_smile', 'smirk', 'sunglasses',
  'raised_hands', 'wave', 'muscle', 'white_check_mark', 'x', 'star', 'purple_heart', 'blue_heart', 'broken_heart', 'thumbsdown',
  'person_facepalming', 'person_shrugging', 'flushed', 'pensive', 'unamused', 'rage', 'scream', 'partying_face', 'star_struck', 'hugging',
  'nerd', 'clown', 'moyai', 'poop', 'point_right', 'v', 'relieved', 'neutral_face', 'yum', 'laughing',
] as const

type Row = readonly [string, string, number, string]

const categoryInfo = data.categories as readonly { key: EmojiCategoryKey; label: string }[]
const all: readonly Emoji[] = (data.emoji as unknown as readonly Row[]).map(([emoji, names, category, label]) => ({
  emoji,
  names: names.split(' '),
  category: categoryInfo[category]?.key ?? 'symbols',
  label,
}))

const byShortcode = new Map<string, Emoji>()
const byCharacter = new Map<string, Emoji>()
for (const entry of all) {
  for (const name of entry.names) byShortcode.set(name, entry)
  byCharacter.set(entry.emoji, entry)
  // Reactions may arrive without the presentation selector (`❤` for `❤️`).
  if (entry.emoji.includes('\uFE0F')) byCharacter.set(entry.emoji.replaceAll('\uFE0F', ''), entry)
}

const popularRank = new Map<Emoji, number>()
POPULAR_NAMES.forEach((name, index) => {
  const entry = byShortcode.get(name)
  if (entry && !popularRank.has(entry)) popularRank.set(entry, index)
})

let categories: readonly EmojiCategory[] | null = null

/** The emoji a shortcode names (without colons, exact case, as Discord): `emojiByShortcode('joy')`. */
export function emojiByShortcode(name: string): Emoji | null {
  return byShortcode.get(name) ?? null
}

/** The table's entry for an emoji character (a reaction's `emoji.name`), with or without U+FE0F. */
export function emojiByCharacter(emoji: string): Emoji | null {
  return byCharacter.get(emoji) ?? byCharacter.get(emoji.replaceAll('\uFE0F', '')) ?? null
}

/** Every emoji, grouped in the picker's categories and order. */
export function emojiCategories(): readonly EmojiCategory[] {
  if (categories === null) {
    categories = categoryInfo.map((info) => ({ ...info, emoji: all.filter((entry) => entry.category === info.key) }))
  }
  return categories
}

/** The most used emoji, most used first: a picker's default "frequently used" row. */
export function popularEmoji(limit: number = POPULAR_NAMES.length): Emoji[] {
  return [...popularRank.keys()].slice(0, Math.max(0, limit))
}

/**
 * Emoji whose shortcode matches `query` (colons, case and surrounding spaces ignored), for
 * autocomplete: a whole name first, then names starting with it, then names with a word
 * (after `_`) starting with it, then names containing it; popular emoji first within each.
 * An empty query gives nothing.
 */
export function searchEmoji(query: string, limit = 10): Emoji[] {
  const needle = query.trim().toLowerCase().replace(/^:+|:+$/g, '')
  if (needle === '' || limit <= 0) return []
  const scored: { entry: Emoji; tier: number; index: number }[] = []
  all.forEach((entry, index) => {
    let tier = 4
    for (const name of entry.names) {
      if (name === needle) tier = Math.min(tier, 0)
      else if (name.startsWith(needle)) tier = Math.min(tier, 1)
      else if (name.includes(`_${needle}`)) tier = Math.min(tier, 2)
      else if (name.includes(needle)) tier = Math.min(tier, 3)
    }
    if (tier < 4) scored.push({ entry, tier, index })
  })
  const rank = (entry: Emoji) => popularRank.get(entry) ?? Number.MAX_SAFE_INTEGER
  scored.sort((a, b) => a.tier - b.tier || rank(a.entry) - rank(b.entry) || a.index - b.index)
  return scored.slice(0, limit).map((item) => item.entry)
}
