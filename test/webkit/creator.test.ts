/**
 * WebKit bug 318873 (https://bugs.webkit.org/show_bug.cgi?id=318873): when the tab that created a
 * SharedWorker closes, the worker can restart with fresh state in another tab's process while the
 * other tabs' ports stay connected. tabrelay must survive it: every heartbeat reply carries the
 * worker's id, and a tab that sees a new id (or no reply) re-creates its worker connection and
 * re-registers its channels by itself.
 *
 * The WebKitGTK measured here (2.50.6) keeps the creator's web process, and the worker in it, alive
 * after the creator's window closes. So when the plain close did not restart the worker, the test
 * then kills that process: the bug's situation, the worker starts over with fresh state. The
 * recovery is exercised either way, and asserted (a new workerId). With both recovery triggers
 * disabled in src/link.ts (a new workerId in the heartbeat ack, an unanswered heartbeat) this test
 * fails; with either one it passes (here the dead port leaves heartbeats unanswered).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { waitUntil } from '../e2e/support/wait.ts'
import type { SubscribeResult } from '../e2e/app/harness.ts'
import { hubStats, sendSequence, subscribe, waitForNumber, numbersOf, type Browser, type Tab } from './support/browser.ts'
import { range, withSession } from './support/session.ts'

/** Subscribes like harness.subscribe(), with a `system` `resync` listener logged in `window.resyncs`. */
function subscribeLoggingResync(browser: Browser, tab: Tab, topic: string): Promise<SubscribeResult> {
  return browser.run(tab, `const channel = window.harness.realtime.channel(args[0], { config: { broadcast: { self: false, ack: false } } })
    window.resyncs = []
    channel.on('system', { event: 'resync' }, ({ since }) => { window.resyncs.push(since) })
    return window.harness.subscribe(args[0])`, topic)
}

/** The `since` of every resync the tab's channel got. */
function resyncsOf(browser: Browser, tab: Tab): Promise<unknown[]> {
  return browser.run(tab, 'return window.resyncs')
}

/** Events sent while no worker held the channel are lost to it: each tab's app is told to backfill once. */
async function assertOneResync(browser: Browser, tabs: readonly Tab[]): Promise<void> {
  for (const tab of tabs) {
    const resyncs = await resyncsOf(browser, tab)
    assert.equal(resyncs.length, 1, `${tab.name} gets one resync after the worker restart, got ${JSON.stringify(resyncs)}`)
    assert.equal(typeof resyncs[0], 'number', `${tab.name}'s resync carries since`)
  }
}

/** Waits until both tabs report `open` from one worker with `tabs` tabs and `topic` on it; returns its id. */
async function settled(browser: Browser, tabs: readonly Tab[], topic: string): Promise<string> {
  const ids = new Set<string>()
  for (const tab of tabs) {
    const report = await waitUntil(() => hubStats(browser, tab), (r) =>
      r.status === 'open' && r.tabs === tabs.length && r.channels.some((c) => c.topic === topic && c.tabs === tabs.length && c.status === 'SUBSCRIBED'),
    { what: `${tab.name}'s hub to be open with ${tabs.length} tabs on '${topic}'`, timeoutMs: 15_000 })
    ids.add(report.workerId)
  }
  assert.equal(ids.size, 1, `${tabs.map((t) => t.name).join(' and ')} talk to one worker`)
  return [...ids][0] ?? ''
}

/** B sends `from..to`, C sends `to + 1`; each receives the other's numbers exactly once, in order. */
async function exchange(browser: Browser, b: Tab, c: Tab, topic: string, from: number, to: number): Promise<void> {
  assert.deepEqual(new Set(await sendSequence(browser, b, topic, from, to)), new Set(['ok']))
  assert.deepEqual(await sendSequence(browser, c, topic, to + 1, to + 1), ['ok'])
  const cSaw = await waitForNumber(browser, c, topic, to)
  assert.deepEqual(cSaw.filter((n) => n >= from), range(from, to), 'C receives B\'s broadcasts once, in order')
  const bSaw = await waitForNumber(browser, b, topic, to + 1)
  assert.deepEqual(bSaw.filter((n) => n >= from), [to + 1], 'B receives C\'s broadcast once')
  assert.deepEqual((await numbersOf(browser, c, topic)).filter((n) => n >= from), range(from, to))
}

test('the creator tab closes: the other tabs keep receiving, and recover by themselves when the worker restarts', (t) => withSession('creator', async (s) => {
  const topic = s.topic('room')
  // Short heartbeats so a restarted worker is noticed within about a second.
  const url = s.url({ heartbeatIntervalMs: 400, lingerMs: 100 })
  const a = await s.browser.open(url, 'A (creator)')
  const b = await s.browser.open(url, 'B')
  const c = await s.browser.open(url, 'C')
  assert.equal((await subscribe(s.browser, a, topic)).status, 'SUBSCRIBED')
  for (const tab of [b, c]) assert.equal((await subscribeLoggingResync(s.browser, tab, topic)).status, 'SUBSCRIBED')
  await s.serverShows(1, topic, 1)
  const first = await settled(s.browser, [a, b, c], topic)

  await s.browser.close(a)
  const afterClose = await settled(s.browser, [b, c], topic)
  await exchange(s.browser, b, c, topic, 1, 10)
  await s.serverShows(1, topic, 1)
  if (afterClose !== first) {
    await assertOneResync(s.browser, [b, c])
    t.diagnostic(`closing the creator restarted the worker (${first} -> ${afterClose}); B and C recovered`)
    return
  }
  for (const tab of [b, c]) assert.deepEqual(await resyncsOf(s.browser, tab), [], `${tab.name} missed nothing: no resync`)

  // The bug's situation: the creator's web process (which hosted the worker) is gone, the worker
  // starts over in a remaining tab's process with no tabs, no topics, no connection.
  assert.equal(a.pids.length, 1, `one web process started with the creator's window, saw ${JSON.stringify(a.pids)}`)
  for (const pid of a.pids) process.kill(pid, 'SIGKILL')
  const restarted = await settled(s.browser, [b, c], topic)
  assert.notEqual(restarted, first, 'the worker restarted with the creator\'s process')
  t.diagnostic(`the worker outlived the creator's window; with its process gone it restarted (${first} -> ${restarted}); B and C recovered`)
  await s.serverShows(1, topic, 1, { timeoutMs: 15_000 })
  await exchange(s.browser, b, c, topic, 100, 110)
  await assertOneResync(s.browser, [b, c])
}))
