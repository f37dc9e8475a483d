import { afterEach, describe, expect, it, vi } from 'vitest'
import { expose, proxy, releaseProxy, wrap, type Remote } from 'comlink'
import type { HubApi } from '../../../src/contract/protocol.ts'
import { installErrorTransfer, RelayError } from '../../../src/contract/errors.ts'
import { TabSession } from '../../../worker/session.ts'
import { FakeSink } from '../fakes/sink.ts'
import { createHarness, hello, onBroadcast, sub } from './harness.ts'

const cleanups: Array<() => void> = []
afterEach(() => { for (const cleanup of cleanups.splice(0)) cleanup() })

function connect(session: TabSession): Remote<HubApi> {
  const { port1, port2 } = new MessageChannel()
  expose(session, port1)
  const remote = wrap<HubApi>(port2)
  cleanups.push(() => { remote[releaseProxy](); port1.close(); port2.close() })
  return remote
}

describe('TabSession over Comlink and a real MessageChannel', () => {
  it("a bad-input call rejects on the caller's side with a RelayError that keeps its code", async () => {
    installErrorTransfer()
    const h = createHarness()
    const remote = connect(new TabSession(h.hub))
    const sink = new FakeSink()
    const welcome = await remote.hello(hello('a'), proxy(sink))
    expect(welcome).toMatchObject({ workerId: 'worker-1', isLeader: true })
    const error: unknown = await remote.join({ subId: 's1', topic: 'room', config: {}, bindings: [{ type: 'broadcast', event: '' }] })
      .then(() => 'resolved', (e: unknown) => e)
    expect(error).toBeInstanceOf(RelayError)
    expect(error).toMatchObject({ code: 'bad-input', name: 'RelayError' })
    expect(String((error as RelayError).message)).toMatch(/broadcast event/)

    const before: unknown = await connect(new TabSession(h.hub)).stats().then(() => 'resolved', (e: unknown) => e)
    expect(before).toBeInstanceOf(RelayError)
    expect(before).toMatchObject({ code: 'closed' })
  })

  it('the hub calls back into the proxied sink: status, deliveries and token()', async () => {
    installErrorTransfer()
    const h = createHarness()
    const remote = connect(new TabSession(h.hub))
    const sink = new FakeSink('tok')
    await remote.hello(hello('a'), proxy(sink))
    await expect(remote.join(sub('s1', 'room', [onBroadcast()]))).resolves.toEqual({ status: 'joining', presence: {} })
    await vi.waitFor(() => expect(sink.lastStatus).toEqual({ status: 'connecting' }))
    await h.net.latest.subscribe('room')
    h.net.latest.broadcast('room', 'msg', { over: 'the port' })
    h.tasks.flush()
    await vi.waitFor(() => expect(sink.deliveries('broadcast').map((d) => d.payload)).toEqual([{ over: 'the port' }]))
    await expect(remote.heartbeat({ visibility: 'visible', focused: true, hasLock: true })).resolves.toEqual({ workerId: 'worker-1', known: true, isLeader: true })
    h.net.latest.open()
    h.net.latest.drop()
    await vi.waitFor(() => expect([...new Set(h.net.latest.auth)]).toEqual([null, 'tok']))
    expect(sink.tokenCalls).toBe(1)
  })
})
