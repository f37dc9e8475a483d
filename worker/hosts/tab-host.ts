/**
 * The tab host's hub side: where SharedWorker is missing, one tab of the app (elected by a Web
 * Lock, src/hosts/tab-host.ts) runs this hub in a dedicated Worker, and every tab — the host's own
 * included — reaches it over the app's BroadcastChannel, each link on its own address. The worker
 * listens on the channel itself, so a busy or throttled host page is not on the path of the other
 * tabs. Its key pair is made here and never leaves it: the host page learns the public key only.
 */
import type { Endpoint } from 'comlink'
import type { Hub } from '../hub.ts'
import { addressedEndpoint, isHostMessage, type AddressedEndpoint, type ChannelLike, type Envelope, type HostAnnouncement } from '../../src/contract/broadcast.ts'
import { fingerprint, linkCipher, makeKeyPair, sharedSecret, type KeyPair, type LinkCipher } from '../../src/contract/seal.ts'
import { acceptTab } from './endpoint.ts'

/** What the host page tells its worker (plain data over `postMessage`). */
export interface HostOrder {
  tabrelayHost: { describe: true } | { channel: string; hostId: string } | { isHidden: boolean }
}

/** The worker's answer to `describe`: which app it serves, and the host id it would announce. */
export interface HostInfo {
  tabrelayHostInfo: { app: string; hostId: string }
}

/** A running tab host; `stop()` stops answering (the hub itself ends with the worker). */
export interface BroadcastHost {
  /** The tab addresses served now (bounded by `maxTabs`). */
  readonly tabs: number
  /** Frames dropped as forged, corrupt, replayed or from an unknown address. */
  readonly dropped: number
  setHidden(isHidden: boolean): void
  stop(): void
}

// A link of a tab that crashed never says goodbye: the oldest idle one is dropped past this many.
// A live tab dropped by mistake gets no answer, times out and comes back on a new link.
const MAX_TABS = 512
// Addresses whose link ended: a replay of their first frame must not open them again.
const MAX_RETIRED = 4_096
// Links whose first frame is still being checked (a page can post first frames for free).
const MAX_PENDING = 64

/**
 * Serves every tab link that posts to this host on `channel`, and announces the host.
 * @example
 * acceptBroadcastTabs(createHub({ transports }), new BroadcastChannel(name), await makeKeyPair())
 */
export function acceptBroadcastTabs(hub: Hub, channel: ChannelLike, pair: KeyPair, maxTabs = MAX_TABS): BroadcastHost {
  const hostId = pair.fingerprint
  const links = new Map<string, AddressedEndpoint>()
  const pending = new Map<string, AddressedEndpoint>()
  const retired = new Set<string>()
  let isHidden = false
  let dropped = 0
  const onDrop = (): void => { dropped++ }
  const announce = (): void => channel.postMessage({ tabrelay: 'host', hostId, isHidden, key: pair.publicKey } satisfies HostAnnouncement)
  const drop = (address: string): void => {
    const link = links.get(address) ?? pending.get(address)
    if (!link) return
    link.close()
    links.delete(address)
    pending.delete(address)
    retired.add(address)
    if (retired.size > MAX_RETIRED) retired.delete(retired.values().next().value ?? address)
  }
  // A link opens with its first frame, which carries the key its address was made from, and
  // counts as a tab (served by a session of the hub) once that frame proved to be sealed by it.
  const open = (envelope: Envelope): void => {
    const { from, key } = envelope
    if (envelope.n !== 1 || key === undefined || retired.has(from) || pending.size >= MAX_PENDING) return onDrop()
    // The first frame checked is this one: if it does not open, the address is done with.
    let isSettled = false
    const endpoint = addressedEndpoint({
      isListening: false,
      onDrop: () => {
        onDrop()
        if (!isSettled) drop(from)
        isSettled = true
      },
      onOpen: () => {
        isSettled = true
        pending.delete(from)
        const oldest = links.keys().next()
        if (links.size >= maxTabs && !oldest.done) drop(oldest.value)
        links.set(from, endpoint)
        acceptTab(hub, endpoint)
      },
    })
    const cipher = tabCipher(pair, from, key)
    cipher.catch(() => drop(from))
    endpoint.connect({ channel, self: hostId, peer: from, cipher })
    // Comlink's RELEASE: the tab let go of this link (recovery or close), nothing more will come.
    endpoint.addEventListener('message', (event) => { if (isRelease((event as MessageEvent).data)) queueMicrotask(() => drop(from)) })
    pending.set(from, endpoint)
    endpoint.receive(envelope)
  }
  const onMessage = (event: { data: unknown }): void => {
    const message = event.data
    if (!isHostMessage(message)) return
    if (message.tabrelay === 'who') announce()
    if (message.tabrelay !== 'msg' || message.to !== hostId) return
    const waiting = pending.get(message.from)
    if (waiting) return waiting.receive(message)
    const known = links.get(message.from)
    if (!known) return open(message)
    // Map order is the eviction order: the most recently heard-from address goes last.
    links.delete(message.from)
    links.set(message.from, known)
    known.receive(message)
  }
  channel.addEventListener('message', onMessage)
  announce()
  return {
    get tabs() { return links.size },
    get dropped() { return dropped },
    setHidden(hidden) {
      if (hidden === isHidden) return
      isHidden = hidden
      announce()
    },
    stop() {
      channel.removeEventListener('message', onMessage)
      for (const address of [...links.keys(), ...pending.keys()]) drop(address)
    },
  }
}

