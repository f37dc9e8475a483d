/**
 * The e2e page of the Socket.IO transport: `createRelay()` over the socket.io worker, from
 * `?endpoint=http://…&token=…` (plus the client and `hub.*` options of params.ts), exposed as
 * `window.sio` for specs. Payloads are `{ text }`; every `message` and `resync` is recorded.
 */
import { createRelay, workerName, type Relay } from '../../../src/index.ts'
import type { ConnectionStatus, SendOutcome } from '../../../src/index.ts'
import { clientOptionsFrom, workerSearch } from './params.ts'

/** What specs drive through `page.evaluate`. */
export interface SioHarness {
  relay: Relay
  /** Listens to `message` and `resync` on `topic` (joins it). */
  join(topic: string): void
  joined(topic: string): boolean
  received(topic: string): string[]
  resyncs(topic: string): number
  send(topic: string, text: string): Promise<SendOutcome>
  statuses(): ConnectionStatus[]
}

declare global {
  interface Window {
    sio: SioHarness
  }
}

function hubWorker(search: string): SharedWorker {
  // Vite bundles a worker only for the literal `new SharedWorker(new URL(…))` form (see main.ts).
  const SharedWorker = class extends globalThis.SharedWorker {
    constructor(url: URL, options: WorkerOptions) {
      url.search = search
      super(url, options)
    }
  }
  return new SharedWorker(new URL('./sio-worker.ts', import.meta.url), { type: 'module', name: `${workerName()}-sio` })
}

const params = new URLSearchParams(location.search)
const endpoint = params.get('endpoint')
const token = params.get('token')
const status = document.querySelector('[data-testid="status"]')
if (endpoint) {
  const relay = createRelay({ transport: 'socketio', endpoint, accessToken: () => token, worker: () => hubWorker(workerSearch(params)), ...clientOptionsFrom(params) })
  const seen = new Map<string, string[]>()
  const resyncs = new Map<string, number>()
  const statuses: ConnectionStatus[] = [relay.status]
  relay.onStatus((s) => { statuses.push(s); if (status) status.textContent = s })
  window.sio = {
    relay,
    join(topic) {
      const list: string[] = []
      seen.set(topic, list)
      resyncs.set(topic, 0)
      const room = relay.topic(topic, { ack: true })
      room.on<{ text: string }>('message', (payload) => list.push(payload.text))
      room.onResync(() => resyncs.set(topic, (resyncs.get(topic) ?? 0) + 1))
    },
    joined: (topic) => relay.topic(topic, { ack: true }).state === 'joined',
    received: (topic) => [...(seen.get(topic) ?? [])],
    resyncs: (topic) => resyncs.get(topic) ?? 0,
    send: (topic, text) => relay.topic(topic, { ack: true }).send('message', { text }),
    statuses: () => [...statuses],
  }
  document.body.dataset['ready'] = 'true'
}
