/**
 * The hub's check of a {@link ResumeCursor} a tab sent with its rejoin: untrusted input, so its
 * type and size are checked before the cursor can steer a server replay shared with other tabs.
 * DOM-free and worker-free; only the hub imports it (the tab builds the cursor itself).
 */
import { RelayError } from './errors.ts'
import { MAX_RESUME_IDS, MAX_RESUME_ID_CHARS, type ResumeCursor } from './delivery.ts'

/**
 * Checks a rejoin's `resume`: `{ since: <ms epoch>, ids: <at most 64 strings of 1–128 characters> }`.
 * @example
 * checkResume({ since: Date.now(), ids: ['5f0c…'] }) // returns it
 * checkResume({ since: 'yesterday', ids: [] }) // throws RelayError 'bad-input'
 */
export function checkResume(value: unknown): ResumeCursor {
  const fields = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  const { since, ids } = fields
  const isValid = Number.isSafeInteger(since) && Number(since) >= 0 && Array.isArray(ids) && ids.length <= MAX_RESUME_IDS &&
    ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= MAX_RESUME_ID_CHARS)
  if (!isValid) {
    throw new RelayError('bad-input', `a rejoin's resume must be { since: <ms epoch>, ids: <at most ${MAX_RESUME_IDS} strings of at most ${MAX_RESUME_ID_CHARS} characters> }; rejoin without it to get a resync instead`)
  }
  return value as ResumeCursor
}
