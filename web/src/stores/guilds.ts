// Guilds and channels the signed-in user can see. Empty until accounts and
// the gateway READY payload exist; the views already render from here.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Channel, GuildSummary } from '@/models/guild'

export const useGuildsStore = defineStore('guilds', () => {
  const guilds = ref<GuildSummary[]>([])
  const channelsByGuild = ref<Record<string, Channel[]>>({})

  function guildById(guildId: string | null): GuildSummary | null {
    if (guildId === null) return null
    return guilds.value.find((guild) => guild.id === guildId) ?? null
  }

  function channelsOf(guildId: string | null): Channel[] {
    if (guildId === null) return []
    return channelsByGuild.value[guildId] ?? []
  }

  return { guilds, channelsByGuild, guildById, channelsOf }
})
