// Hearth's service worker: shows Web Push notifications (the server encrypts a small JSON
// payload per RFC 8291; the browser decrypts it before `push` fires) and brings a Hearth tab to
// the message's channel when one is clicked. Plain JS, served at /sw.js (scope /).
'use strict'

self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))

function channelUrl(data) {
  const guild = typeof data.guild_id === 'string' && /^\d+$/.test(data.guild_id) ? data.guild_id : '@me'
  const channel = typeof data.channel_id === 'string' && /^\d+$/.test(data.channel_id) ? data.channel_id : ''
  return channel ? `/channels/${guild}/${channel}` : '/channels/@me'
}

function notificationOf(payload) {
  const author = payload.author ?? {}
  const name = author.global_name || author.username || 'Someone'
  const content = typeof payload.content === 'string' ? payload.content : ''
  const title = typeof payload.title === 'string' && payload.title ? payload.title : name
  return {
    title,
    options: {
      // In a server the title names the place, so the body says who spoke.
      body: payload.guild_id ? `${name}: ${content}` : content,
      tag: `channel-${payload.channel_id ?? 'unknown'}`,
      renotify: true,
      icon: '/favicon.svg',
      data: { url: channelUrl(payload), message_id: payload.message_id ?? null },
    },
  }
}

self.addEventListener('push', (event) => {
  let payload = {}
  try {
    payload = event.data ? event.data.json() : {}
  } catch {
    payload = {}
  }
  if (payload.type !== 'message') return
  const { title, options } = notificationOf(payload)
  event.waitUntil(self.registration.showNotification(title, options))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const path = event.notification.data?.url ?? '/channels/@me'
  const target = new URL(path, self.location.origin).href
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
      const tab = open.find((client) => new URL(client.url).origin === self.location.origin)
      if (tab) {
        await tab.focus()
        // The app routes on its own: navigating the tab would reload it, so tell it instead.
        tab.postMessage({ type: 'hearth:navigate', url: path })
        return
      }
      await self.clients.openWindow(target)
    })(),
  )
})
