// Discord shows a message made only of emoji (27 at most, with nothing else but spaces)
// with large emoji.
import type { MessageTree } from './ast'

export const MAX_JUMBO_EMOJI = 27

// One emoji as typed: a flag (two regional indicators), a keycap, or a pictograph with its
// optional presentation selector or skin tone, joined to others by ZWJ.
const EMOJI_SEQUENCE =
  /\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3|\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)*/gu

function countInText(text: string): number | null {
  const compact = text.replace(/\s+/g, '')
  if (compact === '') return 0
  const matches = compact.match(EMOJI_SEQUENCE) ?? []
  return matches.join('') === compact ? matches.length : null
}

/** Whether the message is emoji only (shortcodes or typed ones), at most MAX_JUMBO_EMOJI. */
export function isJumboEmoji(tree: MessageTree): boolean {
  const blocks = tree.children
  const paragraph = blocks[0]
  if (blocks.length !== 1 || paragraph?.type !== 'paragraph') return false
  let count = 0
  for (const node of paragraph.children) {
    if (node.type === 'emoji') count++
    else if (node.type === 'br') continue
    else if (node.type === 'text') {
      const inText = countInText(node.value)
      if (inText === null) return false
      count += inText
    } else return false
  }
  return count > 0 && count <= MAX_JUMBO_EMOJI
}
