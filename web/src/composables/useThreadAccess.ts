// What the signed-in user may do in a thread, from their permissions in its parent channel
// (models/thread.ts threadPermissions) and the thread's state, with the reason they can't send
// when they can't: shared by the thread panel, its header actions and the full-size view.
import { computed, type ComputedRef } from 'vue'
import type { Channel } from '@/models/guild'
import { hasPermission, Permission } from '@/models/permissions'
import { threadPermissions, ThreadType, type Thread } from '@/models/thread'
import { useGuildsStore } from '@/stores/guilds'
import { useSessionStore } from '@/stores/session'
import { useThreadsStore } from '@/stores/threads'

export interface ThreadAccess {
  /** The user's permissions inside the thread. */
  permissions: ComputedRef<bigint>
  canSend: ComputedRef<boolean>
  /** MANAGE_THREADS in the parent: lock, unlock, archive anyone's, delete. */
  canManage: ComputedRef<boolean>
  isOwner: ComputedRef<boolean>
  isMember: ComputedRef<boolean>
  archived: ComputedRef<boolean>
  locked: ComputedRef<boolean>
  /** Archive it: its owner or a moderator, while it is active. */
  canArchive: ComputedRef<boolean>
  /** Unarchive it: anyone who may send, unless it is locked (then moderators). */
  canUnarchive: ComputedRef<boolean>
  /** Join or leave: not while archived (the server answers 50083). */
  canChangeMembership: ComputedRef<boolean>
  /** Add someone (hearthd's Threads::addMember): not archived; moderators, or those who may send in it, in a private one only while it is `invitable`. */
  canAddMembers: ComputedRef<boolean>
  /** Remove someone else: not archived; moderators, or the owner of a private thread. */
  canRemoveMembers: ComputedRef<boolean>
  /** Rename it and change its auto-archive duration: its owner or a moderator, while active. */
  canEditBasics: ComputedRef<boolean>
  /** Slowmode and "allow members to invite": moderators, while active. */
  canEditModeration: ComputedRef<boolean>
  /** Why the composer is off, when it is. */
  noSendReason: ComputedRef<string>
}

export function useThreadAccess(guildId: () => string, thread: () => Thread, parent: () => Channel | null): ThreadAccess {
  const guilds = useGuildsStore()
  const session = useSessionStore()
  const threads = useThreadsStore()

  const inParent = computed(() => {
    const channel = parent()
    return channel ? guilds.permissionsInChannel(guildId(), channel) : 0n
  })
  const isMember = computed(() => thread().member != null)
  const permissions = computed(() => threadPermissions(inParent.value, thread(), isMember.value))
  const canSend = computed(() => hasPermission(permissions.value, Permission.SEND_MESSAGES))
  const canManage = computed(() => hasPermission(inParent.value, Permission.MANAGE_THREADS))
  const isOwner = computed(() => session.user?.id !== undefined && thread().owner_id === session.user?.id)
  const archived = computed(() => threads.archivedNow(thread()))
  const locked = computed(() => thread().thread_metadata.locked)
  const canArchive = computed(() => !archived.value && (isOwner.value || canManage.value))
  const canUnarchive = computed(() => archived.value && (locked.value ? canManage.value : canSend.value))
  const canChangeMembership = computed(() => !archived.value)
  const isPrivate = computed(() => thread().type === ThreadType.Private)
  const canAddMembers = computed(
    () => !archived.value && (canManage.value || (canSend.value && (!isPrivate.value || thread().thread_metadata.invitable !== false))),
  )
  const canRemoveMembers = computed(() => !archived.value && (canManage.value || (isPrivate.value && isOwner.value)))
  const canEditBasics = computed(() => !archived.value && (isOwner.value || canManage.value))
  const canEditModeration = computed(() => !archived.value && canManage.value)
  const noSendReason = computed(() => {
    if (locked.value && !canManage.value) return 'This thread is locked. Only moderators can send messages in it.'
    if (thread().type === ThreadType.Private && !isMember.value && !canManage.value) return 'You are not in this private thread.'
    return 'You do not have permission to send messages in this thread.'
  })

  return {
    permissions,
    canSend,
    canManage,
    isOwner,
    isMember,
    archived,
    locked,
    canArchive,
    canUnarchive,
    canChangeMembership,
    canAddMembers,
    canRemoveMembers,
    canEditBasics,
    canEditModeration,
    noSendReason,
  }
}
