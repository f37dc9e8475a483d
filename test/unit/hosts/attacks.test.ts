/**
 * Issue 31 item 4, the tab host against another page of the origin on its channel (the rig of
 * test/unit/hosts/rig.ts; the spy is a BroadcastChannel of the same name, as a page would open):
 * it reads no token and no payload, cannot act as another tab (forged or replayed frames change
 * nothing), is not believed when it announces itself as host; and two apps elect two hosts.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Relay } from '../../../src/core/relay.ts'
import type { Envelope } from '../../../src/contract/broadcast.ts'
import { aliveLock } from '../../../src/hosts/hosting.ts'
import { makeKeyPair } from '../../../src/contract/seal.ts'
import { hostName } from '../../../src/hosts/trust.ts'
import { until } from '../client/harness.ts'
import { Origin, type Tab } from './rig.ts'

let origin = new Origin()
afterEach(async () => {
  await origin.close()
  origin = new Origin()
})

const TOKEN = 'token-7f3a9c-do-not-leak'
const MARKER = 'payload-marker-5e1b'

function texts(relay: Relay, topic: string): string[] {
  const seen: string[] = []
  relay.topic(topic).on('say', (payload) => { if (typeof payload === 'string') seen.push(payload) })
  return seen
}

/** Everything a spy heard, as text: strings as they are, every byte buffer as Latin-1. */
function asText(heard: readonly unknown[]): string {
  return JSON.stringify(heard, (_key, value: unknown) => (value instanceof ArrayBuffer ? String.fromCharCode(...new Uint8Array(value)) : value))
}

const isFrame = (m: unknown): m is Envelope => typeof m === 'object' && m !== null && 'tabrelay' in m && m.tabrelay === 'msg'
const allOpen = (tabs: readonly Tab[]): boolean => tabs.every((t) => t.relay.status === 'open')
const theHost = (): Tab => {
  const [host, ...others] = origin.hosts()
  if (!host || others.length > 0) throw new Error(`expected one host, found ${origin.hosts().length}`)
  return host
}
const hostWorker = (host: Tab) => {
  const worker = host.workers.find((w) => w.isRunning)
  if (!worker) throw new Error('the host runs no worker')
  return worker
}

