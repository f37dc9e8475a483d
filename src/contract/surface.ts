/**
 * The only doors into tabrelay's endpoints. Comlink's `expose(obj)` follows any property path a
 * peer sends and answers GET, SET, CONSTRUCT and ENDPOINT: any page of the origin can open the
 * SharedWorker by URL and name, so `CONSTRUCT ['constructor', 'constructor']` would hand it a
 * Function that runs code in the hub. Here a peer may only call one of the protocol's methods with
 * plain data; the replies keep Comlink's wire format, so the tab still uses Comlink's `wrap()`.
 * A {@link RelayError} crosses as its own reply shape and {@link relayErrorsOn} turns it back
 * into one, so no global Comlink transfer handler is touched.
 */
import type { Endpoint } from 'comlink'
import { RelayError, toWire } from './errors.ts'
import type { HubApi, TabSink } from './protocol.ts'
import { errorReply } from './replies.ts'

// Written as objects so the compiler checks each list against its interface, both ways.
const HUB_API = { hello: 0, join: 0, leave: 0, send: 0, track: 0, untrack: 0, setAuth: 0, heartbeat: 0, reconnect: 0, stats: 0, bye: 0 } satisfies Record<keyof HubApi, 0>
const TAB_SINK = { deliver: 0, status: 0, leader: 0, token: 0, moveTo: 0 } satisfies Record<keyof TabSink, 0>

/**
 * The methods of {@link HubApi}, as data: all a tab may call on the hub.
 * @example
 * exposeOnly(session, HUB_METHODS, port)
 */
export const HUB_METHODS = Object.keys(HUB_API) as ReadonlyArray<keyof HubApi>

/**
 * The methods of {@link TabSink}, as data: all the hub may call on a tab.
 * @example
 * exposeOnly(sink, SINK_METHODS, endpoint)
 */
export const SINK_METHODS = Object.keys(TAB_SINK) as ReadonlyArray<keyof TabSink>

/** Comlink's request types; anything else on the endpoint (replies included) is not for us. */
const REQUESTS: ReadonlySet<string> = new Set(['GET', 'SET', 'APPLY', 'CONSTRUCT', 'ENDPOINT', 'RELEASE'])
// No protocol method takes more; Comlink's ids are four hex numbers joined by dashes.
const MAX_ARGS = 4
const MAX_ID_LENGTH = 80

interface Request {
  id: string
  type: string
  path?: unknown
  argumentList?: unknown
}

type Method = (...args: unknown[]) => unknown

/**
 * Serves `methods` of `api` on `endpoint`, and nothing else: only Comlink `APPLY` messages whose
 * path is one of those names and whose arguments are plain (RAW) values, plus `RELEASE`. Every
 * other request is answered with a `bad-input` {@link RelayError}, so the caller's promise rejects
 * instead of hanging; messages that are not requests (replies, malformed data) are ignored.
 * @example
 * exposeOnly(new TabSession(hub, () => sinkOn(port)), HUB_METHODS, port)
 */
export function exposeOnly<T extends object>(api: T, methods: ReadonlyArray<keyof T & string>, endpoint: Endpoint): void {
  const facade = facadeOf(api, methods)
  const onMessage = (event: Event): void => {
    const request = requestOf((event as MessageEvent<unknown>).data)
    if (!request) return
    if (request.type === 'RELEASE') {
      // As Comlink's expose: answer, stop listening, close a MessagePort (the peer let go of it).
      post(endpoint, request.id, { type: 'RAW', value: undefined })
      endpoint.removeEventListener('message', onMessage)
      if (typeof MessagePort === 'function' && endpoint instanceof MessagePort) endpoint.close()
      return
    }
    let result: unknown
    try {
      const [method, args] = callOf(request, facade)
      // Called at once, not in a later task: the hub handles one port's calls in order.
      result = method(...args)
    } catch (error) {
      result = Promise.reject(error)
    }
    Promise.resolve(result).then(
      (value) => post(endpoint, request.id, { type: 'RAW', value }),
      (error: unknown) => post(endpoint, request.id, errorReply(toWire(error))),
    )
  }
  endpoint.addEventListener('message', onMessage as EventListener)
  endpoint.start?.()
}

/** A frozen object without a prototype that has exactly `methods`, each calling `api`'s own. */
function facadeOf<T extends object>(api: T, methods: ReadonlyArray<keyof T & string>): Readonly<Record<string, Method>> {
  const facade = Object.create(null) as Record<string, Method>
  for (const name of methods) {
    const method: unknown = api[name]
    if (typeof method !== 'function') throw new TypeError(`exposeOnly(): ${name} is not a method`)
    facade[name] = (...args) => (method as Method).apply(api, args)
  }
  return Object.freeze(facade)
}

function requestOf(data: unknown): Request | null {
  if (typeof data !== 'object' || data === null) return null
  const { id, type } = data as { id?: unknown; type?: unknown }
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) return null
  if (typeof type !== 'string' || !REQUESTS.has(type)) return null
  return data as Request
}

function callOf(request: Request, facade: Readonly<Record<string, Method>>): [Method, unknown[]] {
  const { type, path, argumentList = [] } = request
  if (type !== 'APPLY') throw refused(`${type} requests are not served`)
  const name: unknown = Array.isArray(path) && path.length === 1 ? path[0] : undefined
  const method = typeof name === 'string' && Object.hasOwn(facade, name) ? facade[name] : undefined
  if (!method) throw refused(`only the protocol's own methods can be called (path ${describe(path)})`)
  if (!Array.isArray(argumentList) || argumentList.length > MAX_ARGS || !argumentList.every(isRaw)) {
    throw refused('arguments must be plain data: proxies, ports and transfer handlers are not accepted')
  }
  return [method, argumentList.map((arg: { value?: unknown }) => arg.value)]
}

function isRaw(arg: unknown): arg is { type: 'RAW'; value?: unknown } {
  return typeof arg === 'object' && arg !== null && (arg as { type?: unknown }).type === 'RAW'
}

function describe(path: unknown): string {
  const text = Array.isArray(path) ? path.map((p) => (typeof p === 'string' ? p : typeof p)).join('.') : typeof path
  return JSON.stringify(text.slice(0, 60))
}

function refused(why: string): RelayError {
  return new RelayError('bad-input', `tabrelay endpoint: ${why}; talk to the hub through the tabrelay client`)
}

function post(endpoint: Endpoint, id: string, reply: Record<string, unknown>): void {
  try {
    endpoint.postMessage({ ...reply, id })
  } catch (error) {
    // The answer could not be cloned: the caller still gets an answer, the error.
    try {
      endpoint.postMessage({ ...errorReply(toWire(new RelayError('transport', `the answer could not be sent (${toWire(error).message})`))), id })
    } catch {
      // A closed endpoint has nobody to answer.
    }
  }
}
