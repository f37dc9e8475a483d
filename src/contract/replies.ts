/**
 * How a {@link RelayError} crosses tabrelay's own endpoints with its code, without a global
 * Comlink transfer handler (a library must not replace the `throw` handler the page's other
 * Comlink code relies on): the serving side (`exposeOnly`) answers with {@link errorReply}, and
 * the calling side wraps its endpoint with {@link relayErrorsOn}, which turns that answer back
 * into a RelayError before Comlink's `wrap()` reads it.
 */
import type { Endpoint } from 'comlink'
import { fromWire } from './errors.ts'
import type { WireError } from './protocol.ts'

/**
 * A RelayError as Comlink's `throw` reply: a plain Comlink caller (with Comlink's own handler)
 * still gets an Error with this message, the name `RelayError` and the `code`.
 * @example
 * port.postMessage({ ...errorReply({ code: 'bad-input', message: 'no such method' }), id })
 */
export function errorReply(wire: WireError): Record<string, unknown> {
  return { type: 'HANDLER', name: 'throw', value: { isError: true, value: { name: 'RelayError', message: wire.message, code: wire.code } } }
}

/**
 * The error an {@link errorReply} carries, or `null` for any other message.
 * @example
 * const wire = relayErrorOf(event.data) // { code: 'bad-input', message: '…' } or null
 */
export function relayErrorOf(data: unknown): WireError | null {
  if (typeof data !== 'object' || data === null) return null
  const { type, name, value } = data as { type?: unknown; name?: unknown; value?: { isError?: unknown; value?: unknown } | null }
  if (type !== 'HANDLER' || name !== 'throw' || typeof value !== 'object' || value === null || value.isError !== true) return null
  const error = value.value as { name?: unknown; message?: unknown; code?: unknown } | null
  if (typeof error !== 'object' || error === null || error.name !== 'RelayError') return null
  return typeof error.code === 'string' && typeof error.message === 'string' ? { code: error.code, message: error.message } : null
}

/**
 * A stand-in for `endpoint` to give Comlink's `wrap()`: an {@link errorReply} reaches the wrap as
 * a thenable that rejects with the rebuilt {@link RelayError} (the wrap resolves the call's promise
 * with the message it got, and a promise resolved with a thenable takes its outcome), so the
 * caller's promise rejects with a real RelayError whatever `throw` handler the page registered.
 * After the answer to Comlink's RELEASE it closes a MessagePort, as Comlink would (it recognises
 * a port only by its class).
 * @example
 * const hub = wrap<HubApi>(relayErrorsOn(port)) // await hub.join(bad) rejects with code 'bad-input'
 */
export function relayErrorsOn(endpoint: Endpoint): Endpoint {
  const listeners = new Map<EventListenerOrEventListenerObject, EventListener>()
  const releases = new Set<string>()
  const revive = (listener: EventListenerOrEventListenerObject): EventListener => (event) => {
    const message: unknown = (event as MessageEvent<unknown>).data
    const wire = relayErrorOf(message)
    const id = (message as { id?: unknown } | null)?.id
    const revived = wire ? new MessageEvent('message', { data: { id, then: (_resolve: unknown, reject: (error: unknown) => void) => reject(fromWire(wire)) } }) : event
    if (typeof listener === 'function') listener(revived)
    else listener.handleEvent(revived)
    if (typeof id === 'string' && releases.delete(id) && typeof MessagePort === 'function' && endpoint instanceof MessagePort) endpoint.close()
  }
  return {
    postMessage(message: unknown, transfer?: Transferable[]) {
      const request = message as { type?: unknown; id?: unknown } | null
      if (request?.type === 'RELEASE' && typeof request.id === 'string') releases.add(request.id)
      endpoint.postMessage(message, transfer)
    },
    addEventListener(type, listener) {
      const made = listeners.get(listener) ?? revive(listener)
      listeners.set(listener, made)
      endpoint.addEventListener(type, made)
    },
    removeEventListener(type, listener) {
      const made = listeners.get(listener)
      if (!made) return
      listeners.delete(listener)
      endpoint.removeEventListener(type, made)
    },
    start: () => endpoint.start?.(),
  }
}
