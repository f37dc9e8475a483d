/**
 * The tab host's addressed endpoint over Node's BroadcastChannel: Comlink both ways on one
 * address pair, other addresses' traffic ignored, posts queued (bounded) until the peer is known.
 */
import { expose, wrap } from 'comlink'
import { afterEach, describe, expect, it } from 'vitest'
import { addressedEndpoint, MAX_QUEUED, type AddressedEndpoint } from '../../../src/hosts/broadcast.ts'

const channels: BroadcastChannel[] = []
const endpoints: AddressedEndpoint[] = []
let seq = 0
afterEach(() => {
  for (const endpoint of endpoints.splice(0)) endpoint.close()
  for (const channel of channels.splice(0)) channel.close()
})

function channel(name: string): BroadcastChannel {
  const made = new BroadcastChannel(name)
  channels.push(made)
  return made
}

function endpoint(name: string, self: string, peer: string | null): AddressedEndpoint {
  const made = addressedEndpoint(channel(name), self, peer)
  endpoints.push(made)
  return made
}

describe('addressedEndpoint', () => {
  it('carries Comlink calls both ways on one address pair; a third address sees none of it', async () => {
    const name = `bc-${++seq}`
    const [host, tab, other] = [endpoint(name, 'host', 'tab'), endpoint(name, 'tab', 'host'), endpoint(name, 'other', 'host')]
    const overheard: unknown[] = []
    other.addEventListener('message', (event) => overheard.push((event as MessageEvent).data))
    expose({ add: (a: number, b: number) => a + b }, host)
    expose({ name: () => 'tab sink' }, tab)
    const hub = wrap<{ add(a: number, b: number): number }>(tab)
    const sink = wrap<{ name(): string }>(host)
    await expect(hub.add(2, 3)).resolves.toBe(5)
    await expect(sink.name()).resolves.toBe('tab sink')
    expect(overheard).toEqual([])
  })

  it('queues posts until connect(peer), then sends them in order', async () => {
    const name = `bc-${++seq}`
    const host = endpoint(name, 'host-2', 'tab')
    const tab = endpoint(name, 'tab', null)
    const got: unknown[] = []
    host.addEventListener('message', (event) => got.push((event as MessageEvent).data))
    tab.postMessage(1)
    tab.postMessage(2)
    expect(tab.peer).toBeNull()
    tab.connect('host-2')
    tab.postMessage(3)
    await expect.poll(() => got).toEqual([1, 2, 3])
  })

  it('ignores messages of an earlier host at the same tab address', async () => {
    const name = `bc-${++seq}`
    const old = endpoint(name, 'host-old', 'tab')
    const tab = endpoint(name, 'tab', 'host-new')
    const fresh = endpoint(name, 'host-new', 'tab')
    const got: unknown[] = []
    tab.addEventListener('message', (event) => got.push((event as MessageEvent).data))
    old.postMessage('stale')
    fresh.postMessage('current')
    await expect.poll(() => got).toEqual(['current'])
  })

  it('bounds the queue and refuses transfers: both throw, which rejects only that Comlink call', () => {
    const tab = endpoint(`bc-${++seq}`, 'tab', null)
    for (let i = 0; i < MAX_QUEUED; i++) tab.postMessage(i)
    expect(() => tab.postMessage('one too many')).toThrow(/messages are waiting/)
    const { port1 } = new MessageChannel()
    expect(() => endpoint(`bc-${++seq}`, 'a', 'b').postMessage('x', [port1])).toThrow(/cannot transfer/)
    port1.close()
  })

  it('delivers nothing after close()', async () => {
    const name = `bc-${++seq}`
    const host = endpoint(name, 'host', 'tab')
    const tab = endpoint(name, 'tab', 'host')
    const got: unknown[] = []
    tab.addEventListener('message', (event) => got.push((event as MessageEvent).data))
    host.postMessage('before')
    await expect.poll(() => got).toEqual(['before'])
    tab.close()
    host.postMessage('after')
    // A round trip on a fresh pair of the same channel: 'after' was delivered by then, had it been.
    const probe = endpoint(name, 'probe', 'host')
    const seen: unknown[] = []
    probe.addEventListener('message', (event) => seen.push((event as MessageEvent).data))
    endpoint(name, 'host', 'probe').postMessage('ping')
    await expect.poll(() => seen).toEqual(['ping'])
    expect(got).toEqual(['before'])
  })
})
