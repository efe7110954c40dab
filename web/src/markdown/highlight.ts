// Syntax highlighting for code blocks through lowlight (highlight.js producing a tree, never an
// HTML string). The highlighter is a separate chunk (highlighter.ts), loaded on first need:
// until then, and for languages it does not know, code is shown plain.
import type { Highlighter } from './highlighter'

/** A highlighted run: text, or a span with highlight.js classes (`hljs-keyword`) around runs. */
export type HighlightNode = { type: 'text'; value: string } | { type: 'span'; classes: string[]; children: HighlightNode[] }

/** Longer code is shown plain: highlighting it would stall the message list. */
export const MAX_HIGHLIGHTED_LENGTH = 20_000

let highlighter: Highlighter | null = null
let loading: Promise<void> | null = null

/** Loads the highlighter once; resolves when highlightCode() can highlight. */
export function loadHighlighter(): Promise<void> {
  loading ??= import('./highlighter').then((module) => {
    highlighter = module.createHighlighter()
  })
  return loading
}

export function highlighterLoaded(): boolean {
  return highlighter !== null
}

// lowlight's hast, reduced to what we read from it.
interface HastText {
  type: 'text'
  value: string
}
interface HastElement {
  type: 'element'
  properties?: { className?: unknown }
  children: HastChild[]
}
type HastChild = HastText | HastElement | { type: string }

const CLASS_NAME = /^[A-Za-z][\w-]{0,40}$/

function convert(children: readonly HastChild[]): HighlightNode[] {
  const out: HighlightNode[] = []
  for (const child of children) {
    if (child.type === 'text') {
      out.push({ type: 'text', value: (child as HastText).value })
    } else if (child.type === 'element') {
      const element = child as HastElement
      const raw = element.properties?.className
      const classes = Array.isArray(raw) ? raw.filter((name): name is string => typeof name === 'string' && CLASS_NAME.test(name)) : []
      out.push({ type: 'span', classes, children: convert(element.children) })
    }
  }
  return out
}

/**
 * The code as highlighted runs, or null to show it plain: no language, a language the
 * highlighter does not know, code past MAX_HIGHLIGHTED_LENGTH, or the highlighter not loaded yet.
 */
export function highlightCode(code: string, language: string | null): HighlightNode[] | null {
  if (language === null || highlighter === null || code.length > MAX_HIGHLIGHTED_LENGTH) return null
  const name = language.toLowerCase()
  if (!highlighter.registered(name)) return null
  try {
    return convert(highlighter.highlight(name, code).children as HastChild[])
  } catch {
    return null
  }
}
