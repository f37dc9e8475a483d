/**
 * How a listener matches an event, as pure functions shared by the tab and the worker: no DOM, no
 * WebWorker, so both programs compile it (it is in `worker/tsconfig.json`'s include list).
 */
import type { PostgresFilter } from './protocol.ts'

/**
 * The canonical name of a postgres_changes filter: the hub routes each change to the keys whose
 * filters matched on the server, and the tab finds its callbacks by the same key.
 * Missing fields are normalized (`table` → `'*'`, `filter` → `''`, event upper-cased) so that
 * filters supabase-js treats as equal get equal keys.
 * @example
 * bindingKey({ event: 'insert', schema: 'public', table: 'messages' })
 * // '{"event":"INSERT","schema":"public","table":"messages","filter":""}'
 */
export function bindingKey(filter: PostgresFilter): string {
  return JSON.stringify({
    event: filter.event.toUpperCase(),
    schema: filter.schema || '*',
    table: filter.table || '*',
    filter: filter.filter ?? '',
  })
}

/**
 * Whether a listener's event name matches an incoming event: `'*'` matches all, otherwise
 * case-insensitively, as realtime-js compares broadcast events.
 * @example
 * eventMatches('*', 'message') // true
 * eventMatches('Message', 'MESSAGE') // true
 */
export function eventMatches(listened: string, event: string): boolean {
  return listened === '*' || listened.toLowerCase() === event.toLowerCase()
}

/**
 * Whether a `system` listener matches: `'*'` and `''` both listen to every system event, since
 * supabase-js apps commonly register `{ event: '' }` or omit it.
 * @example
 * systemMatches('', 'resync') // true
 */
export function systemMatches(listened: string, event: string): boolean {
  return listened === '' || eventMatches(listened, event)
}
