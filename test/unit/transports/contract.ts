/**
 * The transport contract (after automerge-repo's `network-adapter-tests.ts`): what the hub relies
 * on from ANY transport, checked through the SPI alone against the transport's real server. Every
 * transport passes this core part; capability-gated parts (presence, postgres_changes, private
 * topics, server acks) are checked where a transport declares them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Transport } from '../../../worker/transports/transport.ts'
import type { ContractFixture, ContractServer } from './fixture.ts'
import { Peers, sub, until, type OpenedChannel } from './harness.ts'

// Polls an asynchronous condition (a server's stats) with the suite's deadline.
async function untilServer(condition: () => Promise<boolean>, label: string): Promise<void> {
  let isMet = false
  let isAsking = false
  // One question at a time, and none left unhandled: a server stopped after the test would fail
  // the requests still in flight ("other side closed") outside of any test.
  const check = (): void => {
    if (isAsking) return
    isAsking = true
    void condition().then((value) => { isMet = value }, () => undefined).finally(() => { isAsking = false })
  }
  check()
  await until(() => { if (!isMet) check(); return isMet }, label)
}

const messages = (room: OpenedChannel): Array<[string, unknown]> => room.of('broadcast').map((call) => [call.event, call.payload])

/**
 * Registers the core contract suite for one transport; each test starts its own server.
 * @example
 * runTransportContract({ name: 'supabase', transport: () => supabaseTransport({ WebSocket }), start })
 */
export function runTransportContract(fixture: ContractFixture): void {
  describe(`transport contract: ${fixture.name}`, () => {
    let server: ContractServer
    let transport: Transport
    let peers: Peers

    beforeEach(async () => {
      server = await fixture.start()
      transport = fixture.transport()
      peers = new Peers(transport, (user) => server.credentials(user))
    })

    afterEach(async () => {
      await peers.closeAll()
      await server.close()
    })

    it('opens once (events.open) and joins a topic (SUBSCRIBED); the server counts one connection', async () => {
      const alice = await peers.connect('alice')
      const room = await alice.join(sub('room'))
      expect(room.of('status')).toEqual([{ kind: 'status', status: 'SUBSCRIBED' }])
      expect(alice.events).toEqual([{ kind: 'open' }])
      expect(await server.connections()).toBe(1)
    })

    it("a send reaches another user's socket once and in order; the sender's socket gets it back only where the server echoes", async () => {
      const alice = await peers.connect('alice')
      const bob = await peers.connect('bob')
      const aliceRoom = await alice.join(sub('room'))
      const bobRoom = await bob.join(sub('room'))
      await expect(aliceRoom.channel.send('first', { n: 1 }, false)).resolves.toBe('ok')
      await expect(aliceRoom.channel.send('second', { n: 2, nested: ['x'] }, false)).resolves.toBe('ok')
      await until(() => bobRoom.of('broadcast').length >= 2, 'bob gets both messages')
      // Bob's reply travels after the server handled both of Alice's: an echo would come first.
      await expect(bobRoom.channel.send('reply', { n: 3 }, false)).resolves.toBe('ok')
      await until(() => messages(aliceRoom).some(([event]) => event === 'reply'), 'alice gets the reply')
      const mine: Array<[string, unknown]> = [['first', { n: 1 }], ['second', { n: 2, nested: ['x'] }]]
      if (transport.capabilities.echoesToSender) {
        await until(() => bobRoom.of('broadcast').length >= 3, 'bob gets his own reply back')
        expect(messages(aliceRoom)).toEqual([...mine, ['reply', { n: 3 }]])
        expect(messages(bobRoom)).toEqual([...mine, ['reply', { n: 3 }]])
      } else {
        expect(messages(aliceRoom)).toEqual([['reply', { n: 3 }]])
        expect(messages(bobRoom)).toEqual(mine)
      }
    })

    it('topics are separate: a send on one never reaches a channel of another', async () => {
      const alice = await peers.connect('alice')
      const bob = await peers.connect('bob')
      const aliceA = await alice.join(sub('room-a'))
      const aliceB = await alice.join(sub('room-b'))
      const bobA = await bob.join(sub('room-a'))
      const bobB = await bob.join(sub('room-b'))
      await bobB.channel.send('for-b', { n: 1 }, false)
      await bobA.channel.send('for-a', { n: 2 }, false)
      await until(() => messages(aliceA).length >= 1, 'the message on room-a')
      await until(() => messages(aliceB).length >= 1, 'the message on room-b')
      expect(messages(aliceA)).toEqual([['for-a', { n: 2 }]])
      expect(messages(aliceB)).toEqual([['for-b', { n: 1 }]])
    })

    it('channel close: no handler call once close() was called; the other topics carry on', async () => {
      const alice = await peers.connect('alice')
      const bob = await peers.connect('bob')
      const feed = await alice.join(sub('feed'))
      const other = await alice.join(sub('other'))
      const bobFeed = await bob.join(sub('feed'))
      const bobOther = await bob.join(sub('other'))
      const before = feed.calls.length
      await feed.channel.close()
      await bobFeed.channel.send('after-close', {}, false)
      await bobOther.channel.send('still-open', {}, false)
      await until(() => messages(other).length >= 1, 'a message on the channel still open')
      expect(feed.calls.slice(before)).toEqual([])
    })

    it('a server drop ends the attempt: events.closed once, and the transport never reconnects by itself', async () => {
      const alice = await peers.connect('alice')
      await alice.join(sub('room'))
      await server.dropAll()
      await until(() => alice.events.some((e) => e.kind === 'closed'), 'events.closed()')
      // The hub opens the next attempt after its backoff; here at once.
      const again = await peers.connect('alice')
      const room = await again.join(sub('room'))
      const bob = await peers.connect('bob')
      await (await bob.join(sub('room'))).channel.send('after', {}, false)
      await until(() => messages(room).length === 1, 'a message on the next attempt')
      // Had the dropped attempt reconnected by itself, the server would count three.
      expect(await server.connections()).toBe(2)
      expect(alice.events).toEqual([{ kind: 'open' }, { kind: 'closed', reason: expect.objectContaining({ kind: expect.stringMatching(/^(retry|unauthorized)$/), error: expect.objectContaining({ code: expect.any(String) }) }) }])
    })

    it('close(): the server sees the connection go, and no event or handler call follows', async () => {
      const alice = await peers.connect('alice')
      const bob = await peers.connect('bob')
      const room = await alice.join(sub('room'))
      const bobRoom = await bob.join(sub('room'))
      const [calls, events] = [room.calls.length, alice.events.length]
      const closing = alice.attempt.close()
      await bobRoom.channel.send('while-closing', {}, false)
      await closing
      await untilServer(async () => (await server.connections()) === 1, 'one connection left on the server')
      await bobRoom.channel.send('after-close', {}, false)
      expect(room.calls.slice(calls)).toEqual([])
      expect(alice.events.slice(events)).toEqual([])
    })
  })
}
