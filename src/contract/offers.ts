/**
 * Which deploy offers are taken. Any page of the origin can post on the hubs' BroadcastChannel, so
 * a notice is untrusted input: a forged one with a `blob:` URL and a huge generation would send
 * every tab, with its token, to a worker the attacker wrote. A hub takes only an offer of a worker
 * script in its own directory, under its own worker name base, with a generation no later than
 * now; a tab takes only a same-origin http(s) URL that the app's `acceptDeploy` (if any) accepts.
 */
import type { HubOffer } from './protocol.ts'

/**
 * Whether `offer` is a well-formed {@link HubOffer} of an absolute http(s) script of `base`'s
 * origin (the current worker's URL, or the page's), without credentials; with `isSameDirectory`,
 * in `base`'s directory too. `blob:` and `data:` URLs are refused.
 * @example
 * isOfferFrom({ url: 'blob:https://app.example/6f1c…', name: 'tabrelay-v2', type: 'module', protocol: 2 }, location.href, false) // false
 */
export function isOfferFrom(offer: unknown, base: string, isSameDirectory: boolean): offer is HubOffer {
  const { url, name, type, protocol } = (offer ?? {}) as Partial<Record<keyof HubOffer, unknown>>
  if (typeof url !== 'string' || url.length > 2048 || typeof name !== 'string' || name.length > 256) return false
  if ((type !== 'module' && type !== 'classic') || !Number.isSafeInteger(protocol) || (protocol as number) < 1) return false
  try {
    const [to, from] = [new URL(url), new URL(base)]
    const directory = (of: URL): string => of.pathname.replace(/[^/]*$/, '')
    return /^https?:$/.test(to.protocol) && to.origin === from.origin && to.username + to.password === ''
      && (!isSameDirectory || directory(to) === directory(from))
  } catch {
    return false
  }
}

/**
 * A worker name without its protocol suffix (`workerName()`'s `-v2`): hubs of every deploy of one
 * app share it.
 * @example
 * nameBase('tabrelay-v2') // 'tabrelay'
 */
export function nameBase(name: string): string {
  return name.replace(/-v\d+$/, '')
}

/**
 * Whether `generation` can be a page's load time (epoch ms) as seen at `now`: a page never loads
 * in the future; 5 minutes of slack cover a clock stepped between the page and the worker.
 * @example
 * isSaneGeneration(performance.timeOrigin, Date.now()) // true; 9e15 is not
 */
export function isSaneGeneration(generation: unknown, now: number): generation is number {
  return typeof generation === 'number' && generation > 0 && generation <= now + 300_000
}
