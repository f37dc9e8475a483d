/**
 * The bench page: one build for every contender. `?contender=tabrelay|pertab|leader&topics=3&url=…&apikey=…`
 * (plus `&batch=microtask` for tabrelay's hub flushing per message, `&host=leader-tab` for its tab host,
 * `&probe=1` for the tail probe's stamps, `&replay=1` for private channels resumed through Broadcast Replay, `probe.ts`, `&lane=` for an A/B lane's own topics, `&floor=1` for its floor lane) loads that contender only (a dynamic import, so each tab pays for its own code alone) and exposes
 * `window.bench` for the runner.
 */
import { frameAt, hopsOf, stampFrames, type Hops } from './probe.ts'
import { clockOffset, isTick, laneOf, nowMs, STREAM_EVENT, streamTopic, topicsOf, type Batching, type BenchApi, type Contender, READY_SIGNAL, type ContenderName, type ReadyInfo, type StartOptions } from './contract.ts'

// The first line that runs: "time to SUBSCRIBED" counts from here, contender code loading included.
const scriptStartMs = performance.now()
const MAX_TOPICS = 20

const params = new URLSearchParams(location.search)
const name = parseContender(params.get('contender'))
const topicCount = Math.min(MAX_TOPICS, Math.max(1, Number(params.get('topics') ?? '3') || 3))
const batching: Batching = params.get('batch') === 'microtask' ? 'microtask' : 'task'
const host = params.get('host') === 'leader-tab' ? 'leader-tab' : undefined
const isProbed = params.get('probe') === '1'
// The A/B bench's floor lane: a bare SharedWorker posting pre-serialised strings (floor.ts).
const isFloor = params.get('floor') === '1'
// `?lane=` names an A/B lane (`tabrelay@677b2e4`, ab.ts): the same contender on its own topics.
const named = params.get('lane')
const lane = named !== null && /^[\w@.-]{1,40}$/.test(named) ? named : laneOf(name, batching, host)
const topics = topicsOf(lane, topicCount)
const streamed = streamTopic(lane)
const seqs: number[] = []
const recvAt: number[] = []
const hops: Hops[] = []
let received = 0
let contender: Contender | undefined

function parseContender(value: string | null): ContenderName {
  return value === 'pertab' || value === 'leader' ? value : 'tabrelay'
}

function load(which: ContenderName): Promise<{ start(options: StartOptions): Promise<Contender> }> {
  if (which === 'pertab') return import('./pertab.ts')
  if (which === 'leader') return import('./leader.ts')
  if (isFloor) return import('./floor.ts')
  if (host === 'leader-tab') return import('./tabrelay-tabhost.ts')
  if (isProbed) return import('./tabrelay-probe.ts')
  return batching === 'microtask' ? import('./tabrelay-microtask.ts') : import('./tabrelay.ts')
}

function onEvent(topic: string, payload: unknown): void {
  // Stamp first: the receive time is the point of the whole exercise.
  const at = nowMs()
  if (topic !== streamed || !isTick(payload)) return
  seqs.push(payload.seq)
  recvAt.push(at)
  // A tab's own socket (per-tab) stamps its frame here; the probe hub's stamps ride in the payload.
  if (isProbed) hops.push(name === 'pertab' ? { frame: frameAt() } : hopsOf(payload))
  received++
}

async function boot(): Promise<ReadyInfo> {
  const options: StartOptions = {
    url: params.get('url') ?? 'http://127.0.0.1:54321',
    apikey: params.get('apikey') ?? '',
    topics,
    isExtendedLifetime: params.get('lifetime') !== '0',
    onEvent,
  }
  const token = params.get('token')
  if (token !== null) options.token = token
  if (params.get('replay') === '1') options.isPrivate = true
  if (isProbed && name === 'pertab') stampFrames()
  try {
    const module = await load(name)
    const loadMs = performance.now() - scriptStartMs
    contender = await module.start(options)
    const readyMs = performance.now() - scriptStartMs
    setStatus(`ready ${lane} in ${readyMs.toFixed(1)} ms`)
    return { readyMs, loadMs, error: null, marks: marksSinceStart() }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    setStatus(`failed: ${message}`)
    return { readyMs: Number.NaN, loadMs: Number.NaN, error: message }
  }
}

/** The contender's `bench:` marks (its phases on the way to SUBSCRIBED), ms since the first script line. */
function marksSinceStart(): Record<string, number> {
  const marks: Record<string, number> = {}
  for (const mark of performance.getEntriesByType('mark')) {
    if (mark.name.startsWith('bench:')) marks[mark.name.slice('bench:'.length)] ??= mark.startTime - scriptStartMs
  }
  return marks
}

function setStatus(text: string): void {
  const el = document.querySelector('[data-testid="status"]')
  if (el) el.textContent = text
}

const bench: BenchApi = {
  contender: name,
  // Tells the harness without it injecting anything into the page (browser.ts `readySignal`).
  ready: boot().then((info) => { console.debug(READY_SIGNAL); return info }),
  take() {
    return { seqs: seqs.splice(0), recvAt: recvAt.splice(0), ...(isProbed ? { hops: hops.splice(0) } : {}) }
  },
  count: () => received,
  isLeader: () => contender?.isLeader() ?? false,
  send: async (topic, payload) => (contender ? contender.send(topic, STREAM_EVENT, payload) : 'error'),
  clockOffsetMs: () => clockOffset(),
  hubStats: async () => (await contender?.stats?.()) ?? null,
  close: async () => { await contender?.close() },
}
window.bench = bench
