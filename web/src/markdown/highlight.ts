// Syntax highlighting for code blocks through lowlight (highlight.js producing a tree, never an
// HTML string). Only a handful of common languages are registered, to keep the bundle small.
import bash from 'highlight.js/lib/languages/bash'
import cpp from 'highlight.js/lib/languages/cpp'
import css from 'highlight.js/lib/languages/css'
import diff from 'highlight.js/lib/languages/diff'
import go from 'highlight.js/lib/languages/go'
import java from 'highlight.js/lib/languages/java'
import javascript from 'highlight.js/lib/languages/javascript'
import json from 'highlight.js/lib/languages/json'
import python from 'highlight.js/lib/languages/python'
import rust from 'highlight.js/lib/languages/rust'
import sql from 'highlight.js/lib/languages/sql'
import typescript from 'highlight.js/lib/languages/typescript'
import xml from 'highlight.js/lib/languages/xml'
import yaml from 'highlight.js/lib/languages/yaml'
import { createLowlight } from 'lowlight'

/** A highlighted run: text, or a span with highlight.js classes (`hljs-keyword`) around runs. */
export type HighlightNode = { type: 'text'; value: string } | { type: 'span'; classes: string[]; children: HighlightNode[] }

/** Longer code is shown plain: highlighting it would stall the message list. */
export const MAX_HIGHLIGHTED_LENGTH = 20_000

let lowlight: ReturnType<typeof createLowlight> | null = null

function highlighter(): ReturnType<typeof createLowlight> {
  if (lowlight === null) {
    lowlight = createLowlight({ bash, cpp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml })
    lowlight.registerAlias({ cpp: ['c', 'h'], bash: ['shell'], xml: ['html', 'svg', 'vue'] })
  }
  return lowlight
}

/** Whether a code block's language word is one we highlight (names and aliases: `js`, `py`, `sh`). */
export function isHighlighted(language: string): boolean {
  return highlighter().registered(language.toLowerCase())
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

/** The code as highlighted runs, or null when the language is unknown (show it plain). */
export function highlightCode(code: string, language: string | null): HighlightNode[] | null {
  if (language === null || code.length > MAX_HIGHLIGHTED_LENGTH) return null
  const name = language.toLowerCase()
  const instance = highlighter()
  if (!instance.registered(name)) return null
  try {
    return convert(instance.highlight(name, code).children as HastChild[])
  } catch {
    return null
  }
}
