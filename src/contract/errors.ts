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

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'bad-input', 'unsupported', 'version-mismatch', 'timeout', 'transport', 'join-failed',
  'unauthorized', 'closed',
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
type Serialized = { isRelay: true; wire: WireError } | { isRelay: false; message: string; name: string }

const throwHandler: TransferHandler<Thrown, Serialized> = {
  canHandle: (value: unknown): value is Thrown =>
    typeof value === 'object' && value !== null && 'value' in value && Object.getOwnPropertySymbols(value).some((s) => s.description === 'Comlink.thrown'),
  serialize: ({ value }) => {
    if (value instanceof RelayError) return [{ isRelay: true, wire: toWire(value) }, []]
    const error = value instanceof Error ? value : new Error(String(value))
    return [{ isRelay: false, message: error.message, name: error.name }, []]
  },
  deserialize: (data) => {
    if (data.isRelay) throw fromWire(data.wire)
    throw Object.assign(new Error(data.message), { name: data.name })
  },
}

/**
 * Replaces Comlink's `throw` handler so a {@link RelayError} keeps its code across the port.
 * Both sides call it once before using Comlink; calling it again is harmless.
 * @example
 * installErrorTransfer(); Comlink.expose(session, port)
 */
export function installErrorTransfer(): void {
  transferHandlers.set('throw', throwHandler as TransferHandler<unknown, unknown>)
}
