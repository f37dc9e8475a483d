/**
 * What a tab's hub session tells its client, and the shape of one worker connection it holds.
 */
import type { Endpoint } from 'comlink'
import type { Delivery, HubOffer, StatusEvent, TabSink, WireError } from '../contract/protocol.ts'
import { SINK_METHODS, exposeOnly } from '../contract/surface.ts'
import type { HubLink } from '../hosts/worker.ts'
import { receiveFrames } from './frames.ts'
import type { Invoke } from './membership.ts'
import type { UpdateInfo } from './deploy.ts'

/**
 * What the connection tells the client.
 * @example
 * new HubSession(settings, { deliver, status, leader, rejoin: (call) => channels.forEach((c) => c.rejoin(call)) })
 */
export interface LinkEvents {
  deliver(batch: Delivery[]): void
  status(event: StatusEvent): void
  leader(isLeader: boolean): void
  /** A new worker connection said hello: rejoin through `call`, ahead of any queued call. */
  rejoin(call: Invoke): void
  /** Something the app should hear about without a status change (`accessToken()` threw). */
  problem(error: WireError): void
  /** A newer deploy of the app runs; `moved` says whether this tab now rides on its hub. */
  update(info: UpdateInfo): void
}

/**
 * Errors a new worker connection would only repeat: the tab stops and reports `closed`.
 * @example
 * if (error instanceof RelayError && FATAL.has(error.code)) stop()
 */
export const FATAL: ReadonlySet<string> = new Set(['version-mismatch', 'bad-input', 'unsupported', 'worker-failed'])

/**
 * A worker connection of one generation of the session.
 * @example
 * const link: Link = { ...opened, gen: 2, hadLock: true, heard: { status: false, leader: false } }
 */
export interface Link extends HubLink {
  gen: number
  /** Whether hello already told this worker the tab lock is held. */
  hadLock: boolean
  /** What this worker's sink already told the tab before its welcome arrived (see {@link Heard}). */
  heard: Heard
}

/**
 * Whether a worker connection's sink delivered a status or a leader flag to the tab. The welcome
 * carries both as they were when the hub answered hello, but Comlink posts that answer a microtask
 * later, behind any sink call the hub made meanwhile (an SSE attempt with no topic opens in a
 * microtask): a welcome applied after them would undo a newer status, so it only fills a gap.
 * @example
 * const heard: Heard = { status: false, leader: false }
 */
export interface Heard {
  status: boolean
  leader: boolean
}


/**
 * Serves the tab's side of one worker connection on its endpoint: the sink's methods through
 * Comlink and the delivery frames; both go quiet once `isCurrent()` is false (a newer connection
 * replaced it), except `token()`, which any hub may still ask.
 * @example
 * serveSink(link.endpoint, () => gen === current, events, () => tokens.fresh(), (offer) => move(offer), heard)
 */
export function serveSink(endpoint: Endpoint, isCurrent: () => boolean, events: LinkEvents, token: () => Promise<string | null>, moveTo: (offer: HubOffer) => void, heard: Heard): void {
  receiveFrames(endpoint, (batch) => { if (isCurrent()) events.deliver(batch) })
  const sink: TabSink = {
    status: (event) => { if (isCurrent()) { heard.status = true; events.status(event) } },
    leader: (isLeader) => { if (isCurrent()) { heard.leader = true; events.leader(isLeader) } },
    token,
    moveTo: (offer) => { if (isCurrent()) moveTo(offer) },
  }
  exposeOnly(sink, SINK_METHODS, endpoint)
}
