// markdown-it set up for Discord's flavour of Markdown, and the conversion of its token stream
// to the small tree in ast.ts. No HTML is ever produced here: markdown-it's renderer is unused.
import MarkdownIt from 'markdown-it'
import type { Token } from 'markdown-it'
import linkRule from 'markdown-it/lib/rules_inline/link.mjs'
import type { BlockNode, InlineContainer, InlineNode, MentionKind, MessageTree } from './ast'
import { fence, heading, paragraph, quote, subtext } from './block_rules'
import { globalMention, mention, shortcodeEmoji, spoilerPostProcess, spoilerTokenize, text } from './inline_rules'
import { safeHref, type LinkSource } from './url'

/** Discord's own limit is 2000 (4000 with Nitro); past this the rest is shown unparsed. */
export const MAX_PARSED_LENGTH = 8000

/** Inline formatting nested deeper than this keeps its text but loses the formatting. */
export const MAX_INLINE_DEPTH = 16

// Set while markdown-it parses `[text](url)`, so validateLink knows mailto is not allowed there.
// Parsing is synchronous, so a module variable is enough.
let maskedLinkDepth = 0

function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt('default', {
    html: false,
    breaks: true,
    linkify: true,
    typographer: false,
  })
  // Recursion limit for nested lists and emphasis (the typings do not declare the option).
  Object.assign(md.options, { maxNesting: 20 })

  // Not Discord: tables, images, raw HTML, indented code, rules, reference links, setext headings,
  // HTML entities (`&amp;` stays as typed).
  md.disable(['table', 'code', 'hr', 'reference', 'html_block', 'lheading', 'image', 'html_inline', 'entity'])

  md.block.ruler.at('heading', heading, { alt: ['paragraph', 'list'] })
  md.block.ruler.at('blockquote', quote, { alt: ['paragraph', 'list'] })
  md.block.ruler.at('fence', fence, { alt: ['paragraph', 'list'] })
  md.block.ruler.before('list', 'subtext', subtext, { alt: ['paragraph', 'list'] })
  md.block.ruler.at('paragraph', paragraph)

  md.inline.ruler.at('text', text)
  md.inline.ruler.before('strikethrough', 'spoiler', spoilerTokenize)
  md.inline.ruler2.before('strikethrough', 'spoiler', spoilerPostProcess)
  md.inline.ruler.before('autolink', 'mention', mention)
  md.inline.ruler.before('autolink', 'global_mention', globalMention)
  md.inline.ruler.after('linkify', 'emoji', shortcodeEmoji)

  md.inline.ruler.at('link', (state, silent) => {
    maskedLinkDepth++
    try {
      return linkRule(state, silent)
    } finally {
      maskedLinkDepth--
    }
  })
  md.validateLink = (url: string) => safeHref(url, maskedLinkDepth > 0 ? 'masked' : 'auto') !== null

  // Bare links: only typed schemes (no `example.com`, no `//host`, no ftp, no bare e-mail).
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false })
  md.linkify.add('ftp:', null)
  md.linkify.add('//', null)
  return md
}

let markdown: MarkdownIt | null = null

function parser(): MarkdownIt {
  markdown ??= createMarkdown()
  return markdown
}

// --- tokens to tree -------------------------------------------------------------------------

function pushText(into: InlineNode[], value: string): void {
  if (value === '') return
  const last = into[into.length - 1]
  if (last?.type === 'text') last.value += value
  else into.push({ type: 'text', value })
}

