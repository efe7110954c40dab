// A one-line outline of a message tree, so parser tests read as `p["a" b["bold"]]`.
import type { BlockNode, InlineNode, MessageTree } from '@/markdown'

function inline(node: InlineNode): string {
  switch (node.type) {
    case 'text':
      return JSON.stringify(node.value)
    case 'bold':
      return `b[${inlines(node.children)}]`
    case 'italic':
      return `i[${inlines(node.children)}]`
    case 'underline':
      return `u[${inlines(node.children)}]`
    case 'strike':
      return `s[${inlines(node.children)}]`
    case 'spoiler':
      return `spoiler[${inlines(node.children)}]`
    case 'code':
      return `code${JSON.stringify(node.value)}`
    case 'link': {
      const flags = [node.masked && 'masked', node.suppressEmbed && 'noembed'].filter(Boolean).join(' ')
      return `link(${node.href}${flags ? ` ${flags}` : ''})[${inlines(node.children)}]`
    }
    case 'mention':
      return `${node.kind === 'channel' ? '#' : '@'}${node.kind}:${node.id}`
    case 'everyone':
    case 'here':
      return `@${node.type}`
    case 'emoji':
      return `emoji(${node.name} ${node.emoji})`
    case 'br':
      return 'br'
  }
}

export function inlines(nodes: readonly InlineNode[]): string {
  return nodes.map(inline).join(' ')
}

function block(node: BlockNode): string {
  switch (node.type) {
    case 'paragraph':
      return `p[${inlines(node.children)}]`
    case 'heading':
      return `h${node.level}[${inlines(node.children)}]`
    case 'subtext':
      return `sub[${inlines(node.children)}]`
    case 'quote':
      return `quote[${blocks(node.children)}]`
    case 'list': {
      const head = node.ordered ? `ol(${node.start})` : 'ul'
      return `${head}[${node.items.map((item) => `li[${blocks(item)}]`).join(' ')}]`
    }
    case 'codeBlock':
      return `codeblock(${node.language ?? ''})${JSON.stringify(node.code)}`
    case 'blankLine':
      return 'blank'
  }
}

export function blocks(nodes: readonly BlockNode[]): string {
  return nodes.map(block).join(' ')
}

export function outline(tree: MessageTree): string {
  return blocks(tree.children)
}
