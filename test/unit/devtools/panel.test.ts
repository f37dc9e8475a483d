// @vitest-environment happy-dom
/**
 * `tabrelay/devtools` in a DOM: the model's polling (journal kept and bounded, rates per topic, a
 * restarted worker), the report's redaction, and the panel's rendering of untrusted names as text.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildReport, DevtoolsModel, mountDevtools, redact, REDACTED, type Inspectable } from '../../../src/devtools/index.ts'
import { KEPT_ENTRIES } from '../../../src/devtools/model.ts'
import { renderPanel } from '../../../src/devtools/view.ts'
import type { HubInspection, JournalEntry } from '../../../src/contract/inspect.ts'
import { PROTOCOL_VERSION } from '../../../src/contract/protocol.ts'

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl'

function snapshot(overrides: Partial<HubInspection> = {}): HubInspection {
  return {
    workerId: 'w1', protocol: 2, host: 'shared-worker', now: 10_000, seq: 0, journal: [],
    connection: { transport: 'supabase', endpoint: 'http://127.0.0.1:1/', params: ['apikey'], status: 'open', sendQueue: 0 },
    tabs: [{ tabId: 'tab-a', isSelf: true, isLeader: true, visibility: 'visible', focused: true, isFrozenSuspect: false, lastBeatAt: 9_000, heartbeatIntervalMs: 5_000, outbox: { queued: 0, peak: 2, overflows: 0 } }],
    topics: [{ topic: 'room', status: 'SUBSCRIBED', presence: 1, since: 9_500, received: 0, sent: 0, replay: 'idle', subs: [{ tabId: 'tab-a', subId: '1', bindings: 2 }] }],
    ...overrides,
  }
}

function entries(from: number, count: number): JournalEntry[] {
  return Array.from({ length: count }, (_, i) => ({ kind: 'leader', tabId: `t${from + i}`, seq: from + i, at: 0 }))
}

/** A client answering from a list of snapshots, recording the `since` of each call. */
function scripted(answers: HubInspection[]): Inspectable & { sinces: Array<number | undefined> } {
  const sinces: Array<number | undefined> = []
  return {
    isLeader: true,
    sinces,
    inspect(since?: number): Promise<HubInspection> {
      sinces.push(since)
      const next = answers.shift()
      return next ? Promise.resolve(next) : Promise.reject(new Error('no more answers'))
    },
  }
}

afterEach(() => {
  vi.useRealTimers()
  document.body.replaceChildren()
})

describe('DevtoolsModel', () => {
  it('asks for what is new, keeps a bounded journal, and computes messages/s per topic', async () => {
    const topic = (received: number, sent: number): HubInspection['topics'] => [{ topic: 'room', status: 'SUBSCRIBED', presence: 0, since: null, received, sent, replay: 'idle', subs: [] }]
    const client = scripted([
      snapshot({ seq: 3, journal: entries(1, 3), now: 1_000, topics: topic(0, 0) }),
      snapshot({ seq: KEPT_ENTRIES + 10, journal: entries(4, KEPT_ENTRIES + 7), now: 1_500, topics: topic(10, 2) }),
    ])
    const model = new DevtoolsModel(client)
    await model.poll()
    await model.poll()
    await model.poll()
    expect(client.sinces).toEqual([0, 3, KEPT_ENTRIES + 10])
    expect(model.journal).toHaveLength(KEPT_ENTRIES)
    expect(model.journal.at(-1)?.seq).toBe(KEPT_ENTRIES + 10)
    expect(model.rates.get('room')).toEqual({ in: [20], out: [4] })
    expect(model.error).toBe('no more answers')
    expect(model.snapshot?.seq).toBe(KEPT_ENTRIES + 10)
  })

  it('starts over when the worker restarted (its journal numbers from 1 again)', async () => {
    const client = scripted([snapshot({ seq: 50, journal: entries(48, 3) }), snapshot({ workerId: 'w2', seq: 2, journal: entries(1, 2) }), snapshot({ workerId: 'w2', seq: 2, journal: entries(1, 2) })])
    const model = new DevtoolsModel(client)
    await model.poll()
    await model.poll()
    expect(model.journal).toEqual([])
    await model.poll()
    expect(client.sinces).toEqual([0, 50, 0])
    expect(model.journal.map((e) => e.seq)).toEqual([1, 2])
  })
})

