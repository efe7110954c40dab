// A thread's member list as the members popover shows it: its members (from the threads store,
// loaded from GET thread-members and kept live by THREAD_MEMBERS_UPDATE) matched with the server's
// member list for names, avatars and colours, split into online and offline as the server member
// list is; and the server members one may add, who must see the parent channel (hearthd answers
// 403 50001 for anyone else).
import { computed, type ComputedRef } from 'vue'
import { compareIds, type Channel } from '@/models/guild'
import { memberDisplayName, type GuildMember, type PublicUser } from '@/models/member'
import { channelPermissions, hasPermission, Permission } from '@/models/permissions'
import type { Thread } from '@/models/thread'
import { useGuildsStore } from '@/stores/guilds'
import { usePresenceStore } from '@/stores/presence'
import { useThreadsStore, type ThreadMemberList } from '@/stores/threads'

/** One row: the server member when known, else what is known of the user. */
export interface ThreadMemberRow {
  userId: string
  name: string
  member: GuildMember | null
  user: PublicUser | null
}

export interface ThreadMemberGroup {
  key: 'online' | 'offline'
  title: string
  rows: ThreadMemberRow[]
}

/** How many people the picker lists at once; typing narrows it. */
export const PICKER_LIMIT = 25

export interface ThreadMembersView {
  list: ComputedRef<ThreadMemberList>
  rows: ComputedRef<ThreadMemberRow[]>
  groups: ComputedRef<ThreadMemberGroup[]>
  /** Whether anyone at all may be added (else the picker says everyone is in already). */
  hasCandidates: ComputedRef<boolean>
  /** Server members not in the thread who can see its channel, matching `query`, by name. */
  candidates(query: string): ThreadMemberRow[]
}

function byName(a: ThreadMemberRow, b: ThreadMemberRow): number {
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || compareIds(a.userId, b.userId)
}

export function useThreadMembers(guildId: () => string, thread: () => Thread, parent: () => Channel | null): ThreadMembersView {
  const guilds = useGuildsStore()
  const presence = usePresenceStore()
  const threads = useThreadsStore()

  const list = computed(() => threads.memberListOf(thread().id))

  function rowOf(userId: string, member: GuildMember | null): ThreadMemberRow {
    const user = member?.user ?? guilds.userById(userId)
    const name = member ? memberDisplayName(member) : (user?.global_name || user?.username || 'Unknown User')
    return { userId, name, member, user }
  }

  const rows = computed(() =>
    list.value.members
      .filter((member): member is typeof member & { user_id: string } => typeof member.user_id === 'string')
      .map((member) => rowOf(member.user_id, guilds.memberOf(guildId(), member.user_id))),
  )

  const groups = computed<ThreadMemberGroup[]>(() => {
    const online = rows.value.filter((row) => presence.isOnline(row.userId)).sort(byName)
    const offline = rows.value.filter((row) => !presence.isOnline(row.userId)).sort(byName)
    const result: ThreadMemberGroup[] = []
    if (online.length > 0) result.push({ key: 'online', title: 'Online', rows: online })
    if (offline.length > 0) result.push({ key: 'offline', title: 'Offline', rows: offline })
    return result
  })

  const eligible = computed(() => {
    const channel = parent()
    const details = guilds.detailsOf(guildId())
    const guild = details?.guild
    if (!channel || !guild) return []
    const inThread = new Set(rows.value.map((row) => row.userId))
    return guilds
      .membersOf(guildId())
      .filter((member) => !inThread.has(member.user.id))
      .filter((member) => {
        const subject = {
          guildId: guildId(),
          ownerId: guild.owner_id,
          userId: member.user.id,
          roles: details.roles,
          memberRoleIds: member.roles,
          communicationDisabledUntil: member.communication_disabled_until,
        }
        return hasPermission(channelPermissions(subject, channel), Permission.VIEW_CHANNEL)
      })
      .map((member) => rowOf(member.user.id, member))
      .sort(byName)
  })

  function candidates(query: string): ThreadMemberRow[] {
    const needle = query.trim().toLocaleLowerCase()
    const matching = needle === ''
      ? eligible.value
      : eligible.value.filter((row) =>
        [row.name, row.user?.username ?? '', row.user?.global_name ?? ''].some((text) => text.toLocaleLowerCase().includes(needle)),
      )
    return matching.slice(0, PICKER_LIMIT)
  }

  const hasCandidates = computed(() => eligible.value.length > 0)

  return { list, rows, groups, hasCandidates, candidates }
}
