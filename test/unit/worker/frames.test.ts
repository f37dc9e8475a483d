/**
 * Delivery frames: a batch is JSON text built from payload text shared by every tab, binary and
 * other non-JSON payloads fall back to structured cloning, and a frame that asks for an ack
 * counts as answered only when the tab acks it.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Delivery, Json } from '../../../src/contract/protocol.ts'
import { receiveFrames } from '../../../src/core/frames.ts'
import { encodeBatch } from '../../../worker/hosts/frames.ts'
import { ACK_EVERY, sinkOn } from '../../../worker/hosts/sink-link.ts'

const cleanups: Array<() => void> = []
afterEach(() => { for (const cleanup of cleanups.splice(0)) cleanup() })

const broadcast = (payload: unknown, subIds = ['s1']): Delivery => ({ kind: 'broadcast', subIds, event: 'msg', payload: payload as Json })

describe('encodeBatch', () => {
  it('gives the JSON text of the batch, every kind of delivery, with undefined fields left out', () => {
    const batch: Delivery[] = [
      { kind: 'broadcast', subIds: ['s1', 's2'], event: 'msg', payload: { text: 'hé "quoted"\n', n: [1, 2.5, null, true] }, meta: undefined },
      { kind: 'presence', subIds: ['s3'], event: 'sync', state: { k: [{ presence_ref: 'r1', name: 'a' }] } },
      { kind: 'postgres_changes', subIds: ['s4'], bindingKeys: ['0'], payload: { new: { id: 1 } } },
      { kind: 'system', subIds: ['s5'], event: 'resync', payload: { since: null } },
      { kind: 'channel', subIds: ['s6'], status: 'CHANNEL_ERROR', error: { code: 'transport', message: 'x' } },
      broadcast('a string'), broadcast(42), broadcast(null), broadcast([]), broadcast({}),
    ]
    const text = encodeBatch(batch)
    expect(text).toBe(JSON.stringify(batch))
    expect(encodeBatch([])).toBe('[]')
  })

  it('turns a payload shared by many tabs into text once', () => {
    let reads = 0
    const payload = { toJSON: () => { reads += 1; return { n: 1 } } }
    const texts = Array.from({ length: 10 }, (_, tab) => encodeBatch([broadcast(payload, [`t${tab}`])]))
    expect(reads).toBe(1)
    expect(texts[9]).toBe('[{"kind":"broadcast","subIds":["t9"],"event":"msg","payload":{"n":1}}]')
  })

  it.each([
    ['binary', new Uint8Array([1, 2, 3]).buffer],
    ['a typed array inside', { data: new Uint8Array([1]) }],
    ['a Date', { at: new Date(0) }],
    ['a Map', new Map([['a', 1]])],
    ['NaN', { n: Number.NaN }],
    ['Infinity at the top', Number.POSITIVE_INFINITY],
    ['undefined in an array', [1, undefined]],
    ['a bigint', { n: 1n }],
  ])('a payload with %s is not JSON: the batch goes as the deliveries themselves', (_what, payload) => {
    const batch = [broadcast({ fine: true }), broadcast(payload)]
    const encoded = encodeBatch(batch)
    expect(Array.isArray(encoded)).toBe(true)
    expect(encoded).toEqual(batch)
    // Remembered too: the next tab does not walk it again, and gets the same answer.
    expect(Array.isArray(encodeBatch([broadcast(payload, ['t2'])]))).toBe(true)
  })
})

function channel(): { hub: MessagePort; tab: MessagePort } {
  const { port1, port2 } = new MessageChannel()
  cleanups.push(() => { port1.close(); port2.close() })
  return { hub: port1, tab: port2 }
}

describe('a sink link delivers frames and waits for acks', () => {
  it('the tab gets each batch (text or cloned) and the call settles when it acks', async () => {
    const { hub, tab } = channel()
    const got: Delivery[][] = []
    receiveFrames(tab, (batch) => got.push(batch))
    tab.start()
    const link = sinkOn(hub)
    hub.start()
    const binary = new Uint8Array([7]).buffer
    for (let n = 1; n <= 3; n += 1) await link.sink.deliver([broadcast({ n })])
    // A frame that asks for an ack settles once the tab took it.
    await link.sink.deliver([broadcast(binary)])
    expect(got).toEqual([[broadcast({ n: 1 })], [broadcast({ n: 2 })], [broadcast({ n: 3 })], [broadcast(binary)]])
    link.release()
    await expect(Promise.resolve().then(() => link.sink.deliver([broadcast(2)]))).rejects.toThrow()
  })

  it('asks for an ack on every ACK_EVERY-th frame and, while one is awaited, on each frame; only its own ack settles it', async () => {
    const { hub, tab } = channel()
    const frames: Array<{ seq: number; ack: boolean }> = []
    tab.addEventListener('message', (event) => frames.push((event as MessageEvent<{ seq: number; ack: boolean }>).data))
    tab.start()
    const link = sinkOn(hub)
    hub.start()
    const count = ACK_EVERY + 2
    const answers = Array.from({ length: count }, (_, n) => link.sink.deliver([broadcast(n)]))
    // Before the first frame that asks, frames count as answered once posted; from it on, none do.
    const asks = Array.from({ length: count }, (_, n) => n + 1 >= ACK_EVERY)
    expect(answers.map((answer) => answer !== undefined)).toEqual(asks)
    await waitFor(() => frames.length === count)
    expect(frames.map((frame) => frame.ack)).toEqual(asks)
    const settled: number[] = []
    for (const [n, answer] of answers.entries()) void Promise.resolve(answer).then(() => settled.push(n + 1))
    const first = ACK_EVERY
    // A stray, malformed or early ack settles nothing.
    tab.postMessage({ frame: 'ack', seq: 999 })
    tab.postMessage({ frame: 'ack', seq: String(first) })
    tab.postMessage({ frame: 'deliver', seq: first })
    await roundTrip(hub, tab)
    expect(settled).toEqual(Array.from({ length: first - 1 }, (_, n) => n + 1))
    tab.postMessage({ frame: 'ack', seq: first + 1 })
    await waitFor(() => settled.includes(first + 1))
    expect(settled).not.toContain(first)
    tab.postMessage({ frame: 'ack', seq: first })
    tab.postMessage({ frame: 'ack', seq: first + 2 })
    await waitFor(() => settled.length === count)
    link.release()
  })
})

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5))
  expect(condition()).toBe(true)
}

// Whatever the tab posted before this reached the hub's end by the time it returns.
async function roundTrip(hub: MessagePort, tab: MessagePort): Promise<void> {
  const seen = new Promise<void>((resolve) => hub.addEventListener('message', (event) => { if ((event as MessageEvent<unknown>).data === 'mark') resolve() }))
  tab.postMessage('mark')
  await seen
}
