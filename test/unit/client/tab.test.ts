import { PROTOCOL_VERSION } from '../../../src/contract/protocol.ts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RelayError } from '../../../src/contract/errors.ts'
import type { ConnectionStatus } from '../../../src/contract/protocol.ts'
import { setup, until, type Rig } from './harness.ts'

let rig: Rig
afterEach(() => {
  rig.dispose()
  vi.unstubAllGlobals()
})

describe('hello', () => {
  it('rejects calls with version-mismatch when the worker speaks another protocol, and stops', async () => {
    rig = setup({}, (hub) => { hub.protocol = PROTOCOL_VERSION + 1 })
    const seen: Array<[ConnectionStatus, string | undefined]> = []
    rig.realtime.onStatus((s, detail) => seen.push([s, detail.error?.code]))
    await expect(rig.realtime.stats()).rejects.toMatchObject({ code: 'version-mismatch' })
    expect(rig.realtime.status).toBe('closed')
    expect(seen).toEqual([['closed', 'version-mismatch']])
    rig.clock.advance(60_000)
    expect(rig.worker).toHaveBeenCalledTimes(1)
  })

  it("pipelines a new tab's first joins behind its hello instead of waiting a round trip for the answer", async () => {
    let answer = (): void => {}
    rig = setup({}, (hub) => { hub.helloGate = new Promise<void>((resolve) => { answer = resolve }) })
    const statuses: string[] = []
    rig.realtime.channel('room:1').subscribe((s) => statuses.push(s))
    await until(() => rig.hub().joins.length === 1, 'the join sent while hello is unanswered')
    expect(rig.hub().log).toEqual(['hello', 'join 1'])
    expect(statuses).toEqual([])
    answer()
    await until(() => statuses.length === 1, 'SUBSCRIBED once hello is answered')
    expect(statuses).toEqual(['SUBSCRIBED'])
  })

  it('stops for good when the hub refuses the hello as bad input, keeping its code across the port', async () => {
    rig = setup({}, (hub) => { hub.helloError = new RelayError('bad-input', 'url must be a string') })
    await expect(rig.realtime.stats()).rejects.toMatchObject({ code: 'bad-input', message: 'url must be a string' })
    await until(() => rig.realtime.status === 'closed')
    rig.clock.advance(60_000)
    expect(rig.worker).toHaveBeenCalledTimes(1)
  })

  it('retries a hello that fails for another reason after one heartbeat interval', async () => {
    rig = setup({}, (hub, index) => { if (index === 0) hub.helloError = new Error('worker crashed during setup') })
    await expect(rig.realtime.stats()).rejects.toThrow('worker crashed during setup')
    rig.clock.advance(5_000)
    await until(() => rig.hubs.length === 2)
    await expect(rig.realtime.stats()).resolves.toMatchObject({ workerId: 'worker-2' })
    expect(rig.realtime.status).toBe('open')
  })

  it('passes the accessToken() result in hello, and asks it again when the hub wants a fresh token', async () => {
    const accessToken = vi.fn<() => Promise<string | null>>().mockResolvedValueOnce('jwt-1').mockResolvedValueOnce('jwt-2')
    rig = setup({ accessToken })
    await until(() => rig.hubs[0]?.hellos.length === 1)
    expect(rig.hub().hellos[0]?.token).toBe('jwt-1')
    await expect(rig.hub().sink?.token()).resolves.toBe('jwt-2')
  })

  it('without accessToken, answers the hub with the last setAuth token', async () => {
    rig = setup()
    await until(() => rig.hubs[0]?.hellos.length === 1)
    await rig.realtime.setAuth('jwt.manual.sig')
    expect(rig.hub().auths).toEqual(['jwt.manual.sig'])
    expect(rig.hub().hellos[0]?.token).toBeNull()
    await expect(rig.hub().sink?.token()).resolves.toBe('jwt.manual.sig')
  })

  it('puts a setAuth() made right after creating the client into the first hello: no anonymous hello, no move', async () => {
    // The app's usual start: create the client, then hand it the session's token in the same task.
    rig = setup()
    void rig.realtime.setAuth('jwt.startup.sig')
    await until(() => rig.hubs[0]?.hellos.length === 1)
    expect(rig.hub().hellos[0]?.token).toBe('jwt.startup.sig')
    // The setAuth() call itself still reaches the hub, behind the hello: the same token, no move.
    await until(() => rig.hub().auths.length === 1)
    expect(rig.hub().auths).toEqual(['jwt.startup.sig'])
  })

  it('says hello without waiting for the tab lock, reports the lock once held, releases it on close', async () => {
    let released = false
    let grant = (): void => {}
    const request = vi.fn((_name: string, hold: () => Promise<void>) =>
      new Promise<void>((resolve) => { grant = resolve }).then(hold).then(() => { released = true }))
    vi.stubGlobal('navigator', { locks: { request } })
    rig = setup()
    await until(() => rig.hub().hellos.length === 1)
    expect(request).toHaveBeenCalledWith('tabrelay-tab-tab-1', expect.any(Function))
    expect(rig.hub().hellos[0]).toMatchObject({ lockName: 'tabrelay-tab-tab-1', hasLock: false })
    expect(rig.hub().beats).toEqual([])
    grant()
    await until(() => rig.hub().beats.length === 1, 'a heartbeat saying the lock is held')
    expect(rig.hub().beats[0]).toMatchObject({ hasLock: true })
    expect(released).toBe(false)
    await rig.realtime.close()
    await until(() => released, 'lock released')
  })
})

