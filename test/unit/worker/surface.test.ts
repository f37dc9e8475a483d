/**
 * The hub's endpoint against a hostile page of the origin: raw Comlink messages over a real
 * MessageChannel port of the hub (what `new SharedWorker(url, { name })` gives any page), beside a
 * healthy tab on the same hub.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { releaseProxy, wrap, type Remote } from 'comlink'
import type { HubApi } from '../../../src/contract/protocol.ts'
import { relayErrorsOn } from '../../../src/contract/replies.ts'
import { SINK_METHODS, exposeOnly } from '../../../src/contract/surface.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import { TabSession } from '../../../worker/tab/session.ts'
import { FakeSink } from '../fakes/sink.ts'
import { receiveFrames } from '../../../src/core/frames.ts'
import { ATTACKS, MALFORMED, RawPeer } from '../helpers/raw-peer.ts'
import { createHarness, hello, onBroadcast, received, sub, type Harness } from './harness.ts'

const cleanups: Array<() => void> = []
afterEach(() => { for (const cleanup of cleanups.splice(0)) cleanup() })

const BEAT = { visibility: 'visible', focused: false, hasLock: false } as const

function healthyTab(h: Harness, sink: FakeSink): Remote<HubApi> {
  const { port1, port2 } = new MessageChannel()
  acceptTab(h.hub, port1)
  exposeOnly(sink, SINK_METHODS, port2)
  receiveFrames(port2, (batch) => sink.deliver(batch))
  const remote = wrap<HubApi>(relayErrorsOn(port2))
  cleanups.push(() => { remote[releaseProxy](); port1.close(); port2.close() })
  return remote
}

function attacker(h: Harness): RawPeer {
  const { port1, port2 } = new MessageChannel()
  acceptTab(h.hub, port1)
  cleanups.push(() => { port1.close(); port2.close() })
  return new RawPeer(port2)
}

async function receiving(h: Harness): Promise<{ sink: FakeSink; remote: Remote<HubApi> }> {
  const sink = new FakeSink()
  const remote = healthyTab(h, sink)
  await remote.hello(hello('good'))
  await remote.join(sub('s1', 'room', [onBroadcast()]))
  await h.net.latest.subscribe('room')
  return { sink, remote }
}

async function broadcastReaches(h: Harness, sink: FakeSink, n: number): Promise<void> {
  h.net.latest.broadcast('room', 'msg', { n })
  h.tasks.flush()
  await vi.waitFor(() => expect(received(sink).at(-1)).toEqual({ n }))
}

describe('the hub endpoint serves the protocol and nothing else', () => {
  it.each(ATTACKS)('%s: answered with a bad-input RelayError', async (_what, message) => {
    const h = createHarness()
    const { sink, remote } = await receiving(h)
    const reply = await attacker(h).request(message)
    expect(RawPeer.errorOf(reply)).toMatchObject({ code: 'bad-input' })
    // No code ran, nothing was written, and the healthy tab on the same hub keeps receiving.
    expect((globalThis as { tabrelayPwned?: unknown }).tabrelayPwned).toBeUndefined()
    expect(({} as { tabrelayPolluted?: unknown }).tabrelayPolluted).toBeUndefined()
    expect(typeof TabSession.prototype.hello).toBe('function')
    await broadcastReaches(h, sink, 1)
    await expect(remote.heartbeat(BEAT)).resolves.toMatchObject({ known: true })
    expect(h.net.live()).toHaveLength(1)
  })

  it('a proxy argument (a transferred port in a HANDLER value) is refused before anything reads it', async () => {
    const h = createHarness()
    const peer = attacker(h)
    const { port1: bait, port2: baitEnd } = new MessageChannel()
    cleanups.push(() => { bait.close(); baitEnd.close() })
    const heard: unknown[] = []
    baitEnd.addEventListener('message', (event) => heard.push((event as MessageEvent<unknown>).data))
    baitEnd.start()
    const reply = await peer.request({ type: 'APPLY', path: ['hello'], argumentList: [{ type: 'HANDLER', name: 'proxy', value: bait }] }, [bait])
    expect(RawPeer.errorOf(reply)).toMatchObject({ code: 'bad-input', message: expect.stringMatching(/plain data/) })
    // The hub did not wrap the port: a call through it would have come out the other end.
    await peer.request({ type: 'APPLY', path: ['stats'], argumentList: [] })
    expect(heard).toEqual([])
  })

  it('malformed messages are ignored: no answer, and the next call is answered as usual', async () => {
    const h = createHarness()
    const { sink } = await receiving(h)
    const peer = attacker(h)
    for (const message of MALFORMED) peer.post(message)
    const reply = await peer.request({ type: 'APPLY', path: ['heartbeat'], argumentList: [{ type: 'RAW', value: BEAT }] })
    expect(reply).toMatchObject({ type: 'RAW', value: { known: false } })
    // Answers go out in the order the calls came in: had any malformed message been answered, it
    // would be here before this one.
    expect(peer.answers).toEqual([reply])
    await broadcastReaches(h, sink, 2)
  })

  it("the protocol's methods still work for the page that sent the attacks: it can act only as itself", async () => {
    const h = createHarness()
    const { sink } = await receiving(h)
    const peer = attacker(h)
    for (const [, message] of ATTACKS) await peer.request(message)
    const before = await peer.request({ type: 'APPLY', path: ['stats'], argumentList: [] })
    expect(RawPeer.errorOf(before)).toMatchObject({ code: 'closed' })
    const welcome = await peer.request({ type: 'APPLY', path: ['hello'], argumentList: [{ type: 'RAW', value: hello('attacker') }] })
    expect(welcome).toMatchObject({ type: 'RAW', value: { workerId: 'worker-1' } })
    // Another tab's id on the same port is refused.
    const other = await peer.request({ type: 'APPLY', path: ['hello'], argumentList: [{ type: 'RAW', value: hello('good') }] })
    expect(RawPeer.errorOf(other)).toMatchObject({ code: 'bad-input' })
    await broadcastReaches(h, sink, 3)
  })

  it("RELEASE is answered, then the hub closes that port (as Comlink does); the other tabs carry on", async () => {
    const h = createHarness()
    const { sink } = await receiving(h)
    const peer = attacker(h)
    // Node tells the other end of a MessageChannel when a port closes.
    const closed = new Promise<void>((resolve) => peer.port.addEventListener('close', () => resolve()))
    expect(await peer.request({ type: 'RELEASE' })).toMatchObject({ type: 'RAW' })
    await closed
    await broadcastReaches(h, sink, 4)
  })
})