describe('redact', () => {
  it('replaces secret keys, JWTs in text, given secrets and functions; keeps the rest', () => {
    const out = redact({
      accessToken: () => TOKEN, apikey: 'anon', nested: { endpoint: `wss://x/ws?token=${TOKEN}`, note: 'opaque-secret-123 here' },
      payload: { text: 'private' }, tokenTimeoutMs: 5_000, list: [1, true, null],
    }, ['opaque-secret-123'])
    expect(out).toEqual({
      accessToken: REDACTED, apikey: REDACTED, nested: { endpoint: `wss://x/ws?token=${REDACTED}`, note: `${REDACTED} here` },
      payload: REDACTED, tokenTimeoutMs: 5_000, list: [1, true, null],
    })
  })
})

describe('buildReport', () => {
  it('holds versions, browser, options and the hub view, and no token anywhere', async () => {
    const model = new DevtoolsModel(scripted([snapshot({ journal: [{ kind: 'error', tabId: 'tab-a', error: { code: 'unauthorized', message: `bad jwt ${TOKEN}` }, seq: 1, at: 0 }], seq: 1 })]))
    await model.poll()
    const text = buildReport(model, { isLeader: true }, { options: { url: 'http://127.0.0.1:1', accessToken: TOKEN, headers: { Authorization: `Bearer ${TOKEN}` } } })
    expect(text).not.toContain(TOKEN)
    const report = JSON.parse(text) as { versions: { protocol: number }; hub: HubInspection; options: { url: string }; journal: unknown[] }
    expect(report.versions.protocol).toBe(PROTOCOL_VERSION)
    expect(report.options.url).toBe('http://127.0.0.1:1')
    expect(report.hub.tabs[0]?.tabId).toBe('tab-a')
    expect(report.journal).toHaveLength(1)
  })
})

describe('the panel', () => {
  it('renders tabs and topics with their data attributes, and names as text, never HTML', () => {
    const model = new DevtoolsModel(scripted([]))
    model.snapshot = snapshot({ topics: [{ topic: '<img src=x onerror=alert(1)>', status: 'SUBSCRIBED', presence: 0, since: null, received: 0, sent: 0, replay: 'idle', subs: [] }] })
    const root = renderPanel(model)
    const tab = root.querySelector('[data-testid="devtools-tab"]')
    expect(tab?.getAttribute('data-tab-id')).toBe('tab-a')
    expect(tab?.getAttribute('data-leader')).toBe('true')
    expect(root.querySelector('img')).toBeNull()
    expect(root.querySelector('[data-testid="devtools-topic"]')?.textContent).toContain('<img src=x onerror=alert(1)>')
    expect(root.querySelector('[data-testid="devtools-status"]')?.getAttribute('data-status')).toBe('open')
  })

  it('mounts, polls into its shadow root, copies a report, and stops polling when unmounted', async () => {
    vi.useFakeTimers()
    const client = scripted(Array.from({ length: 50 }, () => snapshot()))
    const unmount = mountDevtools(client)
    const panel = document.querySelector('tabrelay-devtools')
    await vi.advanceTimersByTimeAsync(0)
    expect(panel?.shadowRoot?.querySelector('[data-testid="devtools-tab"]')?.getAttribute('data-tab-id')).toBe('tab-a')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(client.sinces).toHaveLength(3)
    const report = await (panel as unknown as { copyReport(): Promise<string> }).copyReport()
    expect(JSON.parse(report)).toMatchObject({ kind: 'tabrelay-report', hub: { workerId: 'w1' } })
    unmount()
    const calls = client.sinces.length
    await vi.advanceTimersByTimeAsync(5_000)
    expect(client.sinces.length).toBe(calls)
    expect(document.querySelector('tabrelay-devtools')).toBeNull()
  })
})
