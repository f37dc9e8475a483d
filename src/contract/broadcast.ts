/**
 * The wire of the tab host: one BroadcastChannel per app carries every tab's Comlink traffic with
 * the host, each message sealed for one link (./seal.ts) and wrapped as `{to, from, n, box}`, so
 * that an endpoint sees only its own peer's messages and no other page of the origin reads or
 * forges them. Nothing can be transferred over a BroadcastChannel, which is why the hub's API and
 * the tab's sink share one endpoint (worker/hosts/endpoint.ts). Compiles under the DOM and the
 * WebWorker libs: the host's worker uses it too.
 */
import type { Endpoint } from 'comlink'
import { DROPPED, type LinkCipher } from './seal.ts'

/** The part of `BroadcastChannel` the tab host uses (a fake in tests). */
export interface ChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  close(): void
}

/**
 * One sealed Comlink message between one tab link and one host. A link's first frame to the host
 * carries the tab's public key, whose fingerprint starts the address.
 */
export interface Envelope {
  tabrelay: 'msg'
  to: string
  from: string
  n: number
  box: ArrayBuffer
  key?: ArrayBuffer
}

/**
 * The host announces itself (on start, on every `who`, on a visibility change): its id is the
 * fingerprint of `key`, its public key.
 */
export interface HostAnnouncement {
  tabrelay: 'host'
  hostId: string
  isHidden: boolean
  key: ArrayBuffer
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

const isText = (value: unknown): value is string => typeof value === 'string'

/**
 * Whether `data` is a well-formed message of the tab host (any page may post on the channel).
 * @example
 * channel.addEventListener('message', (e) => { if (isHostMessage(e.data)) route(e.data) })
 */
export function isHostMessage(data: unknown): data is HostMessage {
  if (typeof data !== 'object' || data === null || !('tabrelay' in data)) return false
  const m = data as { [key: string]: unknown }
  switch (m['tabrelay']) {
    case 'msg': return isText(m['to']) && isText(m['from']) && typeof m['n'] === 'number' && m['box'] instanceof ArrayBuffer && (m['key'] === undefined || m['key'] instanceof ArrayBuffer)
    case 'host': return isText(m['hostId']) && typeof m['isHidden'] === 'boolean' && m['key'] instanceof ArrayBuffer
    case 'who': return true
    case 'claim': return isText(m['from']) && isText(m['hostId'])
    case 'handover': return isText(m['to']) && isText(m['hostId'])
    default: return false
  }
}

/** Where a connected endpoint sends: its channel, its own address, its peer and their keys. */
export interface Route {
  channel: ChannelLike
  self: string
  peer: string
  cipher: Promise<LinkCipher>
  /** The tab's public key, sent with the link's first frame (the host's endpoints send none). */
  key?: ArrayBuffer
}

/** An endpoint that posts sealed to its peer once it has a route, and can be told its peer went away. */
export interface AddressedEndpoint extends Endpoint {
  /** Sends what was queued, sealed, on `route`; later posts go straight there. Once only. */
  connect(route: Route): void
  /** The peer it talks to, `null` until connected. */
  readonly peer: string | null
  /** Opens one incoming envelope and hands its data to the listeners (a demultiplexing host's way in). */
  receive(envelope: Envelope): void
  /** Stops delivering and queueing; idempotent. */
  close(): void
}

/** How an endpoint meets the channel. */
export interface EndpointOptions {
  /** False for a host with many endpoints on one channel: the owner routes envelopes in with `receive()`. */
  isListening?: boolean
  /** Called for each frame dropped as forged, corrupt or replayed. */
  onDrop?: () => void
  /** Called once, before the first authentic frame reaches the listeners. */
  onOpen?: () => void
}

type Listener = (event: { data: unknown }) => void

/**
 * A Comlink endpoint over a shared channel: posts wait in a bounded queue until `connect(route)`,
 * then go out sealed, in order; listeners get only the data of envelopes from the peer to this
 * address that open under the route's cipher.
 * @example
 * const endpoint = addressedEndpoint(); const hub = wrap<HubApi>(endpoint)
 * endpoint.connect({ channel, self: `${pair.fingerprint}:1`, peer: hostId, cipher, key: pair.publicKey })
 */
export function addressedEndpoint(options: EndpointOptions = {}): AddressedEndpoint {
  const listeners = new Set<Listener>()
  let queue: unknown[] = []
  let route: Route | null = null
  // Sealing and opening are asynchronous: each direction is one chain, so the order holds.
  let sending: Promise<void> = Promise.resolve()
  let receiving: Promise<void> = Promise.resolve()
  let isClosed = false
  let isOpen = false
  const dropped = (): void => options.onDrop?.()
  const send = ({ channel, self, peer, cipher, key }: Route, data: unknown): void => {
    sending = sending.then(async () => {
      const { n, box } = await (await cipher).seal(data)
      if (isClosed) return
      const envelope: Envelope = n === 1 && key ? { tabrelay: 'msg', to: peer, from: self, n, box, key } : { tabrelay: 'msg', to: peer, from: self, n, box }
      channel.postMessage(envelope)
    }).catch(() => undefined)
  }
  const receive = (envelope: Envelope): void => {
    const cipher = route?.cipher
    if (isClosed || cipher === undefined) return
    receiving = receiving.then(async () => {
      const data = await (await cipher).open(envelope)
      if (data === DROPPED) return dropped()
      if (isClosed) return
      if (!isOpen) {
        isOpen = true
        options.onOpen?.()
      }
      for (const listener of [...listeners]) listener({ data })
    }).catch(dropped)
  }
  const onMessage = (event: { data: unknown }): void => {
    const message = event.data
    if (route && isHostMessage(message) && message.tabrelay === 'msg' && message.to === route.self && message.from === route.peer) receive(message)
  }
  return {
    get peer() { return route?.peer ?? null },
    postMessage(data: unknown, transfer?: Transferable[]) {
      if (isClosed) return
      // A BroadcastChannel clones and cannot transfer: a port or a Comlink.proxy() would be lost.
      if (transfer && transfer.length > 0) throw new TypeError('the tab host cannot transfer objects over BroadcastChannel; pass plain data')
      if (route) return send(route, data)
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
    connect(next) {
      if (route || isClosed) return
      route = next
      if (options.isListening ?? true) next.channel.addEventListener('message', onMessage)
      const waiting = queue
      queue = []
      for (const data of waiting) send(next, data)
    },
    receive,
    close() {
      isClosed = true
      queue = []
      listeners.clear()
      if (route && (options.isListening ?? true)) route.channel.removeEventListener('message', onMessage)
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
