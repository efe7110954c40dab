// The shell's part in threads: the gateway's thread events go to the threads store, the clock that
// decides which threads have auto-archived ticks each minute, and signing out forgets them all.
import { onBeforeUnmount, watch } from 'vue'
import { createThreadDispatcher } from '@/gateway/thread_dispatcher'
import { useSessionStore } from '@/stores/session'
import { useThreadsStore } from '@/stores/threads'
import { useGateway } from './useGateway'

const CLOCK_TICK_MS = 60_000

export function useThreadSync(): void {
  const session = useSessionStore()
  const threads = useThreadsStore()
  const gateway = useGateway()

  const dispatcher = createThreadDispatcher({ threads, currentUserId: () => session.user?.id ?? null })
  const unsubscribe = gateway.onDispatch((frame) => dispatcher.handle(frame))
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
