/**
 * The tab host's addressed endpoint over Node's BroadcastChannel: Comlink both ways on one sealed
 * link, other addresses' traffic ignored, posts queued (bounded) until the route is known.
 */
import { expose, wrap } from 'comlink'
import { afterEach, describe, expect, it } from 'vitest'
import { addressedEndpoint, MAX_QUEUED, type AddressedEndpoint } from '../../../src/contract/broadcast.ts'
import { linkCipher, makeKeyPair, sharedSecret } from '../../../src/contract/seal.ts'

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

function endpoint(): AddressedEndpoint {
  const made = addressedEndpoint()
  endpoints.push(made)
  return made
}

/** A host and a tab link on channel `name`, both sides connected with their keys. */
async function link(name: string, tabSeq = 1): Promise<{ host: AddressedEndpoint; tab: AddressedEndpoint; address: string; hostId: string }> {
  const [tabPair, hostPair] = await Promise.all([makeKeyPair(), makeKeyPair()])
  const address = `${tabPair.fingerprint}:${tabSeq}`
  const hostId = hostPair.fingerprint
  const [host, tab] = [endpoint(), endpoint()]
  host.connect({ channel: channel(name), self: hostId, peer: address, cipher: sharedSecret(hostPair, tabPair.publicKey).then((s) => linkCipher(s, hostId, address, 'host')) })
  tab.connect({ channel: channel(name), self: address, peer: hostId, cipher: sharedSecret(tabPair, hostPair.publicKey).then((s) => linkCipher(s, hostId, address, 'tab')), key: tabPair.publicKey })
  return { host, tab, address, hostId }
}

describe('addressedEndpoint', () => {
  it('carries Comlink calls both ways on one link; another link on the channel sees none of it', async () => {
    const name = `bc-${++seq}`
    const { host, tab } = await link(name)
    const other = await link(name, 2)
    const overheard: unknown[] = []
    other.tab.addEventListener('message', (event) => overheard.push((event as MessageEvent).data))
    other.host.addEventListener('message', (event) => overheard.push((event as MessageEvent).data))
    expose({ add: (a: number, b: number) => a + b }, host)
    expose({ name: () => 'tab sink' }, tab)
    const hub = wrap<{ add(a: number, b: number): number }>(tab)
    const sink = wrap<{ name(): string }>(host)
    await expect(hub.add(2, 3)).resolves.toBe(5)
    await expect(sink.name()).resolves.toBe('tab sink')
    expect(overheard).toEqual([])
  })

  it('queues posts until connect(), then sends them sealed, in order; the first frame carries the key', async () => {
    const name = `bc-${++seq}`
    const [tabPair, hostPair] = await Promise.all([makeKeyPair(), makeKeyPair()])
    const address = `${tabPair.fingerprint}:1`
    const host = endpoint()
    host.connect({ channel: channel(name), self: hostPair.fingerprint, peer: address, cipher: sharedSecret(hostPair, tabPair.publicKey).then((s) => linkCipher(s, hostPair.fingerprint, address, 'host')) })
    const got: unknown[] = []
    host.addEventListener('message', (event) => got.push((event as MessageEvent).data))
    const wire: unknown[] = []
    channel(name).addEventListener('message', (event) => wire.push(event.data))
    const tab = endpoint()
    tab.postMessage({ n: 1 })
    tab.postMessage({ n: 2 })
    expect(tab.peer).toBeNull()
    tab.connect({ channel: channel(name), self: address, peer: hostPair.fingerprint, cipher: sharedSecret(tabPair, hostPair.publicKey).then((s) => linkCipher(s, hostPair.fingerprint, address, 'tab')), key: tabPair.publicKey })
    tab.postMessage({ n: 3 })
    await expect.poll(() => got).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }])
    expect(wire.map((m) => (m as { n: number }).n)).toEqual([1, 2, 3])
    expect(wire.map((m) => (m as { key?: ArrayBuffer }).key instanceof ArrayBuffer)).toEqual([true, false, false])
  })

  it('bounds the queue and refuses transfers: both throw, which rejects only that Comlink call', () => {
    const tab = endpoint()
    for (let i = 0; i < MAX_QUEUED; i++) tab.postMessage(i)
    expect(() => tab.postMessage('one too many')).toThrow(/messages are waiting/)
    const { port1 } = new MessageChannel()
    expect(() => endpoint().postMessage('x', [port1])).toThrow(/cannot transfer/)
    port1.close()
  })

  it('delivers nothing after close()', async () => {
    const name = `bc-${++seq}`
    const { host, tab } = await link(name)
    const got: unknown[] = []
    tab.addEventListener('message', (event) => got.push((event as MessageEvent).data))
    host.postMessage('before')
    await expect.poll(() => got).toEqual(['before'])
    tab.close()
    host.postMessage('after')
    // A round trip on a fresh link of the same channel: 'after' was delivered by then, had it been.
    const probe = await link(name, 2)
    const seen: unknown[] = []
    probe.tab.addEventListener('message', (event) => seen.push((event as MessageEvent).data))
    probe.host.postMessage('ping')
    await expect.poll(() => seen).toEqual(['ping'])
    expect(got).toEqual(['before'])
  })
})
