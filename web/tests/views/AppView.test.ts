import { flushPromises, mount } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { resetGatewayForTests } from '@/composables/useGateway'
import { routes } from '@/router'
import { FakeSocket } from '../support/fake_socket'

async function mountAt(path: string) {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [createPinia(), router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

beforeEach(() => {
  FakeSocket.reset()
  resetGatewayForTests()
  vi.stubGlobal('WebSocket', FakeSocket)
  localStorage.clear()
})

afterEach(() => {
  resetGatewayForTests()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('AppView', () => {
  it('renders the landmarks and honest empty states', async () => {
    const { wrapper } = await mountAt('/app')
    expect(wrapper.find('nav[aria-label="Servers"]').exists()).toBe(true)
    expect(wrapper.find('nav[aria-label="Channels"]').exists()).toBe(true)
    expect(wrapper.find('main').exists()).toBe(true)
    expect(wrapper.find('aside[aria-label="Members"]').exists()).toBe(true)

    expect(wrapper.find('h2#welcome-title').text()).toBe('Welcome to Hearth')
    const composer = wrapper.find('input#message-composer')
    expect(composer.attributes('placeholder')).toBe('Sign in to start talking')
    expect(composer.attributes('disabled')).toBeDefined()
    // Home and "Add a Server" only: no made-up servers.
    expect(wrapper.findAll('nav[aria-label="Servers"] [aria-label]').map((item) => item.attributes('aria-label'))).toEqual([
      'Home',
      'Add a Server',
    ])
    wrapper.unmount()
  })

  it('shows the gateway state in the user panel', async () => {
    const { wrapper } = await mountAt('/app')
    const status = () => wrapper.find('[data-testid="gateway-status"]')
    expect(status().text()).toBe('Connecting…')
    expect(FakeSocket.latest().url).toMatch(/^ws:\/\/[^/]+\/api\/v1\/gateway$/)

    FakeSocket.latest().open()
    FakeSocket.latest().hello(41_250)
    await flushPromises()
    expect(status().text()).toBe('Connected')
    expect(status().attributes('data-state')).toBe('connected')

    FakeSocket.latest().serverClose()
    await flushPromises()
    expect(status().text()).toBe('Reconnecting…')
    expect(wrapper.text()).toContain('Connection lost. Reconnecting…')
    wrapper.unmount()
  })

  it('switches theme from the user panel', async () => {
    const { wrapper } = await mountAt('/app')
    const before = document.documentElement.dataset.theme
    await wrapper.find('[data-testid="theme-toggle"]').trigger('click')
    expect(document.documentElement.dataset.theme).not.toBe(before)
    expect(localStorage.getItem('hearth.theme')).toBe(document.documentElement.dataset.theme)
    wrapper.unmount()
  })

  it('renders an unknown deep link inside the app', async () => {
    const { wrapper } = await mountAt('/app/123/456')
    expect(wrapper.find('main').text()).toContain('This channel is not available')
    expect(wrapper.find('nav[aria-label="Servers"]').exists()).toBe(true)
    wrapper.unmount()
  })
})
