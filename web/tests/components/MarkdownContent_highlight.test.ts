// In a file of its own: the highlighter chunk must not be loaded yet when this starts.
import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import MarkdownContent from '@/components/markdown/MarkdownContent.vue'
import { highlighterLoaded, loadHighlighter } from '@/markdown'

describe('MarkdownContent: highlighting on demand', () => {
  it('loads nothing for messages without a code block language', async () => {
    mount(MarkdownContent, { props: { content: '```\nplain\n```\n`code`' } })
    mount(MarkdownContent, { props: { content: '```js\ncode\n```', inline: true } })
    await flushPromises()
    expect(highlighterLoaded()).toBe(false)
  })

  it('shows code plain, then highlighted once the highlighter has loaded, in every message', async () => {
    const first = mount(MarkdownContent, { props: { content: '```js\nconst a = 1\n```' } })
    const second = mount(MarkdownContent, { props: { content: '> ```py\n> def f(): pass\n> ```' } })
    expect(first.find('.hljs-keyword').exists()).toBe(false)
    expect(first.find('.md-codeblock__code').text()).toBe('const a = 1')
    await loadHighlighter()
    await vi.waitFor(async () => {
      await flushPromises()
      expect(first.find('.hljs-keyword').text()).toBe('const')
    })
    expect(second.find('.hljs-keyword').text()).toBe('def')
    expect(first.find('.md-codeblock__code').text()).toBe('const a = 1')
  })
})
