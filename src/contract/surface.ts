/**
 * The only doors into tabrelay's endpoints. Comlink's `expose(obj)` follows any property path a
 * peer sends and answers GET, SET, CONSTRUCT and ENDPOINT: any page of the origin can open the
 * SharedWorker by URL and name, so `CONSTRUCT ['constructor', 'constructor']` would hand it a
 * Function that runs code in the hub. Here a peer may only call one of the protocol's methods with
 * plain data; the replies keep Comlink's wire format, so the caller still uses Comlink's `wrap()`,
 * and a thrown {@link RelayError} crosses in its own reply shape (`replies.ts`).
 */
import type { Endpoint } from 'comlink'
import { RelayError, toWire } from './errors.ts'
import type { HubApi, TabSink } from './protocol.ts'
import { errorReply } from './replies.ts'

/**
 * The methods of {@link HubApi}, as data: all a tab may call on the hub.
 * @example
 * exposeOnly(session, HUB_METHODS, port)
 */
export const HUB_METHODS = ['hello', 'join', 'leave', 'send', 'track', 'untrack', 'setAuth', 'heartbeat', 'reconnect', 'stats', 'inspect', 'bye'] as const satisfies ReadonlyArray<keyof HubApi>

/**
 * The methods of {@link TabSink}, as data: all the hub may call on a tab.
 * @example
 * exposeOnly(sink, SINK_METHODS, endpoint)
 */
export const SINK_METHODS = ['status', 'leader', 'token', 'moveTo'] as const satisfies ReadonlyArray<keyof TabSink>

// A method added to an interface but not to its list above fails to compile here.
type Unlisted = Exclude<keyof HubApi, (typeof HUB_METHODS)[number]> | Exclude<keyof TabSink, (typeof SINK_METHODS)[number]>
/** Compiles only while both method lists are complete. */
export type MethodListsAreComplete = [Unlisted] extends [never] ? true : never
// Fails to compile the moment a method is missing from a list (a type alone checks nothing).
const listsAreComplete: MethodListsAreComplete = true
void listsAreComplete

// Comlink's request types; anything else on the endpoint (replies included) is not for us.
const REQUESTS: ReadonlySet<unknown> = new Set(['GET', 'SET', 'APPLY', 'CONSTRUCT', 'ENDPOINT', 'RELEASE'])
const REFUSED = "tabrelay endpoint: only the protocol's own methods can be called, with plain data"

type Method = (...args: unknown[]) => unknown
interface Request { id?: unknown; type?: unknown; path?: unknown; argumentList?: unknown }

/**
 * Serves `methods` of `api` on `endpoint` through a frozen facade without a prototype: only
 * Comlink `APPLY` messages whose path is one of those names and whose arguments are plain (RAW)
 * values, plus `RELEASE`. Every other request is answered with a `bad-input` {@link RelayError},
 * so the caller's promise rejects instead of hanging; what is not a request is ignored.
 * @example
 * exposeOnly(new TabSession(hub, () => sinkOn(port)), HUB_METHODS, port)
 */
export function exposeOnly<T extends object>(api: T, methods: ReadonlyArray<keyof T & string>, endpoint: Endpoint): void {
  const facade = Object.create(null) as Record<string, Method>
  for (const name of methods) facade[name] = (api[name] as Method).bind(api)
  Object.freeze(facade)
  const listener = (event: Event): void => {
    const data = (event as MessageEvent<Request | null>).data
    const { id, type, path, argumentList = [] } = typeof data === 'object' && data !== null ? data : {}
    // Comlink's ids are four hex numbers joined by dashes; an odd id cannot be answered usefully.
    if (typeof id !== 'string' || id.length > 80 || !REQUESTS.has(type)) return
    const answer = (reply: object): void => post(endpoint, { ...reply, id })
    if (type === 'RELEASE') {
      // As Comlink's expose: answer, stop listening, close a MessagePort (the peer let go of it).
      answer({ type: 'RAW' })
      endpoint.removeEventListener('message', listener)
      if (typeof MessagePort === 'function' && endpoint instanceof MessagePort) endpoint.close()
      return
    }
    const name: unknown = type === 'APPLY' && Array.isArray(path) && path.length === 1 ? path[0] : undefined
    let result: unknown
    try {
      if (typeof name !== 'string' || !Object.hasOwn(facade, name) || !Array.isArray(argumentList) || argumentList.length > 4 || !argumentList.every(isRaw)) {
        throw new RelayError('bad-input', REFUSED)
      }
      // Called at once, not in a later task: the hub handles one port's calls in order.
      result = facade[name]?.(...argumentList.map((arg: { value?: unknown }) => arg.value))
    } catch (error) {
      result = Promise.reject(error)
    }
    Promise.resolve(result).then((value) => answer({ type: 'RAW', value }), (error: unknown) => answer(errorReply(toWire(error))))
  }
  endpoint.addEventListener('message', listener as EventListener)
  endpoint.start?.()
}

function isRaw(arg: unknown): boolean {
  return (arg as { type?: unknown } | null)?.type === 'RAW'
}

function post(endpoint: Endpoint, reply: { id: string }): void {
  try {
    endpoint.postMessage(reply)
  } catch (error) {
    // The answer could not be cloned: the caller still gets an answer, the error.
    endpoint.postMessage({ ...errorReply(toWire(error)), id: reply.id })
  }
}
