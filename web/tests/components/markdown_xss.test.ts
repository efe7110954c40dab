// Hostile message content through the real renderer: whatever the text, the DOM holds only the
// renderer's own elements and attributes, no event-handler attribute, and no href outside
// http, https and mailto.
import { mount } from '@vue/test-utils'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import MarkdownContent from '@/components/markdown/MarkdownContent.vue'
import { loadHighlighter } from '@/markdown'

const ALLOWED_ELEMENTS = new Set([
  'DIV', 'SPAN', 'P', 'BR', 'STRONG', 'EM', 'U', 'S', 'CODE', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'SMALL', 'UL', 'OL', 'LI', 'A',
])
const ALLOWED_ATTRIBUTES = new Set([
  'class', 'href', 'title', 'target', 'rel', 'role', 'tabindex', 'aria-label', 'aria-hidden', 'aria-expanded', 'start', 'inert', 'style',
])
const SAFE_HREF = /^(?:https?:\/\/[^\s"'<>]+|mailto:[^\s"'<>]+)$/

const PAYLOADS: string[] = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href=https://example.com onclick=alert(1)>x</a>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<!--<img src=x onerror=alert(1)>-->',
  '<div style="position:fixed;inset:0">',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click]( javascript:alert(1))',
  '[click](<javascript:alert(1)>)',
  '[click](<java\tscript:alert(1)>)',
  '[click](javascript&#58;alert(1))',
  '[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))',
  '[click](&#x6A;avascript:alert(1))',
  '[click](javascript%3Aalert(1))',
  '[click](\u0001javascript:alert(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[click](vbscript:msgbox(1))',
  '[click](//evil.example)',
  '[click](/\\evil.example)',
  '[click](https:evil.example)',
  '[mail](mailto:ada@example.com)',
  '[x](https://example.com "onmouseover=alert(1)")',
  '[x](https://example.com" onmouseover="alert(1))',
  '[x](<https://example.com/" onmouseover="alert(1)>)',
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '<https://example.com/"onclick="alert(1)>',
  'javascript:alert(1)',
  'https://example.com/"><script>alert(1)</script>',
  '**<img src=x onerror=alert(1)>**',
  '||<script>alert(1)</script>||',
  '||[x](javascript:alert(1))||',
  '**[x](javascript:alert(1))**',
  '*[**](javascript:alert(1))*',
  '[<img src=x onerror=alert(1)>](https://example.com)',
  '[a](https://example.com)[b](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '![x](https://example.com/x.png" onerror="alert(1))',
  '<@"><img src=x onerror=alert(1)>>',
  '<@123 onmouseover=alert(1)>',
  '<@&1"><script>alert(1)</script>',
  '<#1><script>alert(1)</script>',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script><img src=x onerror=alert(1)>\n```',
  '```js" onload="alert(1)\ncode\n```',
  '> <iframe src="javascript:alert(1)"></iframe>',
  '>>> <img src=x onerror=alert(1)>\n# <style>*{display:none}</style>',
  '- <script>alert(1)</script>\n1. [x](javascript:alert(1))',
  '-# <img src=x onerror=alert(1)>',
  ':joy:<script>alert(1)</script>:heart:',
  '\u0000<script>alert(1)</script>\u202e',
  '[' + '[x]('.repeat(200) + 'javascript:alert(1)' + ')'.repeat(200),
  '*'.repeat(2000) + '<img src=x onerror=alert(1)>' + '*'.repeat(2000),
  '- '.repeat(300) + '<script>alert(1)</script>',
  '> '.repeat(300) + '[x](javascript:alert(1))',
]

function assertSafe(root: Element): void {
  for (const element of [root, ...root.querySelectorAll('*')]) {
    expect(ALLOWED_ELEMENTS, `element <${element.tagName}>`).toContain(element.tagName)
    for (const attribute of element.attributes) {
      expect(attribute.name.toLowerCase().startsWith('on'), `attribute ${attribute.name}`).toBe(false)
      expect(ALLOWED_ATTRIBUTES, `attribute ${attribute.name}`).toContain(attribute.name)
      if (attribute.name === 'href') expect(attribute.value).toMatch(SAFE_HREF)
      if (attribute.name === 'style') expect(attribute.value).toMatch(/^--md-role-colour: #[0-9a-f]{6};$/)
    }
  }
}

const hostileNames = {
  resolveUser: () => ({ name: '<img src=x onerror=alert(1)>' }),
  resolveRole: () => ({ name: '"><script>alert(1)</script>', color: 0x123456 }),
  resolveChannel: () => ({ name: 'javascript:alert(1)' }),
}

// Code blocks go through the highlighter too.
beforeAll(() => loadHighlighter())

afterEach(() => {
  document.body.innerHTML = ''
})

describe('MarkdownContent against hostile content', () => {
  it('has enough payloads to mean something', () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(25)
  })

  it.each(PAYLOADS.map((payload) => [payload.length > 80 ? `${payload.slice(0, 77)}...` : payload, payload]))(
    '%j renders only safe elements, attributes and links',
    (_label, payload) => {
      for (const inline of [false, true]) {
        const wrapper = mount(MarkdownContent, { props: { content: payload, inline, ...hostileNames }, attachTo: document.body })
        assertSafe(wrapper.element)
        // Nothing else reached the page (the link dialog is only made on a click).
        expect(document.body.querySelectorAll('script, img, iframe, svg, style, math, dialog')).toHaveLength(0)
        wrapper.unmount()
      }
    },
  )

  it('highlights hostile code as spans of text', () => {
    const wrapper = mount(MarkdownContent, { props: { content: '```html\n<img src=x onerror=alert(1)>\n```' } })
    expect(wrapper.find('.hljs-tag').exists()).toBe(true)
    expect(wrapper.find('.md-codeblock__code').text()).toBe('<img src=x onerror=alert(1)>')
    assertSafe(wrapper.element)
  })

  it('shows markup as the text it is', () => {
    const wrapper = mount(MarkdownContent, { props: { content: '<script>alert(1)</script> <img src=x onerror=alert(1)>' } })
    expect(wrapper.text()).toBe('<script>alert(1)</script> <img src=x onerror=alert(1)>')
    expect(wrapper.find('script').exists()).toBe(false)
  })

  it('shows an unsafe masked link as the text that was typed', () => {
    const wrapper = mount(MarkdownContent, { props: { content: '[click](javascript:alert(1))' } })
    expect(wrapper.find('a').exists()).toBe(false)
    expect(wrapper.text()).toBe('[click](javascript:alert(1))')
  })

  it('shows resolved names with markup as text in the pills', () => {
    const wrapper = mount(MarkdownContent, { props: { content: '<@1> <@&2> <#3>', ...hostileNames } })
    const pills = wrapper.findAll('.md-mention').map((pill) => pill.text())
    expect(pills).toEqual(['@<img src=x onerror=alert(1)>', '@"><script>alert(1)</script>', '#javascript:alert(1)'])
    assertSafe(wrapper.element)
  })

  it('gives links only the checked href, its tooltip, a new tab and no opener or referrer', () => {
    const wrapper = mount(MarkdownContent, { props: { content: '[docs](https://example.com/a "hover") https://example.org' } })
    const links = wrapper.findAll('a')
    expect(links.map((link) => link.attributes())).toEqual([
      { class: 'md-link', href: 'https://example.com/a', title: 'https://example.com/a', target: '_blank', rel: 'noopener noreferrer' },
      { class: 'md-link', href: 'https://example.org/', title: 'https://example.org/', target: '_blank', rel: 'noopener noreferrer' },
    ])
  })
})
