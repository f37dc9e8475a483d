/**
 * What the soak runner and its server process say to each other over the fork IPC channel. The
 * server (the demo Realtime server plus a paced REST publisher) runs in its own process, so it
 * uses the second core and the publisher's pace never waits on the hub's event loop.
 */

/** The event every soak message is broadcast as; its payload is {@link SoakPayload}. */
export const SOAK_EVENT = 'soak'

/** A message's payload: its sequence number on its topic and when the publisher sent it. */
export interface SoakPayload {
  seq: number
  at: number
}

/** Runner → server. */
export type ToServer =
  | { type: 'publish'; id: number; topics: string[]; rate: number; durationMs: number; firstSeq: number[] }
  | { type: 'drop'; id: number }
  | { type: 'token'; id: number; sub: string }
  | { type: 'stats'; id: number }

/** Server → runner; `id` answers the request with the same id. */
export type ToRunner =
  | { type: 'ready'; url: string; anonKey: string }
  | { type: 'published'; id: number; counts: number[]; batches: number; lateMs: number }
  | { type: 'dropped'; id: number; sockets: number }
  | { type: 'token'; id: number; token: string }
  | { type: 'stats'; id: number; sockets: number }
