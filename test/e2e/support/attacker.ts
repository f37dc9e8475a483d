/**
 * What a hostile page of the app's origin can do, as functions for `page.evaluate` (each runs in
 * the page, so it is self-contained): find the hub worker's URL in the app's bundle, open that
 * SharedWorker by URL and name, speak raw Comlink to it, and post forged deploy notices.
 */

/** One attack's outcome: the error code the hub answered with, or what else came back. */
export type Outcome = string

/** What {@link attackHub} reports. */
export interface HubAttack {
  workerUrl: string
  outcomes: Record<string, Outcome>
  /** What the probe read of the global the attacks tried to set in the hub (`'refused'` if it could not read it). */
  probe: unknown
}

/**
 * Runs in the attacker page: opens the app's SharedWorker as the app does and sends it raw Comlink
 * messages (code through constructor paths, prototype writes, reads, a second endpoint, a proxy
 * argument), then probes whether any code ran.
 * @example
 * const attack = await attacker.evaluate(attackHub, { name: 'tabrelay-v2' })
 */
export async function attackHub({ name }: { name: string }): Promise<HubAttack> {
  // The worker's URL is in the app's bundle, as any page of the origin can read it.
  const html = await (await fetch('/')).text()
  const main = /src="(\/assets\/main-[^"]+\.js)"/.exec(html)?.[1]
  if (!main) throw new Error('no main script in index.html')
  const path = /"(\/assets\/worker-[\w-]+\.js)"/.exec(await (await fetch(main)).text())?.[1]
  if (!path) throw new Error('no worker URL in the bundle')
  const workerUrl = new URL(path, location.origin).href
  const port = new SharedWorker(workerUrl, { type: 'module', name, extendedLifetime: true } as WorkerOptions).port
  const waiting = new Map<string, (reply: Record<string, unknown>) => void>()
  port.addEventListener('message', (event: MessageEvent<Record<string, unknown>>) => {
    const id = event.data?.['id']
    if (typeof id === 'string') waiting.get(id)?.(event.data)
  })
  port.start()
  let seq = 0
  const ask = (to: MessagePort, message: Record<string, unknown>, transfer: Transferable[] = []): Promise<Record<string, unknown> | null> => {
    const id = `attack-${++seq}`
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), 5_000)
      waiting.set(id, (reply) => { clearTimeout(timer); resolve(reply) })
      to.postMessage({ ...message, id }, transfer)
    })
  }
  const outcomeOf = (reply: Record<string, unknown> | null): Outcome => {
    if (reply === null) return 'no answer'
    const thrown = reply['type'] === 'HANDLER' && reply['name'] === 'throw' ? (reply['value'] as { value?: { code?: unknown; name?: unknown } }).value : undefined
    if (thrown) return `error ${String(thrown.code ?? thrown.name)}`
    return `${String(reply['type'])} ${String(reply['name'] ?? typeof reply['value'])}`
  }
  const code = 'self.tabrelayPwned = "code ran in the hub"; return self.tabrelayPwned'
  const attacks: Array<[string, Record<string, unknown>, Transferable[]?]> = [
    ['CONSTRUCT constructor.constructor', { type: 'CONSTRUCT', path: ['constructor', 'constructor'], argumentList: [{ type: 'RAW', value: code }] }],
    ['CONSTRUCT hello.constructor', { type: 'CONSTRUCT', path: ['hello', 'constructor'], argumentList: [{ type: 'RAW', value: code }] }],
    ['APPLY constructor.constructor', { type: 'APPLY', path: ['constructor', 'constructor'], argumentList: [{ type: 'RAW', value: code }] }],
    ['SET constructor.prototype.hello', { type: 'SET', path: ['constructor', 'prototype', 'hello'], value: { type: 'RAW', value: 'broken' } }],
    ['SET __proto__.polluted', { type: 'SET', path: ['__proto__', 'polluted'], value: { type: 'RAW', value: true } }],
    ['GET []', { type: 'GET', path: [] }],
    ['GET constructor', { type: 'GET', path: ['constructor'] }],
    ['ENDPOINT', { type: 'ENDPOINT' }],
    ['APPLY hello.call', { type: 'APPLY', path: ['hello', 'call'], argumentList: [{ type: 'RAW', value: null }] }],
  ]
  const bait = new MessageChannel()
  attacks.push(['APPLY hello with a proxy argument', { type: 'APPLY', path: ['hello'], argumentList: [{ type: 'HANDLER', name: 'proxy', value: bait.port1 }] }, [bait.port1]])
  // A constructed Function comes back as a Comlink proxy (a port): calling it runs its code in the hub.
  const call = async (reply: Record<string, unknown> | null): Promise<unknown> => {
    if (reply?.['type'] !== 'HANDLER' || reply['name'] !== 'proxy') return 'refused'
    const proxy = reply['value'] as MessagePort
    proxy.addEventListener('message', (event: MessageEvent<Record<string, unknown>>) => { const id = event.data?.['id']; if (typeof id === 'string') waiting.get(id)?.(event.data) })
    proxy.start()
    return (await ask(proxy, { type: 'APPLY', path: [], argumentList: [] }))?.['value']
  }
  const outcomes: Record<string, Outcome> = {}
  for (const [what, message, transfer] of attacks) {
    const reply = await ask(port, message, transfer)
    outcomes[what] = outcomeOf(reply)
    if (message['type'] === 'CONSTRUCT') await call(reply)
  }
  // The probe: the only door to the hub's globals is the one just tried; through it, read the flag.
  const probe = await call(await ask(port, { type: 'CONSTRUCT', path: ['constructor', 'constructor'], argumentList: [{ type: 'RAW', value: 'return self.tabrelayPwned' }] }))
  return { workerUrl, outcomes, probe }
}

