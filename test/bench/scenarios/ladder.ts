/**
 * Sustained throughput that holds under noise. Every lane starts at one rate and doubles while it
 * holds (halves while it misses, when it misses the start), so a first miss brackets its ceiling
 * within a factor of 2; then `refinements` geometric bisections narrow the bracket (√2, then
 * 2^¼). Each step runs up to `trials` times, lanes interleaved trial by trial (a noisy second hits
 * every lane alike, not whichever one was climbing); a step holds when the majority of its trials
 * do, and stops as soon as its majority is decided (2 of 3 agreeing: a third trial could not
 * change it). The result is the bracket `[held, missed)`: the ceiling is at least `held`, below
 * `missed`, both by majority. A trial round after which the CPU yardstick ran slower than
 * `noisyMs` (another job took the cores) is run again, at most `reruns` times per step; so is a
 * lane's trial whose sender fell short of the rate (`isSenderShort`): it did not test the lane at
 * that rate. A step that most of its trials did not get from the sender is `isSenderLimited`:
 * neither held nor missed (the lane was not offered the rate), it bounds the rates the ladder can
 * test, so the lane bisects below it and reports it apart from its misses.
 */
import type { Lane } from '../app/contract.ts'
import type { ThroughputResult, ThroughputStep } from '../results.ts'

/** One trial of one lane at one rate; a throw ends that lane's ladder. */
export type Trial<L extends string = Lane> = (lane: L, rate: number) => Promise<ThroughputStep>

/**
 * The ladder's plan: rates in msg/s. `refine` names the lanes that bisect their bracket (default:
 * every lane); the others stop at their first doubling miss.
 * @example
 * const plan: LadderPlan = { lanes: ['tabrelay', 'pertab'], startMsgS: 500, topMsgS: 32_000, floorMsgS: 125, trials: 3, refinements: 2 }
 */
export interface LadderPlan<L extends string = Lane> {
  lanes: readonly L[]
  startMsgS: number
  topMsgS: number
  floorMsgS: number
  trials: number
  refinements: number
  refine?: readonly L[]
  /** A yardstick above this (ms) marks the trial round before it as noisy; default: never. */
  noisyMs?: number
  /** Noisy trial rounds, and a lane's trials whose sender fell short, run again at most this often per step (default 2). */
  reruns?: number
}

/** Per lane, its result or why it stopped; plus the CPU yardstick after each interleaved trial round. */
export interface LadderResult<L extends string = Lane> {
  lanes: Map<L, ThroughputResult | string>
  /** `step`: the how-manyth step round (each lane at its own rate), `trial` within it; `isRerun` when that trial round was noisy and ran again. */
  yardsticks: Array<{ step: number; trial: number; ms: number; isRerun?: boolean }>
}

/**
 * Where a lane's ceiling is known to lie: at least `held` (0: nothing held), below `missed` (null:
 * nothing missed), how many bisections it may still take, and the lowest rate the sender could not
 * offer (`senderLimited`, null or absent: none), above which nothing can be tested.
 * @example
 * const start: Bracket = { held: 0, missed: null, refinementsLeft: 2, senderLimited: null }
 */
export interface Bracket { held: number; missed: number | null; refinementsLeft: number; senderLimited?: number | null }

/** A trial whose sender sent less than this share of the rate did not offer the rate. */
const SENDER_SHORT_SHARE = 0.9

/**
 * Whether a sender that reached `achievedMsgS` fell short of `rate`.
 * @example
 * isShort(13_214, 16_000) // true: 83 % of the rate
 */
export function isShort(achievedMsgS: number, rate: number): boolean {
  return achievedMsgS < SENDER_SHORT_SHARE * rate
}

