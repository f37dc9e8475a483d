/**
 * Which of a topic's subscriptions an event is for, as pure functions over plain data. The hub
 * routes here so a tab receives only what one of its channels listens to.
 */
import type { Binding, Subscription } from '../../src/contract/protocol.ts'
import { bindingKey, eventMatches, systemMatches } from '../../src/contract/bindings.ts'

/** A subscription with the tab it lives in. */
export interface TopicSub {
  tabId: string
  sub: Subscription
  /** Its tab switched user onto this topic while it was joining: a `resync` is due at `SUBSCRIBED`. */
  owesResync?: boolean
}

/**
 * Groups matching subscriptions by tab: one delivery per tab, listing its subscription ids.
 * @example
 * byTab(subs.filter(wantsBroadcast('msg'))) // Map { 'tab-1' => ['s1', 's3'] }
 */
export function byTab(subs: Iterable<TopicSub>): Map<string, string[]> {
  const tabs = new Map<string, string[]>()
  for (const { tabId, sub } of subs) {
    const ids = tabs.get(tabId)
    if (ids) ids.push(sub.subId)
    else tabs.set(tabId, [sub.subId])
  }
  return tabs
}

function some(sub: Subscription, test: (binding: Binding) => boolean): boolean {
  return sub.bindings.some(test)
}

/**
 * Broadcast listeners match the event case-insensitively, `*` matches all (as realtime-js).
 * @example
 * wantsBroadcast('Message')({ tabId, sub }) // true for .on('broadcast', { event: 'message' })
 */
export function wantsBroadcast(event: string): (entry: TopicSub) => boolean {
  return ({ sub }) => some(sub, (b) => b.type === 'broadcast' && eventMatches(b.event, event))
}

/**
 * Presence goes to channels with a presence listener or `presence.enabled`, so their state stays current.
 * @example
 * subs.filter(wantsPresence)
 */
export function wantsPresence({ sub }: TopicSub): boolean {
  return sub.config.presence?.enabled === true || some(sub, (b) => b.type === 'presence')
}

/**
 * A change goes to channels with at least one binding the server matched.
 * @example
 * wantsChange(new Set(keys))({ tabId, sub })
 */
export function wantsChange(keys: ReadonlySet<string>): (entry: TopicSub) => boolean {
  return ({ sub }) => some(sub, (b) => b.type === 'postgres_changes' && keys.has(bindingKey(b.filter)))
}

/**
 * System listeners: `resync` and `outbox` are the hub's own events, `system` the server's
 * messages; `''` and `*` listen to all.
 * @example
 * wantsSystem('resync')({ tabId, sub })
 */
export function wantsSystem(event: 'system' | 'resync' | 'outbox'): (entry: TopicSub) => boolean {
  return ({ sub }) => some(sub, (b) => b.type === 'system' && systemMatches(b.event, event))
}

/**
 * Whether a tab's subscription (by id, looked up by `subOf`) exists and listens to `resync`: who
 * gets one after its outbox overflowed.
 * @example
 * const wantsResync = listensToResync('tab-1', (subId) => topics.subOf('tab-1', subId)); wantsResync('s1')
 */
export function listensToResync(tabId: string, subOf: (subId: string) => Subscription | undefined): (subId: string) => boolean {
  const test = wantsSystem('resync')
  return (subId) => {
    const sub = subOf(subId)
    return sub !== undefined && test({ tabId, sub })
  }
}
