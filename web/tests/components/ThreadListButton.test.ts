import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import ThreadListButton from '@/components/thread/ThreadListButton.vue'
import { useThreadsStore } from '@/stores/threads'
import { signInAda } from './account_dialogs_support'
import { installFakeApi, jsonResponse } from '../support/fake_api'
import { GUILD_ID } from '../support/guild_fixtures'
import { thread } from '../support/thread_fixtures'

beforeEach(() => {
  signInAda()
})

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const now = () => new Date().toISOString()

describe('ThreadListButton', () => {
  it('lists active threads at once and archived ones once loaded, and opens one', async () => {
    const api = installFakeApi({
      'GET /channels/11/threads/archived/public': jsonResponse(200, {
        threads: [thread('802', { name: 'Old news' }, { archived: true })],
        members: [],
        has_more: false,
      }),
      'GET /channels/11/threads/archived/private': jsonResponse(200, { threads: [], members: [], has_more: false }),
    })
    const store = useThreadsStore()
    store.applyThread(thread('801', { name: 'Live one', message_count: 3 }, { archive_timestamp: now(), create_timestamp: now() }))
    store.applyThread(thread('803', { name: 'Elsewhere', parent_id: '12' }, { archive_timestamp: now() }))
    const wrapper = mount(ThreadListButton, { props: { channelId: '11', guildId: GUILD_ID, canCreate: true, canManage: true }, attachTo: document.body })
    await wrapper.get('[data-testid="threads-button"]').trigger('click')
    await flushPromises()
    const popover = wrapper.get('[data-testid="threads-popover"]')
    expect(popover.text()).toContain('1 Active Thread')
    expect(popover.findAll('[data-testid="threads-item"]').map((item) => item.text())).toEqual([expect.stringContaining('Live one')])
    expect(popover.get('[data-testid="threads-item"]').text()).toContain('3 Messages')
    expect(popover.findAll('[data-testid="threads-archived-item"]').map((item) => item.text())).toEqual([expect.stringContaining('Old news')])
    // A moderator sees every archived private thread.
    expect(api.calls('GET /channels/11/threads/archived/private')).toHaveLength(1)

    await popover.get('[data-testid="threads-item"]').trigger('click')
    expect(wrapper.emitted('open')).toEqual([['801']])
    expect(wrapper.find('[data-testid="threads-popover"]').exists()).toBe(false)
    wrapper.unmount()
  })

  it('says when there are none, and offers Create only to those who may', async () => {
    installFakeApi({
      'GET /channels/11/threads/archived/public': jsonResponse(200, { threads: [], members: [], has_more: false }),
      'GET /channels/11/users/@me/threads/archived/private': jsonResponse(200, { threads: [], members: [], has_more: false }),
    })
    const wrapper = mount(ThreadListButton, { props: { channelId: '11', guildId: GUILD_ID, canCreate: false, canManage: false }, attachTo: document.body })
    await wrapper.get('[data-testid="threads-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="threads-empty"]').text()).toContain('There are no threads.')
    expect(wrapper.find('[data-testid="threads-create"]').exists()).toBe(false)
    await wrapper.setProps({ canCreate: true })
    await wrapper.get('[data-testid="threads-create"]').trigger('click')
    expect(wrapper.emitted('create')).toHaveLength(1)
    wrapper.unmount()
  })
})