/**
 * Whether a sender that fell short was held back by its own work (it ran more than it waited for
 * a core): then the lane was not offered the rate. A sender that mostly waited for a core was kept
 * off the 2 cores by the browser, i.e. by the lane's own CPU use, and the lane did not sustain the
 * rate in this setup: a miss, not a sender limit. Without the sender's figures, its own.
 * @example
 * isSenderBound({ threadMs: 700, waitMs: 120 }) // true
 * isSenderBound({ threadMs: 124, waitMs: 817 }) // false: starved
 */
export function isSenderBound(sender: { threadMs: number; waitMs: number } | undefined): boolean {
  return sender === undefined || sender.waitMs <= sender.threadMs
}

/**
 * The rate a lane tries next after its bracket moved, or null when it is done: doubling until a
 * miss or a sender-limited step (up to `top`), halving until a hold (down to `floor`), then
 * bisecting geometrically below the lower of the two.
 * @example
 * nextRate({ held: 8000, missed: 16000, refinementsLeft: 2 }, 16000, plan) // 11310
 */
export function nextRate(bracket: Bracket, last: number, plan: Pick<LadderPlan, 'topMsgS' | 'floorMsgS'>): number | null {
  const upper = Math.min(bracket.missed ?? Number.POSITIVE_INFINITY, bracket.senderLimited ?? Number.POSITIVE_INFINITY)
  if (!Number.isFinite(upper)) return 2 * last <= plan.topMsgS ? 2 * last : null
  if (bracket.held === 0) return last / 2 >= plan.floorMsgS ? Math.round(last / 2) : null
  if (bracket.refinementsLeft <= 0) return null
  // Rounded to 10 msg/s: a rate the table can print, still strictly inside the bracket.
  const mid = Math.round(Math.sqrt(bracket.held * upper) / 10) * 10
  return mid > bracket.held && mid < upper ? mid : null
}

/**
 * One step's trials as one step: the median trial's figures, held when most of the `trials`
 * planned were (so 2 of 3 decide it without the third); not held and most of the trials run short
 * of the rate at the sender: `isSenderLimited`, which is no miss.
 * @example
 * majorityStep([a, b], 3).isSustained // true when both held
 */
export function majorityStep(steps: readonly ThroughputStep[], trials = steps.length): ThroughputStep {
  const sorted = [...steps].sort((a, b) => a.minDelivered - b.minDelivered || b.endLagMs - a.endLagMs)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]
  if (median === undefined) throw new Error('a step without trials')
  const sustained = steps.filter((s) => s.isSustained).length
  const short = steps.filter((s) => s.isSenderShort === true).length
  const isSustained = 2 * sustained > trials
  const isSenderLimited = !isSustained && 2 * short > steps.length
  return { ...median, isSustained, trials: steps.length, sustainedTrials: sustained, ...(isSenderLimited ? { isSenderLimited } : {}) }
}

/** Whether a step's majority is already decided: more than half of the planned trials agree. */
function isDecided(steps: readonly ThroughputStep[], trials: number): boolean {
  const sustained = steps.filter((s) => s.isSustained).length
  return 2 * sustained > trials || 2 * (steps.length - sustained) > trials
}

interface Climber { rate: number; bracket: Bracket; steps: ThroughputStep[]; error?: string }

/**
 * Runs every lane's ladder, step rounds in lockstep (each lane at its own rate), trials interleaved.
 * @example
 * const result = await ladder({ lanes: ['tabrelay', 'pertab'], startMsgS: 500, topMsgS: 32000, floorMsgS: 125, trials: 3, refinements: 2 }, trial, yardstick)
 */
