// The create/edit channel dialog's state: the Overview fields, the overwrites being edited, what
// the user may change, and the one request that saves it all (POST for a new channel; for an
// existing one a PATCH with only what changed, or `lock_permissions` to sync with its category).
import { computed, ref, watch, type Ref } from 'vue'
import type { ApiError } from '@/api/client'
import type { CreateChannelRequest, UpdateChannelRequest } from '@/api/guilds'
import { ChannelType, textChannelName, type Channel, type ChannelTypeValue, type PermissionOverwrite } from '@/models/guild'
import {
  OverwriteType,
  isEmptyOverwrite,
  isPrivateChannel,
  overwriteState,
  sameOverwrites,
  setPrivateChannel,
  upsertOverwrite,
  emptyOverwrite,
  withOverwriteState,
} from '@/models/overwrites'
import { ALL_PERMISSIONS, Permission, hasPermission } from '@/models/permissions'
import { useGuildsStore } from '@/stores/guilds'
import { useSessionStore } from '@/stores/session'
import { asApiError } from './useServerForm'

export type ChannelEditorTarget =
  | { kind: 'create'; type: ChannelTypeValue; parentId: string | null }
  | { kind: 'edit'; channelId: string }

export type ChannelEditorTab = 'overview' | 'permissions'
export type ChannelEditorStatus = 'idle' | 'loading' | 'done' | 'error'

type Field = 'name' | 'topic' | 'rate_limit_per_user' | 'parent_id' | 'type'
const FIELDS: readonly Field[] = ['name', 'topic', 'rate_limit_per_user', 'parent_id', 'type']

function copy(overwrites: readonly PermissionOverwrite[] | undefined): PermissionOverwrite[] {
  return (overwrites ?? []).map((overwrite) => ({ ...overwrite }))
}

