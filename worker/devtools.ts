/**
 * `tabrelay/worker/devtools`: the hub's side of the `tabrelay/devtools` panel, plugged into a hub
 * only by the apps that want it (`serveHub({ transports, devtools: hubDevtools() })`), so other
 * workers carry none of it.
 */
import type { JournalEvent, JournalNote } from '../src/contract/inspect.ts'
import { RelayError } from '../src/contract/errors.ts'
import type { HubDevtools } from './options.ts'
import { inspectHub } from './inspect/inspector.ts'
import { Journal, JOURNAL_SIZE } from './inspect/journal.ts'

export type { HubDevtools } from './options.ts'
export { JOURNAL_SIZE } from './inspect/journal.ts'

/**
 * A journal ring (default {@link JOURNAL_SIZE} entries for the whole hub) and the inspector that
 * answers `inspect()` for one identity at a time.
 * @example
 * import { serveHub } from 'tabrelay/worker'
 * import { hubDevtools } from 'tabrelay/worker/devtools'
 * serveHub({ transports: { supabase: supabaseTransport() }, devtools: hubDevtools() })
 */
export function hubDevtools(options: { size?: number } = {}): HubDevtools {
  const journal = new Journal(options.size ?? JOURNAL_SIZE)
  return {
    record: (identity, note, at) => journal.add(identity, eventOf(note), at),
    inspect: (view, since = 0) => {
      if (!Number.isSafeInteger(since) || (since as number) < 0) throw new RelayError('bad-input', 'inspect(since): since must be a journal seq, a whole number >= 0')
      return inspectHub({ ...view, journal }, since as number)
    },
  }
}

/**
 * The named form of a hub's positional journal note.
 * @example
 * eventOf(['leader', 'tab-1']) // { kind: 'leader', tabId: 'tab-1' }
 */
export function eventOf(note: JournalNote): JournalEvent {
  switch (note[0]) {
    case 'status': return { kind: 'status', ...note[1] }
    case 'tab-added': return { kind: 'tab-added', tabId: note[1], visibility: note[2] }
    case 'tab-removed': return { kind: 'tab-removed', tabId: note[1], reason: note[2] }
    case 'visibility': return { kind: 'visibility', anyVisible: note[1] }
    case 'leader': return { kind: 'leader', tabId: note[1] }
    case 'joined': case 'left': return { kind: note[0], tabId: note[1], topic: note[2], subId: note[3] }
    case 'overflow': return { kind: 'overflow', tabId: note[1] }
    case 'error': return { kind: 'error', tabId: note[1], error: note[2] }
  }
}
