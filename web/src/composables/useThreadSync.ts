// The shell's part in threads: the gateway's thread events go to the threads store, the clock that
// decides which threads have auto-archived ticks each minute, and signing out forgets them all.
// Removed from a private thread (or leaving it) without MANAGE_THREADS, the user can't see it any
// more (hearthd answers 404 from then on): it goes as if deleted, which closes it if open.
import { onBeforeUnmount, watch } from 'vue'
import { createThreadDispatcher } from '@/gateway/thread_dispatcher'
import type { GatewayFrame } from '@/gateway/protocol'
import { Permission } from '@/models/permissions'
import { ThreadType } from '@/models/thread'
import { useGuildsStore } from '@/stores/guilds'
import { useSessionStore } from '@/stores/session'
import { useThreadsStore } from '@/stores/threads'
import { useGateway } from './useGateway'

const CLOCK_TICK_MS = 60_000

export function useThreadSync(): void {
  const session = useSessionStore()
  const threads = useThreadsStore()
  const guilds = useGuildsStore()
  const gateway = useGateway()

  const dispatcher = createThreadDispatcher({ threads, currentUserId: () => session.user?.id ?? null })
  function dropLostPrivateThread(frame: GatewayFrame): void {
    if (frame.t !== 'THREAD_MEMBERS_UPDATE' || frame.d === null || typeof frame.d !== 'object') return
    const data = frame.d as { id?: unknown; removed_member_ids?: unknown }
    const myId = session.user?.id
    if (typeof data.id !== 'string' || !myId || !Array.isArray(data.removed_member_ids) || !data.removed_member_ids.includes(myId)) return
    const thread = threads.threadById(data.id)
    if (!thread || thread.type !== ThreadType.Private) return
    const parent = guilds.channelsOf(thread.guild_id).find((channel) => channel.id === thread.parent_id) ?? null
    if (!guilds.can(thread.guild_id, Permission.MANAGE_THREADS, parent)) threads.applyThreadDelete(thread.id)
  }

  const unsubscribe = gateway.onDispatch((frame) => {
    dispatcher.handle(frame)
    dropLostPrivateThread(frame)
  })
  const timer = setInterval(() => threads.tick(), CLOCK_TICK_MS)

  const stopAccount = watch(
    () => session.user?.id ?? null,
    (now, before) => {
      if (before !== null && before !== undefined && now !== before) threads.reset()
    },
  )

  onBeforeUnmount(() => {
    unsubscribe()
    clearInterval(timer)
    stopAccount()
  })
}
