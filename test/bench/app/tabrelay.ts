/**
 * Contender 1, tabrelay: every tab talks to one SharedWorker hub that holds the only connection.
 * The worker is the package's ready-made entry (`worker/default.ts`, which calls `serveHub()`);
 * `tabrelay-microtask.ts` starts the same tab code on a hub that flushes per message.
 */
import { createSharedRealtime, workerName } from '../../../src/supabase/index.ts'
import type { SharedChannel } from '../../../src/supabase/index.ts'
import type { WorkerKind } from '../../../src/hosts/worker.ts'
import type { Contender, StartOptions } from './contract.ts'

function joined(channel: SharedChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve()
      else if (status !== 'CLOSED') reject(new Error(`${channel.subTopic}: ${status} ${error?.message ?? ''}`))
    })
  })
}

/**
 * Connects this tab to the shared hub and joins every topic through it.
 * @example
 * const tab = await start({ url, apikey, topics: ['a'], isExtendedLifetime: true, onEvent })
 */
export function start(options: StartOptions): Promise<Contender> {
  // Spread, so TypeScript's DOM lib (which lacks the Chromium 148+ option) accepts it and Vite
  // still reads the literal `type: 'module'` it needs to bundle the worker as ESM.
  const lifetime = { extendedLifetime: options.isExtendedLifetime }
  return startWith(options, () =>
    new SharedWorker(new URL('../../../worker/default.ts', import.meta.url), { ...lifetime, type: 'module', name: workerName() }))
}

/**
 * The same tab code on the hub `worker()` starts.
 * @example
 * const tab = await startWith(options, () => new SharedWorker(url, { type: 'module', name: workerName() }))
 */
export async function startWith(options: StartOptions, worker: (kind: WorkerKind) => SharedWorker | Worker, host?: 'leader-tab'): Promise<Contender> {
  // The new-tab breakdown (main.ts reads every `bench:` mark): worker handle made, hello answered.
  const timed = (kind: WorkerKind): SharedWorker | Worker => { const made = worker(kind); performance.mark('bench:worker'); return made }
  const token = options.token
  const realtime = createSharedRealtime({
    url: options.url, apikey: options.apikey, worker: timed,
    ...(token === undefined ? {} : { accessToken: async () => token }), ...(host === undefined ? {} : { host }),
  })
  // The first status a tab hears comes with the hub's welcome, i.e. the answer to its hello.
  const stop = realtime.onStatus(() => { performance.mark('bench:hello'); stop() })
  const channels = options.topics.map((topic) =>
    realtime.channel(topic, options.isPrivate === true ? { config: { private: true } } : {}).on('broadcast', { event: '*' }, (message) => options.onEvent(topic, message.payload)),
  )
  await Promise.all(channels.map(joined))
  return {
    async send(topic, event, payload) {
      const channel = channels.find((c) => c.subTopic === topic)
      if (channel === undefined) return 'error'
      return channel.send({ type: 'broadcast', event, payload })
    },
    isLeader: () => realtime.isLeader,
    stats: async () => {
      const { delivered, batches } = await realtime.stats()
      return { delivered, batches }
    },
    close: () => realtime.close(),
  }
}
