/**
 * The floor lane's tab (`?floor=1`): joins `floor-hub.ts`, a bare SharedWorker that posts each
 * broadcast as one pre-serialised string, and parses it here. Not a contender: the A/B bench's
 * yardstick for what fan-out through a SharedWorker costs at least (ab.ts).
 */
import { isTick, type Contender, type StartOptions } from './contract.ts'

const READY_TIMEOUT_MS = 10_000

/**
 * Connects this tab to the floor hub and joins every topic through it.
 * @example
 * const tab = await start({ url, apikey, topics: ['floor:0'], isExtendedLifetime: false, onEvent })
 */
export async function start(options: StartOptions): Promise<Contender> {
  const worker = new SharedWorker(new URL('./floor-hub.ts', import.meta.url), { type: 'module', name: 'bench-floor' })
  performance.mark('bench:worker')
  const port = worker.port
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`floor hub: not ready in ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)
    port.onmessage = (message: MessageEvent) => {
      const data: unknown = message.data
      if (typeof data === 'string') {
        const batch: unknown = JSON.parse(data)
        if (!Array.isArray(batch)) return
        for (const delivery of batch as Array<{ topic?: unknown; payload?: unknown }>) {
          if (typeof delivery.topic === 'string' && isTick(delivery.payload)) options.onEvent(delivery.topic, delivery.payload)
        }
        return
      }
      clearTimeout(timer)
      performance.mark('bench:hello')
      if (typeof data === 'object' && data !== null && 'error' in data) reject(new Error(String(data.error)))
      else resolve()
    }
    port.start()
    port.postMessage({ url: options.url, apikey: options.apikey, topics: options.topics })
  })
  return {
    send: () => Promise.resolve('error'),
    isLeader: () => false,
    close: () => { port.close(); return Promise.resolve() },
  }
}
