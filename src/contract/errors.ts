/**
 * Typed errors that survive the trip across the port. Comlink keeps only name/message/stack of a
 * thrown error, so errors cross as `{ code, message }` data: tabrelay's own endpoints answer with
 * that shape and turn it back into a RelayError (`replies.ts`), with no global transfer handler.
 */
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
  | 'outbox-full'

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'bad-input', 'unsupported', 'version-mismatch', 'timeout', 'transport', 'join-failed',
  'unauthorized', 'closed', 'worker-failed', 'token-failed', 'outbox-full',
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
 * Turns any thrown value into wire data; other errors get the code `fallback` (`transport`).
 * @example
 * sink.status({ status: 'reconnecting', error: toWire(err) })
 */
export function toWire(error: unknown, fallback: ErrorCode = 'transport'): WireError {
  if (error instanceof RelayError) return { code: error.code, message: error.message }
  return { code: fallback, message: error instanceof Error ? error.message : String(error) }
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
