import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import LinkConfirmDialog from '@/components/markdown/LinkConfirmDialog.vue'
import MarkdownContent from '@/components/markdown/MarkdownContent.vue'
import { loadHighlighter, TRUSTED_DOMAINS_KEY } from '@/markdown'

const USERS: Record<string, { name: string }> = { '1': { name: 'Ada' } }
const ROLES: Record<string, { name: string; color: number }> = {
  '2': { name: 'Moderators', color: 0x1abc9c },
  '5': { name: 'Plain', color: 0 },
}
const CHANNELS: Record<string, { name: string }> = { '3': { name: 'general' } }
const resolvers = {
  resolveUser: (id: string) => USERS[id] ?? null,
  resolveRole: (id: string) => ROLES[id] ?? null,
  resolveChannel: (id: string) => CHANNELS[id] ?? null,
}

function render(content: string, props: Record<string, unknown> = {}) {
  return mount(MarkdownContent, { props: { content, ...resolvers, ...props }, attachTo: document.body })
}

let open: ReturnType<typeof vi.fn>

// The highlighter is loaded on first need; MarkdownContent_highlight.test.ts covers that wait.
beforeAll(() => loadHighlighter())

beforeEach(() => {
  localStorage.clear()
  open = vi.fn()
  vi.stubGlobal('open', open)
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

// One snapshot per syntax, of the HTML the renderer makes (reviewed by hand).
describe('MarkdownContent: rendered HTML', () => {
  it.each([
    ['bold', '**bold**'],
    ['italic', '*italic* _italic_'],
    ['underline', '__underline__'],
    ['strikethrough', '~~strike~~'],
    ['inline code', '`a <b> c`'],
    ['spoiler', '||secret||'],
    ['line breaks and blank lines', 'one\ntwo\n\nthree'],
    ['headings', '# One\n## Two\n### Three'],
    ['subtext', '-# small'],
    ['quote', '> quoted\n> lines\nafter'],
    ['rest-of-message quote', '>>> all\nof this'],
    ['bullet list', '- a\n- b\n  - nested'],
    ['ordered list', '3. three\n4. four'],
    ['code block with a known language', '```js\nconst answer = 42 // yes\n```'],
    ['code block with an unknown language', '```brainfuck\n+[-->-[>>+>-----<<]<--<---]\n```'],
    ['code block without a language', '```\nplain <text>\n```'],
    ['masked link', '[Hearth docs](https://hearth.example/docs)'],
    ['bare link', 'see https://hearth.example/a?b=1'],
    ['embed-suppressed link', '<https://hearth.example>'],
    ['mailto link', 'mailto:ada@example.com'],
    ['user mentions', '<@1> <@999>'],
    ['role mentions', '<@&2> <@&5> <@&999>'],
    ['channel mentions', '<#3> <#999>'],
    ['everyone and here', '@everyone @here'],
    ['emoji', 'hi :wave: :not_one:'],
    ['jumbo emoji', ':joy: 👍'],
  ])('%s', (_name, content) => {
    expect(render(content).html()).toMatchSnapshot()
  })

  it('inline: one line for reply previews, no block elements', () => {
    const wrapper = render('# Title\n> **quoted**\n```js\na()\n```\n- <@1>', { inline: true })
    expect(wrapper.element.tagName).toBe('SPAN')
    expect(wrapper.element.querySelector('p, h1, h2, h3, blockquote, pre, ul, ol, li, br, small')).toBeNull()
    expect(wrapper.text()).toBe('Title quoted a() @Ada')
    expect(wrapper.html()).toMatchSnapshot()
  })
})

describe('MarkdownContent: mentions', () => {
  it('names users, roles and channels through the resolvers', () => {
    const wrapper = render('<@1> <@&2> <#3>')
    expect(wrapper.findAll('.md-mention').map((pill) => pill.text())).toEqual(['@Ada', '@Moderators', '#general'])
    expect(wrapper.find('.md-mention--coloured').attributes('style')).toBe('--md-role-colour: #1abc9c;')
  })

  it('shows unknown mentions as Discord does, not clickable', () => {
    const wrapper = render('<@9> <@&9> <#9>')
    const pills = wrapper.findAll('.md-mention')
    expect(pills.map((pill) => pill.text())).toEqual(['@unknown-user', '@deleted-role', '#deleted-channel'])
    expect(pills.every((pill) => pill.attributes('role') === undefined && pill.attributes('tabindex') === undefined)).toBe(true)
    for (const pill of pills) pill.element.dispatchEvent(new MouseEvent('click', { bubbles: true }))
    expect(wrapper.emitted('mention-click')).toBeUndefined()
    expect(wrapper.emitted('channel-click')).toBeUndefined()
  })

  it('shows every mention as unknown without resolvers', () => {
    const wrapper = mount(MarkdownContent, { props: { content: '<@1> <#3>' } })
    expect(wrapper.text()).toBe('@unknown-user #deleted-channel')
  })

  it('emits mention-click with the kind, the id and the pill, by click or keyboard', async () => {
    const wrapper = render('<@1> <@&2>')
    const [user, role] = wrapper.findAll('.md-mention')
    await user!.trigger('click')
    await role!.trigger('keydown', { key: 'Enter' })
    await role!.trigger('keydown', { key: 'a' })
    expect(wrapper.emitted('mention-click')).toEqual([
      [{ kind: 'user', id: '1', element: user!.element }],
      [{ kind: 'role', id: '2', element: role!.element }],
    ])
  })

  it('emits channel-click with the channel id', async () => {
    const wrapper = render('go to <#3>')
    await wrapper.find('.md-mention--channel').trigger('click')
    expect(wrapper.emitted('channel-click')).toEqual([['3']])
  })

  it('shows @everyone and @here as plain text when the message could not mention everyone', () => {
    const wrapper = render('@everyone @here', { mentionEveryone: false })
    expect(wrapper.find('.md-mention').exists()).toBe(false)
    expect(wrapper.text()).toBe('@everyone @here')
  })
})

describe('MarkdownContent: spoilers', () => {
  it('hides a spoiler until clicked, then shows it', async () => {
    const wrapper = render('a ||first|| b ||second||')
    const spoilers = () => wrapper.findAll('.md-spoiler')
    expect(spoilers().map((spoiler) => spoiler.classes('md-spoiler--revealed'))).toEqual([false, false])
    expect(spoilers()[0]!.find('.md-spoiler__content').attributes('aria-hidden')).toBe('true')
    await spoilers()[1]!.trigger('click')
    expect(spoilers().map((spoiler) => spoiler.classes('md-spoiler--revealed'))).toEqual([false, true])
    expect(spoilers()[1]!.attributes('role')).toBeUndefined()
    expect(spoilers()[1]!.find('.md-spoiler__content').attributes('aria-hidden')).toBeUndefined()
    await spoilers()[0]!.trigger('keydown', { key: ' ' })
    expect(spoilers().map((spoiler) => spoiler.classes('md-spoiler--revealed'))).toEqual([true, true])
  })

  it('reveals instead of following a link or mention inside, then lets them work', async () => {
    const wrapper = render('||[site](https://example.com) <@1>||')
    await wrapper.find('a').trigger('click')
    expect(wrapper.find('.md-spoiler--revealed').exists()).toBe(true)
    expect(wrapper.findComponent(LinkConfirmDialog).exists()).toBe(false)
    expect(open).not.toHaveBeenCalled()

    await wrapper.find('.md-mention').trigger('click')
    expect(wrapper.emitted('mention-click')).toHaveLength(1)
    await wrapper.find('a').trigger('click')
    expect(wrapper.findComponent(LinkConfirmDialog).props('url')).toBe('https://example.com/')
  })

  it('hides the spoilers again when the message is edited', async () => {
    const wrapper = render('||secret||')
    await wrapper.find('.md-spoiler').trigger('click')
    await wrapper.setProps({ content: '||edited secret||' })
    expect(wrapper.find('.md-spoiler--revealed').exists()).toBe(false)
  })
})

describe('MarkdownContent: links', () => {
  it('asks before leaving: a click opens the dialog with the real URL, nothing opens yet', async () => {
    const wrapper = render('[totally safe](https://evil.example/phish?x=1)')
    const click = new MouseEvent('click', { bubbles: true, cancelable: true })
    wrapper.find('a').element.dispatchEvent(click)
    await flushPromises()
    expect(click.defaultPrevented).toBe(true)
    expect(open).not.toHaveBeenCalled()
    const dialog = wrapper.findComponent(LinkConfirmDialog)
    expect(dialog.props('url')).toBe('https://evil.example/phish?x=1')
    expect(document.body.querySelector('[data-testid="link-confirm-url"]')?.textContent).toBe('https://evil.example/phish?x=1')
  })

  it('opens a trusted host, or this site itself, without asking', async () => {
    localStorage.setItem(TRUSTED_DOMAINS_KEY, JSON.stringify(['trusted.example']))
    const wrapper = render(`https://trusted.example/a http://${window.location.hostname}/invite/abc`)
    const [trusted, own] = wrapper.findAll('a')
    await trusted!.trigger('click')
    await own!.trigger('click')
    expect(open.mock.calls).toEqual([
      ['https://trusted.example/a', '_blank', 'noopener,noreferrer'],
      [`http://${window.location.hostname}/invite/abc`, '_blank', 'noopener,noreferrer'],
    ])
    expect(wrapper.findComponent(LinkConfirmDialog).exists()).toBe(false)
  })

  it('leaves mailto links to the browser', async () => {
    const wrapper = render('mailto:ada@example.com')
    const click = new MouseEvent('click', { bubbles: true, cancelable: true })
    wrapper.find('a').element.dispatchEvent(click)
    expect(click.defaultPrevented).toBe(false)
    expect(wrapper.find('a').attributes('target')).toBeUndefined()
    expect(wrapper.findComponent(LinkConfirmDialog).exists()).toBe(false)
  })

  it('closes the dialog on Cancel without opening anything', async () => {
    const wrapper = render('https://example.com')
    await wrapper.find('a').trigger('click')
    const dialog = wrapper.findComponent(LinkConfirmDialog)
    const cancel = [...document.body.querySelectorAll('button')].find((button) => button.textContent?.trim() === 'Cancel')
    cancel!.click()
    await flushPromises()
    expect(dialog.exists()).toBe(false)
    expect(open).not.toHaveBeenCalled()
  })
})

describe('MarkdownContent: code blocks', () => {
  it('highlights registered languages and their aliases, shows others plain', () => {
    for (const language of ['js', 'typescript', 'py', 'cpp', 'c', 'rust', 'json', 'sh', 'html']) {
      const wrapper = render(`\`\`\`${language}\nx = "s"\n\`\`\``)
      expect(wrapper.find('.md-codeblock__code').classes(), language).toContain('hljs')
    }
    const plain = render('```cobol\nDISPLAY "HI"\n```')
    expect(plain.find('.md-codeblock__code').classes()).not.toContain('hljs')
    expect(plain.find('.md-codeblock__code').element.children).toHaveLength(0)
    expect(plain.find('.md-codeblock__code').text()).toBe('DISPLAY "HI"')
  })

  it('keeps the code text exactly, highlighted or not', () => {
    const code = 'function f(a, b) {\n  return a < b && "x" // <b>\n}'
    const wrapper = render(`\`\`\`js\n${code}\n\`\`\``)
    expect(wrapper.find('.md-codeblock__code').element.textContent).toBe(code)
    expect(wrapper.find('.hljs-keyword').text()).toBe('function')
  })
})
