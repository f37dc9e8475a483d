/**
 * Issue 3's multi-tab behaviour in WebKit (Safari's engine): the windows of one profile share one
 * SharedWorker and one server connection, broadcasts fan out exactly once, a closed window
 * releases its topics, and hiding every window pauses the connection until one shows again.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { joined, socketsOf } from '../e2e/support/server.ts'
import { waitUntil } from '../e2e/support/wait.ts'
import { connectionStatuses, hubStats, numbersOf, sendSequence, setVisibility, subscribe, waitForNumber } from './support/browser.ts'
import { range, withSession } from './support/session.ts'

test('four windows share one worker and one server connection; each topic is joined once', () => withSession('share', async (s) => {
  const [a, b] = [s.topic('room-a'), s.topic('room-b')]
  const tabs = []
  for (const name of ['A', 'B', 'C', 'D']) tabs.push(await s.browser.open(s.url(), name))
  for (const topic of [a, b]) {
    for (const tab of tabs) assert.equal((await subscribe(s.browser, tab, topic)).status, 'SUBSCRIBED', `${tab.name} on ${topic}`)
  }
  const server = await s.serverShows(1, a, 1)
  assert.equal(joined(server, b), 1)
  assert.deepEqual(socketsOf(server, s.sub).map((socket) => socket.channels), [2])

  const reports = []
  for (const tab of tabs) reports.push(await hubStats(s.browser, tab))
  assert.equal(new Set(reports.map((r) => r.workerId)).size, 1, 'one SharedWorker for all windows')
  for (const report of reports) {
    assert.equal(report.connections, 1)
    assert.equal(report.tabs, 4)
    const channels = report.channels.map((c) => [c.topic, c.tabs]).sort((x, y) => String(x[0]).localeCompare(String(y[0])))
    assert.deepEqual(channels, [[a, 4], [b, 4]])
  }
}))

test('a broadcast reaches every other window exactly once and in order, and its sender only with self', () => withSession('fanout', async (s) => {
  const topic = s.topic('fanout')
  const [quiet, echoing, other] = [await s.browser.open(s.url(), 'quiet'), await s.browser.open(s.url(), 'echoing'), await s.browser.open(s.url(), 'other')]
  await subscribe(s.browser, quiet, topic, { self: false })
  await subscribe(s.browser, echoing, topic, { self: true })
  await subscribe(s.browser, other, topic)

  // 1..30 from a window without self, 31..60 from one with self, 61 as the end marker from the
  // third: each window has everything before the marker once the marker has arrived.
  assert.deepEqual(new Set(await sendSequence(s.browser, quiet, topic, 1, 30)), new Set(['ok']))
  assert.deepEqual(new Set(await sendSequence(s.browser, echoing, topic, 31, 60)), new Set(['ok']))
  assert.deepEqual(await sendSequence(s.browser, other, topic, 61, 61), ['ok'])

  assert.deepEqual(await waitForNumber(s.browser, quiet, topic, 61), range(31, 61))
  assert.deepEqual(await waitForNumber(s.browser, echoing, topic, 61), range(1, 61))
  assert.deepEqual(await waitForNumber(s.browser, other, topic, 60), range(1, 60))
  // The marker's sender has no self: nothing more may arrive there, so read once more.
  assert.deepEqual(await numbersOf(s.browser, other, topic), range(1, 60))
  assert.equal((await s.stats()).topics[`realtime:${topic}`], 1)
}))

test('a closed window releases its topics; the other windows keep theirs', () => withSession('close', async (s) => {
  const [mine, shared] = [s.topic('mine'), s.topic('shared')]
  const url = s.url({ lingerMs: 100 })
  const [leaving, staying] = [await s.browser.open(url, 'leaving'), await s.browser.open(url, 'staying')]
  await subscribe(s.browser, leaving, mine)
  await subscribe(s.browser, leaving, shared)
  await subscribe(s.browser, staying, shared)
  await s.serverShows(1, mine, 1)

  await s.browser.close(leaving)
  // Released through the tab's Web Lock, not a heartbeat timeout (default 10 s): well within 3 s.
  const after = await s.serverShows(1, mine, 0, { timeoutMs: 3_000 })
  assert.equal(joined(after, shared), 1)
  const report = await hubStats(s.browser, staying)
  assert.equal(report.tabs, 1)
  assert.deepEqual(report.channels.map((c) => [c.topic, c.tabs]), [[shared, 1]])
}))

test('every window hidden pauses the connection; one shown again resumes and rejoins', () => withSession('pause', async (s) => {
  const topic = s.topic('pause')
  const url = s.url({ pauseWhenHiddenMs: 300, heartbeatIntervalMs: 500 })
  const [a, b] = [await s.browser.open(url, 'A'), await s.browser.open(url, 'B')]
  await subscribe(s.browser, a, topic)
  await subscribe(s.browser, b, topic)
  await s.serverShows(1, topic, 1)

  await setVisibility(s.browser, a, 'hidden')
  await setVisibility(s.browser, b, 'hidden')
  await s.serverShows(0, topic, 0, { timeoutMs: 5_000 })
  for (const tab of [a, b]) {
    await waitUntil(() => connectionStatuses(s.browser, tab), (all) => all.at(-1) === 'paused', { what: `${tab.name} to report 'paused'` })
  }

  await setVisibility(s.browser, b, 'visible')
  await s.serverShows(1, topic, 1, { timeoutMs: 5_000 })
  for (const tab of [a, b]) {
    await waitUntil(() => connectionStatuses(s.browser, tab), (all) => all.at(-1) === 'open', { what: `${tab.name} to report 'open'` })
  }
  assert.deepEqual(await sendSequence(s.browser, b, topic, 1, 5), ['ok', 'ok', 'ok', 'ok', 'ok'])
  assert.deepEqual(await waitForNumber(s.browser, a, topic, 5), range(1, 5))
}))
