/**
 * Compile-time payload rules, checked by `npm run typecheck` (this file is in the root tsconfig):
 * what JSON.stringify serialises (interfaces, Dates, undefined fields, `unknown`, plain `Json`)
 * compiles for send/httpSend/track in both APIs; functions, symbols, bigints and values with
 * methods do not (each `@ts-expect-error` fails the typecheck if the line compiles).
 */
import type { Json } from '../../src/contract/protocol.ts'
import type { Topic } from '../../src/core/topic.ts'
import type { SharedChannel } from '../../src/supabase/types.ts'

interface Message { text: string; at: Date; edited?: boolean; tags: readonly string[]; reply?: Message }

export function accepted(room: SharedChannel, topic: Topic, message: Message, json: Json, maybe: Json | undefined, loose: Record<string, unknown>, value: unknown): void {
  void room.send({ type: 'broadcast', event: 'm', payload: message })
  void room.send({ type: 'broadcast', event: 'm', payload: { at: new Date(), gone: undefined, n: Number.NaN } })
  void room.send({ type: 'broadcast', event: 'm', payload: json })
  void room.send({ type: 'broadcast', event: 'm', payload: maybe })
  void room.send({ type: 'broadcast', event: 'm', payload: loose })
  void room.send({ type: 'broadcast', event: 'm', payload: value })
  void room.send({ type: 'broadcast', event: 'm' })
  void room.httpSend('m', message)
  void room.track({ name: 'alice', since: new Date() })
  void room.track(message)
  void topic.send('m')
  void topic.send('m', message)
  void topic.send('m', json)
  void topic.send('m', maybe)
  void topic.send('m', [1, 'x', null])
}

class Point { x = 1; length(): number { return this.x } }

export function refused(room: SharedChannel, topic: Topic): void {
  // @ts-expect-error a function field would be dropped by JSON.stringify
  void room.send({ type: 'broadcast', event: 'm', payload: { render: () => 'x' } })
  // @ts-expect-error JSON.stringify throws on a bigint
  void room.send({ type: 'broadcast', event: 'm', payload: { id: 1n } })
  // @ts-expect-error a symbol would be dropped
  void room.httpSend('m', { s: Symbol('s') })
  // @ts-expect-error a Map arrives as {}
  void room.send({ type: 'broadcast', event: 'm', payload: new Map([['a', 1]]) })
  // @ts-expect-error a method would be dropped (give the class a toJSON, or send plain data)
  void room.track({ at: new Point() })
  // @ts-expect-error presence meta is an object
  void room.track('alice')
  // @ts-expect-error a bigint payload
  void topic.send('m', 1n)
  // @ts-expect-error a function payload
  void topic.send('m', { f: () => 1 })
}
