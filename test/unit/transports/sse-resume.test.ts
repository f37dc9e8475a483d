/**
 * Resume against the real servers (nginx + nchan, the demo endpoint): streams the server closes
 * (its subscriber timeout) are resumed by the next attempt from the last id kept in the
 * connection's memory, and a multiplexed stream's union change re-opens it with that id; in both
 * cases every message arrives exactly once, in order.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Json } from '../../../src/contract/protocol.ts'
import type { CloseReason, TransportConnection } from '../../../worker/transports/transport.ts'
import { sseTransport, type SseMode } from '../../../worker/transports/sse/index.ts'
import { sub, until } from './harness.ts'
import { SSE_SERVERS, type SseServer } from './sse-servers.ts'

const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

interface Attempt {
  attempt: TransportConnection<unknown>
  closed: CloseReason[]
  /** Per topic, the `n` of every message received, and whether it is SUBSCRIBED. */
  got: Map<string, number[]>
  subscribed: Set<string>
}

function attemptOn(server: SseServer, mode: SseMode, memory: Map<string, Json>, topics: string[]): Attempt {
  const transport = sseTransport({ mode, debounceMs: 5 })
  const closed: CloseReason[] = []
  const attempt = transport.open({
    target: { transport: 'sse', endpoint: server.url, params: {}, identity: 'alice' }, token: null, memory,
    events: { open: () => undefined, closed: (reason) => closed.push(reason) },
  })
  cleanup.push(() => attempt.close())
  const opened: Attempt = { attempt, closed, got: new Map(), subscribed: new Set() }
  for (const topic of topics) join(transport, opened, topic)
  return opened
}

function join(transport: ReturnType<typeof sseTransport>, opened: Attempt, topic: string): void {
  const got = opened.got.get(topic) ?? []
  opened.got.set(topic, got)
  opened.attempt.join(topic, transport.merge([sub(topic)], false), {
    status: (status) => { if (status === 'SUBSCRIBED') opened.subscribed.add(topic) },
    broadcast: (_event, payload) => { if (typeof payload === 'object' && payload !== null && 'n' in payload && typeof payload.n === 'number') got.push(payload.n) },
    presence: () => undefined, postgres: () => undefined, system: () => undefined,
  })
}

const body = (topic: string, n: number): string => JSON.stringify({ type: 'seq', topic, n })
async function publish(server: SseServer, topic: string, ...ns: number[]): Promise<void> {
  for (const n of ns) expect(await server.publish(topic, body(topic, n))).toBeLessThan(300)
}

for (const kind of SSE_SERVERS) {
  describe(`SSE resume over ${kind.name}`, () => {
    for (const mode of ['per-topic', 'multiplexed'] as const) {
      it(`${mode}: streams closed by the server are resumed by the next attempt from the last id: nothing lost, nothing twice`, async () => {
        const server = await kind.start({ subscriberTimeoutS: 1 })
        cleanup.push(() => server.close())
        const memory = new Map<string, Json>()
        const topics = ['room-a', 'room-b']
        const seen = new Map(topics.map((t) => [t, [] as number[]]))
        let n = 0
        const gaps: number[] = []
        for (let round = 0; round < 3; round++) {
          const current = attemptOn(server, mode, memory, topics)
          await until(() => current.subscribed.size === 2, `round ${round}: both SUBSCRIBED`)
          for (const topic of topics) await publish(server, topic, ++n, ++n)
          // Only the server's timeout ends this attempt; what is published now falls in the gap.
          await until(() => current.closed.length === 1, `round ${round}: the server closes the stream`, )
          for (const topic of topics) { await publish(server, topic, ++n); gaps.push(n) }
          await current.attempt.close()
          // Drain: the last gap is read by a final attempt.
          for (const topic of topics) seen.get(topic)?.push(...(current.got.get(topic) ?? []))
        }
        const last = attemptOn(server, mode, memory, topics)
        await until(() => last.subscribed.size === 2, 'the last attempt SUBSCRIBED')
        for (const topic of topics) await publish(server, topic, ++n)
        await until(() => topics.every((t) => (last.got.get(t) ?? []).includes(n - (t === topics[0] ? 1 : 0))), 'the last live messages')
        for (const topic of topics) seen.get(topic)?.push(...(last.got.get(topic) ?? []))
        const all = [...(seen.get('room-a') ?? []), ...(seen.get('room-b') ?? [])].sort((x, y) => x - y)
        for (const topic of topics) {
          const got = seen.get(topic) ?? []
          expect(got).toEqual([...got].sort((x, y) => x - y))
        }
        if (kind.name.includes('nchan') && mode === 'multiplexed') {
          // nchan 1.3.6 cannot resume a multiplexed stream its timeout ended (see attempt.ts): the
          // transport restarts it without an id, so gap messages may be lost (the hub resyncs), but no
          // message arrives twice and every live one arrives.
          const live = Array.from({ length: n }, (_, i) => i + 1).filter((x) => !gaps.includes(x))
          expect(new Set(all).size).toBe(all.length)
          expect(live.filter((x) => !all.includes(x))).toEqual([])
        } else {
          expect(all).toEqual(Array.from({ length: n }, (_, i) => i + 1))
        }
      }, 15_000)
    }

    it('multiplexed: a join re-opens the one stream with the last id while messages flow: nothing lost, nothing twice', async () => {
      const server = await kind.start()
      cleanup.push(() => server.close())
      const transport = sseTransport({ mode: 'multiplexed', debounceMs: 5 })
      const memory = new Map<string, Json>()
      const alice = attemptOn(server, 'multiplexed', memory, ['a'])
      await until(() => alice.subscribed.has('a'), 'a SUBSCRIBED')
      await publish(server, 'a', 1)
      await until(() => alice.got.get('a')?.length === 1, 'a1')
      join(transport, alice, 'b')
      // Published while the stream is re-opened: the new stream replays them after the last id.
      await publish(server, 'a', 2, 3)
      await until(() => alice.subscribed.has('b'), 'b SUBSCRIBED')
      await publish(server, 'b', 4)
      await publish(server, 'a', 5)
      await until(() => alice.got.get('a')?.length === 4 && alice.got.get('b')?.length === 1, 'every message')
      expect(alice.got.get('a')).toEqual([1, 2, 3, 5])
      expect(alice.got.get('b')).toEqual([4])
      expect(await server.connections()).toBe(1)
      expect(alice.closed).toEqual([])
    })
  })
}
