/**
 * The tab's own check of deploy offers: whatever reaches its sink (a hub that was lied to, or a
 * forged call in the tab-host mode), it constructs only a same-origin http(s) worker the app
 * accepts; a refused offer changes nothing (no worker, no hello with its token, no report).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { PROTOCOL_VERSION, type HubOffer } from '../../../src/contract/protocol.ts'
import type { DeployWorker } from '../../../src/core/deploy.ts'
import { setup, until, type Rig } from './harness.ts'

let rig: Rig
beforeEach(() => { vi.stubGlobal('location', new URL('https://app.test/chat')) })
afterEach(() => {
  rig.dispose()
  vi.unstubAllGlobals()
})

const offer = (url: string): HubOffer => ({ url, name: 'tabrelay-v2', type: 'module', protocol: PROTOCOL_VERSION })

const REFUSED: readonly HubOffer[] = [
  offer('blob:https://app.test/5c1e7a52-0d4b-4a43-9f0e-6c5a3e1d2b11'),
  offer('data:text/javascript,postMessage(1)'),
  offer('https://evil.test/assets/realtime.worker-b.js'),
  offer('http://app.test/assets/realtime.worker-b.js'),
  offer('/assets/realtime.worker-b.js'),
  { ...offer('https://app.test/assets/realtime.worker-b.js'), protocol: Number.NaN },
  { url: 42, name: 'tabrelay-v2' } as unknown as HubOffer,
]

async function openTab(options: { acceptDeploy?: (url: URL) => boolean } = {}): Promise<{ created: HubOffer[] }> {
  const created: HubOffer[] = []
  const deployWorker: DeployWorker = (to) => { created.push(to); return null }
  rig = setup({ deployWorker, ...options })
  await until(() => rig.realtime.status === 'open', 'open')
  return { created }
}

async function offerToTab(what: HubOffer): Promise<void> {
  const sink = rig.hub().sink
  if (!sink) throw new Error('no sink')
  await sink.moveTo(what)
}

describe('deploy offers at the tab', () => {
  it('blob:, data:, another origin or scheme, a relative URL and malformed offers are ignored', async () => {
    const { created } = await openTab()
    const reports: unknown[] = []
    rig.realtime.onUpdateAvailable((info) => reports.push(info))
    for (const refused of REFUSED) await offerToTab(refused)
    // The tab takes offers in order (its deploy code loads with the first one): once the
    // same-origin script below is tried, every refused one before it was looked at and dropped.
    await offerToTab(offer('https://app.test/assets/realtime.worker-b.js'))
    await until(() => created.length > 0, 'the same-origin offer tried')
    expect(created).toEqual([offer('https://app.test/assets/realtime.worker-b.js')])
    expect(rig.hubs).toHaveLength(1)
    // deployWorker returns null here, so the tab stays, told why: the one report of the test.
    await until(() => reports.length > 0, 'the report')
    expect(reports).toEqual([expect.objectContaining({ moved: false, reason: expect.stringMatching(/deployWorker\(\) returned null/) })])
  })

  it("the app's acceptDeploy(url) decides among same-origin scripts; a hook that throws refuses", async () => {
    const { created } = await openTab({ acceptDeploy: (url) => {
      if (url.search.includes('boom')) throw new Error('boom')
      return url.pathname.startsWith('/assets/realtime.worker-')
    } })
    await offerToTab(offer('https://app.test/uploads/realtime.worker-b.js'))
    await offerToTab(offer('https://app.test/assets/realtime.worker-c.js?boom'))
    await offerToTab(offer('https://app.test/assets/realtime.worker-b.js'))
    await until(() => created.length > 0, 'the accepted offer tried')
    expect(created.map((o) => o.url)).toEqual(['https://app.test/assets/realtime.worker-b.js'])
  })

  it('acceptDeploy must be a function', () => {
    expect(() => setup({ acceptDeploy: 'yes' as unknown as () => boolean })).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(/acceptDeploy/) }))
    rig = setup()
  })
})
