/**
 * Issue 14, end to end: the plain WebSocket transport in real browsers, a real SharedWorker, and
 * a real Django Channels server (daphne on Redis). Sockets are counted by the server.
 */
import { expect } from './support/fixtures.ts'
import { conversation, inboxUser, messagesOf, openInboxTabs, socketsOfUser, test } from './support/inbox.ts'
import { waitUntil } from './support/wait.ts'
import { ONE_ENGINE } from './support/engines.ts'

const range = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`)

test('5 tabs of alice and 2 of bob in one profile: 2 sockets; every message once and in order in each tab; bob never sees alice\'s conversation', async ({ context, django }) => {
  const [alice, bob] = [await inboxUser('alice'), await inboxUser('bob')]
  const [room, theirs] = [conversation('room'), conversation('theirs')]
  const alices = await openInboxTabs(context, 5, django.one, alice, [room, theirs])
  const bobs = await openInboxTabs(context, 2, django.one, bob, [theirs])
  await waitUntil(async () => [await socketsOfUser(django.one, alice.sub), await socketsOfUser(django.one, bob.sub)], ([a, b]) => a === 1 && b === 1, { what: 'one socket per user' })
  // Each alice tab sends three, without waiting between them.
  const sent = alices.map((_, i) => range(`t${i}-m`, 3))
  await Promise.all(alices.map((page, i) => page.evaluate(async ([topic, list]) => Promise.all(list.map((m) => window.ws.send(topic, m))), [room, sent[i] ?? []] as const)))
  for (const page of alices) {
    const got = await waitUntil(() => messagesOf(page, room), (list) => list.length >= 15, { what: '15 messages' })
    for (const list of sent) expect(got.filter((m) => list.includes(m))).toEqual(list)
    expect(new Set(got).size).toBe(got.length)
  }
  // alice's marker on the conversation bob is in comes after her 15: had any reached bob, it would be in by now.
  await alices[0]?.evaluate((t) => window.ws.send(t, 'marker'), theirs)
  for (const page of bobs) {
    await waitUntil(() => messagesOf(page, theirs), (list) => list.includes('marker'), { what: 'the marker' })
    expect(await messagesOf(page, theirs)).toEqual(['marker'])
    expect(await messagesOf(page, room)).toEqual([])
  }
  const names = await alices[1]?.evaluate((t) => window.ws.received(t).map((m) => m.sender_name), room)
  expect(new Set(names)).toEqual(new Set(['Alice']))
  expect(await socketsOfUser(django.one, alice.sub)).toBe(1)
})

test('server killed and restarted: reconnecting → open, topics subscribed again, sends made while down arrive once', async ({ context, django }) => {
  const [alice, bob] = [await inboxUser('alice'), await inboxUser('bob')]
  const room = conversation('restart')
  // The send queue keeps a send up to joinWaitMs; the tab's call waits longer than that.
  const options = { 'hub.joinWaitMs': 20_000, callTimeoutMs: 25_000 }
  const tabs = await openInboxTabs(context, 3, django.one, alice, [room], options)
  const [other] = await openInboxTabs(context, 1, django.two, bob, [room])
  await django.one.kill()
  for (const page of tabs) await page.waitForFunction(() => window.ws.relay.status === 'reconnecting')
  const whileDown = tabs[0]?.evaluate(async (t) => Promise.all(['down1', 'down2'].map((m) => window.ws.send(t, m))), room)
  const startedAt = Date.now()
  await django.one.start()
  for (const page of tabs) await page.waitForFunction(() => window.ws.relay.status === 'open', undefined, { timeout: 20_000 })
  const reopenMs = Date.now() - startedAt
  expect(await whileDown).toEqual(['ok', 'ok'])
  // 'ok' means written to alice's socket; the server stores and fans it out on its own time (a
  // database write, then Redis), so a message bob sends through the other daphne could overtake
  // it. Every tab has the queued two first; then bob's message.
  for (const page of [...tabs, ...(other ? [other] : [])]) {
    await waitUntil(() => messagesOf(page, room), (list) => list.includes('down2'), { what: 'the queued messages' })
  }
  // A message from server 2 reaches alice only if her new socket sent the subscribe frame again.
  await other?.evaluate((t) => window.ws.send(t, 'after'), room)
  for (const page of [...tabs, ...(other ? [other] : [])]) {
    const got = await waitUntil(() => messagesOf(page, room), (list) => list.includes('after') && list.includes('down2'), { what: 'the queued and the new messages' })
    expect(got).toEqual(['down1', 'down2', 'after'])
  }
  for (const page of tabs) {
    const statuses = await page.evaluate(() => window.ws.statuses())
    expect(statuses.slice(statuses.indexOf('reconnecting'))).toEqual(expect.arrayContaining(['reconnecting', 'open']))
  }
  expect(await socketsOfUser(django.one, alice.sub)).toBe(1)
  test.info().annotations.push({ type: 'reopen', description: `${reopenMs} ms from start() to open in every tab` })
})

test('two daphne on one Redis: what bob sends on server 2 reaches every tab of alice on server 1 exactly once', ONE_ENGINE, async ({ context, django }) => {
  const [alice, bob] = [await inboxUser('alice'), await inboxUser('bob')]
  const room = conversation('cluster')
  const alices = await openInboxTabs(context, 3, django.one, alice, [room])
  const [bobTab] = await openInboxTabs(context, 1, django.two, bob, [room])
  const sent = range('b', 5)
  await bobTab?.evaluate(async ([t, list]) => { for (const m of list) await window.ws.send(t, m) }, [room, sent] as const)
  for (const page of alices) {
    const got = await waitUntil(() => messagesOf(page, room), (list) => list.length >= 5, { what: 'five messages' })
    expect(got).toEqual(sent)
  }
  expect([await socketsOfUser(django.one, alice.sub), await socketsOfUser(django.two, bob.sub), await socketsOfUser(django.two, alice.sub)]).toEqual([1, 1, 0])
})
