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
  const { since, ids } = (value ?? {}) as { since?: unknown; ids?: unknown }
  if (!Number.isSafeInteger(since) || Number(since) < 0 || !Array.isArray(ids) || ids.length > MAX_RESUME_IDS ||
    !ids.every((id) => typeof id === 'string' && id !== '' && id.length <= MAX_RESUME_ID_CHARS)) {
    throw new RelayError('bad-input', `resume must be { since: <ms epoch>, ids: <at most ${MAX_RESUME_IDS} ids of at most ${MAX_RESUME_ID_CHARS} characters> }`)
  }
  return value as ResumeCursor
}