function inlineTree(tokens: readonly Token[]): InlineNode[] {
  const root: InlineNode[] = []
  // The open containers, innermost last, each with the token type that closes it.
  const stack: { node: InlineContainer | null; children: InlineNode[]; close: string }[] = [
    { node: null, children: root, close: '' },
  ]
  const top = () => stack[stack.length - 1]!
  const open = (node: InlineContainer, close: string) => {
    // Past the depth limit (`*****…x…*****` nests a thousand deep) the formatting is dropped
    // and its text kept, so rendering never recurses without bound.
    if (stack.length > MAX_INLINE_DEPTH) {
      stack.push({ node: null, children: top().children, close })
      return
    }
    top().children.push(node)
    stack.push({ node, children: node.children, close })
  }
  const insideLink = () => stack.some((entry) => entry.node?.type === 'link')

  for (const token of tokens) {
    switch (token.type) {
      case 'text':
        pushText(top().children, token.content)
        break
      case 'softbreak':
      case 'hardbreak':
        top().children.push({ type: 'br' })
        break
      case 'code_inline':
        top().children.push({ type: 'code', value: token.content })
        break
      case 'em_open':
        open({ type: 'italic', children: [] }, 'em_close')
        break
      case 'strong_open':
        open({ type: token.markup === '__' ? 'underline' : 'bold', children: [] }, 'strong_close')
        break
      case 's_open':
        open({ type: 'strike', children: [] }, 's_close')
        break
      case 'spoiler_open':
        open({ type: 'spoiler', children: [] }, 'spoiler_close')
        break
      case 'link_open': {
        const masked = token.markup !== 'autolink' && token.markup !== 'linkify'
        const source: LinkSource = masked ? 'masked' : 'auto'
        const href = safeHref(token.attrGet('href') ?? '', source)
        // A link inside a link (an autolink in masked text), or one that fails the check here
        // (validateLink already refused it, so this cannot happen): keep only its text.
        if (href === null || insideLink()) {
          stack.push({ node: null, children: top().children, close: 'link_close' })
        } else {
          open({ type: 'link', href, masked, suppressEmbed: token.markup === 'autolink', children: [] }, 'link_close')
        }
        break
      }
      case 'mention': {
        const meta = token.meta as { kind: MentionKind; id: string }
        if (insideLink()) pushText(top().children, token.markup)
        else top().children.push({ type: 'mention', kind: meta.kind, id: meta.id })
        break
      }
      case 'global_mention': {
        const meta = token.meta as { name: 'everyone' | 'here' }
        top().children.push({ type: meta.name })
        break
      }
      case 'emoji': {
        const meta = token.meta as { name: string; emoji: string }
        top().children.push({ type: 'emoji', name: meta.name, emoji: meta.emoji })
        break
      }
      default:
        if (token.nesting === -1) {
          if (stack.length > 1 && top().close === token.type) stack.pop()
        } else if (token.content) {
          // Anything else (there is nothing else with these rules) shows as the text it was.
          pushText(top().children, token.content)
        }
    }
  }
  return root
}

interface Built {
  node: BlockNode
  map: [number, number] | null
}

