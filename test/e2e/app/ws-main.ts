/**
 * The e2e page of the WebSocket transport: `createRelay()` over the inbox worker, from
 * `?endpoint=ws://…/ws/inbox/&token=…` (plus the client and `hub.*` options of params.ts), exposed
 * as `window.ws` for specs.
 */
import { createRelay, workerName, type Relay } from '../../../src/index.ts'
import type { ConnectionStatus, SendOutcome } from '../../../src/index.ts'
import { clientOptionsFrom, workerSearch } from './params.ts'

/** One TEXT frame as a tab received it. */
export interface TextSeen {
  message: string
  sender_id: string
  sender_name: string
  message_id: string
}

/** What specs drive through `page.evaluate`. */
export interface WsHarness {
  relay: Relay
  /** Listens to TEXT on `topic` (joins it). */
  join(topic: string): void
  joined(topic: string): boolean
  received(topic: string): TextSeen[]
  send(topic: string, message: string): Promise<SendOutcome>
  statuses(): ConnectionStatus[]
  /** Signs out: `accessToken()` answers null from now on, and `setAuth(null)`. */
  signOut(): Promise<void>
}

declare global {
  interface Window {
    ws: WsHarness
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
  return new SharedWorker(new URL('./ws-worker.ts', import.meta.url), { type: 'module', name: `${workerName()}-ws` })
}

const params = new URLSearchParams(location.search)
const endpoint = params.get('endpoint')
let token = params.get('token')
const status = document.querySelector('[data-testid="status"]')
if (endpoint) {
  const relay = createRelay({ transport: 'inbox', endpoint, accessToken: () => token, worker: () => hubWorker(workerSearch(params)), ...clientOptionsFrom(params) })
  const seen = new Map<string, TextSeen[]>()
  const statuses: ConnectionStatus[] = [relay.status]
  relay.onStatus((s) => { statuses.push(s); if (status) status.textContent = s })
  window.ws = {
    relay,
    join(topic) {
      const list: TextSeen[] = []
      seen.set(topic, list)
      relay.topic(topic).on<TextSeen>('TEXT', (frame) => list.push({ message: frame.message, sender_id: frame.sender_id, sender_name: frame.sender_name, message_id: frame.message_id }))
    },
    joined: (topic) => relay.topic(topic).state === 'joined',
    received: (topic) => [...(seen.get(topic) ?? [])],
    send: (topic, message) => relay.topic(topic).send('TEXT', { message }),
    statuses: () => [...statuses],
    signOut: () => { token = null; return relay.setAuth(null) },
  }
  document.body.dataset['ready'] = 'true'
}
