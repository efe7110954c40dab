export type PresenceStatus = 'online' | 'idle' | 'dnd' | 'offline'

export interface MemberSummary {
  id: string
  displayName: string
  avatarUrl?: string | null
  status: PresenceStatus
}
