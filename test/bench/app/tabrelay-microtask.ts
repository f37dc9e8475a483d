/**
 * tabrelay flushing per message (`?contender=tabrelay&batch=microtask`): the tab code of
 * `tabrelay.ts` on `hub-microtask.ts`, a hub whose outbox flushes in a microtask instead of the
 * next task. A separate module, so the tabrelay bundle the bench measures holds one worker only.
 */
import { workerName } from '../../../src/supabase/index.ts'
import type { Contender, StartOptions } from './contract.ts'
import { startWith } from './tabrelay.ts'

/**
 * Connects this tab to the per-message hub and joins every topic through it.
 * @example
 * const tab = await start({ url, apikey, topics: ['a'], isExtendedLifetime: true, onEvent })
 */
export function start(options: StartOptions): Promise<Contender> {
  // Literal options for Vite, as in tabrelay.ts.
  const lifetime = { extendedLifetime: options.isExtendedLifetime }
  return startWith(options, () =>
    new SharedWorker(new URL('./hub-microtask.ts', import.meta.url), { ...lifetime, type: 'module', name: workerName('tabrelay-microtask') }))
}
