// The whole app shell under test: mounted at a path with the real router, a fake gateway socket,
// and Ada signed in. Call useAppShell() at the top of a test file for the set-up and clean-up.
import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, vi } from 'vitest'
import { createMemoryHistory, createRouter } from 'vue-router'
import App from '@/App.vue'
import { resetGatewayForTests } from '@/composables/useGateway'
import { routes } from '@/router'
import { signInAda } from '../components/account_dialogs_support'
import { FakeSocket } from './fake_socket'

/** Mounts App at `path` and lets its first loads settle. */
export async function mountAt(path: string) {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push(path)
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  await flushPromises()
  return { wrapper, router }
}

/** Before each test: a fresh fake WebSocket, gateway and storage, Ada signed in; after: all gone. */
export function useAppShell(): void {
  beforeEach(() => {
    FakeSocket.reset()
    resetGatewayForTests()
    vi.stubGlobal('WebSocket', FakeSocket)
    localStorage.clear()
    signInAda()
  })

  afterEach(() => {
    resetGatewayForTests()
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })
}