export function useChannelEditor(open: () => boolean, guildId: () => string, target: () => ChannelEditorTarget) {
  const guilds = useGuildsStore()
  const session = useSessionStore()

  const tab = ref<ChannelEditorTab>('overview')
  const type = ref<ChannelTypeValue>(ChannelType.GuildText)
  const name = ref('')
  const topic = ref('')
  const slowmode = ref(0)
  /** '' is "no category" (a select needs a string). */
  const parentId = ref('')
  const overwrites = ref<PermissionOverwrite[]>([]) as Ref<PermissionOverwrite[]>
  const status = ref<ChannelEditorStatus>('idle')
  const error = ref<ApiError | null>(null)
  const clientErrors = ref<Partial<Record<Field, string>>>({})

  const channel = computed<Channel | null>(() => {
    const current = target()
    if (current.kind !== 'edit') return null
    return guilds.channelsOf(guildId()).find((candidate) => candidate.id === current.channelId) ?? null
  })
  const isCreate = computed(() => target().kind === 'create')
  const categories = computed(() =>
    guilds
      .channelsOf(guildId())
      .filter((candidate) => candidate.type === ChannelType.GuildCategory)
      .sort((a, b) => a.position - b.position),
  )
  const parent = computed(() => categories.value.find((category) => category.id === parentId.value) ?? null)

  /** The overwrites a new channel in this category would get (the server copies them). */
  const inherited = computed(() => copy(parent.value?.permission_overwrites))

  const isAdmin = computed(() => guilds.isOwner(guildId()) || guilds.can(guildId(), Permission.ADMINISTRATOR))
  /** What the user has where the overwrites apply: this channel, or server-wide for a new one. */
  const mine = computed(() => (channel.value ? guilds.permissionsInChannel(guildId(), channel.value) : guilds.permissionsIn(guildId())))
  const canEditPermissions = computed(() => isAdmin.value || hasPermission(mine.value, Permission.MANAGE_ROLES))
  const grantable = computed(() => (isAdmin.value ? ALL_PERMISSIONS : mine.value))

  function reset(): void {
    const current = target()
    tab.value = 'overview'
    status.value = 'idle'
    error.value = null
    clientErrors.value = {}
    if (current.kind === 'create') {
      type.value = current.type
      name.value = ''
      topic.value = ''
      slowmode.value = 0
      parentId.value = current.parentId ?? ''
      overwrites.value = inherited.value
    } else {
      const existing = channel.value
      type.value = existing?.type ?? ChannelType.GuildText
      name.value = existing?.name ?? ''
      topic.value = existing?.topic ?? ''
      slowmode.value = existing?.rate_limit_per_user ?? 0
      parentId.value = existing?.parent_id ?? ''
      overwrites.value = copy(existing?.permission_overwrites)
    }
  }

  watch(open, (isOpen) => isOpen && reset(), { immediate: true })

  // A new channel follows its category's permissions until they are changed by hand.
  watch(parentId, (_next, previous) => {
    if (!isCreate.value) return
    const before = categories.value.find((category) => category.id === previous)
    if (sameOverwrites(overwrites.value, copy(before?.permission_overwrites))) overwrites.value = inherited.value
  })

  const isPrivate = computed(() => isPrivateChannel(overwrites.value, guildId()))

  function setPrivate(makePrivate: boolean): void {
    // Without admin rights a private channel would hide itself from its maker: let them in.
    const userId = session.user?.id
    const keepMe = makePrivate && !isAdmin.value && userId ? [{ id: userId, type: OverwriteType.Member }] : []
    overwrites.value = setPrivateChannel(overwrites.value, guildId(), makePrivate, keepMe)
  }

  /** Whether the role or member is let into the private channel (allowed View Channel). */
  function hasAccess(id: string, overwriteType: 0 | 1): boolean {
    const overwrite = overwrites.value.find((candidate) => candidate.id === id && candidate.type === overwriteType)
    return overwriteState(overwrite, Permission.VIEW_CHANNEL) === 'allow'
  }

  function setAccess(id: string, overwriteType: 0 | 1, allowed: boolean): void {
    const overwrite = overwrites.value.find((candidate) => candidate.id === id && candidate.type === overwriteType) ??
      emptyOverwrite(id, overwriteType)
    overwrites.value = upsertOverwrite(
      overwrites.value,
      withOverwriteState(overwrite, Permission.VIEW_CHANNEL, allowed ? 'allow' : 'inherit'),
    )
  }

  const isSynced = computed(() => parent.value !== null && sameOverwrites(overwrites.value, inherited.value))

  function syncWithCategory(): void {
    overwrites.value = inherited.value
  }

  const normalisedName = computed(() => (type.value === ChannelType.GuildText ? textChannelName(name.value) : name.value).trim())

  function sentOverwrites(): PermissionOverwrite[] {
    return overwrites.value.filter((overwrite) => !isEmptyOverwrite(overwrite))
  }

  function createRequest(): CreateChannelRequest {
    const body: CreateChannelRequest = { name: normalisedName.value, type: type.value }
    if (type.value !== ChannelType.GuildCategory && parentId.value) body.parent_id = parentId.value
    if (type.value === ChannelType.GuildText && topic.value.trim()) body.topic = topic.value.trim()
    if (type.value === ChannelType.GuildText && slowmode.value > 0) body.rate_limit_per_user = slowmode.value
    // Left alone, the server copies the category's overwrites itself.
    if (!isSynced.value && (parent.value !== null || sentOverwrites().length > 0)) body.permission_overwrites = sentOverwrites()
    return body
  }

  function updateRequest(existing: Channel): UpdateChannelRequest {
    const body: UpdateChannelRequest = {}
    if (normalisedName.value !== existing.name) body.name = normalisedName.value
    if (existing.type === ChannelType.GuildText) {
      if (topic.value.trim() !== (existing.topic ?? '')) body.topic = topic.value.trim() || null
      if (slowmode.value !== (existing.rate_limit_per_user ?? 0)) body.rate_limit_per_user = slowmode.value
    }
    if (existing.type !== ChannelType.GuildCategory && (parentId.value || null) !== (existing.parent_id ?? null)) {
      body.parent_id = parentId.value || null
    }
    if (!sameOverwrites(overwrites.value, existing.permission_overwrites ?? [])) {
      if (isSynced.value) body.lock_permissions = true
      else body.permission_overwrites = sentOverwrites()
    }
    return body
  }

  const hasChanges = computed(() => {
    if (isCreate.value) return true
    return channel.value !== null && Object.keys(updateRequest(channel.value)).length > 0
  })

  function validate(): boolean {
    const errors: Partial<Record<Field, string>> = {}
    const length = [...normalisedName.value].length
    if (length < 1 || length > 100) errors.name = 'Must be between 1 and 100 characters.'
    if ([...topic.value].length > 1024) errors.topic = 'Must be 1024 characters or fewer.'
    clientErrors.value = errors
    return Object.keys(errors).length === 0
  }

  const serverFieldErrors = computed(() => {
    const byField: Partial<Record<Field, string>> = {}
    const permissions: string[] = []
    const unplaced: string[] = []
    if (status.value !== 'error' || error.value === null) return { byField, permissions, unplaced }
    for (const [path, messages] of Object.entries(error.value.fieldErrors)) {
      const field = FIELDS.find((candidate) => candidate === path)
      if (field && messages[0]) byField[field] ??= messages[0]
      else if (path.startsWith('permission_overwrites')) permissions.push(...messages)
      else unplaced.push(...messages)
    }
    return { byField, permissions, unplaced }
  })

  function errorFor(field: Field): string | null {
    return clientErrors.value[field] ?? serverFieldErrors.value.byField[field] ?? null
  }

  /** The banner: a refusal no field shows (Missing Permissions), with field errors that have no input. */
  const bannerError = computed<{ message: string; details: string[] } | null>(() => {
    if (status.value !== 'error' || error.value === null) return null
    const { byField, permissions, unplaced } = serverFieldErrors.value
    if (Object.keys(byField).length > 0 && permissions.length === 0 && unplaced.length === 0) return null
    return { message: error.value.message, details: [...permissions, ...unplaced] }
  })

  /** Resolves with the saved channel; null when nothing was sent or it was refused. */
  async function save(): Promise<Channel | null> {
    if (status.value === 'loading') return null
    if (!validate()) {
      tab.value = 'overview'
      return null
    }
    const current = target()
    status.value = 'loading'
    error.value = null
    try {
      let saved: Channel
      if (current.kind === 'create') {
        saved = await guilds.createChannel(guildId(), createRequest())
      } else {
        const existing = channel.value
        if (existing === null) throw new Error('The channel is gone.')
        const body = updateRequest(existing)
        saved = Object.keys(body).length === 0 ? existing : await guilds.updateChannel(guildId(), existing.id, body)
      }
      status.value = 'done'
      return saved
    } catch (caught) {
      error.value = asApiError(caught)
      status.value = 'error'
      // Show the tab where the problem is.
      const { byField, permissions } = serverFieldErrors.value
      if (Object.keys(byField).length > 0) tab.value = 'overview'
      else if (permissions.length > 0) tab.value = 'permissions'
      return null
    }
  }

  return {
    tab,
    type,
    name,
    topic,
    slowmode,
    parentId,
    overwrites,
    status,
    channel,
    isCreate,
    categories,
    parent,
    canEditPermissions,
    grantable,
    isPrivate,
    isSynced,
    hasChanges,
    normalisedName,
    setPrivate,
    hasAccess,
    setAccess,
    syncWithCategory,
    createRequest,
    updateRequest,
    errorFor,
    bannerError,
    save,
    reset,
  }
}
