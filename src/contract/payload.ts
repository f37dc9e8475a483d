/**
 * Payloads as supabase-js sends them: realtime-js puts `JSON.stringify(payload)` on the wire, so
 * `undefined` fields are dropped, `NaN` and `Infinity` become `null`, a `Date` its ISO string and
 * `toJSON()` is honoured. The tab applies the same serialisation before the port ({@link toJson}),
 * so what the hub gets, and what every receiver sees, is what a supabase-js app would have sent.
 * The hub keeps checking plain JSON strictly (`isJson`): it trusts no tab.
 * DOM-free and worker-free: it compiles under both libs.
 */
import { RelayError } from './errors.ts'
import type { Json } from './protocol.ts'
import { isJson, MAX_JSON_DEPTH } from './validate.ts'

/**
 * A payload type `JSON.stringify` can take without losing what the app meant: functions, symbols
 * and bigints (anywhere inside) fail to compile, as do values with methods (`Map`, `Set`, class
 * instances: they would arrive as `{}` or without their methods) unless they have `toJSON` (`Date`).
 * Interfaces are accepted; a value typed `unknown` is checked when sent.
 * @example
 * function post<T>(payload: T & Serializable<T>) { return room.send({ type: 'broadcast', event: 'post', payload }) }
 * post({ text: 'hi', at: new Date() }) // compiles
 * post({ text: 'hi', render: () => 'x' }) // does not compile
 */
export type Serializable<T> =
  unknown extends T ? T
    : T extends Json ? T
      : T extends bigint | symbol | ((...args: never[]) => unknown) ? never
        : T extends string | number | boolean | null | undefined ? T
          : T extends { toJSON(key: string): unknown } ? T
            : { [K in keyof T]: Serializable<T[K]> }

/**
 * Serialises a payload exactly as `JSON.stringify` does (what supabase-js puts on the wire) and
 * returns the plain JSON it stands for; plain JSON comes back as it is, without a copy. Refuses,
 * with `bad-input`, what `JSON.stringify` throws on (a bigint, a cycle) or turns into nothing (a
 * function or symbol as the whole payload), binary data (realtime-js would send an `ArrayBuffer`
 * as a binary frame; no tabrelay transport carries one) and nesting deeper than {@link MAX_JSON_DEPTH}.
 * @example
 * toJson({ at: new Date(0), gone: undefined, n: NaN }, "send('x')") // { at: '1970-01-01T00:00:00.000Z', n: null }
 */
export function toJson(value: unknown, what: string): Json {
  if (isJson(value)) return value
  let reason: string
  try {
    const isBinary = value instanceof ArrayBuffer || ArrayBuffer.isView(value)
    const text = isBinary ? undefined : JSON.stringify(value)
    const json: unknown = text === undefined ? undefined : JSON.parse(text)
    if (isJson(json)) return json
    reason = isBinary ? 'binary data' : text === undefined ? `a ${typeof value}` : `over ${MAX_JSON_DEPTH} levels deep`
  } catch (error) {
    // A bigint or a cycle (TypeError), nesting deeper than the stack (RangeError).
    reason = String(error).split('\n')[0] ?? ''
  }
  throw new RelayError('bad-input', `${what}: JSON.stringify cannot carry this payload (${reason}); send plain data`)
}
