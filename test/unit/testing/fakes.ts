/**
 * Hand-written stand-ins for the testing helpers' unit tests: a client with settable status and
 * leader flag, and a Playwright `Page` whose `evaluate` runs the function in this (happy-dom) window.
 */
import type { BrowserContext, Page } from '@playwright/test'
import type { ConnectionStatus, HubStats, StatusEvent } from '../../../src/contract/protocol.ts'
import type { TestableClient } from '../../../src/testing/index.ts'

/** A client whose state the test sets; `stats()` answers `tabs`. */
export class FakeClient implements TestableClient {
  status: ConnectionStatus = 'connecting'
  isLeader = false
  tabs = 1
  readonly #listeners = new Set<(status: ConnectionStatus, detail: StatusEvent) => void>()

  setStatus(status: ConnectionStatus): void {
    this.status = status
    for (const listener of [...this.#listeners]) listener(status, { status })
  }

  get listenerCount(): number {
    return this.#listeners.size
  }

  stats(): Promise<HubStats> {
    return Promise.resolve({
      workerId: 'w1', tabs: this.tabs, visibleTabs: this.tabs, connections: 1, identities: 1,
      channels: [{ topic: 'room:1', tabs: this.tabs, listeners: 1, status: 'SUBSCRIBED' }], status: this.status,
      delivered: 0, batches: 0, dropped: 0, overflows: 0, resyncs: 0, peakQueued: 0,
    })
  }

  onStatus(listener: (status: ConnectionStatus, detail: StatusEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  onLeaderChange(): () => void {
    return () => undefined
  }
}

/** A page of a fake context: `evaluate` runs here; `close` runs `onClose`. */
export interface FakePageParts {
  pages: Page[]
  onClose?: () => void
}

/**
 * A Playwright `Page` good enough for the helpers: `evaluate`, `close`, `isClosed`, `context().pages()`.
 * Each fake page has its own registered client, read through `globalThis` while it evaluates.
 */
export function fakePage(parts: FakePageParts, enter: () => void = () => undefined): Page {
  let isClosed = false
  const context = { pages: () => parts.pages.filter((p) => !p.isClosed()) } as unknown as BrowserContext
  const page = {
    evaluate: <R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> => {
      if (isClosed) return Promise.reject(new Error('Target page, context or browser has been closed'))
      enter()
      return Promise.resolve(fn(arg))
    },
    close: async () => { isClosed = true; parts.onClose?.() },
    isClosed: () => isClosed,
    context: () => context,
  } as unknown as Page
  parts.pages.push(page)
  return page
}
