import { describe, expect, it } from 'vitest'
import { createHarness, onBroadcast, received, sub, type Harness } from './harness.ts'

async function threeTabs(selfA = false, ack = false): Promise<Harness> {
  const h = createHarness()
  for (const tab of ['a', 'b', 'c']) h.tab(tab)
  h.hub.join('a', sub('s1', 'room', [onBroadcast('msg')], { broadcast: { self: selfA, ack } }))
  h.hub.join('b', sub('s1', 'room', [onBroadcast('msg')]))
  h.hub.join('c', sub('s1', 'room', [onBroadcast('*')]))
  await h.net.latest.subscribe('room')
  return h
}

describe('cross-tab echo', () => {
  it('a broadcast sent by tab A reaches B and C once, not A, and goes to the server once', async () => {
    const h = await threeTabs()
    await expect(h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: { n: 1 } })).resolves.toBe('ok')
    await h.settle()
    expect(received(h.sink('a'))).toEqual([])
    expect(received(h.sink('b'))).toEqual([{ n: 1 }])
    expect(received(h.sink('c'))).toEqual([{ n: 1 }])
    expect(h.net.latest.single('room').sends.map((s) => s.payload)).toEqual([{ n: 1 }])
  })

  it('reaches the sender too when it asked for self', async () => {
    const h = await threeTabs(true)
    await h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: 'hi' })
    await h.settle()
    expect(received(h.sink('a'))).toEqual(['hi'])
    expect(received(h.sink('b'))).toEqual(['hi'])
  })

  it("reaches the sender tab's other channels on the same topic, and only listeners of the event", async () => {
    const h = await threeTabs()
    h.hub.join('a', sub('s2', 'room', [onBroadcast('MSG')]))
    h.hub.join('a', sub('s3', 'room', [onBroadcast('other')]))
    h.hub.join('a', sub('s4', 'lobby', [onBroadcast('msg')]))
    await h.settle()
    await h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: 1 })
    await h.settle()
    const deliveries = h.sink('a').deliveries('broadcast')
    expect(deliveries).toEqual([{ kind: 'broadcast', subIds: ['s2'], event: 'msg', payload: 1 }])
  })

  it('sends without a payload as an empty object', async () => {
    const h = await threeTabs()
    await h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg' })
    await h.settle()
    expect(received(h.sink('b'))).toEqual([{}])
  })

  it("ack: true waits for the server's answer and passes it on", async () => {
    const h = await threeTabs(false, true)
    const result = h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: 1 })
    let settled = false
    void result.then(() => { settled = true })
    await h.settle()
    const sent = h.net.latest.single('room').sends
    expect(sent.map((s) => s.ack)).toEqual([true])
    expect(settled).toBe(false)
    sent[0]?.reply('error')
    await expect(result).resolves.toBe('error')
  })

  it("ack is the sending tab's setting: B without ack resolves 'ok' at once on the same topic", async () => {
    const h = await threeTabs(false, true)
    await expect(h.hub.connectionOf('b').sends.send('b', 's1', { type: 'broadcast', event: 'msg', payload: 1 })).resolves.toBe('ok')
    expect(h.net.latest.single('room').sends.map((s) => s.ack)).toEqual([false])
  })

  it("waits for the join before sending and answers 'timed out' when it never comes", async () => {
    const h = createHarness({ joinWaitMs: 3_000 })
    h.tab('a')
    h.tab('b')
    h.hub.join('a', sub('s1', 'room', [onBroadcast()]))
    h.hub.join('b', sub('s1', 'room', [onBroadcast()]))
    const early = h.hub.connectionOf('a').sends.send('a', 's1', { type: 'broadcast', event: 'msg', payload: 'early' })
    await h.settle()
    expect(received(h.sink('b'))).toEqual([])
    await h.net.latest.subscribe('room')
    await expect(early).resolves.toBe('ok')
    await h.settle()
    expect(received(h.sink('b'))).toEqual(['early'])

    h.hub.join('a', sub('s2', 'never', [onBroadcast()]))
    const late = h.hub.connectionOf('a').sends.send('a', 's2', { type: 'broadcast', event: 'msg', payload: 1 })
    h.clock.advance(3_000)
    await expect(late).resolves.toBe('timed out')
  })

  it("rejects a send on a channel the tab never joined with 'bad-input'", async () => {
    const h = await threeTabs()
    await expect(h.hub.connectionOf('a').sends.send('a', 'nope', { type: 'broadcast', event: 'msg' })).rejects.toMatchObject({ code: 'bad-input' })
  })
})
