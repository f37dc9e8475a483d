/**
 * A tab's idle hub Worker: loaded and described (which app, which host id) but with no socket until
 * a host order and a hello. Every tab that is not host keeps one, so a handover skips the worker's
 * start (script fetch, parse, module graph), the largest part of the gap after the lock grant; the
 * tab's first one also tells it which app it belongs to.
 */
import { describeWorker, type DescribedWorker } from './hosting.ts'
import { terminate, type HubWorker } from './worker.ts'

/**
 * The one spare of a tab.
 * @example
 * const spare = new Spare(() => new Worker(url, { type: 'module' }), 10_000); const { app } = await spare.start()
 */
export class Spare {
  readonly #factory: () => HubWorker
  readonly #timeoutMs: number
  #spare: Promise<DescribedWorker> | null = null
  #isClosed = false

  constructor(factory: () => HubWorker, timeoutMs: number) {
    this.#factory = factory
    this.#timeoutMs = timeoutMs
  }

  /** Starts a spare now; a failed one is forgotten (the next attempt starts another). */
  start(): Promise<DescribedWorker> {
    const spare = describeWorker(this.#factory, this.#timeoutMs)
    this.#spare = spare
    spare.catch(() => { if (this.#spare === spare) this.#spare = null })
    return spare
  }

  /** Starts one in a later task (never delaying the tab's own first hello), unless one is there or `isWanted()` turned false. */
  prepare(isWanted: () => boolean): void {
    if (this.#spare || this.#isClosed) return
    setTimeout(() => { if (!this.#spare && !this.#isClosed && isWanted()) this.start() }, 0)
  }

  /** The spare for a new tenure (a new worker when there is none); the tab keeps no spare meanwhile. */
  take(): Promise<DescribedWorker> {
    const spare = this.#spare
    this.#spare = null
    return spare ?? describeWorker(this.#factory, this.#timeoutMs)
  }

  close(): void {
    this.#isClosed = true
    this.#spare?.then(({ worker }) => terminate(worker), () => undefined)
    this.#spare = null
  }
}
