// Mounting the home, DM and presence components: Ada signed in, a memory router with the app's
// home routes, and the friends, DMs and presences of the social fixtures in their stores.
import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import type { Component } from 'vue'
import { createMemoryHistory, createRouter } from 'vue-router'
import { RelationshipType } from '@/models/relationship'
import { useDmsStore } from '@/stores/dms'
import { usePresenceStore } from '@/stores/presence'
import { useReadStatesStore } from '@/stores/read_states'
import { useRelationshipsStore } from '@/stores/relationships'
import { BOB, CAROL, DAVE, dm, group, relationship } from '../support/social_fixtures'

const Blank = { render: () => null }

export function testRouter() {
  return createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/app/:guildId?/:channelId?', name: 'app', component: Blank },
      { path: '/channels/@me', name: 'home', component: Blank },
      { path: '/channels/@me/:channelId', name: 'dm', component: Blank },
    ],
  })
}

export async function mountAt(component: Component, path = '/channels/@me', props: Record<string, unknown> = {}) {
  const router = testRouter()
  await router.push(path)
  const wrapper = mount(component, { props, global: { plugins: [router, getActivePinia()!] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

/** Bob a friend (online, custom status), Carol asking to be one, Dave asked; a DM with Bob (two unread mentions) and a group. */
export function fillSocialStores() {
  useRelationshipsStore().applyReady([
    relationship(BOB, RelationshipType.Friend),
    relationship(CAROL, RelationshipType.Incoming),
    relationship(DAVE, RelationshipType.Outgoing),
  ])
  usePresenceStore().applyReady([
    { user: { id: BOB.id }, status: 'online', activities: [{ type: 4, name: 'Custom Status', state: 'Building' }] },
  ])
  const dms = [dm('1000', BOB, '9000'), group('2000', [BOB, CAROL], '8000', 'Readers')]
  useDmsStore().applyReady(dms)
  useReadStatesStore().applyReady(
    [
      { id: '1000', last_message_id: '8500', mention_count: 2 },
      { id: '2000', last_message_id: '8000', mention_count: 0 },
    ],
    [],
    dms,
  )
}
