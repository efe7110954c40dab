// Which home dialog is open (new DM, add people to a conversation, leave a group, remove a
// friend), so the sidebar, the header, the friends page and profiles open them without passing
// events up through the shell.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type DmDialog =
  | { kind: 'create' }
  | { kind: 'add-people'; channelId: string }
  | { kind: 'leave-group'; channelId: string }
  | { kind: 'remove-friend'; userId: string }
  | { kind: 'block'; userId: string }

export const useDmDialogsStore = defineStore('dmDialogs', () => {
  const current = ref<DmDialog | null>(null)

  function open(dialog: DmDialog): void {
    current.value = dialog
  }

  function close(): void {
    current.value = null
  }

  return { current, open, close }
})
