import { afterEach, describe, expect, it, vi } from 'vitest'
import { expose, releaseProxy, transferHandlers, wrap, type Remote, type TransferHandler } from 'comlink'
import type { HubApi } from '../../../src/contract/protocol.ts'
import { RelayError } from '../../../src/contract/errors.ts'
import { relayErrorsOn } from '../../../src/contract/replies.ts'
import { SINK_METHODS, exposeOnly } from '../../../src/contract/surface.ts'
import { createHub } from '../../../worker/index.ts'
import { linkTo } from '../../../src/hosts/worker.ts'
import type { Hub } from '../../../worker/hub.ts'
import { acceptTab } from '../../../worker/hosts/endpoint.ts'
import { FakeSink } from '../fakes/sink.ts'
import { receiveFrames } from '../../../src/core/frames.ts'
import { createHarness, hello, jwt, onBroadcast, sub } from './harness.ts'

const cleanups: Array<() => void> = []
afterEach(() => { for (const cleanup of cleanups.splice(0)) cleanup() })

// A tab's end of a MessageChannel: the hub's API and the tab's sink on the same port, as the tab
// client does it (Comlink both ways, nothing transferred; errors revived by the tab's endpoint).
function connect(hub: Hub, sink = new FakeSink()): Remote<HubApi> {
  const { port1, port2 } = new MessageChannel()
  acceptTab(hub, port1)
  exposeOnly(sink, SINK_METHODS, port2)
  receiveFrames(port2, (batch) => sink.deliver(batch))
  const remote = wrap<HubApi>(relayErrorsOn(port2))
  cleanups.push(() => { remote[releaseProxy](); port1.close(); port2.close() })
  return remote
}

describe('TabSession over Comlink and a real MessageChannel', () => {
  it("a bad-input call rejects on the caller's side with a RelayError that keeps its code", async () => {
    const h = createHarness()
    const remote = connect(h.hub)
    const welcome = await remote.hello(hello('a'))
    expect(welcome).toMatchObject({ workerId: 'worker-1', isLeader: true })
    const error: unknown = await remote.join({ subId: 's1', topic: 'room', config: {}, bindings: [{ type: 'broadcast', event: '' }] })
      .then(() => 'resolved', (e: unknown) => e)
    expect(error).toBeInstanceOf(RelayError)
    expect(error).toMatchObject({ code: 'bad-input', name: 'RelayError' })
    expect(String((error as RelayError).message)).toMatch(/broadcast event/)

    const before: unknown = await connect(h.hub).stats().then(() => 'resolved', (e: unknown) => e)
    expect(before).toBeInstanceOf(RelayError)
    expect(before).toMatchObject({ code: 'closed' })
  })

  it('the hub calls back into the proxied sink: status, deliveries and token()', async () => {
    const h = createHarness()
    // Supabase's anon key (role `anon`, no `sub`) is the anonymous user, as the hello's `null`.
    const tok = jwt({ role: 'anon', exp: 4_000_000_000 })
    const sink = new FakeSink(tok)
    const remote = connect(h.hub, sink)
    await remote.hello(hello('a'))
    await expect(remote.join(sub('s1', 'room', [onBroadcast()]))).resolves.toEqual({ status: 'joining', presence: {} })
    await vi.waitFor(() => expect(sink.lastStatus).toEqual({ status: 'connecting' }))
    await h.net.latest.subscribe('room')
    h.net.latest.broadcast('room', 'msg', { over: 'the port' })
    h.tasks.flush()
    await vi.waitFor(() => expect(sink.deliveries('broadcast').map((d) => d.payload)).toEqual([{ over: 'the port' }]))
    await expect(remote.heartbeat({ visibility: 'visible', focused: true, hasLock: true })).resolves.toEqual({ workerId: 'worker-1', known: true, isLeader: true })
    h.net.latest.open()
    h.net.latest.drop()
    // The retry asks the tab for a token first, then opens the next attempt with it.
    h.clock.advance(1_000)
    await vi.waitFor(() => expect(h.net.latest.auth).toEqual([tok]))
    expect(sink.tokenCalls).toBe(1)
  })

  it("tabrelay leaves Comlink's global transfer handlers alone: the page's other Comlink code keeps its own", async () => {
    const before = [...transferHandlers.entries()]
    const h = createHarness()
    const remote = connect(h.hub)
    await remote.hello(hello('a'))
    await expect(remote.join(sub('s1', 'room', [{ type: 'broadcast', event: '' }]))).rejects.toMatchObject({ code: 'bad-input' })
    // A worker entry and a tab link, as an app starts them.
    createHub({ transports: {} })
    const { port2 } = new MessageChannel()
    linkTo(port2).release()
    expect([...transferHandlers.entries()]).toEqual(before)
    expect(transferHandlers.get('throw')).toBe(before.find(([name]) => name === 'throw')?.[1])
  })

  it("a RelayError keeps its code even when the page replaced Comlink's throw handler", async () => {
    const original = transferHandlers.get('throw')
    if (!original) throw new Error("Comlink's throw handler is missing")
    // An app's handler that turns every error into a string: tabrelay's answers must not pass through it.
    const garbling: TransferHandler<unknown, string> = {
      canHandle: (value): value is unknown => original.canHandle(value),
      serialize: () => ['garbled', []],
      deserialize: (text) => { throw new Error(text) },
    }
    transferHandlers.set('throw', garbling as TransferHandler<unknown, unknown>)
    cleanups.push(() => transferHandlers.set('throw', original))
    const h = createHarness()
    const remote = connect(h.hub)
    const error: unknown = await remote.stats().then(() => 'resolved', (e: unknown) => e)
    expect(error).toBeInstanceOf(RelayError)
    expect(error).toMatchObject({ code: 'closed', message: 'say hello() before anything else' })
  })

  it("an app's own Comlink errors keep Comlink's handler: only tabrelay's endpoints answer in their own shape", async () => {
    const { port1, port2 } = new MessageChannel()
    expose({ fail: () => { throw new TypeError('app failure') } }, port1)
    const app = wrap<{ fail(): void }>(port2)
    cleanups.push(() => { app[releaseProxy](); port1.close(); port2.close() })
    const error: unknown = await app.fail().then(() => 'resolved', (e: unknown) => e)
    // Comlink's own handler rebuilds an Error with its name, message and stack.
    expect(error).toBeInstanceOf(Error)
    expect(error).not.toBeInstanceOf(RelayError)
    expect(error).toMatchObject({ name: 'TypeError', message: 'app failure' })
    expect(String((error as Error).stack)).toMatch(/app failure/)
  })
})
