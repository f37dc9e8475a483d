/**
 * tabrelay without SharedWorker (`?contender=tabrelay&host=leader-tab`): the tabs elect a host tab
 * over Web Locks, whose dedicated Worker runs the package's hub for every tab over a
 * BroadcastChannel. Its own module, so the tabrelay bundle the bench measures stays as it was.
 */
import type { Contender, StartOptions } from './contract.ts'
import { startWith } from './tabrelay.ts'

/**
 * Joins every topic through the tab host.
 * @example
 * const tab = await start({ url, apikey, topics: ['a'], isExtendedLifetime: true, onEvent })
 */
export function start(options: StartOptions): Promise<Contender> {
  return startWith(options, () => new Worker(new URL('../../../worker/default.ts', import.meta.url), { type: 'module' }), 'leader-tab')
}
