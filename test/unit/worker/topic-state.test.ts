/**
 * A topic's state has one owner (worker/topic/topic.ts): what a channel reported belongs to that
 * channel, so a new join starts clean.
 */
import { describe, expect, it } from 'vitest'
import { createHarness, jwt, onBroadcast, sub } from './harness.ts'

const t1 = jwt({ sub: 'alice', exp: 2_000_000_000 })
const t2 = jwt({ sub: 'alice', exp: 2_000_000_100 })
const t3 = jwt({ sub: 'alice', exp: 2_000_000_200 })

describe('a channel error belongs to its channel', () => {
  it('a topic refused for its token rejoins on the next attempt without that error: no stale error in a snapshot, no reopen of the new join on setAuth', async () => {
    const h = createHarness({ tokenTrialMs: 1_000 })
    h.tab('a', { token: t1 })
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    const first = h.net.latest
    first.open()
    await first.subscribe('room')
    const accepted = h.hub.setAuth('a', t2)
    h.clock.advance(1_000)
    await accepted
    // The accepted token expired: the server shuts the channel down, nothing to restore.
    await first.error('room', { code: 'unauthorized', message: 'Token has expired 3 seconds ago' })
    first.drop()
    h.clock.advance(60_000)
    await h.settle()
    const second = h.net.latest
    expect(second).not.toBe(first)
    expect(second.liveChannels('room')).toBe(1)
    // The new attempt's join of the topic is on its way: what the old channel said is gone.
    h.tab('b', { token: t2 })
    expect(h.hub.join('b', sub('s1', 'room', [onBroadcast()]))).toEqual({ status: 'joining', presence: {} })
    const refreshed = h.hub.setAuth('a', t3).catch(() => undefined)
    await h.settle()
    expect(second.channels).toHaveLength(1)
    await second.subscribe('room')
    h.clock.advance(1_000)
    await refreshed
  })
})

describe('the linger is a rule over the tabs, not the last hello', () => {
  it('a topic outlives its last subscription by the longest linger of the live tabs, whichever tab said hello last', async () => {
    const h = createHarness()
    h.tab('a', { lingerMs: 5_000 })
    h.tab('b', { lingerMs: 100 })
    h.hub.join('a', sub('s1', 'room'))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    h.hub.leave('a', 's1')
    h.clock.advance(4_999)
    await h.settle()
    expect(h.net.latest.liveChannels('room')).toBe(1)
    h.clock.advance(1)
    await h.settle()
    expect(h.net.latest.liveChannels('room')).toBe(0)
  })

  it('once the long-lingering tab is gone, the remaining tabs\' linger applies', async () => {
    const h = createHarness()
    h.tab('a', { lingerMs: 5_000 })
    h.tab('b', { lingerMs: 100 })
    h.hub.bye('a')
    h.hub.join('b', sub('s1', 'room'))
    h.net.latest.open()
    await h.net.latest.subscribe('room')
    h.hub.leave('b', 's1')
    h.clock.advance(100)
    await h.settle()
    expect(h.net.latest.liveChannels('room')).toBe(0)
  })
})
