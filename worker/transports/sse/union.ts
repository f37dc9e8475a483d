/**
 * The topic list of a multiplexed stream. nchan's compound ids are positional (one tag per channel,
 * in URL order), so a resume id only fits a list that starts with the list it came from: topics are
 * appended, never reordered, and a topic nobody listens to any more stays in the URL (its events
 * are dropped) until too many such idle topics pile up. Then the list is rebuilt without them and
 * the stream starts without an id: the hub's `resync` tells the app what it may have missed.
 */

/**
 * A multiplexed stream's list and the last id seen on it, as kept in the connection's memory.
 * @example
 * const state: UnionState = { topics: ['room:1', 'room:2'], lastId: '1796119016:[0],-' }
 */
export interface UnionState {
  topics: string[]
  lastId: string | null
}

/**
 * The next stream of a multiplexed connection.
 * @example
 * const plan: UnionPlan = { topics: ['a', 'b'], lastId: 'x-3', isResumed: true }
 */
export interface UnionPlan {
  topics: string[]
  lastId: string | null
  /** Whether the new stream continues exactly where the last one stopped (no event lost). */
  isResumed: boolean
}

/**
 * Plans the stream for the `live` topics after `current`: append what is new, keep the order.
 * @example
 * planUnion({ topics: ['a', 'b'], lastId: 'x-3' }, new Set(['a', 'c']), 8)
 * // { topics: ['a', 'b', 'c'], lastId: 'x-3', isResumed: true }
 */
export function planUnion(current: UnionState, live: ReadonlySet<string>, maxIdleTopics: number): UnionPlan {
  const added = [...live].filter((topic) => !current.topics.includes(topic))
  const topics = [...current.topics, ...added]
  const idle = topics.filter((topic) => !live.has(topic)).length
  if (idle > maxIdleTopics) return { topics: topics.filter((topic) => live.has(topic)), lastId: null, isResumed: false }
  return { topics, lastId: current.lastId, isResumed: current.lastId !== null }
}

/**
 * Reads a union state back from the connection's memory; anything else is a fresh start.
 * @example
 * unionFrom(memory.get('sse:multiplexed')) // { topics: [], lastId: null }
 */
export function unionFrom(value: unknown): UnionState {
  if (typeof value !== 'object' || value === null || !('topics' in value) || !('lastId' in value)) return { topics: [], lastId: null }
  const { topics, lastId } = value
  const isList = Array.isArray(topics) && topics.every((t) => typeof t === 'string')
  return isList ? { topics: [...(topics as string[])], lastId: typeof lastId === 'string' ? lastId : null } : { topics: [], lastId: null }
}