/** Converts block tokens from `start` up to the token closing the container (or the end). */
function blockTree(tokens: readonly Token[], start: number, closeType: string | null): { nodes: BlockNode[]; next: number } {
  const built: Built[] = []
  let index = start
  while (index < tokens.length) {
    const token = tokens[index]!
    if (closeType !== null && token.type === closeType) break
    const map = (token.map as [number, number] | null) ?? null
    switch (token.type) {
      case 'paragraph_open':
      case 'heading_open':
      case 'subtext_open': {
        const inline = tokens[index + 1]
        const children = inline?.type === 'inline' ? inlineTree(inline.children ?? []) : []
        if (token.type === 'paragraph_open') built.push({ node: { type: 'paragraph', children }, map })
        else if (token.type === 'subtext_open') built.push({ node: { type: 'subtext', children }, map })
        else built.push({ node: { type: 'heading', level: Math.min(3, token.markup.length) as 1 | 2 | 3, children }, map })
        index += 3
        break
      }
      case 'blockquote_open': {
        const inner = blockTree(tokens, index + 1, 'blockquote_close')
        built.push({ node: { type: 'quote', children: inner.nodes }, map })
        index = inner.next + 1
        break
      }
      case 'bullet_list_open':
      case 'ordered_list_open': {
        const ordered = token.type === 'ordered_list_open'
        const closeList = ordered ? 'ordered_list_close' : 'bullet_list_close'
        const startAttr = Number.parseInt(token.attrGet('start') ?? '1', 10)
        const items: BlockNode[][] = []
        index++
        while (index < tokens.length && tokens[index]!.type !== closeList) {
          if (tokens[index]!.type === 'list_item_open') {
            const item = blockTree(tokens, index + 1, 'list_item_close')
            items.push(item.nodes)
            index = item.next + 1
          } else {
            index++
          }
        }
        const startNumber = Number.isSafeInteger(startAttr) ? Math.min(Math.max(startAttr, 0), 999_999_999) : 1
        built.push({ node: { type: 'list', ordered, start: ordered ? startNumber : 1, items }, map })
        index++
        break
      }
      case 'fence':
        built.push({ node: { type: 'codeBlock', language: token.info.trim() || null, code: token.content }, map })
        index++
        break
      default:
        index++
    }
  }

  // Discord keeps blank lines: put back the empty source lines between consecutive blocks.
  const nodes: BlockNode[] = []
  built.forEach((entry, position) => {
    const previous = position > 0 ? built[position - 1]! : null
    if (previous?.map && entry.map) {
      const blank = Math.min(entry.map[0] - previous.map[1], 50)
      for (let count = 0; count < blank; count++) nodes.push({ type: 'blankLine' })
    }
    nodes.push(entry.node)
  })
  return { nodes, next: index }
}

/**
 * Parses a message's content (Discord's Markdown) into a tree. Pure: the same content always
 * gives the same tree. Content past MAX_PARSED_LENGTH is appended as plain text.
 */
export function parseMessage(content: string): MessageTree {
  const parsed = content.length > MAX_PARSED_LENGTH ? content.slice(0, MAX_PARSED_LENGTH) : content
  const tokens = parser().parse(parsed, {})
  const { nodes } = blockTree(tokens, 0, null)
  if (parsed.length < content.length) {
    nodes.push({ type: 'paragraph', children: [{ type: 'text', value: content.slice(MAX_PARSED_LENGTH) }] })
  }
  return { type: 'root', children: nodes }
}

function flattenInline(nodes: readonly InlineNode[]): InlineNode[] {
  const out: InlineNode[] = []
  for (const node of nodes) {
    if (node.type === 'br') pushText(out, ' ')
    else if ('children' in node) out.push({ ...node, children: flattenInline(node.children) })
    else if (node.type === 'text') pushText(out, node.value)
    else out.push(node)
  }
  return out
}

function pushSeparator(out: InlineNode[]): void {
  const last = out[out.length - 1]
  if (last === undefined || (last.type === 'text' && last.value.endsWith(' '))) return
  pushText(out, ' ')
}

function flattenBlocks(blocks: readonly BlockNode[], out: InlineNode[]): void {
  for (const block of blocks) {
    if (block.type === 'blankLine') continue
    pushSeparator(out)
    switch (block.type) {
      case 'paragraph':
      case 'heading':
      case 'subtext':
        for (const node of flattenInline(block.children)) {
          if (node.type === 'text') pushText(out, node.value)
          else out.push(node)
        }
        break
      case 'quote':
        flattenBlocks(block.children, out)
        break
      case 'list':
        for (const item of block.items) flattenBlocks(item, out)
        break
      case 'codeBlock':
        out.push({ type: 'code', value: block.code.replace(/\s*\n\s*/g, ' ') })
        break
    }
  }
}

/**
 * The tree as one line of inline nodes (reply previews): blocks joined by spaces, line breaks
 * as spaces, code blocks as inline code; inline formatting, mentions and links are kept.
 */
export function toInline(tree: MessageTree): InlineNode[] {
  const out: InlineNode[] = []
  flattenBlocks(tree.children, out)
  const last = out[out.length - 1]
  if (last?.type === 'text') last.value = last.value.trimEnd()
  return out
}
