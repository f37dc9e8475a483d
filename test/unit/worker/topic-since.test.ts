/**
 * A topic keeps two times, each with one writer: `since` (worker/topic/topic.ts), the time of its
 * last event — a server's or a tab's echoed broadcast, a database change — which a rejoin's
 * `resync` hands the app to backfill from; and the cursor's `lastReceivedAt` (worker/topic/cursor.ts),
 * the time of the last new broadcast the server sent, where a replay must reach back to. They agree
 * while only the server speaks and must differ after an echo or a change: a replay asked from an
 * echo would start after the server's last message, never reach back to a delivered one, and call
 * a gap that is not there.
 */
import { describe, expect, it } from 'vitest'
import type { Json, PostgresFilter, Subscription } from '../../../src/contract/protocol.ts'
import { bindingKey } from '../../../src/contract/bindings.ts'
import { createHarness, onBroadcast, sub, type Harness } from './harness.ts'

const rows: PostgresFilter = { event: '*', schema: 'public', table: 'messages' }
const listens = (subId: string): Subscription => sub(subId, 'room', [onBroadcast(), { type: 'postgres_changes', filter: rows }, { type: 'system', event: 'resync' }])
const resyncs = (h: Harness, tabId: string): Json[] => h.sink(tabId).deliveries('system').filter((d) => d.event === 'resync').map((d) => d.payload)

/** Two tabs on 'room', joined; the transport asked for a replay on the first join (none: no gap). */
async function joined(): Promise<Harness> {
  const h = createHarness()
  for (const tabId of ['a', 'b']) h.tab(tabId)
  h.hub.join('a', listens('s1'))
  h.hub.join('b', listens('s1'))
  h.net.latest.open()
  expect(h.net.latest.single('room').handlers.resume?.(25)).toBeNull()
  await h.net.latest.subscribe('room')
  return h
}

/** The socket drops and the next attempt opens: what its channel asks the server to replay. */
async function reconnect(h: Harness): Promise<unknown> {
  h.net.latest.drop()
  h.clock.advance(60_000)
  await h.settle()
  h.net.latest.open()
  return h.net.latest.single('room').handlers.resume?.(25)
}

describe("a topic's since and its cursor's replay start", () => {
  it('agree while only the server speaks: the rejoin resync says the last message, the replay asks from it minus the skew', async () => {
    const h = await joined()
    const { handlers } = h.net.latest.single('room')
    handlers.broadcast('msg', 'm1', { id: 'm1' })
    h.clock.advance(2_000)
    const lastAt = h.clock.now()
    handlers.broadcast('msg', 'm2', { id: 'm2' })
    h.clock.advance(1_000)
    expect(await reconnect(h)).toEqual({ since: lastAt - 5_000, limit: 25 })
    await h.net.latest.subscribe('room')
    await h.settle()
    expect(resyncs(h, 'b')).toEqual([{ since: lastAt, reason: 'not-replayable' }])
  })

  it("differ after an echo or a change: since moves, the replay still reaches back to the server's last message and covers the gap", async () => {
    const h = await joined()
    const serverAt = h.clock.now()
    h.net.latest.single('room').handlers.broadcast('msg', 'm1', { id: 'm1' })
    h.clock.advance(60_000)
    h.net.latest.postgres('room', [bindingKey(rows)], { id: 1 })
    h.clock.advance(60_000)
    const echoAt = h.clock.now()
    await expect(h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: 'hi' })).resolves.toBe('ok')
    h.clock.advance(1_000)
    expect(await reconnect(h)).toEqual({ since: serverAt - 5_000, limit: 25 })
    await h.net.latest.subscribe('room')
    // The server replays what it stored since then: m1, which this hub delivered, so nothing is missing.
    h.net.latest.single('room').handlers.broadcast('msg', 'm1', { id: 'm1', replayed: true })
    h.clock.advance(10_000)
    await h.settle()
    expect(resyncs(h, 'b')).toEqual([{ since: echoAt, reason: 'not-replayable' }])
  })
})
