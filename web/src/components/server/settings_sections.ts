import type { IconName } from '@/components/ui/icons'
import { Permission } from '@/models/permissions'
import type { useGuildsStore } from '@/stores/guilds'
import type { ServerSettingsSection } from '@/stores/server_dialogs'

export interface SettingsSectionInfo {
  id: ServerSettingsSection
  label: string
  icon: IconName
}

const SECTIONS: (SettingsSectionInfo & { needs: bigint[] })[] = [
  { id: 'overview', label: 'Overview', icon: 'settings', needs: [Permission.MANAGE_GUILD] },
  { id: 'roles', label: 'Roles', icon: 'tag', needs: [Permission.MANAGE_ROLES] },
  {
    id: 'members',
    label: 'Members',
    icon: 'users',
    needs: [Permission.KICK_MEMBERS, Permission.BAN_MEMBERS, Permission.MODERATE_MEMBERS, Permission.MANAGE_ROLES],
  },
  { id: 'invites', label: 'Invites', icon: 'link', needs: [Permission.MANAGE_GUILD] },
  { id: 'bans', label: 'Bans', icon: 'ban', needs: [Permission.BAN_MEMBERS] },
  { id: 'audit-log', label: 'Audit Log', icon: 'list', needs: [Permission.VIEW_AUDIT_LOG] },
]

/** The server settings sections this user may use (any of each section's permissions). */
export function visibleSettingsSections(guilds: ReturnType<typeof useGuildsStore>, guildId: string): SettingsSectionInfo[] {
  return SECTIONS.filter((section) => section.needs.some((bit) => guilds.can(guildId, bit))).map(({ id, label, icon }) => ({
    id,
    label,
    icon,
  }))
}
