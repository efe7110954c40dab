// The highlighter itself, in its own chunk: highlight.js and its grammars are loaded the first
// time a message shows a code block with a language (highlight.ts).
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

export type Highlighter = ReturnType<typeof createLowlight>

/** lowlight with a handful of common languages (and their aliases: js, py, sh, html, ...). */
export function createHighlighter(): Highlighter {
  const lowlight = createLowlight({ bash, cpp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml })
  lowlight.registerAlias({ cpp: ['c', 'h'], bash: ['shell'], xml: ['html', 'svg', 'vue'] })
  return lowlight
}
