/**
 * The wire of the tab host: one BroadcastChannel per origin carries every tab's Comlink traffic
 * with the host, each message wrapped as `{to, from, data}` so that an endpoint sees only its own
 * peer's messages. Nothing can be transferred over a BroadcastChannel, which is why the hub's API
 * and the tab's sink share one endpoint (worker/hosts/endpoint.ts). Compiles under the DOM and
 * the WebWorker libs: the host's worker uses it too.
 */
import type { Endpoint } from 'comlink'

/** The part of `BroadcastChannel` the tab host uses (a fake in tests). */
export interface ChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  close(): void
}

/** A Comlink message between one tab's link and one host. */
export interface Envelope {
  tabrelay: 'msg'
  to: string
  from: string
  data: unknown
}

/** The host announces itself (on start, on every `who`, on a visibility change). */
export interface HostAnnouncement {
  tabrelay: 'host'
  hostId: string
  isHidden: boolean
}

/** Control messages between tabs: ask who hosts; a visible tab offers to host; the host hands over. */
export type Control =
  | HostAnnouncement
  | { tabrelay: 'who' }
  | { tabrelay: 'claim'; from: string; hostId: string }
  | { tabrelay: 'handover'; to: string; hostId: string }

/** Everything that crosses the tab host's channel. */
export type HostMessage = Envelope | Control

/** How many messages a link keeps while it waits for a host; beyond that `postMessage` throws. */
export const MAX_QUEUED = 1_000

/**
 * Whether `data` is a message of the tab host (other code may share the channel name).
 * @example
 * channel.addEventListener('message', (e) => { if (isHostMessage(e.data)) route(e.data) })
 */
export function isHostMessage(data: unknown): data is HostMessage {
  if (typeof data !== 'object' || data === null || !('tabrelay' in data)) return false
  const kind = data.tabrelay
  return kind === 'msg' || kind === 'host' || kind === 'who' || kind === 'claim' || kind === 'handover'
}

/** An endpoint that posts to `peer` once it is known, and can be told its peer went away. */
export interface AddressedEndpoint extends Endpoint {
  /** Sends what was queued to `peer`; later posts go straight there. */
  connect(peer: string): void
  /** The peer it talks to, `null` until connected. */
  readonly peer: string | null
  /** Hands one incoming envelope's data to the listeners (used by a demultiplexing host). */
  receive(data: unknown): void
  /** Stops delivering and queueing; idempotent. */
  close(): void
}

type Listener = (event: { data: unknown }) => void

/**
 * A Comlink endpoint over a shared channel for the address pair (`self`, `peer`): `postMessage`
 * wraps `{to, from, data}`; listeners get only the data of envelopes from `peer` to `self`. With
 * `peer` unknown, posts wait in a bounded queue until `connect(peer)`. With `isListening` false
 * (a host with many endpoints on one channel) the owner routes envelopes in with `receive()`.
 * @example
 * const endpoint = addressedEndpoint(new BroadcastChannel('tabrelay-host-v3'), 'tab-1:1', null)
 * const hub = wrap<HubApi>(endpoint); endpoint.connect('host-42')
 */
export function addressedEndpoint(channel: ChannelLike, self: string, peer: string | null, isListening = true): AddressedEndpoint {
  const listeners = new Set<Listener>()
  let queue: unknown[] = []
  let to = peer
  let isClosed = false
  const post = (dest: string, data: unknown): void => channel.postMessage({ tabrelay: 'msg', to: dest, from: self, data } satisfies Envelope)
  const receive = (data: unknown): void => {
    if (isClosed) return
    for (const listener of [...listeners]) listener({ data })
  }
  const onMessage = (event: { data: unknown }): void => {
    const message = event.data
    if (isHostMessage(message) && message.tabrelay === 'msg' && message.to === self && message.from === to) receive(message.data)
  }
  if (isListening) channel.addEventListener('message', onMessage)
  return {
    get peer() { return to },
    postMessage(data: unknown, transfer?: Transferable[]) {
      if (isClosed) return
      // A BroadcastChannel clones and cannot transfer: a port or a Comlink.proxy() would be lost.
      if (transfer && transfer.length > 0) throw new TypeError('the tab host cannot transfer objects over BroadcastChannel; pass plain data')
      if (to !== null) return post(to, data)
      // Throwing rejects that one Comlink call (its executor throws), rather than growing forever.
      if (queue.length >= MAX_QUEUED) throw new Error(`no tab host answered and ${MAX_QUEUED} messages are waiting; try again`)
      queue.push(data)
    },
    addEventListener(_type: string, listener: EventListenerOrEventListenerObject) {
      listeners.add(toListener(listener))
    },
    removeEventListener(_type: string, listener: EventListenerOrEventListenerObject) {
      listeners.delete(toListener(listener))
    },
    connect(next: string) {
      to = next
      const waiting = queue
      queue = []
      if (!isClosed) for (const data of waiting) post(next, data)
    },
    receive,
    close() {
      isClosed = true
      queue = []
      listeners.clear()
      if (isListening) channel.removeEventListener('message', onMessage)
    },
  }
}

// Comlink registers plain functions; an object listener is wrapped once, so remove finds it again.
const wrapped = new WeakMap<object, Listener>()
function toListener(listener: EventListenerOrEventListenerObject): Listener {
  if (typeof listener === 'function') return listener as unknown as Listener
  const known = wrapped.get(listener)
  if (known) return known
  const made: Listener = (event) => listener.handleEvent(event as unknown as Event)
  wrapped.set(listener, made)
  return made
}
