/**
 * tabrelay under the tail probe (`?contender=tabrelay&probe=1`): the tab code of `tabrelay.ts` on
 * `hub-probe.ts`, with this tab stamping `port` as each Comlink message from the hub is taken off
 * its event loop. Its own module and worker, so the bundle the bench measures is untouched.
 */
import { workerName } from '../../../src/supabase/index.ts'
import type { Contender, StartOptions } from './contract.ts'
import { stampPortArrivals } from './probe.ts'
import { startWith } from './tabrelay.ts'

/**
 * Connects this tab to the probe hub and joins every topic through it.
 * @example
 * const tab = await start({ url, apikey, topics: ['a'], isExtendedLifetime: true, onEvent })
 */
export function start(options: StartOptions): Promise<Contender> {
  // Before the session exposes its sink on the port, so Comlink's listener is the wrapped one.
  stampPortArrivals()
  const lifetime = { extendedLifetime: options.isExtendedLifetime }
  return startWith(options, () =>
    new SharedWorker(new URL('./hub-probe.ts', import.meta.url), { ...lifetime, type: 'module', name: workerName('tabrelay-probe') }))
}
