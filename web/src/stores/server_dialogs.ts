// Which server dialog is open, so any part of the shell (the rail, the channel sidebar, the member
// list) can open one without passing events up through AppView. Server settings is a full-screen
// dialog of its own; the others are small dialogs that may open above it.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ChannelTypeValue } from '@/models/guild'

export type ServerSettingsSection = 'overview' | 'roles' | 'members' | 'invites' | 'bans' | 'audit-log'

export type ServerDialog =
  | { kind: 'create-server' }
  | { kind: 'join-server' }
  | { kind: 'invite'; guildId: string; channelId: string }
  | { kind: 'create-channel'; guildId: string; type: ChannelTypeValue; parentId: string | null }
  | { kind: 'edit-channel'; guildId: string; channelId: string }
  | { kind: 'leave-server'; guildId: string }
  | { kind: 'kick' | 'ban' | 'timeout'; guildId: string; userId: string }
  | { kind: 'notifications'; guildId: string; channelId: string | null }

export const useServerDialogsStore = defineStore('serverDialogs', () => {
  const dialog = ref<ServerDialog | null>(null)
  const settings = ref<{ guildId: string; section: ServerSettingsSection } | null>(null)

  function open(next: ServerDialog): void {
    dialog.value = next
  }

  function close(): void {
    dialog.value = null
  }

  function openSettings(guildId: string, section: ServerSettingsSection = 'overview'): void {
    settings.value = { guildId, section }
  }

  function closeSettings(): void {
    settings.value = null
  }

  /** Signed out, or the server is gone: nothing about it may stay open. */
  function closeAll(guildId?: string): void {
    if (guildId === undefined || (dialog.value !== null && 'guildId' in dialog.value && dialog.value.guildId === guildId)) {
      dialog.value = null
    }
    if (guildId === undefined || settings.value?.guildId === guildId) settings.value = null
  }

  return { dialog, settings, open, close, openSettings, closeSettings, closeAll }
})
