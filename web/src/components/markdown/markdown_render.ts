// The message tree (src/markdown/ast.ts) to VNodes. Text only ever becomes text nodes; the
// elements and attributes are a fixed set chosen here, and every href is checked once more.
import { h, type VNode, type VNodeChild } from 'vue'
import type { BlockNode, HighlightNode, InlineNode, MentionKind } from '@/markdown'
import { highlightCode, isSafeHref } from '@/markdown'
import { roleColour } from '@/models/guild'

export interface ResolvedUser {
  name: string
}
export interface ResolvedRole {
  name: string
  color: number
}
export interface ResolvedChannel {
  name: string
}

export interface RenderContext {
  resolveUser?: (id: string) => ResolvedUser | null
  resolveRole?: (id: string) => ResolvedRole | null
  resolveChannel?: (id: string) => ResolvedChannel | null
  /** Whether @everyone / @here show as mentions (the message's `mention_everyone`). */
  mentionEveryone: boolean
  isRevealed: (spoiler: number) => boolean
  reveal: (spoiler: number) => void
  onMention: (kind: Exclude<MentionKind, 'channel'>, id: string, element: HTMLElement) => void
  onChannel: (id: string) => void
  onLink: (href: string, event: MouseEvent) => void
  /** Numbers the spoilers in render order, so each keeps its revealed state. */
  spoilerCount: number
}

/** Button behaviour for an inline span: click, Enter or Space. */
function activate(handler: (element: HTMLElement) => void) {
  return {
    role: 'button',
    tabindex: 0,
    onClick: (event: MouseEvent) => {
      // Inside a hidden spoiler the click is the spoiler's (it has marked the event).
      if (event.defaultPrevented) return
      event.stopPropagation()
      handler(event.currentTarget as HTMLElement)
    },
    onKeydown: (event: KeyboardEvent) => {
      if (event.key !== 'Enter' && event.key !== ' ') return
      event.preventDefault()
      handler(event.currentTarget as HTMLElement)
    },
  }
}

function mention(node: Extract<InlineNode, { type: 'mention' }>, ctx: RenderContext): VNode {
  if (node.kind === 'user') {
    const user = ctx.resolveUser?.(node.id) ?? null
    if (user === null) return h('span', { class: 'md-mention md-mention--unknown' }, '@unknown-user')
    return h('span', { class: 'md-mention', ...activate((element) => ctx.onMention('user', node.id, element)) }, `@${user.name}`)
  }
  if (node.kind === 'role') {
    const role = ctx.resolveRole?.(node.id) ?? null
    if (role === null) return h('span', { class: 'md-mention md-mention--unknown' }, '@deleted-role')
    const colour = roleColour(role.color)
    return h(
      'span',
      {
        class: ['md-mention', colour && 'md-mention--coloured'],
        style: colour ? { '--md-role-colour': colour } : undefined,
        ...activate((element) => ctx.onMention('role', node.id, element)),
      },
      `@${role.name}`,
    )
  }
  const channel = ctx.resolveChannel?.(node.id) ?? null
  if (channel === null) return h('span', { class: 'md-mention md-mention--unknown' }, '#deleted-channel')
  return h('span', { class: 'md-mention md-mention--channel', ...activate(() => ctx.onChannel(node.id)) }, `#${channel.name}`)
}

function spoiler(children: readonly InlineNode[], ctx: RenderContext): VNode {
  const index = ctx.spoilerCount++
  const content = renderInline(children, ctx)
  if (ctx.isRevealed(index)) {
    return h('span', { class: 'md-spoiler md-spoiler--revealed' }, [h('span', { class: 'md-spoiler__content' }, content)])
  }
  return h(
    'span',
    {
      class: 'md-spoiler',
      role: 'button',
      tabindex: 0,
      'aria-label': 'Spoiler',
      'aria-expanded': 'false',
      // A click anywhere inside a hidden spoiler (on a link or a mention too) only reveals it:
      // marked here on the way down, so their handlers stand aside, and handled on the way up.
      onClickCapture: (event: MouseEvent) => event.preventDefault(),
      onClick: (event: MouseEvent) => {
        event.stopPropagation()
        ctx.reveal(index)
      },
      onKeydown: (event: KeyboardEvent) => {
        if (event.key !== 'Enter' && event.key !== ' ') return
        event.preventDefault()
        ctx.reveal(index)
      },
    },
    [h('span', { class: 'md-spoiler__content', 'aria-hidden': 'true', inert: true }, content)],
  )
}

