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
