/**
 * The hub's handle on one tab's sink for one hello: a Comlink remote on the tab's endpoint that the
 * hub can let go of, without a word to the tab, once it forgets the tab. Deliveries do not go
 * through Comlink: each batch is posted as a numbered {@link DeliveryFrame} (its events' JSON text
 * built once for every tab, `frames.ts`); one frame in {@link ACK_EVERY}, and every frame while an
 * ack is outstanding, asks for an ack and counts as answered when it comes back.
 *
 * Why not the remote on the endpoint itself: Comlink's `wrap()` registers each remote in a
 * FinalizationRegistry with the endpoint as the held value, and a registry holds its held values
 * strongly. The endpoint's listener (`expose` of the tab's session) holds the session, which holds
 * that remote, so the remote can never be finalized and the registry keeps the endpoint, the
 * session and the remote of every tab that closed without Comlink's release message (a page that
 * closes, crashes or navigates away sends none): about 1.5 kB per closed tab, for the worker's
 * life. `releaseProxy` would break the cycle but sends that release to the tab, which closes the
 * tab's end of a port that a tab timed out by mistake (frozen, then thawed) still uses.
 */
import { wrap, type Endpoint } from 'comlink'
import type { Delivery, DeliveryAck, DeliveryFrame, TabSink } from '../../src/contract/protocol.ts'
import { relayErrorsOn } from '../../src/contract/replies.ts'
import type { HubSink } from '../options.ts'
import { encodeBatch } from './frames.ts'

/** A tab's sink and how the hub lets go of it. */
export interface SinkLink {
  sink: HubSink
  /** The hub forgot the tab: the sink stops listening and sending; the endpoint itself stays. */
  release(): void
}

type Listener = Parameters<Endpoint['addEventListener']>[1]

/**
 * How often a tab that keeps up is asked to ack a frame (each ack is a message into the worker).
 * Every frame: with one in 4, the frames between counted as answered at once, so the outbox saw a
 * busy tab less often and gathered less (more, smaller frames): the A/B throughput ceiling fell to
 * 0.42–0.50× main's in two runs, while the hub's CPU moved within noise.
 */
export const ACK_EVERY = 1

// The seq of an ack; anything else gives NaN, which no frame has.
function ackOf(data: unknown): number {
  const ack = data as Partial<DeliveryAck> | null
  return ack?.frame === 'ack' && typeof ack.seq === 'number' ? ack.seq : Number.NaN
}

/**
 * Wraps the tab's sink through a stand-in endpoint that forwards to `endpoint` until released:
 * the registry then holds only the stand-in, which holds nothing. (No `start()`: the session's
 * `expose` on the same endpoint started it.)
 * @example
 * const { sink, release } = sinkOn(port); hub.hello(hello, sink, release)
 */
export function sinkOn(endpoint: Endpoint): SinkLink {
  let target: Endpoint | null = endpoint
  const added: Array<[string, Listener]> = []
  const standIn: Endpoint = {
    postMessage: (message: unknown, transfer?: Transferable[]) => target?.postMessage(message, transfer),
    addEventListener(type, listener) {
      added.push([type, listener])
      target?.addEventListener(type, listener)
    },
    removeEventListener: (type, listener) => target?.removeEventListener(type, listener),
  }
  // Frames sent and not yet acked: at most the outbox's window, since it holds the rest.
  const unacked = new Map<number, () => void>()
  let seq = 0
  standIn.addEventListener('message', ((event: MessageEvent) => {
    const acked = ackOf(event.data)
    unacked.get(acked)?.()
    unacked.delete(acked)
  }) as Listener)
  const remote = wrap<TabSink>(relayErrorsOn(standIn))
  const deliver = (batch: Delivery[]): Promise<void> | undefined => {
    if (target === null) return Promise.reject(new Error('released'))
    const sent = ++seq
    // Every ACK_EVERY-th frame asks for an ack, and every frame while an ack is awaited (the tab
    // is busy or frozen: the outbox's window then counts each frame, as it did each call); the
    // others count as answered once posted.
    const ack = sent % ACK_EVERY === 0 || unacked.size > 0
    target.postMessage({ frame: 'deliver', seq: sent, batch: encodeBatch(batch), ack } satisfies DeliveryFrame)
    return ack ? new Promise((resolve) => unacked.set(sent, resolve)) : undefined
  }
  return {
    // Comlink's remote methods are proxies that call the tab when called.
    sink: { deliver, status: remote.status, leader: remote.leader, token: remote.token, moveTo: remote.moveTo },
    release() {
      for (const [type, listener] of added.splice(0)) target?.removeEventListener(type, listener)
      target = null
      // A tab gone without a word never acks: its outbox is dropped with it.
      unacked.clear()
    },
  }
}
