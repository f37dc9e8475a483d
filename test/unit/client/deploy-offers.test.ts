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
    for (const refused of REFUSED) await offerToTab(refused)
    expect(created).toEqual([])
    expect(rig.realtime.updateAvailable).toBeNull()
    expect(rig.hubs).toHaveLength(1)
    // A same-origin script is tried (deployWorker returns null here, so the tab stays, told why).
    await offerToTab(offer('https://app.test/assets/realtime.worker-b.js'))
    expect(created).toEqual([offer('https://app.test/assets/realtime.worker-b.js')])
    expect(rig.realtime.updateAvailable).toMatchObject({ moved: false })
  })

  it("the app's acceptDeploy(url) decides among same-origin scripts; a hook that throws refuses", async () => {
    const { created } = await openTab({ acceptDeploy: (url) => {
      if (url.search.includes('boom')) throw new Error('boom')
      return url.pathname.startsWith('/assets/realtime.worker-')
    } })
    await offerToTab(offer('https://app.test/uploads/realtime.worker-b.js'))
    await offerToTab(offer('https://app.test/assets/realtime.worker-c.js?boom'))
    expect(created).toEqual([])
    expect(rig.realtime.updateAvailable).toBeNull()
    await offerToTab(offer('https://app.test/assets/realtime.worker-b.js'))
    expect(created.map((o) => o.url)).toEqual(['https://app.test/assets/realtime.worker-b.js'])
  })

  it('acceptDeploy must be a function', () => {
    expect(() => setup({ acceptDeploy: 'yes' as unknown as () => boolean })).toThrow(expect.objectContaining({ code: 'bad-input', message: expect.stringMatching(/acceptDeploy/) }))
    rig = setup()
  })
})
