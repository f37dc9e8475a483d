/**
 * Sustained throughput that holds under noise: every rate step runs `trials` times per lane, the
 * lanes interleaved trial by trial (a noisy second hits every lane alike, not whichever one was
 * climbing). A step is sustained when the majority of its trials are. The ceiling is reported as
 * the majority's and as each trial's own, so its spread shows how far the machine moved it.
 */
import type { Lane } from '../app/contract.ts'
import type { ThroughputResult, ThroughputStep } from '../results.ts'
import { spread } from '../stats.ts'

/** Stop stepping up once a lane's median trial delivers under half of a step: past collapse, more says nothing. */
const COLLAPSE_FRACTION = 0.5

/** One trial of one lane at one rate; a throw ends that lane's ladder. */
export type Trial = (lane: Lane, rate: number) => Promise<ThroughputStep>

/** The ladder's plan. */
export interface LadderPlan { lanes: readonly Lane[]; rates: readonly number[]; trials: number }

/** Per lane, its result or why it stopped; plus the CPU yardstick after each interleaved trial round. */
export interface LadderResult {
  lanes: Map<Lane, ThroughputResult | string>
  yardsticks: Array<{ rateMsgS: number; trial: number; ms: number }>
}

/**
 * Climbs every lane up the rates together; a lane leaves at its first majority miss.
 * @example
 * const result = await ladder({ lanes: ['tabrelay', 'pertab'], rates: [500, 1000], trials: 3 }, trial, yardstick)
 */
export async function ladder(plan: LadderPlan, trial: Trial, yardstick: () => number): Promise<LadderResult> {
  const trials = new Map<Lane, ThroughputStep[][]>(plan.lanes.map((lane) => [lane, []]))
  const failed = new Map<Lane, string>()
  const climbing = new Set(plan.lanes)
  const yardsticks: LadderResult['yardsticks'] = []
  for (const rate of plan.rates) {
    if (climbing.size === 0) break
    const atRate = new Map<Lane, ThroughputStep[]>([...climbing].map((lane) => [lane, []]))
    for (let t = 0; t < plan.trials; t++) {
      for (const lane of climbing) {
        try {
          atRate.get(lane)?.push(await trial(lane, rate))
        } catch (error) {
          failed.set(lane, `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (${rate} msg/s)`)
          climbing.delete(lane)
        }
      }
      yardsticks.push({ rateMsgS: rate, trial: t + 1, ms: yardstick() })
    }
    for (const [lane, steps] of atRate) {
      if (!climbing.has(lane)) continue
      trials.get(lane)?.push(steps)
      if (!keepsClimbing(trials.get(lane) ?? [])) climbing.delete(lane)
    }
  }
  const lanes = new Map<Lane, ThroughputResult | string>()
  for (const lane of plan.lanes) {
    const error = failed.get(lane)
    const result = summarise(trials.get(lane) ?? [], plan.trials)
    lanes.set(lane, error !== undefined && result.steps.length === 0 ? error : result)
  }
  return { lanes, yardsticks }
}

function keepsClimbing(byRate: ThroughputStep[][]): boolean {
  const steps = byRate.map(majorityStep)
  const last = steps[steps.length - 1]
  if (last !== undefined && last.minDelivered < COLLAPSE_FRACTION * last.sent) return false
  // The ceiling is the unbroken run from the bottom, so the first majority miss ends it; the missed
  // step shows what the lane does past its ceiling, and more steps would only cost time (3 trials each).
  return last === undefined || last.isSustained
}

/**
 * One rate's trials as one step: the median trial's figures, sustained when most trials were.
 * @example
 * majorityStep([a, b, c]).isSustained // true when two of three were
 */
export function majorityStep(steps: readonly ThroughputStep[]): ThroughputStep {
  const sorted = [...steps].sort((a, b) => a.minDelivered - b.minDelivered || b.endLagMs - a.endLagMs)
  const median = sorted[Math.floor((sorted.length - 1) / 2)]
  if (median === undefined) throw new Error('a step without trials')
  const sustained = steps.filter((s) => s.isSustained).length
  return { ...median, isSustained: 2 * sustained > steps.length, trials: steps.length, sustainedTrials: sustained }
}

/** The last rate of the unbroken run of sustained steps from the bottom: a lucky step above a miss is noise. */
function ceiling(steps: readonly ThroughputStep[]): number {
  const firstMiss = steps.findIndex((s) => !s.isSustained)
  const held = firstMiss < 0 ? steps : steps.slice(0, firstMiss)
  return held[held.length - 1]?.rateMsgS ?? 0
}

/**
 * A lane's trials as its result: majority steps and ceiling, plus each trial's own ceiling.
 * @example
 * summarise([[a1, a2, a3], [b1, b2, b3]], 3).maxSustainedMsgS
 */
export function summarise(byRate: readonly ThroughputStep[][], trials: number): ThroughputResult {
  const steps = byRate.map(majorityStep)
  const perTrial = Array.from({ length: trials }, (_, t) => ceiling(byRate.flatMap((s) => s[t] ?? [])))
  return {
    steps, maxSustainedMsgS: ceiling(steps), trialCeilings: perTrial, ceilingMsgS: spread(perTrial),
  }
}
