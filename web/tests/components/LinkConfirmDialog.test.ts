import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import LinkConfirmDialog from '@/components/markdown/LinkConfirmDialog.vue'
import MarkdownContent from '@/components/markdown/MarkdownContent.vue'
import { isTrustedLink, TRUSTED_DOMAINS_KEY } from '@/markdown'

let open: ReturnType<typeof vi.fn>

beforeEach(() => {
  localStorage.clear()
  open = vi.fn()
  vi.stubGlobal('open', open)
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function dialog(url = 'https://docs.example.com/guide?page=2') {
  return mount(LinkConfirmDialog, { props: { open: true, url }, attachTo: document.body })
}

function button(label: string): HTMLButtonElement {
  const found = [...document.body.querySelectorAll('button')].find((candidate) => candidate.textContent?.trim() === label)
  if (!found) throw new Error(`no "${label}" button`)
  return found
}

describe('LinkConfirmDialog', () => {
  it('says where the link goes, with the host emphasised', () => {
    const wrapper = dialog()
    expect(wrapper.text()).toContain('Leaving Hearth')
    expect(wrapper.text()).toContain('This link is taking you to the following website')
    const url = wrapper.find('[data-testid="link-confirm-url"]')
    expect(url.text()).toBe('https://docs.example.com/guide?page=2')
    expect(url.find('strong').text()).toBe('docs.example.com')
    expect(wrapper.find('label').text()).toBe('Trust docs.example.com links from now on')
    expect(button('Visit Site')).toBeTruthy()
    expect(button('Cancel')).toBeTruthy()
  })

  it('Visit Site opens the URL in a new tab without opener or referrer, and closes', async () => {
    const wrapper = dialog()
    await wrapper.find('form').trigger('submit')
    expect(open).toHaveBeenCalledWith('https://docs.example.com/guide?page=2', '_blank', 'noopener,noreferrer')
    expect(wrapper.emitted('visited')).toEqual([['https://docs.example.com/guide?page=2']])
    expect(wrapper.emitted('close')).toHaveLength(1)
    expect(localStorage.getItem(TRUSTED_DOMAINS_KEY)).toBeNull()
  })

  it('Cancel closes without opening anything', async () => {
    const wrapper = dialog()
    button('Cancel').click()
    await flushPromises()
    expect(wrapper.emitted('close')).toHaveLength(1)
    expect(open).not.toHaveBeenCalled()
  })

  it('remembers a trusted host (that host only) when the box is ticked', async () => {
    const wrapper = dialog()
    await wrapper.find('[data-testid="link-confirm-trust"]').setValue(true)
    await wrapper.find('form').trigger('submit')
    expect(JSON.parse(localStorage.getItem(TRUSTED_DOMAINS_KEY)!)).toEqual(['docs.example.com'])
    expect(isTrustedLink('https://docs.example.com/other')).toBe(true)
    expect(isTrustedLink('https://example.com/')).toBe(false)
    expect(isTrustedLink('https://evil.docs.example.com.attacker.example/')).toBe(false)
  })

  it('does not trust a host when the box was ticked and the dialog cancelled', async () => {
    const wrapper = dialog()
    await wrapper.find('[data-testid="link-confirm-trust"]').setValue(true)
    button('Cancel').click()
    await flushPromises()
    expect(localStorage.getItem(TRUSTED_DOMAINS_KEY)).toBeNull()
    expect(wrapper.emitted('close')).toHaveLength(1)
  })

  it('ignores unreadable stored trust', () => {
    localStorage.setItem(TRUSTED_DOMAINS_KEY, '{not json')
    expect(isTrustedLink('https://docs.example.com/')).toBe(false)
    localStorage.setItem(TRUSTED_DOMAINS_KEY, JSON.stringify({ 'docs.example.com': true }))
    expect(isTrustedLink('https://docs.example.com/')).toBe(false)
  })

  it('from a message: trusting once lets the next click on that host open at once', async () => {
    const wrapper = mount(MarkdownContent, {
      props: { content: '[one](https://docs.example.com/a) [two](https://docs.example.com/b)' },
      attachTo: document.body,
    })
    const [first, second] = wrapper.findAll('a')
    await first!.trigger('click')
    const confirm = wrapper.findComponent(LinkConfirmDialog)
    await confirm.find('[data-testid="link-confirm-trust"]').setValue(true)
    await confirm.find('form').trigger('submit')
    await flushPromises()
    expect(open).toHaveBeenCalledTimes(1)
    expect(wrapper.findComponent(LinkConfirmDialog).exists()).toBe(false)

    await second!.trigger('click')
    expect(open).toHaveBeenLastCalledWith('https://docs.example.com/b', '_blank', 'noopener,noreferrer')
    expect(wrapper.findComponent(LinkConfirmDialog).exists()).toBe(false)
  })
})
