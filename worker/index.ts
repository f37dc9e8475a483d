/**
 * The worker entry: `serveHub()` wires each connecting tab's port to one shared {@link Hub}.
 * An app's worker file is two lines: `import { serveHub } from 'tabrelay/worker'; serveHub()`.
 */
import { expose } from 'comlink'
import { installErrorTransfer } from '../src/contract/errors.ts'
import { Hub, type HubOptions } from './hub.ts'
import { TabSession } from './session.ts'
import { supabaseTransport } from './transports/supabase.ts'

export { Hub, type HubOptions } from './hub.ts'
export { supabaseTransport } from './transports/supabase.ts'
export type { Transport, TransportFactory, TransportChannel, ChannelSpec, ChannelHandlers } from './transports/transport.ts'

interface ConnectEvent {
  ports: readonly MessagePort[]
}

/**
 * Starts the hub in this worker: a SharedWorker serves every tab that connects; a dedicated
 * Worker (the fallback where SharedWorker is missing) serves its one tab.
 * @example
 * // realtime.worker.ts
 * import { serveHub } from 'tabrelay/worker'
 * serveHub()
 */
export function serveHub(options: Partial<HubOptions> = {}): Hub {
  installErrorTransfer()
  const locks = typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : null
  const hub = new Hub({ transport: supabaseTransport(), locks, ...options })
  const scope = globalThis as unknown as { addEventListener(type: string, fn: (event: ConnectEvent) => void): void }
  if ('onconnect' in globalThis) {
    // Registered synchronously at start: Chromium may dispatch `connect` before any await returns
    // (automerge-repo's shared-worker example).
    scope.addEventListener('connect', (event) => {
      const port = event.ports[0]
      if (port) expose(new TabSession(hub), port)
    })
  } else {
    expose(new TabSession(hub), globalThis as unknown as MessagePort)
  }
  return hub
}
