// Writes src/models/emoji_data.json, the shortcode table of src/models/emoji.ts, from the
// emojibase-data package (a dev dependency): every fully-qualified Unicode emoji except the
// skin-tone and hair components, in Unicode's order, with Discord-style shortcodes.
//
//   node scripts/generate_emoji_data.mjs
//
// Discord's names come from EmojiOne, today JoyPixels (`joy`, `thumbsup`, `slight_smile`), so
// those come first; Slack's (iamcal) names are added as aliases where they are still free.
// The output is committed, so neither the build nor the tests need this script.
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const data = require('emojibase-data/en/data.json')
const joypixels = require('emojibase-data/en/shortcodes/joypixels.json')
const iamcal = require('emojibase-data/en/shortcodes/iamcal.json')
const { version } = JSON.parse(readFileSync(require.resolve('emojibase-data/package.json'), 'utf8'))

// Discord's picker categories; emojibase's "smileys & emotion" and "people & body" are one.
const CATEGORIES = [
  { key: 'people', label: 'People' },
  { key: 'nature', label: 'Nature' },
  { key: 'food', label: 'Food & Drink' },
  { key: 'activities', label: 'Activities' },
  { key: 'travel', label: 'Travel & Places' },
  { key: 'objects', label: 'Objects' },
  { key: 'symbols', label: 'Symbols' },
  { key: 'flags', label: 'Flags' },
]
// emojibase group number -> index into CATEGORIES (group 2 is the components: skipped).
const GROUP_TO_CATEGORY = { 0: 0, 1: 0, 3: 1, 4: 2, 5: 4, 6: 3, 7: 5, 8: 6, 9: 7 }

const SHORTCODE = /^[a-z0-9_+-]+$/

function names(table, hexcode) {
  const value = table[hexcode]
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value]).filter((name) => SHORTCODE.test(name))
}

/** The emoji as Discord sends it: the code points, plus U+FE0F when the base is text-styled by default. */
function character(entry) {
  const codePoints = entry.hexcode.split('-').map((hex) => Number.parseInt(hex, 16))
  const text = String.fromCodePoint(...codePoints)
  return codePoints.length === 1 && entry.type === 0 ? `${text}\uFE0F` : text
}

const entries = data
  .filter((entry) => entry.group !== undefined && GROUP_TO_CATEGORY[entry.group] !== undefined)
  .sort((a, b) => a.order - b.order)

const taken = new Set()
const rows = entries.map((entry) => ({ entry, names: [] }))
// Two passes so a JoyPixels name always wins over a Slack alias of another emoji.
for (const table of [joypixels, iamcal]) {
  for (const row of rows) {
    for (const name of names(table, row.entry.hexcode)) {
      if (taken.has(name)) continue
      taken.add(name)
      row.names.push(name)
    }
  }
}

const emoji = rows
  .filter((row) => row.names.length > 0)
  .map((row) => [character(row.entry), row.names.join(' '), GROUP_TO_CATEGORY[row.entry.group], row.entry.label])

const out = {
  source: `emojibase-data ${version}; shortcodes from its joypixels and iamcal tables`,
  categories: CATEGORIES,
  emoji,
}
const target = fileURLToPath(new URL('../src/models/emoji_data.json', import.meta.url))
// One emoji per line keeps diffs of a data update readable.
const body = [
  '{',
  `  "source": ${JSON.stringify(out.source)},`,
  `  "categories": ${JSON.stringify(out.categories)},`,
  '  "emoji": [',
  emoji.map((row) => `    ${JSON.stringify(row)}`).join(',\n'),
  '  ]',
  '}',
  '',
].join('\n')
writeFileSync(target, body)
console.log(`wrote ${emoji.length} emoji to ${target}`)
