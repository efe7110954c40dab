// Discord-flavoured Markdown for messages: a pure parser to a small tree (ast.ts), the link
// safety rules (url.ts), code highlighting (highlight.ts). Rendering is
// components/markdown/MarkdownContent.vue; docs/markdown.md describes the syntax and the rules.
export type { BlockNode, InlineNode, MentionKind, MessageTree } from './ast'
export { MAX_PARSED_LENGTH, parseMessage, toInline } from './parser'
export { isJumboEmoji, MAX_JUMBO_EMOJI } from './jumbo'
export { highlightCode, highlighterLoaded, loadHighlighter, type HighlightNode } from './highlight'
export { isSafeHref, linkHost, safeHref, type LinkSource } from './url'
export { isTrustedLink, openExternal, trustHost, TRUSTED_DOMAINS_KEY } from './external_links'
