// The user profile popover: whose profile is open and where, so a member list row, a message
// author or a DM member opens the one popover the shell mounts:
//   useProfilePopoverStore().open(message.author, event.currentTarget as HTMLElement, guildId)
import { defineStore } from 'pinia'
import { shallowRef } from 'vue'
import type { UiMenuAnchor } from '@/components/ui/menu'
import type { PublicUser } from '@/models/member'

export interface ProfilePopoverTarget {
  user: PublicUser
  anchor: UiMenuAnchor
  /** The server it was opened in (for the member's nickname and roles); null elsewhere. */
  guildId: string | null
}

export const useProfilePopoverStore = defineStore('profilePopover', () => {
  const target = shallowRef<ProfilePopoverTarget | null>(null)

  function open(user: PublicUser, anchor: UiMenuAnchor, guildId: string | null = null): void {
    // A second click on what opened it closes it.
    if (target.value?.user.id === user.id && target.value.anchor === anchor) {
      target.value = null
      return
    }
    target.value = { user, anchor, guildId }
  }

  function close(): void {
    target.value = null
  }

  return { target, open, close }
})