/** The host's keys for link `address`; rejects unless the address was made from `key`. */
async function tabCipher(pair: KeyPair, address: string, key: ArrayBuffer): Promise<LinkCipher> {
  const [print, secret] = await Promise.all([fingerprint(key), sharedSecret(pair, key)])
  if (!address.startsWith(`${print}:`)) throw new Error('the address is not of this key')
  return linkCipher(secret, pair.fingerprint, address, 'host')
}

function isRelease(data: unknown): boolean {
  return typeof data === 'object' && data !== null && 'type' in data && data.type === 'RELEASE'
}

/**
 * Whether a message to a dedicated worker is an order of its host page.
 * @example
 * self.addEventListener('message', (e) => { if (isHostOrder(e.data)) follow(e.data) })
 */
export function isHostOrder(data: unknown): data is HostOrder {
  if (typeof data !== 'object' || data === null || !('tabrelayHost' in data)) return false
  const order = data.tabrelayHost
  if (typeof order !== 'object' || order === null) return false
  return 'describe' in order || ('channel' in order && typeof order.channel === 'string' && 'hostId' in order) || ('isHidden' in order && typeof order.isHidden === 'boolean')
}

/** A scope that receives orders and answers them: a dedicated worker's `self`, or a fake in tests. */
export type OrderScope = Pick<Endpoint, 'addEventListener' | 'postMessage'>

/**
 * What identifies the app this worker serves, as a SharedWorker is identified: its script URL and
 * name. Two apps of one origin (two worker files) thus elect two hosts.
 * @example
 * appOf({ location: { href: 'https://a.example/assets/realtime.worker-3f2a.js' }, name: '' })
 */
export function appOf(scope: { location?: { href: string }; name?: string }): string {
  const href = scope.location?.href ?? ''
  return scope.name ? `${href} ${scope.name}` : href
}

/**
 * Follows the host page's orders on `scope`: describe the app and the host id (the key pair is
 * made then, once), start serving the channel (once, only under this worker's own host id), and
 * report the page's visibility in the host announcements. Returns the running host, once ordered.
 * @example
 * followHostOrders(hub, self, (name) => new BroadcastChannel(name))
 */
export function followHostOrders(hub: Hub, scope: OrderScope, open: (name: string) => ChannelLike, app = appOf(globalThis as { location?: { href: string }; name?: string })): () => BroadcastHost | null {
  let host: BroadcastHost | null = null
  let keys: Promise<KeyPair> | null = null
  let isHidden = false
  scope.addEventListener('message', (event) => {
    const order: unknown = (event as MessageEvent).data
    if (!isHostOrder(order)) return
    const what = order.tabrelayHost
    if ('describe' in what) {
      keys ??= makeKeyPair()
      // No WebCrypto (not a secure context): no answer; the page times out and says why.
      keys.then((pair) => scope.postMessage({ tabrelayHostInfo: { app, hostId: pair.fingerprint } } satisfies HostInfo), () => undefined)
    } else if ('channel' in what) {
      void keys?.then((pair) => {
        if (host !== null || pair.fingerprint !== what.hostId) return
        host = acceptBroadcastTabs(hub, open(what.channel), pair)
        host.setHidden(isHidden)
      })
    } else {
      isHidden = what.isHidden
      host?.setHidden(isHidden)
    }
  })
  return () => host
}
