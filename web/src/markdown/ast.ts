// The tree a message's Markdown parses to. It is the only thing the renderer sees: plain data,
// no HTML anywhere, every href already checked (src/markdown/url.ts).

export type MentionKind = 'user' | 'role' | 'channel'

export type InlineNode =
  | { type: 'text'; value: string }
  | { type: 'bold' | 'italic' | 'underline' | 'strike' | 'spoiler'; children: InlineNode[] }
  | { type: 'code'; value: string }
  /**
   * `masked`: typed as `[text](url)`. `suppressEmbed`: typed as `<url>` (no preview wanted).
   * `href` is a checked http(s) or mailto URL as the browser serialises it.
   */
  | { type: 'link'; href: string; masked: boolean; suppressEmbed: boolean; children: InlineNode[] }
  | { type: 'mention'; kind: MentionKind; id: string }
  | { type: 'everyone' | 'here' }
  | { type: 'emoji'; name: string; emoji: string }
  /** A line break inside a block (Discord shows every newline). */
  | { type: 'br' }

export type BlockNode =
  | { type: 'paragraph'; children: InlineNode[] }
  | { type: 'heading'; level: 1 | 2 | 3; children: InlineNode[] }
  | { type: 'subtext'; children: InlineNode[] }
  | { type: 'quote'; children: BlockNode[] }
  | { type: 'list'; ordered: boolean; start: number; items: BlockNode[][] }
  | { type: 'codeBlock'; language: string | null; code: string }
  /** An empty source line between two blocks; Discord keeps them. */
  | { type: 'blankLine' }

export interface MessageTree {
  type: 'root'
  children: BlockNode[]
}

export type InlineContainer = Extract<InlineNode, { children: InlineNode[] }>
