import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const api = vi.hoisted(() => ({
  getVapidPublicKey: vi.fn(),
  savePushSubscription: vi.fn(),
  deletePushSubscription: vi.fn(),
}))
vi.mock('@/api/push', () => api)

import {
  PUSH_SERVICE_UNAVAILABLE,
  base64UrlToBytes,
  subscribedWithKey,
  usePushSubscription,
} from '@/composables/usePushSubscription'

// The RFC 8291 example's user agent key: 65 bytes, 0x04 first.
const KEY = 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4'

interface FakeSubscription {
  options: { applicationServerKey: ArrayBuffer }
  unsubscribe: ReturnType<typeof vi.fn>
  toJSON: () => unknown
}

function fakeBrowser(permission: NotificationPermission, answer: NotificationPermission = 'granted') {
  let current: FakeSubscription | null = null
  const subscription = (key: Uint8Array): FakeSubscription => ({
    options: { applicationServerKey: key.slice().buffer },
    unsubscribe: vi.fn(async () => {
      current = null
      return true
    }),
    toJSON: () => ({ endpoint: 'https://push.example/abc', keys: { p256dh: KEY, auth: 'BTBZMqHH6r4Tts7J_aSIgg' } }),
  })
  const pushManager = {
    getSubscription: vi.fn(async () => current),
    subscribe: vi.fn(async (options: { userVisibleOnly: boolean; applicationServerKey: Uint8Array }) => {
      current = subscription(options.applicationServerKey)
      return current
    }),
  }
  const registration = { pushManager }
  const notification = { permission, requestPermission: vi.fn(async () => answer) }
  vi.stubGlobal('Notification', notification)
  vi.stubGlobal('PushManager', function PushManager() {})
  Object.defineProperty(navigator, 'serviceWorker', {
    configurable: true,
    value: {
      register: vi.fn(async () => registration),
      getRegistration: vi.fn(async () => registration),
      ready: Promise.resolve(registration),
    },
  })
  return { pushManager, notification, setCurrent: (key: Uint8Array) => (current = subscription(key)) }
}

beforeEach(() => {
  api.getVapidPublicKey.mockResolvedValue({ public_key: KEY })
  api.savePushSubscription.mockResolvedValue({ endpoint: 'https://push.example/abc' })
  api.deletePushSubscription.mockResolvedValue(undefined)
})
afterEach(() => {
  vi.unstubAllGlobals()
  Reflect.deleteProperty(navigator, 'serviceWorker')
  vi.clearAllMocks()
})

describe('base64UrlToBytes', () => {
  it('decodes base64url without padding, as VAPID keys come', () => {
    const bytes = base64UrlToBytes(KEY)
    expect(bytes.length).toBe(65)
    expect(bytes[0]).toBe(4)
    expect([...base64UrlToBytes('_-8')]).toEqual([0xff, 0xef])
    expect([...base64UrlToBytes('AQ')]).toEqual([1])
  })

  it('tells whether a subscription used a key', () => {
    const key = base64UrlToBytes(KEY)
    const other = key.slice()
    other[10] = other[10]! ^ 1
    const made = { options: { applicationServerKey: key.slice().buffer } } as unknown as PushSubscription
    expect(subscribedWithKey(made, key)).toBe(true)
    expect(subscribedWithKey(made, other)).toBe(false)
    expect(subscribedWithKey({ options: {} } as unknown as PushSubscription, key)).toBe(false)
  })
})

describe('usePushSubscription', () => {
  it('is unsupported without a service worker or PushManager', async () => {
    const push = usePushSubscription()
    await push.refresh()
    expect(push.state.value).toBe('unsupported')
    await push.enable()
    expect(api.savePushSubscription).not.toHaveBeenCalled()
  })

  it('is blocked when the permission was denied', async () => {
    fakeBrowser('denied')
    const push = usePushSubscription()
    await push.refresh()
    expect(push.state.value).toBe('blocked')
  })

  it('asks permission, subscribes with the VAPID key, posts the subscription, and turns off again', async () => {
    const browser = fakeBrowser('default')
    const push = usePushSubscription()
    await push.refresh()
    expect(push.state.value).toBe('off')
    await push.enable()
    expect(browser.notification.requestPermission).toHaveBeenCalled()
    const options = browser.pushManager.subscribe.mock.calls[0]![0]
    expect(options.userVisibleOnly).toBe(true)
    expect([...options.applicationServerKey]).toEqual([...base64UrlToBytes(KEY)])
    expect(api.savePushSubscription).toHaveBeenCalledWith({
      endpoint: 'https://push.example/abc',
      keys: { p256dh: KEY, auth: 'BTBZMqHH6r4Tts7J_aSIgg' },
    })
    expect(push.state.value).toBe('on')

    await push.disable()
    expect(api.deletePushSubscription).toHaveBeenCalled()
    expect(push.state.value).toBe('off')
    expect(await browser.pushManager.getSubscription()).toBeNull()
  })

  it('replaces a subscription made with another server key', async () => {
    const browser = fakeBrowser('granted')
    const stale = base64UrlToBytes(KEY)
    stale[5] = stale[5]! ^ 1
    browser.setCurrent(stale)
    const push = usePushSubscription()
    await push.refresh()
    expect(push.state.value).toBe('on')
    await push.enable()
    expect(browser.pushManager.subscribe).toHaveBeenCalledTimes(1)
    expect(push.state.value).toBe('on')
  })

  it('stays off when the user dismisses the prompt, and blocked when they refuse', async () => {
    fakeBrowser('default', 'default')
    const push = usePushSubscription()
    await push.enable()
    expect(push.state.value).toBe('off')
    fakeBrowser('default', 'denied')
    await push.enable()
    expect(push.state.value).toBe('blocked')
    expect(api.savePushSubscription).not.toHaveBeenCalled()
  })

  it('says so when the browser cannot reach its push service', async () => {
    const browser = fakeBrowser('granted')
    browser.pushManager.subscribe.mockRejectedValue(new DOMException('Registration failed - permission denied', 'AbortError'))
    const push = usePushSubscription()
    await push.enable()
    expect(push.error.value).toBe(PUSH_SERVICE_UNAVAILABLE)
    expect(push.state.value).toBe('off')
    expect(api.savePushSubscription).not.toHaveBeenCalled()
  })

  it('shows the server refusing the subscription and stays off', async () => {
    fakeBrowser('granted')
    api.savePushSubscription.mockRejectedValue(new Error('Invalid Form Body'))
    const push = usePushSubscription()
    await push.enable()
    expect(push.error.value).toBe('Invalid Form Body')
    expect(push.busy.value).toBe(false)
    expect(push.state.value).toBe('off')
  })
})
