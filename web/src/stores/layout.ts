// Which panes are visible. Below 1024 px the member list becomes a drawer;
// below 768 px the navigation (server rail + channel sidebar) does too. At
// most one drawer is open at a time.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { useMediaQuery } from '@/composables/useMediaQuery'

export type Drawer = 'none' | 'navigation' | 'members'

export const COMPACT_QUERY = '(max-width: 767.98px)'
export const MEMBERS_DRAWER_QUERY = '(max-width: 1023.98px)'
const MEMBER_LIST_KEY = 'hearth.memberList'

function readMemberListVisible(): boolean {
  try {
    return window.localStorage.getItem(MEMBER_LIST_KEY) !== 'hidden'
  } catch {
    return true
  }
}

export const useLayoutStore = defineStore('layout', () => {
  const isCompact = useMediaQuery(COMPACT_QUERY)
  const membersAsDrawer = useMediaQuery(MEMBERS_DRAWER_QUERY)
  const openDrawer = ref<Drawer>('none')
  const memberListVisible = ref(readMemberListVisible())

  // Growing past a breakpoint while its drawer is open would leave a stray backdrop.
  watch([isCompact, membersAsDrawer], ([compact, membersDrawer]) => {
    if (!compact && openDrawer.value === 'navigation') openDrawer.value = 'none'
    if (!membersDrawer && openDrawer.value === 'members') openDrawer.value = 'none'
  })

  function toggleDrawer(drawer: Exclude<Drawer, 'none'>): void {
    openDrawer.value = openDrawer.value === drawer ? 'none' : drawer
  }

  function closeDrawer(): void {
    openDrawer.value = 'none'
  }

  /** The header's member button: a drawer on narrow screens, a column otherwise. */
  function toggleMembers(): void {
    if (membersAsDrawer.value) {
      toggleDrawer('members')
      return
    }
    memberListVisible.value = !memberListVisible.value
    try {
      window.localStorage.setItem(MEMBER_LIST_KEY, memberListVisible.value ? 'shown' : 'hidden')
    } catch {
      // Only this visit remembers it.
    }
  }

  return { isCompact, membersAsDrawer, openDrawer, memberListVisible, toggleDrawer, closeDrawer, toggleMembers }
})
