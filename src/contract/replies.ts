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
export function errorReply(wire: WireError): object {
  return { type: 'HANDLER', name: 'throw', value: { isError: true, value: { name: 'RelayError', message: wire.message, code: wire.code } } }
}

interface Reply {
  type?: unknown
  name?: unknown
  value?: { value?: { name?: unknown; code?: unknown; message?: unknown } }
}

/**
 * The error an {@link errorReply} carries, or `null` for any other message.
 * @example
 * const wire = relayErrorOf(event.data) // { code: 'bad-input', message: '…' } or null
 */
export function relayErrorOf(data: unknown): WireError | null {
  const reply = data as Reply | null
  const error = reply?.type === 'HANDLER' && reply.name === 'throw' ? reply.value?.value : undefined
  return error?.name === 'RelayError' && typeof error.code === 'string' && typeof error.message === 'string' ? { code: error.code, message: error.message } : null
}

/**
 * A stand-in for `endpoint` to give Comlink's `wrap()`: an {@link errorReply} reaches the wrap as
 * a thenable that rejects with the rebuilt {@link RelayError} (the wrap resolves the call's promise
 * with the message it got, and a promise resolved with a thenable takes its outcome), so the
 * caller's promise rejects with a real RelayError whatever `throw` handler the page registered.
 * @example
 * const hub = wrap<HubApi>(relayErrorsOn(port)) // await hub.join(bad) rejects with code 'bad-input'
 */
export function relayErrorsOn(endpoint: Endpoint): Endpoint {
  const revived = new WeakMap<object, EventListener>()
  const revive = (listener: EventListenerOrEventListenerObject): EventListener => {
    const made = revived.get(listener) ?? ((event: Event): void => {
      const data: unknown = (event as MessageEvent<unknown>).data
      const wire = relayErrorOf(data)
      const then = (_resolve: unknown, reject: (error: unknown) => void): void => reject(wire && fromWire(wire))
      const seen = wire ? new MessageEvent('message', { data: { id: (data as { id?: unknown }).id, then } }) : event
      if (typeof listener === 'function') listener(seen)
      else listener.handleEvent(seen)
    })
    revived.set(listener, made)
    return made
  }
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => endpoint.postMessage(message, transfer),
    addEventListener: (type, listener) => endpoint.addEventListener(type, revive(listener)),
    removeEventListener: (type, listener) => endpoint.removeEventListener(type, revive(listener)),
    start: () => endpoint.start?.(),
  }
}
