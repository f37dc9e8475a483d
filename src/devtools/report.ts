/**
 * "Copy report": one JSON snapshot for a bug report — versions, browser, host, the app's options,
 * the hub as this tab's user sees it, the recent journal — with tokens and payloads redacted.
 */
import { PROTOCOL_VERSION, type Json } from '../contract/protocol.ts'
import type { DevtoolsModel } from './model.ts'

/** What replaces a redacted value. */
export const REDACTED = '[redacted]'

// A JWT (three base64url parts, the first one `{"` encoded) anywhere in a string.
const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g
// Keys whose values are secrets or app data: never copied, whatever they hold.
const SECRET_KEYS = /(token|secret|password|apikey|api_?key|authorization|cookie|payload|meta|state)$/i

/**
 * A JSON copy of `value` with secrets and payloads replaced by {@link REDACTED}: values of secret
 * or payload keys, JWTs inside strings, each of `secrets`, and functions.
 * @example
 * redact({ accessToken: () => t, endpoint: 'wss://x/?token=eyJ…' }, []) // { accessToken: '[redacted]', endpoint: 'wss://x/?token=[redacted]' }
 */
export function redact(value: unknown, secrets: readonly string[] = [], depth = 0): Json {
  if (depth > 12) return REDACTED
  if (typeof value === 'string') {
    let text = value.replace(JWT, REDACTED)
    for (const secret of secrets) if (secret.length >= 8) text = text.split(secret).join(REDACTED)
    return text
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'boolean' || value === null) return value
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets, depth + 1))
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {}
    for (const [key, item] of Object.entries(value)) out[key] = SECRET_KEYS.test(key) && item !== undefined ? REDACTED : redact(item, secrets, depth + 1)
    return out
  }
  return value === undefined ? null : REDACTED
}

/**
 * What the report says beyond the hub's view: the app passes its options (redacted here), and any
 * secret it knows (the current token), so it never appears even where no key names it.
 * @example
 * const extra: ReportContext = { options: relayOptions, secrets: [session.access_token] }
 */
export interface ReportContext {
  options?: unknown
  secrets?: readonly string[]
  /** The app's own version, if it wants it in the report. */
  appVersion?: string
}

/**
 * The report as JSON text.
 * @example
 * await navigator.clipboard.writeText(buildReport(model, relay, { options }))
 */
export function buildReport(model: DevtoolsModel, client: { isLeader: boolean }, context: ReportContext = {}): string {
  const nav = (globalThis as { navigator?: { userAgent?: string; language?: string } }).navigator
  const report = {
    kind: 'tabrelay-report',
    createdAt: new Date().toISOString(),
    versions: { protocol: PROTOCOL_VERSION, app: context.appVersion ?? null },
    browser: { userAgent: nav?.userAgent ?? null, language: nav?.language ?? null, sharedWorker: typeof SharedWorker === 'function' },
    tab: { isLeader: client.isLeader, lastPollError: model.error },
    options: context.options ?? null,
    hub: model.snapshot,
    rates: Object.fromEntries([...model.rates].map(([topic, rates]) => [topic, { in: rates.in.slice(-10), out: rates.out.slice(-10) }])),
    journal: model.journal.slice(-200),
  }
  return JSON.stringify(redact(report, context.secrets ?? []), null, 2)
}
