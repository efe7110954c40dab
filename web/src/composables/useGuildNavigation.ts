// The shell's part in loading servers: the server list after sign-in (cleared on sign-out), the
// opened server's channels, roles and members, and Discord's habit of opening a server at its
// first text channel.
import { computed, watch, type Ref } from 'vue'
import { useRouter } from 'vue-router'
import { ChannelType, groupChannelsByCategory } from '@/models/guild'
import { useGuildsStore } from '@/stores/guilds'
import { useServerDialogsStore } from '@/stores/server_dialogs'
import { useSessionStore } from '@/stores/session'

export function useGuildNavigation(guildId: Ref<string | null>, channelId: Ref<string | null>) {
  const router = useRouter()
  const session = useSessionStore()
  const guilds = useGuildsStore()
  const dialogs = useServerDialogsStore()

  watch(
    () => session.isSignedIn,
    (signedIn) => {
      if (signedIn) {
        if (guilds.listStatus === 'idle') void guilds.loadGuilds()
      } else {
        guilds.reset()
        dialogs.closeAll()
      }
    },
    { immediate: true },
  )

  const known = computed(() => guildId.value !== null && guilds.guildById(guildId.value) !== null)

  watch(
    [guildId, known],
    ([id, isKnown]) => {
      if (id !== null && isKnown) void guilds.loadGuild(id)
    },
    { immediate: true },
  )

  const details = computed(() => guilds.detailsOf(guildId.value))

  // A server opened without a channel goes to its first text channel (the URL is replaced, so Back
  // does not bounce).
  watch(
    [guildId, channelId, () => details.value?.status],
    ([id, channel, status]) => {
      if (id === null || channel !== null || status !== 'done') return
      const first = groupChannelsByCategory(guilds.channelsOf(id))
        .flatMap((group) => group.channels)
        .find((candidate) => candidate.type === ChannelType.GuildText)
      if (first) void router.replace({ name: 'app', params: { guildId: id, channelId: first.id } })
    },
    { immediate: true },
  )

  /** Still finding out whether the server (or channel) in the URL exists for this user. */
  const loading = computed(() => {
    if (guildId.value === null || !session.isSignedIn) return false
    if (guilds.listStatus === 'idle' || guilds.listStatus === 'loading') return true
    if (!known.value) return false
    const status = details.value?.status
    return status === undefined || status === 'idle' || status === 'loading'
  })

  return { loading, details }
}
