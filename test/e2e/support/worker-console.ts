/**
 * A tap on every SharedWorker's console, for debugging (Chromium only). Playwright's console
 * events do not cover SharedWorkers, so this attaches through a browser CDP session
 * (FIELD_NOTES.md, "Seeing the worker from tests").
 */
import type { Browser, CDPSession } from '@playwright/test'

/** The worker console lines collected so far, and how to stop collecting. */
export interface WorkerConsole {
  lines(): string[]
  stop(): Promise<void>
}

interface TargetMessage {
  method?: unknown
  params?: unknown
}

interface RemoteValue {
  type?: unknown
  value?: unknown
  description?: unknown
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null
}

function showValue(arg: unknown): string {
  if (!isObject(arg)) return String(arg)
  const remote: RemoteValue = arg
  if (remote.value !== undefined) return typeof remote.value === 'string' ? remote.value : JSON.stringify(remote.value)
  return typeof remote.description === 'string' ? remote.description : String(remote.type)
}

/** Renders one CDP event of an attached worker as a console line, or `null` for other events. */
function lineOf(message: TargetMessage): string | null {
  const params = isObject(message.params) ? message.params : {}
  switch (message.method) {
    case 'Runtime.consoleAPICalled': {
      const args = Array.isArray(params['args']) ? params['args'] : []
      return `${String(params['type'])}: ${args.map(showValue).join(' ')}`
    }
    case 'Runtime.exceptionThrown': {
      const details = isObject(params['exceptionDetails']) ? params['exceptionDetails'] : {}
      const exception = isObject(details['exception']) ? details['exception'] : {}
      return `uncaught: ${String(exception['description'] ?? details['text'])}`
    }
    case 'Log.entryAdded': {
      const entry = isObject(params['entry']) ? params['entry'] : {}
      return `${String(entry['level'])} (${String(entry['source'])}): ${String(entry['text'])}`
    }
    default:
      return null
  }
}

/**
 * Attaches to every SharedWorker of `browser` (present and future) and collects its console,
 * uncaught exceptions and log entries; `null` where the browser has no CDP (Firefox).
 * @example
 * const tap = await tapWorkerConsole(browser)
 * // … on failure:
 * console.log(tap?.lines().join('\n'))
 */
export async function tapWorkerConsole(browser: Browser): Promise<WorkerConsole | null> {
  if (browser.browserType().name() !== 'chromium') return null
  const cdp: CDPSession = await browser.newBrowserCDPSession()
  const started = Date.now()
  const lines: string[] = []
  const names = new Map<string, string>()
  const attached = new Set<string>()
  let nextId = 0
  const push = (who: string, text: string): void => {
    lines.push(`+${String(Date.now() - started).padStart(6)} ms [${who}] ${text}`)
  }
  const send = async (sessionId: string, method: string): Promise<void> => {
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: ++nextId, method }) })
  }

  cdp.on('Target.targetCreated', ({ targetInfo }) => {
    if (targetInfo.type !== 'shared_worker' || attached.has(targetInfo.targetId)) return
    attached.add(targetInfo.targetId)
    const who = `worker ${new URL(targetInfo.url).pathname.split('/').pop() ?? ''} ${targetInfo.targetId.slice(0, 6)}`
    push(who, `started ${targetInfo.url}`)
    cdp.send('Target.attachToTarget', { targetId: targetInfo.targetId, flatten: false })
      .then(async ({ sessionId }) => {
        names.set(sessionId, who)
        await send(sessionId, 'Runtime.enable')
        await send(sessionId, 'Log.enable')
      })
      .catch((error: unknown) => push(who, `could not attach: ${String(error)}`))
  })
  cdp.on('Target.targetDestroyed', ({ targetId }) => {
    if (attached.has(targetId)) push(`worker ${targetId.slice(0, 6)}`, 'gone')
  })
  cdp.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    // A worker restarted under an attached session waits for a debugger; let it run, or every
    // test that restarts the worker would hang.
    if (message.includes('"Inspector.targetReloadedAfterCrash"')) void send(sessionId, 'Runtime.runIfWaitingForDebugger').catch(() => undefined)
    const parsed: unknown = JSON.parse(message)
    const line = isObject(parsed) ? lineOf(parsed) : null
    if (line !== null) push(names.get(sessionId) ?? 'worker', line)
  })
  await cdp.send('Target.setDiscoverTargets', { discover: true })
  return {
    lines: () => [...lines],
    stop: () => cdp.detach().catch(() => undefined),
  }
}
