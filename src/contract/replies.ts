/**
 * How a {@link RelayError} crosses tabrelay's own endpoints with its code, without a global
 * Comlink transfer handler (a library must not replace the `throw` handler the page's other
 * Comlink code relies on): the serving side (`exposeOnly`) answers with {@link errorReply}, and
 * the calling side (`remoteOf`) reads it back with {@link relayErrorOf}.
 */
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
