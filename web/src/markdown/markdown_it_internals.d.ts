// markdown-it's own link rule, which parser.ts wraps; @types/markdown-it does not declare it.
declare module 'markdown-it/lib/rules_inline/link.mjs' {
  import type { StateInline } from 'markdown-it'
  export default function link(state: StateInline, silent: boolean): boolean
}
