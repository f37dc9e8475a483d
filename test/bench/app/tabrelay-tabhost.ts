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
  // With replay on (private channels), a hub that asks for up to 1000: at 200 msg/s a handover's gap
  // outruns the default 25. Two literal URLs, so Vite bundles each worker.
  const worker = options.isPrivate === true
    ? (): Worker => new Worker(new URL('../workers/replay.ts', import.meta.url), { type: 'module' })
    : (): Worker => new Worker(new URL('../../../worker/default.ts', import.meta.url), { type: 'module' })
  return startWith(options, worker, 'leader-tab')
}