describe('status and leader', () => {
  it('passes hub status events on and reports SUBSCRIBED again after the hub rejoins', async () => {
    rig = setup()
    const seen: Array<[ConnectionStatus, number | undefined]> = []
    const statuses: string[] = []
    const room = rig.realtime.channel('room:1').subscribe((s) => statuses.push(s))
    await until(() => room.state === 'joined')
    rig.realtime.onStatus((s, detail) => seen.push([s, detail.attempt]))
    const sink = rig.hub().sink
    await sink?.status({ status: 'reconnecting', attempt: 1 })
    await sink?.status({ status: 'reconnecting', attempt: 2 })
    await sink?.status({ status: 'open' })
    await rig.hub().deliver([{ kind: 'channel', subIds: ['1'], status: 'SUBSCRIBED' }])
    expect(seen).toEqual([['reconnecting', 1], ['reconnecting', 2], ['open', undefined]])
    expect(statuses).toEqual(['SUBSCRIBED', 'SUBSCRIBED'])
  })

  it('follows the leader flag from heartbeats and from the hub, once per change', async () => {
    rig = setup()
    const changes: boolean[] = []
    const off = rig.realtime.onLeaderChange((isLeader) => changes.push(isLeader))
    await rig.realtime.stats()
    rig.hub().ack = { isLeader: true }
    rig.clock.advance(5_000)
    await until(() => rig.realtime.isLeader, 'leader from heartbeat')
    rig.clock.advance(5_000)
    await until(() => rig.hub().beats.length === 2)
    await rig.realtime.stats()
    await rig.hub().sink?.leader(false)
    expect(changes).toEqual([true, false])
    off()
    await rig.hub().sink?.leader(true)
    expect(changes).toEqual([true, false])
  })

  it('sends a heartbeat at once on visibility changes; a page after pagehide reads hidden', async () => {
    let visibility: 'visible' | 'hidden' = 'visible'
    const doc = Object.defineProperties(new EventTarget(), {
      visibilityState: { get: () => visibility },
      hasFocus: { value: () => visibility === 'visible' },
    })
    const win = new EventTarget()
    vi.stubGlobal('document', doc)
    vi.stubGlobal('window', win)
    rig = setup({ heartbeatIntervalMs: 60_000 })
    await until(() => rig.hub().hellos.length === 1)
    await rig.realtime.stats()
    expect(rig.hub().hellos[0]).toMatchObject({ visibility: 'visible', focused: true })
    visibility = 'hidden'
    doc.dispatchEvent(new Event('visibilitychange'))
    await until(() => rig.hub().beats.length === 1)
    expect(rig.hub().beats[0]).toEqual({ visibility: 'hidden', focused: false, hasLock: false })
    visibility = 'visible'
    win.dispatchEvent(new Event('pagehide'))
    await until(() => rig.hub().beats.length === 2)
    expect(rig.hub().beats[1]).toEqual({ visibility: 'hidden', focused: false, hasLock: false })
    win.dispatchEvent(new Event('pageshow'))
    await until(() => rig.hub().beats.length === 3)
    expect(rig.hub().beats[2]).toEqual({ visibility: 'visible', focused: true, hasLock: false })
    await rig.realtime.close()
    doc.dispatchEvent(new Event('visibilitychange'))
    await rig.hub().sink?.leader(false)
    expect(rig.hub().beats).toHaveLength(3)
  })
})
