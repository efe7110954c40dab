// markdown-it block rules for Discord's flavour, replacing CommonMark's heading, blockquote and
// fence rules (and adding `-#` subtext). Each follows markdown-it's block rule contract: look
// at `startLine`, answer `true` in silent mode when it would match, otherwise push tokens and
// move `state.line` past what it consumed.
import type { StateBlock } from 'markdown-it'

type BlockRule = (state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean

interface HearthEnv {
  quoteDepth?: number
}

function lineStart(state: StateBlock, line: number): number {
  return (state.bMarks[line] ?? 0) + (state.tShift[line] ?? 0)
}

function lineEnd(state: StateBlock, line: number): number {
  return state.eMarks[line] ?? 0
}

/** True when the line starts a block at its container's indent (up to 3 spaces, as CommonMark). */
function atLineStart(state: StateBlock, line: number): boolean {
  const indent = (state.sCount[line] ?? 0) - state.blkIndent
  return indent >= 0 && indent < 4
}

function pushInlineBlock(
  state: StateBlock,
  line: number,
  open: string,
  close: string,
  tag: string,
  markup: string,
  content: string,
): void {
  const opening = state.push(open, tag, 1)
  opening.markup = markup
  opening.map = [line, line + 1]
  const inline = state.push('inline', '', 0)
  inline.content = content
  inline.map = [line, line + 1]
  inline.children = []
  const closing = state.push(close, tag, -1)
  closing.markup = markup
}

/** `# `, `## `, `### ` then text, on one line; `####` and `#text` stay text. */
export const heading: BlockRule = (state, startLine, _endLine, silent) => {
  if (!atLineStart(state, startLine)) return false
  const start = lineStart(state, startLine)
  const text = state.src.slice(start, lineEnd(state, startLine))
  const match = /^(#{1,3}) +(\S.*)$/.exec(text)
  if (!match) return false
  if (silent) return true
  const level = match[1]!.length
  pushInlineBlock(state, startLine, 'heading_open', 'heading_close', `h${level}`, match[1]!, match[2]!.trim())
  state.line = startLine + 1
  return true
}

/** `-# ` then text: Discord's small, muted subtext line. */
export const subtext: BlockRule = (state, startLine, _endLine, silent) => {
  if (!atLineStart(state, startLine)) return false
  const start = lineStart(state, startLine)
  const text = state.src.slice(start, lineEnd(state, startLine))
  const match = /^-# +(\S.*)$/.exec(text)
  if (!match) return false
  if (silent) return true
  pushInlineBlock(state, startLine, 'subtext_open', 'subtext_close', 'small', '-#', match[1]!.trim())
  state.line = startLine + 1
  return true
}

/**
 * `> text` (the space is required) quotes that one line (consecutive such lines make one quote, with no lazy
 * continuation: the next line without `> ` is outside); `>>> text` quotes everything to the end
 * of the message (or of the list item it is in). Quotes do not nest: inside one, `>` is text.
 */
export const quote: BlockRule = (state, startLine, endLine, silent) => {
  const env = state.env as HearthEnv
  if ((env.quoteDepth ?? 0) > 0) return false
  if (!atLineStart(state, startLine)) return false
  const src = state.src
  const start = lineStart(state, startLine)
  const end = lineEnd(state, startLine)
  if (src.charCodeAt(start) !== 0x3e /* > */) return false

  // Discord needs a space after the marker: `>text` and a lone `>` are text.
  const isMarkerEnd = (pos: number, max: number) => pos < max && src.charCodeAt(pos) === 0x20
  const multiline = src.startsWith('>>>', start) && isMarkerEnd(start + 3, end)
  if (!multiline && !isMarkerEnd(start + 1, end)) return false
  if (silent) return true

  // The lines in the quote, and where each one's content starts.
  const contentStarts: number[] = []
  let nextLine = startLine
  if (multiline) {
    contentStarts.push(Math.min(start + 4, end))
    for (nextLine = startLine + 1; nextLine < endLine; nextLine++) {
      // Inside a list item, a line indented less than the item ends it (and the quote).
      if (!state.isEmpty(nextLine) && (state.sCount[nextLine] ?? 0) < state.blkIndent) break
      contentStarts.push(state.bMarks[nextLine] ?? 0)
    }
  } else {
    for (; nextLine < endLine; nextLine++) {
      if (nextLine !== startLine && !atLineStart(state, nextLine)) break
      const pos = lineStart(state, nextLine)
      const max = lineEnd(state, nextLine)
      if (src.charCodeAt(pos) !== 0x3e || !isMarkerEnd(pos + 1, max)) break
      // A `>>>` line starts a quote of its own.
      if (nextLine !== startLine && src.startsWith('>>>', pos) && isMarkerEnd(pos + 3, max)) break
      contentStarts.push(Math.min(pos + 2, max))
    }
  }

  const saved = contentStarts.map((_, index) => {
    const line = startLine + index
    return {
      bMark: state.bMarks[line]!,
      tShift: state.tShift[line]!,
      sCount: state.sCount[line]!,
      bsCount: state.bsCount[line]!,
    }
  })
  contentStarts.forEach((contentStart, index) => {
    const line = startLine + index
    const max = lineEnd(state, line)
    let pos = contentStart
    while (pos < max && (src.charCodeAt(pos) === 0x20 || src.charCodeAt(pos) === 0x09)) pos++
    state.bMarks[line] = contentStart
    state.tShift[line] = pos - contentStart
    state.sCount[line] = pos - contentStart
    state.bsCount[line] = 0
  })

  const oldParentType = state.parentType
  const oldIndent = state.blkIndent
  const oldLineMax = state.lineMax
  state.parentType = 'blockquote'
  state.blkIndent = 0
  state.lineMax = nextLine
  env.quoteDepth = (env.quoteDepth ?? 0) + 1

  const opening = state.push('blockquote_open', 'blockquote', 1)
  opening.markup = multiline ? '>>>' : '>'
  opening.map = [startLine, nextLine]
  state.md.block.tokenize(state, startLine, nextLine)
  const closing = state.push('blockquote_close', 'blockquote', -1)
  closing.markup = opening.markup

  env.quoteDepth -= 1
  state.lineMax = oldLineMax
  state.blkIndent = oldIndent
  state.parentType = oldParentType
  saved.forEach((line, index) => {
    state.bMarks[startLine + index] = line.bMark
    state.tShift[startLine + index] = line.tShift
    state.sCount[startLine + index] = line.sCount
    state.bsCount[startLine + index] = line.bsCount
  })
  state.line = nextLine
  return true
}

const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/

/**
 * Fenced code as Discord reads it: ``` at the start of a line, an optional language word, and
 * the code up to the next ``` wherever it is (```` ```js\ncode``` ```` and ```` ```code``` ```` on
 * one line are both blocks). Text after the closing fence on its line becomes a paragraph. An
 * unclosed fence is not a block (the backticks stay text).
 */
export const fence: BlockRule = (state, startLine, endLine, silent) => {
  if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4) return false
  const src = state.src
  const start = lineStart(state, startLine)
  if (!src.startsWith('```', start)) return false

  // Collect the text after the opening fence, line by line, until a closing fence. A line
  // indented less than the fence's container (a list item) ends the search.
  const indent = Math.min(state.blkIndent, state.sCount[startLine] ?? 0)
  const firstRest = src.slice(start + 3, lineEnd(state, startLine))
  const parts: string[] = []
  let closeLine = -1
  let afterClose = ''
  const sameLine = firstRest.indexOf('```')
  if (sameLine >= 0) {
    parts.push(firstRest.slice(0, sameLine))
    closeLine = startLine
    afterClose = firstRest.slice(sameLine + 3)
  } else {
    parts.push(firstRest)
    for (let line = startLine + 1; line < endLine; line++) {
      if (!state.isEmpty(line) && (state.sCount[line] ?? 0) < indent) break
      const text = state.getLines(line, line + 1, indent, false)
      const at = text.indexOf('```')
      if (at >= 0) {
        parts.push(text.slice(0, at))
        closeLine = line
        afterClose = text.slice(at + 3)
        break
      }
      parts.push(text)
    }
  }
  if (closeLine < 0) return false

  let language = ''
  let code: string
  if (closeLine !== startLine && LANGUAGE.test(parts[0]!.trim())) {
    language = parts[0]!.trim()
    code = parts.slice(1).join('\n')
  } else if (closeLine !== startLine && parts[0]!.trim() === '') {
    code = parts.slice(1).join('\n')
  } else {
    code = parts.join('\n')
  }
  if (code.endsWith('\n')) code = code.slice(0, -1)
  if (code.trim() === '') {
    // ```word``` and ```word\n``` hold only what looks like a language: Discord shows it as code.
    if (language === '') return false
    code = language
    language = ''
  }
  if (silent) return true

  const token = state.push('fence', 'code', 0)
  token.info = language
  token.content = code
  token.markup = '```'
  token.map = [startLine, closeLine + 1]
  const rest = afterClose.trim()
  if (rest !== '') {
    const opening = state.push('paragraph_open', 'p', 1)
    opening.map = [closeLine, closeLine + 1]
    const inline = state.push('inline', '', 0)
    inline.content = rest
    inline.map = [closeLine, closeLine + 1]
    inline.children = []
    state.push('paragraph_close', 'p', -1)
  }
  state.line = closeLine + 1
  return true
}

/**
 * markdown-it's paragraph without lazy continuation: Discord ends a list item's text at the
 * first line indented less than the item (`- item\nnext` is a list, then a line of text).
 */
export const paragraph: BlockRule = (state, startLine, endLine) => {
  const terminatorRules = state.md.block.ruler.getRules('paragraph')
  const oldParentType = state.parentType
  state.parentType = 'paragraph'
  let nextLine = startLine + 1
  for (; nextLine < endLine && !state.isEmpty(nextLine); nextLine++) {
    const indent = (state.sCount[nextLine] ?? 0) - state.blkIndent
    if (indent < 0) break
    // Indented code does not exist here, but an indented line still cannot start a block.
    if (indent > 3) continue
    if (terminatorRules.some((rule) => rule(state, nextLine, endLine, true))) break
  }
  const content = state.getLines(startLine, nextLine, state.blkIndent, false).replace(/^[ \t\n]+|[ \t\n]+$/g, '')
  state.line = nextLine
  const opening = state.push('paragraph_open', 'p', 1)
  opening.map = [startLine, nextLine]
  const inline = state.push('inline', '', 0)
  inline.content = content
  inline.map = [startLine, nextLine]
  inline.children = []
  state.push('paragraph_close', 'p', -1)
  state.parentType = oldParentType
  return true
}
