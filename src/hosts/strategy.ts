/**
 * Which host a tab reaches its hub through: the SharedWorker, a tab host elected among the tabs
 * (where SharedWorker is missing or does not start), or a dedicated Worker of its own. 'auto'
 * tries the SharedWorker and falls back to the tab host for good when it fails to start.
 */
import { type Clock, withTimeout } from '../contract/clock.ts'
import { RelayError } from '../contract/errors.ts'
import { canSeal } from '../contract/seal.ts'
import { lazyLink } from './lazy.ts'
import type { HostEnv } from './tab-host.ts'
import { createWorker, linkTo, openHub, terminate, type HubLink, type HubWorker, type WorkerKind } from './worker.ts'

/**
 * The host strategies; 'auto' is the default.
 * @example
 * createRelay({ transport, endpoint, worker, host: 'leader-tab' })
 */
export type HostStrategy = 'auto' | 'shared-worker' | 'leader-tab' | 'dedicated'

/** Where a tab's links to the hub come from, across recoveries. */
export interface HubHost {
  /** The strategy in use now ('auto' resolves to one of the others). */
  readonly kind: Exclude<HostStrategy, 'auto'>
  /** A link to the hub; `reason` is why the previous one was given up. */
  open(reason?: unknown): HubLink
  close(): void
}

/** What a host strategy needs from the client options. */
export interface HostSettings {
  worker: (kind: WorkerKind) => HubWorker
  host?: HostStrategy | undefined
  hostEnv?: HostEnv | undefined
  /** How long a SharedWorker may take to answer its first call before 'auto' gives up on it. */
  startTimeoutMs: number
  clock: Clock
}

/**
 * The host for these settings.
 * @example
 * const host = openHost({ worker, host: 'auto', startTimeoutMs: 10_000, clock: systemClock }); host.open()
 */
export function openHost(settings: HostSettings): HubHost {
  const strategy = settings.host ?? 'auto'
  if (strategy === 'shared-worker') return fixed('shared-worker', () => openHub(() => settings.worker('shared')))
  if (strategy === 'dedicated') return fixed('dedicated', () => openHub(() => settings.worker('dedicated')))
  if (strategy === 'leader-tab') return tabHost(settings)
  return new AutoHost(settings)
}

function fixed(kind: 'shared-worker' | 'dedicated', open: () => HubLink): HubHost {
  return { kind, open, close: () => undefined }
}

function tabHost(settings: HostSettings): HubHost {
  // Where SharedWorker runs (nearly everywhere), the tab host's code is never loaded: a chunk of
  // its own, fetched on the first open() (issue 29: the tab core's size).
  const host = import('./tab-host.ts').then(({ TabHost }) => new TabHost(() => settings.worker('dedicated'), settings.hostEnv, settings.startTimeoutMs))
  host.catch(() => undefined)
  return {
    kind: 'leader-tab',
    open: (reason) => lazyLink(host.then((h) => h.open(reason))),
    close: () => { void host.then((h) => h.close(), () => undefined) },
  }
}

/** Whether Web Locks, BroadcastChannel and WebCrypto (to seal the channel) exist, so tabs can elect a host. */
function canElect(env: HostEnv | undefined): boolean {
  const hasLocks = env?.locks !== undefined || globalThis.navigator?.locks !== undefined
  const hasChannel = env?.channel !== undefined || typeof BroadcastChannel === 'function'
  return hasLocks && hasChannel && canSeal()
}

/**
 * SharedWorker while it starts; else, for the rest of this client's life, the tab host (or a
 * dedicated Worker per tab where tabs cannot elect one). A SharedWorker "starts" when
 * `worker('shared')` neither throws nor returns a dedicated Worker, no `error` event fires and a
 * word comes from its hub in time, hello's answer or any other (a script that fails to load is
 * `worker-failed`, see `#watchStart`).
 */
class AutoHost implements HubHost {
  readonly #settings: HostSettings
  #fallback: HubHost | null = null
  #isProven = false

  constructor(settings: HostSettings) {
    this.#settings = settings
  }

  get kind(): Exclude<HostStrategy, 'auto'> {
    return this.#fallback?.kind ?? 'shared-worker'
  }

  open(reason?: unknown): HubLink {
    if (this.#fallback) return this.#fallback.open(reason)
    let created: HubWorker
    try {
      created = createWorker(() => this.#settings.worker('shared'))
    } catch {
      // E.g. a ReferenceError where SharedWorker is missing, or a CSP that refuses it.
      return this.#fallBack().open(reason)
    }
    // A bare endpoint the app made itself (a MessagePort in tests, a polyfill) is the hub's: use it.
    if (!('port' in created) && !('terminate' in created)) return linkTo(created)
    if (!('port' in created)) {
      // The app's factory answered with a dedicated Worker: it knows SharedWorker cannot run here.
      const fallback = this.#fallBack()
      if (fallback.kind === 'dedicated') return linkTo(created)
      terminate(created)
      return fallback.open(reason)
    }
    const link = linkTo(created)
    // Only a real SharedWorker may fail to start; a port the app made itself (tests, a polyfill) is used as is.
    const isShared = typeof SharedWorker === 'function' && created instanceof SharedWorker
    return this.#isProven || !isShared ? link : this.#watchStart(link)
  }

  close(): void {
    this.#fallback?.close()
  }

  /**
   * The link, with `lost` settling (and switching to the fallback) when the SharedWorker stays
   * silent: no answer to hello (a refusal is an answer too) nor any other message in time. Hello is
   * the probe: a first call of its own cost every new tab a message each way and a task before its
   * welcome (issue 29). Its `error` event is not a reason to fall back:
   * it means the script failed to load (404, served as HTML, wrong MIME type), which a tab host's
   * Worker of the same URL would repeat, so `link.failed` reports it as `worker-failed`. Listening
   * here too made two listeners race on one event: half the time the tab fell back and then
   * reported the tab host's `unsupported`, pointing away from the cause.
   */
  #watchStart(link: HubLink): HubLink {
    const { startTimeoutMs, clock } = this.#settings
    const answered = new Promise((resolve) => link.endpoint.addEventListener('message', resolve, { once: true }))
    const lost = new Promise<RelayError>((resolve) => {
      withTimeout(answered, startTimeoutMs, 'SharedWorker start', clock).then(
        () => { this.#isProven = true },
        () => {
          if (this.#isProven) return
          this.#fallBack()
          resolve(new RelayError('transport', `the SharedWorker did not start (no answer in ${startTimeoutMs} ms); using a tab host instead`))
        },
      )
    })
    return { ...link, lost }
  }

  #fallBack(): HubHost {
    this.#fallback ??= canElect(this.#settings.hostEnv) ? tabHost(this.#settings) : fixed('dedicated', () => openHub(() => this.#settings.worker('dedicated')))
    return this.#fallback
  }
}