function link(node: Extract<InlineNode, { type: 'link' }>, ctx: RenderContext): VNodeChild {
  const children = renderInline(node.children, ctx)
  // The tree is built from checked URLs only; this is the last line, should that ever change.
  if (!isSafeHref(node.href)) return children
  const mailto = node.href.startsWith('mailto:')
  return h(
    'a',
    {
      class: 'md-link',
      href: node.href,
      title: node.href,
      target: mailto ? undefined : '_blank',
      rel: 'noopener noreferrer',
      onClick: (event: MouseEvent) => ctx.onLink(node.href, event),
    },
    children,
  )
}

export function renderInline(nodes: readonly InlineNode[], ctx: RenderContext): VNodeChild[] {
  return nodes.map((node): VNodeChild => {
    switch (node.type) {
      case 'text':
        return node.value
      case 'bold':
        return h('strong', renderInline(node.children, ctx))
      case 'italic':
        return h('em', renderInline(node.children, ctx))
      case 'underline':
        return h('u', renderInline(node.children, ctx))
      case 'strike':
        return h('s', renderInline(node.children, ctx))
      case 'spoiler':
        return spoiler(node.children, ctx)
      case 'code':
        return h('code', { class: 'md-inline-code' }, node.value)
      case 'link':
        return link(node, ctx)
      case 'mention':
        return mention(node, ctx)
      case 'everyone':
      case 'here':
        return ctx.mentionEveryone ? h('span', { class: 'md-mention md-mention--everyone' }, `@${node.type}`) : `@${node.type}`
      case 'emoji':
        return h('span', { class: 'md-emoji', role: 'img', 'aria-label': `:${node.name}:`, title: `:${node.name}:` }, node.emoji)
      case 'br':
        return h('br')
    }
  })
}

function renderHighlight(nodes: readonly HighlightNode[]): VNodeChild[] {
  return nodes.map((node) => (node.type === 'text' ? node.value : h('span', { class: node.classes }, renderHighlight(node.children))))
}

function codeBlock(language: string | null, code: string): VNode {
  const highlighted = highlightCode(code, language)
  return h('pre', { class: 'md-codeblock' }, [
    h('code', { class: ['md-codeblock__code', highlighted && 'hljs'] }, highlighted ? renderHighlight(highlighted) : code),
  ])
}

export function renderBlocks(blocks: readonly BlockNode[], ctx: RenderContext): VNode[] {
  return blocks.map((block) => {
    switch (block.type) {
      case 'paragraph':
        return h('p', { class: 'md-p' }, renderInline(block.children, ctx))
      case 'heading':
        return h(`h${block.level}`, { class: ['md-h', `md-h${block.level}`] }, renderInline(block.children, ctx))
      case 'subtext':
        return h('small', { class: 'md-subtext' }, renderInline(block.children, ctx))
      case 'quote':
        return h('blockquote', { class: 'md-quote' }, renderBlocks(block.children, ctx))
      case 'list':
        return h(
          block.ordered ? 'ol' : 'ul',
          { class: 'md-list', start: block.ordered && block.start !== 1 ? block.start : undefined },
          block.items.map((item) => h('li', renderBlocks(item, ctx))),
        )
      case 'codeBlock':
        return codeBlock(block.language, block.code)
      case 'blankLine':
        return h('br', { class: 'md-blank' })
    }
  })
}
