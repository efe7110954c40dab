import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import MessageEmojiPicker from '@/components/message/MessageEmojiPicker.vue'
import { RECENT_EMOJI_KEY } from '@/composables/useRecentEmoji'
import type { Emoji } from '@/models/emoji'

let anchor: HTMLButtonElement

beforeEach(() => {
  anchor = document.createElement('button')
  document.body.append(anchor)
})

afterEach(() => {
  document.body.innerHTML = ''
  localStorage.clear()
})

async function openPicker() {
  anchor.focus()
  const wrapper = mount(MessageEmojiPicker, { props: { open: false, anchor }, attachTo: document.body })
  await wrapper.setProps({ open: true })
  await flushPromises()
  const panel = () => document.querySelector<HTMLElement>('[data-testid="emoji-picker"]')
  return { wrapper, panel }
}

describe('MessageEmojiPicker', () => {
  it('opens on its search box, with Frequently Used and every category', async () => {
    const { panel, wrapper } = await openPicker()
    expect(panel()?.getAttribute('role')).toBe('dialog')
    expect(document.activeElement?.getAttribute('data-testid')).toBe('emoji-search')
    const headings = [...panel()!.querySelectorAll('h3')].map((heading) => heading.textContent?.trim())
    expect(headings[0]).toBe('Frequently Used')
    expect(headings).toContain('Food & Drink')
    expect(panel()!.querySelectorAll('[data-section="frequent"] button[data-emoji]')).toHaveLength(18)
    wrapper.unmount()
  })

  it('searches by shortcode, picks with Enter, remembers the pick and gives focus back', async () => {
    const { panel, wrapper } = await openPicker()
    const search = panel()!.querySelector<HTMLInputElement>('[data-testid="emoji-search"]')!
    search.value = 'thumbsup'
    search.dispatchEvent(new Event('input'))
    await flushPromises()
    expect(panel()!.querySelector('button[data-emoji]')?.getAttribute('title')).toBe(':thumbsup:')
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await flushPromises()
    const picked = wrapper.emitted('pick')?.[0]?.[0] as Emoji
    expect(picked.emoji).toBe('👍')
    expect(wrapper.emitted('close')).toHaveLength(1)
    expect(JSON.parse(localStorage.getItem(RECENT_EMOJI_KEY) ?? '[]')[0]).toBe('👍')
    expect(document.activeElement).toBe(anchor)
    wrapper.unmount()
  })

  it('moves through the grid with the arrows and closes on Escape', async () => {
    const { panel, wrapper } = await openPicker()
    const search = panel()!.querySelector<HTMLInputElement>('[data-testid="emoji-search"]')!
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }))
    const cells = [...panel()!.querySelectorAll<HTMLElement>('button[data-emoji]')]
    expect(document.activeElement).toBe(cells[0])
    cells[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }))
    expect(document.activeElement).toBe(cells[1])
    cells[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }))
    expect(document.activeElement).toBe(cells[10])
    cells[10]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(wrapper.emitted('close')).toHaveLength(1)
    expect(wrapper.emitted('pick')).toBeUndefined()
    wrapper.unmount()
  })
})

describe('MessageEmojiPicker events', () => {
  it('says what was picked before it closes (the parent forgets its target on close)', async () => {
    const { panel, wrapper } = await openPicker()
    panel()!.querySelector<HTMLElement>('button[data-emoji]')!.click()
    await flushPromises()
    const order = Object.entries(wrapper.emitted()).filter(([name]) => name === 'pick' || name === 'close')
    expect(order.map(([name]) => name)).toEqual(['pick', 'close'])
    wrapper.unmount()
  })
})
