/**
 * `<tabrelay-devtools>`: the panel as a custom element in its own shadow root, polling the hub
 * while it is open and in the page.
 */
import { DevtoolsModel, type Inspectable } from './model.ts'
import { buildReport, type ReportContext } from './report.ts'
import { renderPanel } from './view.ts'
import { PANEL_CSS } from './style.ts'

/** The element's tag name. */
export const DEVTOOLS_TAG = 'tabrelay-devtools'

/** How often an open panel asks the hub, in ms. */
export const POLL_MS = 500

// A module that only defines a class must load where there is no DOM (server rendering).
const Base = (typeof HTMLElement === 'function' ? HTMLElement : class {}) as typeof HTMLElement

/**
 * The panel element; give it a client (`element.client = relay`) and put it in the page.
 * @example
 * const panel = document.createElement('tabrelay-devtools') as TabrelayDevtoolsElement
 * panel.client = relay; document.body.append(panel)
 */
export class TabrelayDevtoolsElement extends Base {
  /** What "Copy report" adds: the app's options (redacted) and secrets to scrub. */
  context: ReportContext = {}
  #client: Inspectable | null = null
  #model: DevtoolsModel | null = null
  #timer: ReturnType<typeof setInterval> | null = null
  #isPolling = false
  #body: HTMLElement | null = null

  get client(): Inspectable | null {
    return this.#client
  }

  set client(client: Inspectable | null) {
    this.#client = client
    this.#model = client ? new DevtoolsModel(client) : null
    this.#restart()
  }

  /** Whether the panel is expanded (and polling). */
  get isOpen(): boolean {
    return !this.hasAttribute('collapsed')
  }

  connectedCallback(): void {
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' })
    const style = document.createElement('style')
    style.textContent = PANEL_CSS
    const toggle = button('devtools-toggle', () => { this.toggleAttribute('collapsed'); this.#restart() })
    const copy = button('devtools-copy', () => void this.copyReport())
    copy.textContent = 'Copy report'
    const report = document.createElement('textarea')
    report.setAttribute('data-testid', 'devtools-report')
    report.readOnly = true
    report.hidden = true
    this.#body = document.createElement('div')
    this.#body.className = 'body'
    const header = document.createElement('header')
    header.append('tabrelay devtools ', toggle, copy)
    root.replaceChildren(style, header, report, this.#body)
    this.#restart()
  }

  disconnectedCallback(): void {
    this.#stop()
  }

  /** The report as JSON text, also copied to the clipboard where the page may. */
  async copyReport(): Promise<string> {
    const model = this.#model
    const client = this.#client
    if (!model || !client) return ''
    await model.poll()
    const text = buildReport(model, client, this.context)
    const area = this.shadowRoot?.querySelector('textarea')
    if (area) { area.value = text; area.hidden = false }
    await navigator.clipboard?.writeText(text).catch(() => undefined)
    this.setAttribute('data-copied', String(Date.now()))
    return text
  }

  #restart(): void {
    this.#stop()
    const toggle = this.shadowRoot?.querySelector('[data-testid="devtools-toggle"]')
    if (toggle) toggle.textContent = this.isOpen ? 'Hide' : 'Show'
    if (this.#body) this.#body.hidden = !this.isOpen
    if (!this.isConnected || !this.isOpen || !this.#model) return
    void this.#tick()
    this.#timer = setInterval(() => void this.#tick(), POLL_MS)
  }

  #stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
  }

  // One poll at a time: a hub slower than the interval is asked again only once it answered.
  async #tick(): Promise<void> {
    const model = this.#model
    if (this.#isPolling || !model) return
    this.#isPolling = true
    try {
      await model.poll()
      if (model === this.#model && this.#body) this.#body.replaceChildren(renderPanel(model))
    } finally {
      this.#isPolling = false
    }
  }
}

function button(testid: string, onClick: () => void): HTMLButtonElement {
  const el = document.createElement('button')
  el.type = 'button'
  el.setAttribute('data-testid', testid)
  el.addEventListener('click', onClick)
  return el
}
