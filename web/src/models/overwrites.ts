// Editing a channel's permission overwrites: the allow (✓) / inherit (/) / deny (✗) state of one
// bit in one overwrite, and the "private channel" switch (@everyone denied VIEW_CHANNEL). Every
// function returns new values, so an editor can keep the original to compare and roll back.
import { Permission, formatPermissions, parsePermissions, type OverwriteLike } from './permissions'

export type OverwriteState = 'allow' | 'inherit' | 'deny'

export const OverwriteType = { Role: 0, Member: 1 } as const

export function overwriteState(overwrite: Pick<OverwriteLike, 'allow' | 'deny'> | undefined, bit: bigint): OverwriteState {
  if (!overwrite) return 'inherit'
  if ((parsePermissions(overwrite.allow) & bit) !== 0n) return 'allow'
  if ((parsePermissions(overwrite.deny) & bit) !== 0n) return 'deny'
  return 'inherit'
}

/** The overwrite with `bit` set to `state`; a bit is never both allowed and denied. */
export function withOverwriteState<T extends OverwriteLike>(overwrite: T, bit: bigint, state: OverwriteState): T {
  let allow = parsePermissions(overwrite.allow) & ~bit
  let deny = parsePermissions(overwrite.deny) & ~bit
  if (state === 'allow') allow |= bit
  if (state === 'deny') deny |= bit
  return { ...overwrite, allow: formatPermissions(allow), deny: formatPermissions(deny) }
}

export function isEmptyOverwrite(overwrite: Pick<OverwriteLike, 'allow' | 'deny'>): boolean {
  return parsePermissions(overwrite.allow) === 0n && parsePermissions(overwrite.deny) === 0n
}

export function emptyOverwrite(id: string, type: 0 | 1): OverwriteLike {
  return { id, type, allow: '0', deny: '0' }
}

/** Replaces the overwrite with the same id and type, or appends it. */
export function upsertOverwrite<T extends OverwriteLike>(list: readonly T[], overwrite: T): T[] {
  const index = list.findIndex((candidate) => candidate.id === overwrite.id && candidate.type === overwrite.type)
  if (index < 0) return [...list, overwrite]
  return list.map((candidate, candidateIndex) => (candidateIndex === index ? overwrite : candidate))
}

export function removeOverwrite<T extends OverwriteLike>(list: readonly T[], id: string, type: 0 | 1): T[] {
  return list.filter((candidate) => !(candidate.id === id && candidate.type === type))
}

/** A channel is private when @everyone is denied View Channel in it. */
export function isPrivateChannel(list: readonly OverwriteLike[], guildId: string): boolean {
  const everyone = list.find((overwrite) => overwrite.type === OverwriteType.Role && overwrite.id === guildId)
  return overwriteState(everyone, Permission.VIEW_CHANNEL) === 'deny'
}

/**
 * Turns the switch: private denies View Channel to @everyone and allows it to each of `members`
 * (role or member overwrites) so they keep seeing it; public lifts the deny (and drops the @everyone
 * overwrite when nothing is left in it).
 */
export function setPrivateChannel(
  list: readonly OverwriteLike[],
  guildId: string,
  makePrivate: boolean,
  members: readonly { id: string; type: 0 | 1 }[] = [],
): OverwriteLike[] {
  const everyone = list.find((overwrite) => overwrite.type === OverwriteType.Role && overwrite.id === guildId) ??
    emptyOverwrite(guildId, OverwriteType.Role)
  let next = upsertOverwrite(list, withOverwriteState(everyone, Permission.VIEW_CHANNEL, makePrivate ? 'deny' : 'inherit'))
  if (makePrivate) {
    for (const target of members) {
      const current = next.find((overwrite) => overwrite.id === target.id && overwrite.type === target.type) ??
        emptyOverwrite(target.id, target.type)
      next = upsertOverwrite(next, withOverwriteState(current, Permission.VIEW_CHANNEL, 'allow'))
    }
  }
  return next.filter(
    (overwrite) => !(overwrite.type === OverwriteType.Role && overwrite.id === guildId && isEmptyOverwrite(overwrite)),
  )
}

/** Same overwrites regardless of order: is a channel synced with its category? */
export function sameOverwrites(a: readonly OverwriteLike[], b: readonly OverwriteLike[]): boolean {
  const key = (overwrite: OverwriteLike) =>
    `${overwrite.type}:${overwrite.id}:${parsePermissions(overwrite.allow)}:${parsePermissions(overwrite.deny)}`
  const left = a.filter((overwrite) => !isEmptyOverwrite(overwrite)).map(key).sort()
  const right = b.filter((overwrite) => !isEmptyOverwrite(overwrite)).map(key).sort()
  return left.length === right.length && left.every((value, index) => value === right[index])
}