describe('tab host: another page of the origin on the channel', () => {
  it('hears no token, identity or payload: hellos, setAuth tokens and deliveries cross sealed', async () => {
    const spy = origin.spy()
    const tabs = [origin.tab('user-secret-1', { token: TOKEN }), origin.tab('user-secret-1', { token: TOKEN })]
    const seen = tabs.map((t) => texts(t.relay, 'room'))
    await until(() => allOpen(tabs), 'both open')
    // The echo transport never answers a token offer (the call times out): only its frame matters here.
    const auth = tabs[0]?.relay.setAuth(`${TOKEN}-refreshed`).catch(() => undefined)
    await expect(tabs[1]?.relay.topic('room').send('say', MARKER)).resolves.toBe('ok')
    await until(() => seen.every((s) => s.includes(MARKER)), 'the payload in both tabs')
    await expect(tabs[0]?.relay.stats()).resolves.toMatchObject({ tabs: 2 })
    await auth
    const frames = spy.heard.filter(isFrame)
    // The spy did hear the traffic: every hello, join, send, delivery and stats call.
    expect(frames.length).toBeGreaterThan(10)
    const text = asText(spy.heard)
    for (const secret of [TOKEN, MARKER, 'user-secret-1', 'hello', 'deliver']) expect(text).not.toContain(secret)
  })

  it('cannot act as another tab: plain, forged and replayed frames from its address are dropped, the tab keeps working', async () => {
    const spy = origin.spy()
    const tabs = [origin.tab(), origin.tab()]
    const seen = tabs.map((t) => texts(t.relay, 'room'))
    await until(() => allOpen(tabs) && tabs.every((t) => t.relay.topic('room').state === 'joined'), 'both joined')
    const worker = hostWorker(theHost())
    const victim = tabs.find((t) => !t.isHosting) ?? tabs[0]
    const other = tabs.find((t) => t !== victim)
    if (!victim || !other) throw new Error('tabs missing')
    await expect(victim.relay.topic('room').send('say', 'one')).resolves.toBe('ok')
    await until(() => seen.every((s) => s.length === 1), 'one in both')
    const announced = spy.heard.find((m): m is { hostId: string } => typeof m === 'object' && m !== null && 'tabrelay' in m && m.tabrelay === 'host')
    const hostId = announced?.hostId
    // Every frame the tabs sent to the host (the spy cannot tell whose tab an address is; neither may the host).
    const victimFrames = spy.heard.filter(isFrame).filter((f) => f.to === hostId)
    expect(victimFrames.length).toBeGreaterThan(3)
    const before = worker.dropped
    // The old wire format: a Comlink call in clear, as the victim's address.
    for (const f of victimFrames) spy.post({ tabrelay: 'msg', to: hostId, from: f.from, data: { id: 'forged', type: 'APPLY', path: ['bye'], argumentList: [] } })
    // Sealed-looking frames it cannot seal: fresh counters, garbage (or flipped) ciphertext.
    for (const f of victimFrames) {
      const flipped = new Uint8Array(f.box.slice(0))
      flipped[0] = (flipped[0] ?? 0) ^ 1
      spy.post({ ...f, n: f.n + 1_000_000, box: flipped.buffer })
    }
    // Replays of every frame the tabs really sent.
    for (const f of victimFrames) spy.post(f)
    await until(() => worker.dropped - before >= 2 * victimFrames.length, 'forged and replayed frames dropped')
    expect(worker.dropped - before).toBe(2 * victimFrames.length)
    // The victim's session is whole: still two tabs, its sends and deliveries once each.
    await expect(other.relay.stats()).resolves.toMatchObject({ tabs: 2, connections: 1 })
    await expect(victim.relay.topic('room').send('say', 'two')).resolves.toBe('ok')
    await until(() => seen.every((s) => s.length === 2), 'two in both')
    expect(seen).toEqual([['one', 'two'], ['one', 'two']])
    expect(allOpen(tabs)).toBe(true)
  })

  it('cannot fill the host with links: first frames that do not open leave nothing behind', async () => {
    const spy = origin.spy()
    const tabs = [origin.tab(), origin.tab()]
    await until(() => allOpen(tabs), 'both open')
    const worker = hostWorker(theHost())
    const hostId = spy.heard.find((m): m is { hostId: string } => typeof m === 'object' && m !== null && 'tabrelay' in m && m.tabrelay === 'host')?.hostId
    const before = { dropped: worker.dropped, links: worker.links }
    expect(before.links).toBe(2)
    // Real key pairs, as any page can make, with frames it made up: more than the host checks at once.
    for (let i = 0; i < 100; i++) {
      const keys = await makeKeyPair()
      spy.post({ tabrelay: 'msg', to: hostId, from: `${keys.fingerprint}:x${i}`, n: 1, box: new Uint8Array(64).buffer, key: keys.publicKey })
    }
    await until(() => worker.dropped - before.dropped === 100, 'every made-up first frame dropped')
    expect(worker.links).toBe(2)
    const late = origin.tab()
    await until(() => late.relay.status === 'open', 'a new tab still connects')
    await expect(late.relay.stats()).resolves.toMatchObject({ tabs: 3 })
    expect(worker.links).toBe(3)
  })

  it('is not believed when it announces itself as host, even holding a liveness lock of its own', async () => {
    const spy = origin.spy()
    const tabs = [origin.tab(), origin.tab()]
    await until(() => allOpen(tabs), 'both open')
    const workerIds = tabs.map((t) => t.relay.workerId)
    const evil = await makeKeyPair()
    const attacker = origin.locks.agent()
    let granted = (): void => {}
    const held = new Promise<void>((resolve) => { granted = resolve })
    void attacker.request(aliveLock(hostName('app'), evil.fingerprint), {}, () => { granted(); return new Promise<void>(() => {}) })
    await held
    spy.post({ tabrelay: 'host', hostId: evil.fingerprint, isHidden: false, key: evil.publicKey })
    // A new tab asks who hosts after the forged announcement: it too must end up on the real host.
    const late = origin.tab()
    await until(() => late.relay.status === 'open', 'the late tab open')
    await expect(late.relay.stats()).resolves.toMatchObject({ tabs: 3 })
    expect(tabs.map((t) => t.relay.workerId)).toEqual(workerIds)
    expect(late.relay.workerId).toBe(workerIds[0])
    expect(spy.heard.filter(isFrame).filter((f) => f.to === evil.fingerprint)).toEqual([])
  })
})

describe('tab host: two apps on one origin', () => {
  it('elect two hosts, one per app (worker script), and both connect', async () => {
    const a = [origin.tab('user-1', { app: 'https://o.example/a.worker.js' }), origin.tab('user-1', { app: 'https://o.example/a.worker.js' })]
    const b = [origin.tab('user-1', { app: 'https://o.example/b.worker.js' }), origin.tab('user-1', { app: 'https://o.example/b.worker.js' })]
    await until(() => allOpen([...a, ...b]), 'all four open')
    expect(origin.hosts()).toHaveLength(2)
    expect(new Set(a.map((t) => t.relay.workerId)).size).toBe(1)
    expect(new Set(b.map((t) => t.relay.workerId)).size).toBe(1)
    expect(a[0]?.relay.workerId).not.toBe(b[0]?.relay.workerId)
    await expect(a[0]?.relay.stats()).resolves.toMatchObject({ tabs: 2, connections: 1 })
    await expect(b[0]?.relay.stats()).resolves.toMatchObject({ tabs: 2, connections: 1 })
  })
})
