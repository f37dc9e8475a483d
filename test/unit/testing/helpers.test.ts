// @vitest-environment happy-dom
/**
 * The Node helpers of tabrelay/testing against fake pages whose `evaluate` runs in this window:
 * waiting for registration and status by event, one leader among pages, closing a tab only once
 * the hub's count went down, and bounded failures that say what to do.
 */
import type { Page } from '@playwright/test'
import { afterEach, describe, expect, it } from 'vitest'
import { TESTING_HOOK, type TestingGlobal } from '../../../src/contract/testing.ts'
import { registerForTesting } from '../../../src/testing/index.ts'
import { closeTab, hub, waitForLeader, waitForStatus } from '../../../src/testing/node/tabs.ts'
import { hide, show } from '../../../src/testing/node/visibility.ts'
import { FakeClient, fakePage, type FakePageParts } from './fakes.ts'

const scope = globalThis as TestingGlobal

afterEach(() => { delete scope[TESTING_HOOK] })

/** One fake page per client: each evaluate sees only its own page's registration. */
function pagesOf(clients: FakeClient[], parts: FakePageParts = { pages: [] }): Page[] {
  return clients.map((client) => {
    let registry: TestingGlobal[typeof TESTING_HOOK]
    return fakePage(parts, () => {
      if (!registry) {
        delete scope[TESTING_HOOK]
        registerForTesting(client)
        registry = scope[TESTING_HOOK]
      }
      scope[TESTING_HOOK] = registry
    })
  })
}

describe('hub(page) and waitForStatus', () => {
  it('waits for a client registered after the ask, then reads the hub through it', async () => {
    const page = fakePage({ pages: [] })
    const view = hub(page, { timeoutMs: 1_000 })
    const client = new FakeClient()
    client.tabs = 3
    setTimeout(() => registerForTesting(client), 20)
    expect(await view).toMatchObject({ tabs: 3, connections: 1, isLeader: false, topics: [{ topic: 'room:1' }] })
  })

  it('fails within the bound, saying to call registerForTesting, when the page registers nothing', async () => {
    const started = Date.now()
    await expect(hub(fakePage({ pages: [] }), { timeoutMs: 100, client: 'inbox' })).rejects.toThrow(/registerForTesting\(client, 'inbox'\)/)
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('resolves on the status event and removes its listener', async () => {
    const client = new FakeClient()
    const [page] = pagesOf([client])
    if (!page) throw new Error('no page')
    const reached = waitForStatus(page, 'paused', { timeoutMs: 1_000 })
    await Promise.resolve()
    expect(client.listenerCount).toBe(1)
    client.setStatus('open')
    client.setStatus('paused')
    await reached
    expect(client.listenerCount).toBe(0)
  })

  it('times out naming the status the client stayed in', async () => {
    const [page] = pagesOf([new FakeClient()])
    if (!page) throw new Error('no page')
    await expect(waitForStatus(page, 'open', { timeoutMs: 50 })).rejects.toThrow(/stayed 'connecting'.*expected 'open'/)
  })
})

describe('waitForLeader', () => {
  it('returns the one page whose client is leader', async () => {
    const clients = [new FakeClient(), new FakeClient(), new FakeClient()]
    const pages = pagesOf(clients)
    setTimeout(() => { const second = clients[1]; if (second) second.isLeader = true }, 30)
    expect(await waitForLeader(pages, { timeoutMs: 1_000 })).toBe(pages[1])
  })

  it('does not accept two leaders', async () => {
    const clients = [new FakeClient(), new FakeClient()]
    for (const client of clients) client.isLeader = true
    await expect(waitForLeader(pagesOf(clients), { timeoutMs: 150 })).rejects.toThrow(/exactly one leader.*\[true,true\]/)
  })
})

describe('closeTab', () => {
  it('resolves only once the witness sees the hub serve one tab fewer', async () => {
    const clients = [new FakeClient(), new FakeClient()]
    for (const client of clients) client.tabs = 2
    const parts: FakePageParts = { pages: [] }
    // The closed tab's Web Lock reaches the hub a little later, as in a browser.
    parts.onClose = () => setTimeout(() => { for (const client of clients) client.tabs = 1 }, 40)
    const [closing, witness] = pagesOf(clients, parts)
    if (!closing || !witness) throw new Error('no pages')
    await closeTab(closing, { timeoutMs: 1_000 })
    expect(closing.isClosed()).toBe(true)
    expect((await hub(witness)).tabs).toBe(1)
  })

  it('fails within the bound when the hub never releases the tab', async () => {
    const clients = [new FakeClient(), new FakeClient()]
    for (const client of clients) client.tabs = 2
    const [closing] = pagesOf(clients)
    if (!closing) throw new Error('no page')
    await expect(closeTab(closing, { timeoutMs: 150 })).rejects.toThrow(/release the closed tab \(it served 2\)/)
  })
})

describe('hide and show', () => {
  it('override visibilityState and hidden, and fire visibilitychange', async () => {
    const page = fakePage({ pages: [] })
    const seen: string[] = []
    const listener = (): void => { seen.push(`${document.visibilityState}/${String(document.hidden)}`) }
    document.addEventListener('visibilitychange', listener)
    await hide(page)
    await show(page)
    document.removeEventListener('visibilitychange', listener)
    expect(seen).toEqual(['hidden/true', 'visible/false'])
  })
})
