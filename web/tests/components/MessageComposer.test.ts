import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import MessageComposer from '@/components/message/MessageComposer.vue'
import { useComposerStore } from '@/stores/composer'

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
})

afterEach(() => {
  document.body.innerHTML = ''
  vi.useRealTimers()
})

function mountComposer(props: Record<string, unknown> = {}) {
  return mount(MessageComposer, {
    props: { placeholder: 'Message #general', channelId: '11', ...props },
    attachTo: document.body,
  })
}

async function type(wrapper: ReturnType<typeof mountComposer>, text: string) {
  const box = wrapper.get('textarea')
  const element = box.element as HTMLTextAreaElement
  element.value = text
  element.setSelectionRange(text.length, text.length)
  await box.trigger('input')
  return box
}

describe('MessageComposer', () => {
  it('sends on Enter (trimmed) and clears, keeps Shift+Enter for a new line, ignores blank text', async () => {
    const wrapper = mountComposer()
    const box = await type(wrapper, '  hello  ')
    await box.trigger('keydown', { key: 'Enter', shiftKey: true })
    expect(wrapper.emitted('send')).toBeUndefined()
    await box.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toEqual([['hello', []]])
    expect((box.element as HTMLTextAreaElement).value).toBe('')
    await type(wrapper, '   ')
    await box.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toHaveLength(1)
    expect(box.attributes('placeholder')).toBe('Message #general')
  })

  it('asks to edit the last message on Up in an empty box, and says when the user types', async () => {
    const wrapper = mountComposer()
    const box = wrapper.get('textarea')
    await box.trigger('keydown', { key: 'ArrowUp' })
    expect(wrapper.emitted('editLast')).toHaveLength(1)
    await type(wrapper, 'x')
    expect(wrapper.emitted('typing')).toHaveLength(1)
    await box.trigger('keydown', { key: 'ArrowUp' })
    expect(wrapper.emitted('editLast')).toHaveLength(1)
  })

  it('keeps the draft per channel', async () => {
    const wrapper = mountComposer()
    await type(wrapper, 'half a thought')
    expect(useComposerStore().draftOf('11')).toBe('half a thought')
    await wrapper.setProps({ channelId: '12' })
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('')
    await wrapper.setProps({ channelId: '11' })
    expect((wrapper.get('textarea').element as HTMLTextAreaElement).value).toBe('half a thought')
  })

  it('suggests emoji for :sh and puts the picked one in place of the shortcode', async () => {
    const wrapper = mountComposer()
    const box = await type(wrapper, 'nice :thumbsu')
    const options = wrapper.findAll('[role="option"]')
    expect(options.length).toBeGreaterThan(0)
    expect(options[0]!.text()).toContain(':thumbsup:')
    expect(box.attributes('aria-expanded')).toBe('true')
    await box.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toBeUndefined()
    expect((box.element as HTMLTextAreaElement).value).toBe('nice 👍 ')
    expect(wrapper.find('[role="listbox"]').exists()).toBe(false)
    // Escape closes the suggestions without sending or leaving reply mode.
    await type(wrapper, 'ok :jo')
    await box.trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[role="listbox"]').exists()).toBe(false)
  })

  it('shows the reply bar with the ping switch, and leaves reply mode on Escape', async () => {
    const wrapper = mountComposer({ replyingTo: { name: 'Mo', mention: true, canMention: true } })
    expect(wrapper.get('[data-testid="reply-bar"]').text()).toContain('Replying to Mo')
    const ping = wrapper.get('[data-testid="reply-ping"]')
    expect(ping.attributes('aria-checked')).toBe('true')
    await ping.trigger('click')
    expect(wrapper.emitted('toggleReplyMention')).toHaveLength(1)
    await wrapper.get('textarea').trigger('keydown', { key: 'Escape' })
    expect(wrapper.emitted('cancelReply')).toHaveLength(1)
  })

  it('counts characters near the limit and refuses to send past it', async () => {
    const wrapper = mountComposer()
    await type(wrapper, 'a'.repeat(3700))
    expect(wrapper.find('[data-testid="composer-counter"]').exists()).toBe(false)
    const box = await type(wrapper, 'a'.repeat(3900))
    expect(wrapper.get('[data-testid="composer-counter"]').text()).toBe('100')
    await type(wrapper, 'a'.repeat(4001))
    expect(wrapper.get('[data-testid="composer-counter"]').text()).toBe('-1')
    await box.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toBeUndefined()
    expect(wrapper.text()).toContain('Your message is too long')
  })

  it('counts down a slowmode wait and holds the message until it is over', async () => {
    vi.useFakeTimers()
    const wrapper = mountComposer({ slowmodeSeconds: 10, cooldownUntil: Date.now() + 5000 })
    expect(wrapper.get('[data-testid="slowmode-wait"]').text()).toBe('5s')
    const box = await type(wrapper, 'wait for it')
    await box.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toBeUndefined()
    vi.advanceTimersByTime(5000)
    await flushPromises()
    expect(wrapper.find('[data-testid="slowmode-wait"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="slowmode"]').text()).toContain('Slowmode is enabled.')
    await box.trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('send')).toEqual([['wait for it', []]])
  })

  it('shows the Markdown being typed under the box, character for character', async () => {
    const wrapper = mountComposer()
    await type(wrapper, 'a **b** `c`\n')
    const mirror = wrapper.get('[data-testid="composer-markdown"]')
    expect(mirror.attributes('aria-hidden')).toBe('true')
    expect(mirror.findAll('.composer__md--marker').map((marker) => marker.text())).toEqual(['**', '**', '`', '`'])
    expect(mirror.get('.composer__md--strong').text()).toBe('b')
    expect(mirror.text()).toBe('a **b** `c`\n\u200b')
  })

  it('says why the user cannot send, in a disabled box', () => {
    const wrapper = mountComposer({ disabledReason: 'You do not have permission to send messages in this channel.' })
    const box = wrapper.get('textarea')
    expect(box.attributes('disabled')).toBeDefined()
    expect(box.attributes('placeholder')).toBe('You do not have permission to send messages in this channel.')
  })

  it('attaches picked and pasted files as cards, marks spoilers, and sends them with the text', async () => {
    const wrapper = mountComposer()
    const input = wrapper.get('[data-testid="composer-file-input"]')
    const picked = new File(['abc'], 'notes.txt', { type: 'text/plain' })
    Object.defineProperty(input.element, 'files', { value: [picked], configurable: true })
    await input.trigger('change')
    const pasted = new File(['png'], 'image.png', { type: 'image/png' })
    const box = wrapper.get('textarea')
    await box.trigger('paste', { clipboardData: { files: [pasted] } })
    const cards = wrapper.findAll('[data-testid="composer-file"]')
    expect(cards.map((card) => card.get('.composer-files__name').text())).toEqual(['notes.txt', expect.stringMatching(/^pasted-\d{14}\.png$/)])
    await cards[0]!.get('[data-testid="composer-file-spoiler"]').trigger('click')
    await cards[1]!.get('[data-testid="composer-file-remove"]').trigger('click')
    expect(wrapper.findAll('[data-testid="composer-file"]')).toHaveLength(1)

    // Files alone can be sent, without text; they go with the message, named as spoilers.
    await box.trigger('keydown', { key: 'Enter' })
    const sent = wrapper.emitted('send') as [string, { file: File; filename: string }[]][]
    expect(sent).toHaveLength(1)
    expect(sent[0]![0]).toBe('')
    expect(sent[0]![1].map((entry) => entry.filename)).toEqual(['SPOILER_notes.txt'])
    expect(sent[0]![1][0]!.file).toBe(picked)
    expect(wrapper.find('[data-testid="composer-file"]').exists()).toBe(false)
    expect(useComposerStore().filesOf('11')).toEqual([])
  })

  it('says why files were refused: too many, too large, or not allowed here', async () => {
    const wrapper = mountComposer({ fileLimits: { maxFiles: 2, maxFileBytes: 4 } })
    const composer = wrapper.vm as unknown as { addFiles(files: File[]): void }
    composer.addFiles([new File(['12345'], 'big.bin'), new File(['1'], 'a'), new File(['2'], 'b'), new File(['3'], 'c')])
    await flushPromises()
    expect(wrapper.findAll('[data-testid="composer-file"]')).toHaveLength(2)
    expect(wrapper.get('[data-testid="composer-file-refusal"]').text()).toBe('big.bin is too large: the limit is 4 bytes.')

    const barred = mountComposer({ canAttach: false, channelId: '12' })
    expect(barred.get('[data-testid="composer-attach"]').attributes('disabled')).toBeDefined()
    ;(barred.vm as unknown as { addFiles(files: File[]): void }).addFiles([new File(['1'], 'a')])
    await flushPromises()
    expect(barred.find('[data-testid="composer-file"]').exists()).toBe(false)
    expect(barred.get('[data-testid="composer-file-refusal"]').text()).toBe('You do not have permission to upload files here.')
  })
})
