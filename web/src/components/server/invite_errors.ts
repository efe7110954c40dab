import { ApiError } from '@/api/client'

const UNKNOWN_INVITE = 10006
const BANNED = 40007
const MISSING_ACCESS = 50001
const TOO_MANY_GUILDS = 30001

/** The server's answer to joining through an invite, said the way Discord says it. */
export function inviteErrorMessage(error: unknown): ApiError {
  if (!(error instanceof ApiError)) return new ApiError(0, 'Something went wrong. Please try again.')
  let message = error.message
  if (error.status === 404 || error.code === UNKNOWN_INVITE) {
    message = 'The invite is invalid or has expired.'
  } else if (error.code === BANNED) {
    message = 'You are banned from this server.'
  } else if (error.code === TOO_MANY_GUILDS) {
    message = 'You are in too many servers. Leave one to join another.'
  } else if (error.code === MISSING_ACCESS) {
    message = error.message || 'Verify your email address to join servers.'
  }
  return new ApiError(error.status, message, error.code, error.retryAfter)
}
