import { describe, expect, it } from 'vitest'
import { emojiByCharacter, emojiByShortcode, emojiCategories, popularEmoji, searchEmoji } from '@/models/emoji'

describe('emojiByShortcode', () => {
  it.each([
    ['joy', '😂'],
    ['thumbsup', '👍'],
    ['+1', '👍'],
    ['-1', '👎'],
    ['heart', '❤️'],
    ['slight_smile', '🙂'],
    ['slightly_smiling_face', '🙂'],
    ['fire', '🔥'],
    ['100', '💯'],
    ['flag_us', '🇺🇸'],
    ['rainbow_flag', '🏳️‍🌈'],
    ['hash', '#️⃣'],
  ])(':%s: is %s', (name, emoji) => {
    expect(emojiByShortcode(name)?.emoji).toBe(emoji)
  })

  it('knows nothing else, and is exact about case', () => {
    expect(emojiByShortcode('not_an_emoji')).toBeNull()
    expect(emojiByShortcode('JOY')).toBeNull()
    expect(emojiByShortcode('')).toBeNull()
  })

  it('gives the preferred name first, a category and a label', () => {
    expect(emojiByShortcode('+1')).toMatchObject({ names: ['thumbsup', '+1', 'thumbup', 'thumbs_up'], category: 'people', label: 'thumbs up' })
  })
})

describe('emojiByCharacter', () => {
  it('finds reactions with or without the presentation selector', () => {
    expect(emojiByCharacter('👍')?.names[0]).toBe('thumbsup')
    expect(emojiByCharacter('❤️')?.names[0]).toBe('heart')
    expect(emojiByCharacter('❤')?.names[0]).toBe('heart')
    expect(emojiByCharacter('x')).toBeNull()
  })
})

describe('emojiCategories', () => {
  it("has Discord's eight categories in its order, covering the whole table without the skin-tone parts", () => {
    const categories = emojiCategories()
    expect(categories.map((category) => category.key)).toEqual(['people', 'nature', 'food', 'activities', 'travel', 'objects', 'symbols', 'flags'])
    const all = categories.flatMap((category) => category.emoji)
    expect(all.length).toBeGreaterThan(1800)
    expect(categories[0]!.emoji[0]!.emoji).toBe('😀')
    expect(all.some((entry) => /\p{Emoji_Modifier}/u.test(entry.emoji) && [...entry.emoji].length === 1)).toBe(false)
    expect(new Set(all.map((entry) => entry.emoji)).size).toBe(all.length)
    const names = all.flatMap((entry) => entry.names)
    expect(new Set(names).size).toBe(names.length)
    expect(names.every((name) => /^[a-z0-9_+-]+$/.test(name))).toBe(true)
  })
})

describe('popularEmoji', () => {
  it('lists the most used first, every one of them in the table', () => {
    const popular = popularEmoji()
    expect(popular.length).toBeGreaterThanOrEqual(60)
    expect(popular.slice(0, 3).map((entry) => entry.emoji)).toEqual(['😂', '❤️', '😭'])
    expect(popularEmoji(5)).toHaveLength(5)
  })
})

describe('searchEmoji', () => {
  it('ranks an exact name, then names starting with the query, then words, then anything containing it', () => {
    expect(searchEmoji('joy', 3).map((entry) => entry.names[0])).toEqual(['joy', 'joy_cat', 'joystick'])
    const heart = searchEmoji('heart', 5).map((entry) => entry.names[0])
    expect(heart[0]).toBe('heart')
    expect(heart.slice(1)).toContain('heart_eyes')
    expect(searchEmoji('smiling', 50).every((entry) => entry.names.some((name) => name.includes('smiling')))).toBe(true)
  })

  it('ignores colons, case and spaces, and honours the limit', () => {
    expect(searchEmoji(' :THUMBSUP: ', 1).map((entry) => entry.emoji)).toEqual(['👍'])
    expect(searchEmoji('a', 7)).toHaveLength(7)
    expect(searchEmoji('', 10)).toEqual([])
    expect(searchEmoji('zzzzqqq', 10)).toEqual([])
    expect(searchEmoji('joy', 0)).toEqual([])
  })

  it('puts popular emoji first among equally good matches', () => {
    // Both start with "s": sob and skull are among the most used.
    const first = searchEmoji('s', 4).map((entry) => entry.names[0])
    expect(first.slice(0, 4)).toEqual(['sob', 'skull', 'sparkles', 'smile'])
  })
})
