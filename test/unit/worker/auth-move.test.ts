import { describe, expect, it } from 'vitest'
import { MOVE_WINDOW_MS } from '../../../worker/tab/move-guard.ts'
import { createHarness, jwt, onBroadcast, received, sub, type Harness } from './harness.ts'

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

/** Tab 'a' of user x and tab 'b' of user y, both on 'room', both connections open and joined. */
async function twoUsersOnOneRoom(): Promise<{ h: Harness; x: number; y: number }> {
  const h = createHarness()
  h.tab('a', { token: x1 })
  h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  h.tab('b', { token: y1 })
  h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
  h.net.latest.open()
  await h.net.latest.subscribe('room')
  await h.settle()
  return { h, x: 0, y: 1 }
}

describe('at most once across an identity move', () => {
  it("an event the old user's socket delivered is not delivered again when the new user's socket brings it late", async () => {
    const { h, x, y } = await twoUsersOnOneRoom()
    const [sockX, sockY] = [h.net.transports[x], h.net.transports[y]]
    if (!sockX || !sockY) throw new Error('two sockets expected')
    sockX.broadcast('room', 'msg', { n: 1 })
    await h.settle()
    expect(received(h.sink('a'))).toEqual([{ n: 1 }])
    // Tab a signs in as y, whose socket is slower: the same event arrives there after the move.
    await h.hub.setAuth('a', y1)
    sockY.broadcast('room', 'msg', { n: 1 })
    sockY.broadcast('room', 'msg', { n: 2 })
    await h.settle()
    expect(received(h.sink('a'))).toEqual([{ n: 1 }, { n: 2 }])
    expect(received(h.sink('b'))).toEqual([{ n: 1 }, { n: 2 }])
    // Past the window an equal payload is a new event.
    h.clock.advance(MOVE_WINDOW_MS + 1)
    sockY.broadcast('room', 'msg', { n: 1 })
    await h.settle()
    expect(received(h.sink('a'))).toEqual([{ n: 1 }, { n: 2 }, { n: 1 }])
  })

  it('drops one copy per copy delivered, and never one the tab did not get (discarded in the move)', async () => {
    const { h, x, y } = await twoUsersOnOneRoom()
    const [sockX, sockY] = [h.net.transports[x], h.net.transports[y]]
    if (!sockX || !sockY) throw new Error('two sockets expected')
    sockX.broadcast('room', 'typing', { who: 'z' })
    await h.settle()
    // This one is still in the outbox when the tab moves: discarded, so the new socket's copy counts.
    sockX.broadcast('room', 'msg', { n: 7 })
    await h.hub.setAuth('a', y1)
    sockY.broadcast('room', 'typing', { who: 'z' })
    sockY.broadcast('room', 'typing', { who: 'z' })
    sockY.broadcast('room', 'msg', { n: 7 })
    await h.settle()
    expect(received(h.sink('a'))).toEqual([{ who: 'z' }, { who: 'z' }, { n: 7 }])
  })
})
