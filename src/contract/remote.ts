/**
 * Calls into a peer's `exposeOnly` surface in Comlink's wire format (APPLY with RAW arguments,
 * RELEASE), without Comlink's proxies: each method of the list is a plain function, so nothing is
 * forwarded that the protocol does not name, no FinalizationRegistry holds the endpoint, and a
 * RelayError answer rejects with a RelayError (see `replies.ts`), whatever the page's Comlink
 * handlers are. The tab's bundle then carries no Comlink at all.
 */
import type { Endpoint } from 'comlink'
import { RelayError, fromWire } from './errors.ts'
import { randomId } from './ids.ts'
import { relayErrorOf } from './replies.ts'

type Method = (...args: never[]) => unknown

/** `T`'s methods as calls across the endpoint: each returns a promise of its result. */
export type Remote<T> = { readonly [K in keyof T]: T[K] extends Method ? (...args: Parameters<T[K]>) => Promise<Awaited<ReturnType<T[K]>>> : never }

/**
 * A peer's methods, and how to let go of them.
 * @example
 * const { remote, release } = remoteOf<HubApi>(port, HUB_METHODS); await remote.stats(); release()
 */
export interface RemoteLink<T> {
  remote: Remote<T>
  /** Tells the peer (Comlink's RELEASE), then {@link RemoteLink.stop}s. */
  release(): void
  /** Stops listening; calls in flight never settle (their callers time out), later calls reject. */
  stop(): void
}

interface Answer {
  id?: unknown
  type?: unknown
  value?: unknown
}

/**
 * Calls `methods` of the peer exposed on `endpoint`.
 * @example
 * const { remote } = remoteOf<TabSink>(port, SINK_METHODS); void remote.status({ status: 'open' })
 */
export function remoteOf<T>(endpoint: Endpoint, methods: ReadonlyArray<keyof T & string>): RemoteLink<T> {
  const pending = new Map<string, (answer: Answer) => void>()
  let isStopped = false
  const listener = (event: Event): void => {
    const answer = (event as MessageEvent<Answer | null>).data
    if (typeof answer?.id === 'string') pending.get(answer.id)?.(answer)
  }
  const send = (message: object): Promise<Answer> => new Promise((resolve) => {
    if (isStopped) throw new RelayError('closed', 'this hub connection was let go of; the client reconnects on its own')
    const id = randomId()
    pending.set(id, (answer) => { pending.delete(id); resolve(answer) })
    try {
      endpoint.postMessage({ ...message, id })
    } catch (error) {
      pending.delete(id)
      throw error
    }
  })
  const call = (name: string) => async (...args: unknown[]): Promise<unknown> => {
    const answer = await send({ type: 'APPLY', path: [name], argumentList: args.map((value) => ({ type: 'RAW', value })) })
    if (answer.type === 'RAW') return answer.value
    const wire = relayErrorOf(answer)
    throw wire ? fromWire(wire) : new RelayError('transport', 'the peer failed without a RelayError')
  }
  const remote = Object.create(null) as Record<string, unknown>
  for (const name of methods) remote[name] = call(name)
  const stop = (): void => {
    isStopped = true
    pending.clear()
    endpoint.removeEventListener('message', listener as EventListener)
  }
  endpoint.addEventListener('message', listener as EventListener)
  endpoint.start?.()
  return {
    remote: Object.freeze(remote) as Remote<T>,
    release() {
      if (!isStopped) void send({ type: 'RELEASE' }).catch(() => undefined)
      stop()
    },
    stop,
  }
}
