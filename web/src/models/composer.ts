// The composer's keyboard, as Discord's: Enter sends, Shift+Enter breaks the line, Up on an empty
// box edits the user's last message, Escape leaves reply mode; while `:shortcode` suggestions show,
// the arrows move in them and Enter or Tab picks one. Pure, so it is tested without a DOM.

export type ComposerKeyAction =
  | 'send'
  | 'edit-last'
  | 'cancel-reply'
  | 'suggest-next'
  | 'suggest-previous'
  | 'suggest-pick'
  | 'suggest-close'
  | 'none'

export interface KeyLike {
  key: string
  shiftKey?: boolean
  ctrlKey?: boolean
  altKey?: boolean
  metaKey?: boolean
  /** An input method is composing (Japanese, Chinese...): Enter confirms the text, never sends. */
  isComposing?: boolean
}

export interface ComposerKeyState {
  content: string
  /** Emoji suggestions are showing. */
  suggesting: boolean
  replying: boolean
}

export function composerKeyAction(event: KeyLike, state: ComposerKeyState): ComposerKeyAction {
  if (event.isComposing) return 'none'
  const modified = event.ctrlKey || event.altKey || event.metaKey
  if (state.suggesting) {
    if (event.key === 'ArrowDown') return 'suggest-next'
    if (event.key === 'ArrowUp') return 'suggest-previous'
    if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey) return 'suggest-pick'
    if (event.key === 'Escape') return 'suggest-close'
  }
  if (event.key === 'Enter' && !event.shiftKey) return 'send'
  if (event.key === 'ArrowUp' && !event.shiftKey && !modified && state.content === '') return 'edit-last'
  if (event.key === 'Escape' && state.replying) return 'cancel-reply'
  return 'none'
}

export type EditorKeyAction = 'save' | 'cancel' | 'none'

/** The inline editor of a message: Enter saves, Escape cancels, Shift+Enter breaks the line. */
export function editorKeyAction(event: KeyLike): EditorKeyAction {
  if (event.isComposing) return 'none'
  if (event.key === 'Enter' && !event.shiftKey) return 'save'
  if (event.key === 'Escape') return 'cancel'
  return 'none'
}

export interface ShortcodeQuery {
  /** Where the `:` is in the text. */
  start: number
  /** What follows it, up to the caret. */
  query: string
}

/** Suggestions start after this many characters, as in Discord. */
export const SHORTCODE_MIN_LENGTH = 2

/**
 * The `:shortcode` being typed just before the caret (after a space, the start or punctuation
 * other than `:`), or null. `:jo` → {start, query: 'jo'}; `a:jo` (a time, a URL) → null.
 */
export function shortcodeQuery(text: string, caret: number): ShortcodeQuery | null {
  const before = text.slice(0, caret)
  const match = /(^|[\s([{"'])(:([a-z0-9_+-]*))$/i.exec(before)
  if (!match) return null
  const query = match[3] ?? ''
  if (query.length < SHORTCODE_MIN_LENGTH) return null
  return { start: caret - match[2]!.length, query }
}

/** Text with `insert` in place of [start, end), and where the caret goes after it. */
export function replaceRange(text: string, start: number, end: number, insert: string): { text: string; caret: number } {
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length }
}

/** The character count shows from here on (Discord shows it near the limit). */
export const COUNTER_FROM = 3800

// --- Markdown as typed ----------------------------------------------------------------------------

export type DraftKind = 'text' | 'marker' | 'strong' | 'underline' | 'strike' | 'spoiler' | 'code' | 'mention' | 'quote'

export interface DraftSegment {
  text: string
  kind: DraftKind
}

// One pass over the draft: each alternative is a construct whose markers are shown faint and
// whose inside is styled. Only styles that keep every character's width (colour, background,
// lines): the box lays its own transparent text over these segments, character for character.
const DRAFT_PATTERN = new RegExp(
  [
    '(?<fence>```[\\s\\S]*?```)',
    '(?<code>`[^`\\n]+`)',
    '(?<strong>\\*\\*(?=\\S)[\\s\\S]*?\\S\\*\\*)',
    '(?<underline>__(?=\\S)[\\s\\S]*?\\S__)',
    '(?<strike>~~(?=\\S)[\\s\\S]*?\\S~~)',
    '(?<spoiler>\\|\\|[\\s\\S]+?\\|\\|)',
    '(?<italic>\\*(?=[^\\s*])[^*\\n]*?[^\\s*]\\*|\\*[^\\s*]\\*)',
    '(?<mention><(?:@[!&]?|#)\\d+>|@everyone|@here)',
    '(?<quote>^>{1,3} )',
  ].join('|'),
  'gm',
)

const MARKER_WIDTH: Record<string, number> = { fence: 3, code: 1, strong: 2, underline: 2, strike: 2, spoiler: 2, italic: 1 }
const INNER_KIND: Record<string, DraftKind> = {
  fence: 'code',
  code: 'code',
  strong: 'strong',
  underline: 'underline',
  strike: 'strike',
  spoiler: 'spoiler',
  italic: 'text',
}

/**
 * The draft cut into styled segments for the composer's Markdown-as-you-type layer. Joined, the
 * segments are exactly the text.
 */
export function highlightDraft(text: string): DraftSegment[] {
  const segments: DraftSegment[] = []
  const push = (part: string, kind: DraftKind) => {
    if (part === '') return
    const last = segments.at(-1)
    if (last && last.kind === kind) last.text += part
    else segments.push({ text: part, kind })
  }
  let position = 0
  for (const match of text.matchAll(DRAFT_PATTERN)) {
    const start = match.index ?? 0
    push(text.slice(position, start), 'text')
    const [name] = Object.entries(match.groups ?? {}).find(([, value]) => value !== undefined) ?? ['text']
    const whole = match[0]
    if (name === 'mention' || name === 'quote') {
      push(whole, name === 'quote' ? 'quote' : 'mention')
    } else {
      const width = MARKER_WIDTH[name] ?? 0
      push(whole.slice(0, width), 'marker')
      push(whole.slice(width, whole.length - width), INNER_KIND[name] ?? 'text')
      push(whole.slice(whole.length - width), 'marker')
    }
    position = start + whole.length
  }
  push(text.slice(position), 'text')
  return segments
}
