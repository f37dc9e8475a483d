/**
 * Typed errors that survive the trip across the port. Comlink keeps only name/message/stack of a
 * thrown error, so errors cross as `{ code, message }` data through one replacement `throw` handler.
 */
import { transferHandlers, type TransferHandler } from 'comlink'
import type { WireError } from './protocol.ts'

/** Why a call failed; string literals cross postMessage unchanged. */
export type ErrorCode =
  | 'bad-input'
  | 'unsupported'
  | 'version-mismatch'
  | 'timeout'
  | 'transport'
  | 'join-failed'
  | 'unauthorized'
  | 'closed'
  | 'worker-failed'
  | 'token-failed'

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'bad-input', 'unsupported', 'version-mismatch', 'timeout', 'transport', 'join-failed',
  'unauthorized', 'closed', 'worker-failed', 'token-failed',
])

/**
 * An error with a machine-readable code, thrown in the tab that caused it.
 * @example
 * try { await room.send(msg) } catch (e) { if (e instanceof RelayError && e.code === 'bad-input') … }
 */
export class RelayError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'RelayError'
    this.code = code
  }
}

/**
 * Turns any thrown value into wire data; unknown errors become `transport` errors.
 * @example
 * sink.status({ status: 'reconnecting', error: toWire(err) })
 */
export function toWire(error: unknown): WireError {
  if (error instanceof RelayError) return { code: error.code, message: error.message }
  if (error instanceof Error) return { code: 'transport', message: error.message }
  return { code: 'transport', message: String(error) }
}

/**
 * Rebuilds a {@link RelayError} from wire data; an unknown code becomes `transport`.
 * @example
 * const err = fromWire({ code: 'timeout', message: 'no reply' })
 */
export function fromWire(wire: WireError): RelayError {
  const code = CODES.has(wire.code) ? (wire.code as ErrorCode) : 'transport'
  return new RelayError(code, wire.message)
}

interface Thrown {
  value: unknown
}
type Serialized = { isRelay: true; wire: WireError } | { isRelay: false; inner: unknown }

// The handler that was registered before ours (Comlink's own, or the app's): everything that is
// not a RelayError still goes through it, so an app's own Comlink workers keep their error stacks.
let previous: TransferHandler<unknown, unknown> | undefined

const throwHandler: TransferHandler<Thrown, Serialized> = {
  canHandle: (value: unknown): value is Thrown =>
    typeof value === 'object' && value !== null && 'value' in value && Object.getOwnPropertySymbols(value).some((s) => s.description === 'Comlink.thrown'),
  serialize: (thrown) => {
    if (thrown.value instanceof RelayError) return [{ isRelay: true, wire: toWire(thrown.value) }, []]
    if (previous) {
      const [inner, transferables] = previous.serialize(thrown)
      return [{ isRelay: false, inner }, transferables]
    }
    const error = thrown.value instanceof Error ? thrown.value : new Error(String(thrown.value))
    return [{ isRelay: false, inner: { isError: true, value: { message: error.message, name: error.name, stack: error.stack } } }, []]
  },
  deserialize: (data) => {
    if (data.isRelay) throw fromWire(data.wire)
    if (previous) return previous.deserialize(data.inner) as Thrown
    throw new Error('a Comlink error arrived without its handler')
  },
}

/**
 * Lets a {@link RelayError} keep its code across the port: Comlink keeps only name, message and
 * stack of a thrown error. Only RelayErrors are handled here; every other thrown value goes to the
 * `throw` handler that was registered before (Comlink's own, or the app's). Idempotent.
 * @example
 * installErrorTransfer(); Comlink.expose(session, port)
 */
export function installErrorTransfer(): void {
  const current = transferHandlers.get('throw')
  if (current === (throwHandler as TransferHandler<unknown, unknown>)) return
  previous = current
  transferHandlers.set('throw', throwHandler as TransferHandler<unknown, unknown>)
}