/**
 * Runs in the attacker page: starts an evil SharedWorker (a `blob:` script that counts who
 * connects), then posts forged `tabrelay-hub` notices offering it and other scripts to every hub
 * of the app; returns the evil worker's URL. The attacker page keeps its port in `window.evil`.
 * @example
 * await attacker.evaluate(forgeDeploys, { name: 'tabrelay-v3', workerUrl, protocol: 3 })
 */
export async function forgeDeploys({ name, workerUrl, protocol }: { name: string; workerUrl: string; protocol: number }): Promise<string> {
  // Counts the pages that connect and the hellos that carry a JWT; answers the attacker's 'count?'.
  const script = 'let connects = 0, tokens = 0; onconnect = (e) => { connects += 1; const p = e.ports[0]; '
    + 'p.onmessage = (m) => { if (m.data === "count?") p.postMessage({ connects, tokens }); else if (/"token":"ey/.test(JSON.stringify(m.data))) tokens += 1 } }'
  const evilUrl = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }))
  // With the options a tab passes (Chromium keeps workers of other options apart).
  const evil = new SharedWorker(evilUrl, { name, extendedLifetime: true } as WorkerOptions)
  ;(window as unknown as { evil: MessagePort }).evil = evil.port
  evil.port.start()
  const other = new URL(workerUrl)
  other.hostname = other.hostname === 'localhost' ? '127.0.0.1' : 'localhost'
  const urls = [evilUrl, `data:text/javascript,${encodeURIComponent(script)}`, other.href, new URL('/uploads/worker.js', workerUrl).href]
  const channel = new BroadcastChannel(`tabrelay-hubs:${name.replace(/-v\d+$/, '')}`)
  for (const url of urls) {
    for (const generation of [Date.now(), Date.now() + 1e10]) {
      for (const type of ['classic', 'module']) {
        channel.postMessage({ kind: 'tabrelay-hub', hubId: `evil-${url.length}-${generation}-${type}`, generation, offer: { url, name, type, protocol } })
      }
    }
  }
  channel.close()
  return evilUrl
}

/** What the evil worker saw: pages that connected (the attacker is one), hellos with a JWT. */
export interface EvilCount {
  connects: number
  tokens: number
}

/**
 * Runs in the attacker page: what the evil worker of {@link forgeDeploys} saw.
 * @example
 * expect(await attacker.evaluate(evilConnects)).toEqual({ connects: 1, tokens: 0 })
 */
export function evilConnects(): Promise<EvilCount> {
  const port = (window as unknown as { evil: MessagePort }).evil
  return new Promise((resolve) => {
    port.onmessage = (event: MessageEvent<EvilCount>) => resolve(event.data)
    port.postMessage('count?')
  })
}
