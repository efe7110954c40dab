// The shell's part in keeping messages live: the gateway's message, reaction, typing and pin
// events go to their stores, and signing out forgets them all.
import { onBeforeUnmount, watch } from 'vue'
import { createMessageDispatcher } from '@/gateway/message_dispatcher'
import { useComposerStore } from '@/stores/composer'
import { useMessagesStore } from '@/stores/messages'
import { useSessionStore } from '@/stores/session'
import { useTypingStore } from '@/stores/typing'
import { useGateway } from './useGateway'

export function useMessageSync(): void {
  const session = useSessionStore()
  const messages = useMessagesStore()
  const typing = useTypingStore()
  const composer = useComposerStore()
  const gateway = useGateway()

  const dispatcher = createMessageDispatcher({
    messages,
    typing,
    currentUserId: () => session.user?.id ?? null,
  })
  const unsubscribe = gateway.onDispatch((frame) => dispatcher.handle(frame))

  watch(
    () => session.user?.id ?? null,
    (now, before) => {
      if (now !== before && before !== undefined && before !== null) {
        messages.reset()
        typing.reset()
        composer.reset()
      }
    },
  )

  onBeforeUnmount(unsubscribe)
}
