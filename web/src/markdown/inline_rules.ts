// markdown-it inline rules for Discord's additions: `||spoilers||`, mentions (`<@id>`, `<@!id>`,
// `<@&id>`, `<#id>`, `@everyone`, `@here`) and `:shortcode:` emoji.
import type { StateInline } from 'markdown-it'
import { emojiByShortcode } from '@/models/emoji'

type InlineRule = (state: StateInline, silent: boolean) => boolean

/** markdown-it sets this while parsing a link's text; the typings do not declare it. */
function insideLink(state: StateInline): boolean {
  return ((state as StateInline & { linkLevel?: number }).linkLevel ?? 0) > 0
}

/**
 * markdown-it's `text` rule with `|` added to the characters it stops at, so the spoiler rule
 * gets to see `||` in the middle of a word run.
 */
export const text: InlineRule = (state, silent) => {
  let pos = state.pos
  while (pos < state.posMax && !isTerminator(state.src.charCodeAt(pos))) pos++
  if (pos === state.pos) return false
  if (!silent) state.pending += state.src.slice(state.pos, pos)
  state.pos = pos
  return true
}

function isTerminator(ch: number): boolean {
  switch (ch) {
    case 0x0a: // \n
    case 0x21: // !
    case 0x23: // #
    case 0x24: // $
    case 0x25: // %
    case 0x26: // &
    case 0x2a: // *
    case 0x2b: // +
    case 0x2d: // -
    case 0x3a: // :
    case 0x3c: // <
    case 0x3d: // =
    case 0x3e: // >
    case 0x40: // @
    case 0x5b: // [
    case 0x5c: // \
    case 0x5d: // ]
    case 0x5e: // ^
    case 0x5f: // _
    case 0x60: // `
    case 0x7b: // {
    case 0x7c: // |
    case 0x7d: // }
    case 0x7e: // ~
      return true
    default:
      return false
  }
}

const PIPE = 0x7c

/** Pushes each `||` as a delimiter, as markdown-it's strikethrough does with `~~`. */
export const spoilerTokenize: InlineRule = (state, silent) => {
  if (silent || state.src.charCodeAt(state.pos) !== PIPE) return false
  const scanned = state.scanDelims(state.pos, true)
  let length = scanned.length
  if (length < 2) return false
  if (length % 2 === 1) {
    state.push('text', '', 0).content = '|'
    length--
  }
  for (let index = 0; index < length; index += 2) {
    state.push('text', '', 0).content = '||'
    // Discord hides `|| spaced ||` too, so a `||` may open and close whatever surrounds it.
    state.delimiters.push({ marker: PIPE, length: 0, token: state.tokens.length - 1, end: -1, open: true, close: true })
  }
  state.pos += scanned.length
  return true
}

function spoilerPairs(state: StateInline, delimiters: StateInline['delimiters']): void {
  const loneMarkers: number[] = []
  for (const opener of delimiters) {
    if (opener.marker !== PIPE || opener.end === -1) continue
    const closer = delimiters[opener.end]!
    const open = state.tokens[opener.token]!
    open.type = 'spoiler_open'
    open.tag = 'span'
    open.nesting = 1
    open.markup = '||'
    open.content = ''
    const close = state.tokens[closer.token]!
    close.type = 'spoiler_close'
    close.tag = 'span'
    close.nesting = -1
    close.markup = '||'
    close.content = ''
    const before = state.tokens[closer.token - 1]
    if (before?.type === 'text' && before.content === '|') loneMarkers.push(closer.token - 1)
  }
  // An odd run (`|||`) leaves one `|` before the pair; move it after the closing tags it precedes.
  while (loneMarkers.length > 0) {
    const lone = loneMarkers.pop()!
    let target = lone + 1
    while (target < state.tokens.length && state.tokens[target]!.type === 'spoiler_close') target++
    target--
    if (lone !== target) {
      const swap = state.tokens[target]!
      state.tokens[target] = state.tokens[lone]!
      state.tokens[lone] = swap
    }
  }
}

/** Turns matched `||` delimiters into spoiler_open / spoiler_close (ruler2, after balance_pairs). */
export function spoilerPostProcess(state: StateInline): boolean {
  spoilerPairs(state, state.delimiters)
  for (const meta of state.tokens_meta) {
    if (meta?.delimiters) spoilerPairs(state, meta.delimiters)
  }
  return false
}

export type MentionKind = 'user' | 'role' | 'channel'

const MENTION = /^<(@!?|@&|#)(\d{1,20})>/

/** `<@id>` and `<@!id>` (user), `<@&id>` (role), `<#id>` (channel); ids are digits only. */
export const mention: InlineRule = (state, silent) => {
  if (state.src.charCodeAt(state.pos) !== 0x3c || insideLink(state)) return false
  const match = MENTION.exec(state.src.slice(state.pos, Math.min(state.posMax, state.pos + 25)))
  if (!match) return false
  if (!silent) {
    const kind: MentionKind = match[1] === '@&' ? 'role' : match[1] === '#' ? 'channel' : 'user'
    const token = state.push('mention', '', 0)
    token.meta = { kind, id: match[2] }
    token.markup = match[0]
  }
  state.pos += match[0].length
  return true
}

const GLOBAL_MENTION = /^@(everyone|here)(?![\p{L}\p{N}_])/u

/** `@everyone` and `@here`, not inside a word (`me@here.com` stays text). */
export const globalMention: InlineRule = (state, silent) => {
  if (state.src.charCodeAt(state.pos) !== 0x40 || insideLink(state)) return false
  const before = state.pos > 0 ? state.src.slice(state.pos - 1, state.pos) : ''
  if (/[\p{L}\p{N}_.]/u.test(before)) return false
  const match = GLOBAL_MENTION.exec(state.src.slice(state.pos, Math.min(state.posMax, state.pos + 10)))
  if (!match) return false
  if (!silent) {
    const token = state.push('global_mention', '', 0)
    token.meta = { name: match[1] }
    token.markup = match[0]
  }
  state.pos += match[0].length
  return true
}

const SHORTCODE = /^:([a-z0-9_+-]{1,48}):/

/** `:name:` when the name is a known emoji; anything else stays text. */
export const shortcodeEmoji: InlineRule = (state, silent) => {
  if (state.src.charCodeAt(state.pos) !== 0x3a) return false
  const match = SHORTCODE.exec(state.src.slice(state.pos, Math.min(state.posMax, state.pos + 51)))
  if (!match) return false
  const emoji = emojiByShortcode(match[1]!)
  if (!emoji) return false
  if (!silent) {
    const token = state.push('emoji', '', 0)
    token.meta = { name: match[1], emoji: emoji.emoji }
    token.markup = match[0]
    token.content = emoji.emoji
  }
  state.pos += match[0].length
  return true
}