export async function ladder<L extends string = Lane>(plan: LadderPlan<L>, trial: Trial<L>, yardstick: () => number): Promise<LadderResult<L>> {
  const climbers = new Map<L, Climber>(plan.lanes.map((lane) => [lane, {
    rate: plan.startMsgS, steps: [], bracket: { held: 0, missed: null, senderLimited: null, refinementsLeft: (plan.refine ?? plan.lanes).includes(lane) ? plan.refinements : 0 },
  }]))
  const yardsticks: LadderResult<L>['yardsticks'] = []
  const active = new Set(plan.lanes)
  for (let step = 1; active.size > 0; step++) {
    const atRate = new Map<L, ThroughputStep[]>([...active].map((lane) => [lane, []]))
    let reruns = plan.reruns ?? 2
    const senderReruns = new Map<L, number>()
    for (let t = 0; t < plan.trials;) {
      const due = [...active].filter((lane) => !isDecided(atRate.get(lane) ?? [], plan.trials))
      if (due.length === 0) break
      const got = new Map<L, ThroughputStep>()
      for (const lane of due) {
        const climber = climbers.get(lane)
        if (climber === undefined) continue
        try {
          let result = await trial(lane, climber.rate)
          while (result.isSenderShort === true && (senderReruns.get(lane) ?? 0) < (plan.reruns ?? 2)) {
            senderReruns.set(lane, (senderReruns.get(lane) ?? 0) + 1)
            result = await trial(lane, climber.rate)
          }
          got.set(lane, result)
        } catch (error) {
          climber.error = `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (${climber.rate} msg/s)`
          active.delete(lane)
        }
      }
      const ms = yardstick()
      const isNoisy = ms > (plan.noisyMs ?? Number.POSITIVE_INFINITY) && reruns > 0
      yardsticks.push({ step, trial: t + 1, ms, ...(isNoisy ? { isRerun: true } : {}) })
      if (isNoisy) {
        // The machine was busy with something else: this round says more about that than the lanes.
        reruns -= 1
        continue
      }
      for (const [lane, result] of got) atRate.get(lane)?.push(result)
      t++
    }
    for (const lane of active) {
      const climber = climbers.get(lane)
      const trials = atRate.get(lane)
      if (climber === undefined || trials === undefined) continue
      const rerun = senderReruns.get(lane) ?? 0
      const merged = majorityStep(trials, plan.trials)
      climber.steps.push(rerun > 0 ? { ...merged, senderReruns: rerun } : merged)
      const { bracket } = climber
      const wasRefining = bracket.held > 0 && (bracket.missed !== null || bracket.senderLimited != null)
      if (merged.isSustained) bracket.held = Math.max(bracket.held, climber.rate)
      else if (merged.isSenderLimited === true) bracket.senderLimited = Math.min(bracket.senderLimited ?? Number.POSITIVE_INFINITY, climber.rate)
      else bracket.missed = Math.min(bracket.missed ?? Number.POSITIVE_INFINITY, climber.rate)
      if (wasRefining) bracket.refinementsLeft -= 1
      const next = nextRate(bracket, climber.rate, plan)
      if (next === null) active.delete(lane)
      else climber.rate = next
    }
  }
  const lanes = new Map<L, ThroughputResult | string>()
  for (const [lane, climber] of climbers) {
    lanes.set(lane, climber.error !== undefined && climber.steps.length === 0 ? climber.error : summarise(climber))
  }
  return { lanes, yardsticks }
}

function summarise(climber: Climber): ThroughputResult {
  return {
    steps: [...climber.steps].sort((a, b) => a.rateMsgS - b.rateMsgS),
    maxSustainedMsgS: climber.bracket.held,
    missedMsgS: climber.bracket.missed,
    senderLimitedMsgS: climber.bracket.senderLimited ?? null,
  }
}

/**
 * The throughput ladder every bench run climbs (`npm run bench`, the A/B run, pair.ts): from 500
 * msg/s up to 32 000, 800 ms a step, up to 3 trials, 2 bisections, a trial round run again when the
 * CPU yardstick ran 1.25× its quiet time.
 * @example
 * const { startMsgS, topMsgS, floorMsgS, trials, refinements } = THROUGHPUT_PLAN
 */
export const THROUGHPUT_PLAN = { startMsgS: 500, topMsgS: 32_000, floorMsgS: 125, stepMs: 800, trials: 3, refinements: 2, noisyFactor: 1.25 }
