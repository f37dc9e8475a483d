/**
 * The 'leader-tab' host with real hubs in one process (test/unit/hosts/rig.ts): one host among
 * the tabs, one connection per user; when the host closes, crashes, freezes or is hidden, another
 * tab hosts and every tab recovers through the client's recovery path (new hub, rejoin, resync).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { RelayError } from '../../../src/contract/errors.ts'
import type { Relay } from '../../../src/core/relay.ts'
import { until } from '../client/harness.ts'
import { aliveLock } from '../../../src/hosts/hosting.ts'
import { hostName } from '../../../src/hosts/trust.ts'
import { Origin, type Tab } from './rig.ts'

let origin = new Origin()
afterEach(async () => {
  await origin.close()
  origin = new Origin()
})

interface Seen { got: number[]; resyncs: number[] }

function listen(relay: Relay, topic: string): Seen {
  const seen: Seen = { got: [], resyncs: [] }
  relay.topic(topic).on('n', (payload) => { if (typeof payload === 'number') seen.got.push(payload) })
  relay.topic(topic).onResync((since) => seen.resyncs.push(since))
  return seen
}

const allOpen = (tabs: readonly Tab[]): boolean => tabs.every((t) => t.relay.status === 'open')
const allJoined = (tabs: readonly Tab[], topic: string): boolean => tabs.every((t) => t.relay.topic(topic).state === 'joined')
const theHost = (): Tab => {
  const [host, ...others] = origin.hosts()
  if (!host || others.length > 0) throw new Error(`expected one host, found ${origin.hosts().length}`)
  return host
}

describe("host 'leader-tab'", () => {
  it('three tabs elect one host: one connection, one hub, every message once in every tab', async () => {
    const tabs = [origin.tab(), origin.tab(), origin.tab()]
    const seen = tabs.map((t) => listen(t.relay, 'room'))
    await until(() => allOpen(tabs), 'all tabs open')
    expect(origin.hosts()).toHaveLength(1)
    expect(origin.server.connections).toBe(1)
    expect(new Set(tabs.map((t) => t.relay.workerId)).size).toBe(1)
    await expect(tabs[1]?.relay.topic('room').send('n', 1)).resolves.toBe('ok')
    await until(() => seen.every((s) => s.got.length === 1), 'the message in every tab')
    expect(seen.map((s) => s.got)).toEqual([[1], [1], [1]])
    expect(await tabs[2]?.relay.stats()).toMatchObject({ tabs: 3, connections: 1 })
  })

  it('two users in one profile share the host but not a connection', async () => {
    const tabs = [origin.tab('alice'), origin.tab('bob'), origin.tab('alice')]
    await until(() => allOpen(tabs), 'all tabs open')
    expect(origin.hosts()).toHaveLength(1)
    expect(origin.server.connections).toBe(2)
    expect(await tabs[0]?.relay.stats()).toMatchObject({ tabs: 2, identities: 2, connections: 2 })
  })

  for (const how of ['closed', 'crashed'] as const) {
    it(`the host ${how}: the next tab hosts, every tab rejoins with a resync, events flow once, no heartbeat timeout needed`, async () => {
      const tabs = [origin.tab(), origin.tab(), origin.tab()]
      const seen = tabs.map((t) => listen(t.relay, 'room'))
      await until(() => allOpen(tabs) && allJoined(tabs, 'room'), 'all tabs joined')
      const host = theHost()
      const before = host.relay.workerId
      const stayed = tabs.filter((t) => t !== host)
      // A call in flight to the dead host fails fast with 'transport', not at its 10 s timeout.
      const stayedFirst = stayed[0]
      if (!stayedFirst) throw new Error('no tab stayed')
      const causes: string[] = []
      for (const tab of stayed) tab.relay.onStatus((status, detail) => { if (status === 'reconnecting') causes.push(detail.error?.code ?? 'none') })
      if (how === 'closed') await host.relay.close()
      else host.crash()
      // Heartbeats are a minute apart here: only the host lock / liveness lock can notice this,
      // and no tab's recovery waited for a call to time out.
      await until(() => stayed.every((t) => t.relay.workerId !== before && t.relay.status === 'open'), 'the tabs on the new host')
      expect(causes.length).toBeGreaterThan(0)
      expect(causes).not.toContain('timeout')
      expect(origin.hosts()).toHaveLength(1)
      expect(stayed.indexOf(theHost())).toBeGreaterThanOrEqual(0)
      await until(() => origin.server.connections === 1, 'the old connection closed, the new one open')
      await until(() => stayed.every((t) => seen[tabs.indexOf(t)]?.resyncs.length === 1), 'a resync in every remaining tab')
      await expect(stayedFirst.relay.topic('room').send('n', 2)).resolves.toBe('ok')
      await until(() => stayed.every((t) => seen[tabs.indexOf(t)]?.got.includes(2)), 'events flowing again')
      expect(stayed.map((t) => seen[tabs.indexOf(t)]?.got)).toEqual([[2], [2]])
    })
  }

  it('a call in flight when the host dies fails with transport as soon as the tab recovers', async () => {
    const tabs = [origin.tab(), origin.tab()]
    await until(() => allOpen(tabs), 'both open')
    const host = theHost()
    const other = tabs.find((t) => t !== host)
    if (!other) throw new Error('no other tab')
    host.freeze()
    const pending = other.relay.stats()
    host.crash()
    const error = await pending.then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(RelayError)
    expect(error).toMatchObject({ code: 'transport' })
  })

  it('a frozen host (it keeps its lock) is caught by heartbeats and replaced by a steal', async () => {
    const tabs = [origin.tab('user-1', { heartbeatIntervalMs: 100 }), origin.tab('user-1', { heartbeatIntervalMs: 100 })]
    await until(() => allOpen(tabs), 'both open')
    const host = theHost()
    const other = tabs.find((t) => t !== host)
    if (!other) throw new Error('no other tab')
    const before = other.relay.workerId
    host.freeze()
    // Real time: two missed heartbeats, a steal, a new hub Worker and the sealed links' key
    // agreement (WebCrypto ECDH), which on two busy cores takes more than the usual 2 s bound.
    await until(() => other.isHosting && other.relay.workerId !== before && other.relay.status === 'open', 'the other tab hosting', 10_000)
    // The frozen page's lock request was rejected by the steal: it stopped its Worker.
    expect(host.isHosting).toBe(false)
  })

  it('a host whose role was stolen never steals it back, even while its liveness watch has not fired', async () => {
    const spy = origin.spy()
    const tabs = [origin.tab('user-1', { heartbeatIntervalMs: 100 }), origin.tab('user-1', { heartbeatIntervalMs: 100 })]
    await until(() => allOpen(tabs), 'both open')
    const host = theHost()
    const other = tabs.find((t) => t !== host)
    if (!other) throw new Error('no other tab')
    const announced = spy.heard.find((m): m is { hostId: string } => typeof m === 'object' && m !== null && 'tabrelay' in m && m.tabrelay === 'host' && 'hostId' in m)
    if (!announced) throw new Error('no host announcement heard')
    // Holds open the window between a stolen host's tenure ending and its watch on its own
    // liveness lock firing: its retries after their timeouts fall inside it.
    const resume = origin.locks.pause(aliveLock(hostName('app'), announced.hostId))
    let retries = 0
    host.relay.onStatus((status) => { if (status === 'reconnecting') retries++ })
    const before = other.relay.workerId
    host.freeze()
    await until(() => other.isHosting && other.relay.workerId !== before && other.relay.status === 'open', 'the other tab hosting', 10_000)
    const seen = retries
    // Two more retries of the stolen host's own (each after a hello that timed out).
    await until(() => retries >= seen + 2, 'the stolen host retrying', 10_000)
    expect(host.isHosting).toBe(false)
    expect(other.isHosting).toBe(true)
    resume()
  })

  it('a hidden host hands the role to a visible tab that asks; a hidden tab never takes it', async () => {
    const tabs = [origin.tab(), origin.tab(), origin.tab()]
    await until(() => allOpen(tabs), 'all open')
    const host = theHost()
    const [visible, hidden] = tabs.filter((t) => t !== host)
    if (!visible || !hidden) throw new Error('tabs missing')
    hidden.setHidden(true)
    const before = visible.relay.workerId
    host.setHidden(true)
    await until(() => visible.isHosting && !host.isHosting, 'the visible tab hosting')
    await until(() => tabs.every((t) => t.relay.workerId !== before && t.relay.status === 'open'), 'every tab on the new host')
    expect(hidden.isHosting).toBe(false)
    expect(origin.server.connections).toBe(1)
  })

  it('a host that is hidden while no other tab is visible keeps the role', async () => {
    const tabs = [origin.tab(), origin.tab()]
    await until(() => allOpen(tabs), 'both open')
    const host = theHost()
    for (const tab of tabs) if (tab !== host) tab.setHidden(true)
    host.setHidden(true)
    // A stats round trip through the host: its announcements have reached every tab by then.
    await expect(host.relay.stats()).resolves.toMatchObject({ tabs: 2, visibleTabs: 2 })
    expect(theHost()).toBe(host)
  })
})
