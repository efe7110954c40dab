import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { routes } from '@/router'
import { installFakeApi, jsonResponse, type SentRequest } from '../support/fake_api'
import { FakeSocket } from '../support/fake_socket'
import { GUILD_ID, guildRoutes } from '../support/guild_fixtures'
import { CHANNEL_ID, historyRoute, message } from '../support/message_fixtures'
import { useAppShell } from '../support/app_shell'

const ROUTE = `/channels/${CHANNEL_ID}/messages`

async function mountChannel() {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(`/app/${GUILD_ID}/${CHANNEL_ID}`)
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  await flushPromises()
  return wrapper
}

function rows(wrapper: Awaited<ReturnType<typeof mountChannel>>) {
  return wrapper.findAll('article[data-testid="message"]')
}

function rowWith(wrapper: Awaited<ReturnType<typeof mountChannel>>, text: string) {
  const row = rows(wrapper).find((candidate) => candidate.find('[data-testid="message-content"]').text().includes(text))
  if (!row) throw new Error(`no message "${text}"`)
  return row
}

const HISTORY = [message(1, 'mo', 0), message(2, 'mo', 1), message(3, 'ada', 2)]

useAppShell()

describe('AppView: a channel’s messages', () => {
  it('shows the history grouped by author, and live messages as they come', async () => {
    installFakeApi({ ...guildRoutes(), [`GET ${ROUTE}`]: historyRoute(HISTORY) })
    const wrapper = await mountChannel()
    expect(wrapper.find('[role="log"]').attributes('aria-label')).toBe('Messages in general')
    expect(rows(wrapper).map((row) => row.attributes('data-head'))).toEqual(['true', 'false', 'true'])
    expect(rowWith(wrapper, 'message 1').find('[data-testid="message-author"]').text()).toBe('Mo')
    expect(wrapper.find('[data-testid="channel-start"]').text()).toContain('Welcome to #general!')

    const socket = FakeSocket.latest()
    socket.open()
    socket.hello(60_000)
    socket.receive({ op: 0, t: 'MESSAGE_CREATE', s: 2, d: { ...message(4, 'ada', 3), content: 'live one' } })
    await flushPromises()
    expect(rowWith(wrapper, 'live one').attributes('data-head')).toBe('false')
    wrapper.unmount()
  })

  it('sends at once, shows a refused send in red with Retry, and retries it', async () => {
    let refuse = true
    const api = installFakeApi({
      ...guildRoutes(),
      [`GET ${ROUTE}`]: historyRoute(HISTORY),
      [`POST ${ROUTE}`]: (request: SentRequest) => {
        if (refuse) return jsonResponse(403, { code: 50013, message: 'Missing Permissions' })
        const body = request.body as { content: string; nonce: string }
        return jsonResponse(200, { ...message(9, 'ada', 9), content: body.content, nonce: body.nonce })
      },
    })
    const wrapper = await mountChannel()
    const box = wrapper.get('textarea[data-testid="composer-input"]')
    expect(box.attributes('placeholder')).toBe('Message #general')
    await box.setValue('hello there')
    await box.trigger('keydown', { key: 'Enter' })
    expect(rowWith(wrapper, 'hello there').attributes('data-state')).toBe('sending')
    await flushPromises()
    const failed = rowWith(wrapper, 'hello there')
    expect(failed.attributes('data-state')).toBe('failed')
    expect(failed.get('[data-testid="message-failure"]').text()).toContain('You do not have permission to send messages here.')

    refuse = false
    await failed.get('[data-testid="message-retry"]').trigger('click')
    await flushPromises()
    expect(rowWith(wrapper, 'hello there').attributes('data-state')).toBe('sent')
    expect(api.calls(`POST ${ROUTE}`)).toHaveLength(2)
    expect(rows(wrapper).filter((row) => row.text().includes('hello there'))).toHaveLength(1)
    wrapper.unmount()
  })

  it('edits the user’s last message with Up, and deletes after a confirmation', async () => {
    const api = installFakeApi({
      ...guildRoutes(),
      [`GET ${ROUTE}`]: historyRoute(HISTORY),
      [`PATCH ${ROUTE}/1003`]: (request: SentRequest) =>
        jsonResponse(200, { ...message(3, 'ada', 2), content: (request.body as { content: string }).content, edited_timestamp: new Date().toISOString() }),
      [`DELETE ${ROUTE}/1003`]: jsonResponse(204),
    })
    const wrapper = await mountChannel()
    await wrapper.get('textarea[data-testid="composer-input"]').trigger('keydown', { key: 'ArrowUp' })
    await flushPromises()
    const editor = wrapper.get('textarea[data-testid="message-editor"]')
    expect((editor.element as HTMLTextAreaElement).value).toBe('message 3')
    await editor.setValue('message 3, better')
    await editor.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(api.calls(`PATCH ${ROUTE}/1003`)[0]?.body).toEqual({ content: 'message 3, better' })
    expect(wrapper.find('[data-testid="message-editor"]').exists()).toBe(false)
    expect(rowWith(wrapper, 'message 3, better').find('[data-testid="message-edited"]').exists()).toBe(true)

    // Another user's message offers no Edit; one's own does, and More → Delete asks first.
    expect(rowWith(wrapper, 'message 1').find('[data-testid="toolbar-edit"]').exists()).toBe(false)
    await rowWith(wrapper, 'message 3, better').get('[data-testid="toolbar-more"]').trigger('click')
    await flushPromises()
    const deleteItem = [...document.querySelectorAll<HTMLElement>('[data-testid="message-menu"] [role="menuitem"]')].find(
      (item) => item.textContent?.includes('Delete Message'),
    )
    deleteItem!.click()
    await flushPromises()
    const dialog = document.querySelector('[data-testid="delete-message-dialog"]')!
    expect(dialog.textContent).toContain('Are you sure you want to delete this message?')
    expect(api.calls(`DELETE ${ROUTE}/1003`)).toHaveLength(0)
    dialog.querySelector('form')!.dispatchEvent(new Event('submit'))
    await flushPromises()
    expect(api.calls(`DELETE ${ROUTE}/1003`)).toHaveLength(1)
    expect(rows(wrapper).map((row) => row.find('[data-testid="message-content"]').text())).toEqual(['message 1', 'message 2'])
    wrapper.unmount()
  })

  it('says why the user cannot send when the channel denies it', async () => {
    const denied = { id: CHANNEL_ID, type: 0, name: 'general', position: 0, parent_id: '10', topic: null, permission_overwrites: [{ id: GUILD_ID, type: 0, allow: '0', deny: String(1 << 11) }] }
    installFakeApi({
      ...guildRoutes({ guild: { id: GUILD_ID, name: 'Book Club', icon: null, description: null, owner_id: '999', roles: [] }, channels: [denied as never] }),
      [`GET ${ROUTE}`]: historyRoute(HISTORY),
    })
    const wrapper = await mountChannel()
    const box = wrapper.get('textarea[data-testid="composer-input"]')
    expect(box.attributes('disabled')).toBeDefined()
    expect(box.attributes('placeholder')).toBe('You do not have permission to send messages in this channel.')
    wrapper.unmount()
  })
})
