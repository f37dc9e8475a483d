import { describe, expect, it } from 'vitest'
import { createHarness, jwt, onBroadcast, received, sub } from './harness.ts'

const x1 = jwt({ sub: 'user-x', exp: 1_000 })
const x2 = jwt({ sub: 'user-x', exp: 2_000 })
const y1 = jwt({ sub: 'user-y', exp: 5_000 })

describe('a tab moving between identities (setAuth)', () => {
  it("never hands a signed-out tab the old user's events still queued for it", async () => {
    const h = createHarness()
    const a = h.tab('a', { token: x1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    await h.settle()
    await h.net.latest.subscribe('room')
    await h.settle()
    // Arrives in its own task and waits in the tab's outbox for the next batch...
    h.net.latest.broadcast('room', 'msg', 'for user x only')
    // ...when the tab signs out.
    h.hub.setAuth('a', null)
    await h.settle()
    expect(received(a)).toEqual([])
  })

  it('pauses a hidden tab moved to a user that had no connection yet', async () => {
    const h = createHarness()
    const a = h.tab('a', { token: x1, visibility: 'hidden' })
    h.hub.setAuth('a', y1)
    await h.settle()
    h.clock.advance(60_000)
    await h.settle()
    expect(a.lastStatus?.status).toBe('paused')
    expect(h.net.live()).toHaveLength(0)
  })

  it("a closing connection's last status never reaches the tabs of that user's next connection", async () => {
    const h = createHarness()
    const a = h.tab('a', { token: x1 })
    // Sign-out closes user x's connection (realtime-js takes up to 10 s to finish)...
    h.hub.setAuth('a', null)
    // ...and signing in again as x meanwhile opens a new one.
    h.hub.setAuth('a', x2)
    h.net.latest.open()
    await h.settle()
    expect(a.lastStatus?.status).toBe('open')
    expect(h.hub.stats('a').status).toBe('open')
  })
})
