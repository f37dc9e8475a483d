/**
 * Which deploy offers are taken. Any page of the origin can post on the hubs' BroadcastChannel, so
 * a notice is untrusted input: a forged one with a `blob:` URL and a huge generation would send
 * every tab, with its token, to a worker the attacker wrote. A hub takes only an offer of a worker
 * script in its own directory, under its own worker name base, with a generation no later than
 * now; a tab takes only a same-origin http(s) URL that the app's `acceptDeploy` (if any) accepts.
 */
import type { HubOffer } from './protocol.ts'

const MAX_URL_LENGTH = 2048
const MAX_NAME_LENGTH = 256
/**
 * A generation is the load time of a page (epoch ms), never in the future; this much clock slack
 * is allowed between the page and the worker (one machine, one clock, which may still be stepped).
 */
const MAX_FUTURE_MS = 5 * 60_000

/**
 * Why `offer` is not a well-formed {@link HubOffer}, or `null` when it is.
 * @example
 * offerProblem({ url: 'https://app.example/assets/w-2.js', name: 'tabrelay-v2', type: 'module', protocol: 2 }) // null
 */
export function offerProblem(offer: unknown): string | null {
  if (typeof offer !== 'object' || offer === null) return 'the offer is not an object'
  const { url, name, type, protocol } = offer as Partial<Record<keyof HubOffer, unknown>>
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH) return `the offer's url must be a string of at most ${MAX_URL_LENGTH} characters`
  if (typeof name !== 'string' || name.length > MAX_NAME_LENGTH) return `the offer's name must be a string of at most ${MAX_NAME_LENGTH} characters`
  if (type !== 'module' && type !== 'classic') return "the offer's type must be 'module' or 'classic'"
  if (typeof protocol !== 'number' || !Number.isSafeInteger(protocol) || protocol < 1) return "the offer's protocol must be a positive integer"
  return null
}

/**
 * Why `url` is not a worker script a tab may be sent to from `base` (the current worker's URL, or
 * the page's), or `null`: an absolute http(s) URL of the same origin, without credentials, and,
 * with `isSameDirectory`, in the same directory. `blob:` and `data:` URLs are refused.
 * @example
 * urlProblem('blob:https://app.example/6f1c…', 'https://app.example/assets/w-1.js', true) // 'blob: URLs are refused…'
 */
export function urlProblem(url: string, base: string, isSameDirectory: boolean): string | null {
  let target: URL
  let from: URL
  try {
    target = new URL(url)
    from = new URL(base)
  } catch {
    return `${JSON.stringify(url.slice(0, 80))} is not an absolute URL`
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return `${target.protocol} URLs are refused: a newer worker must be an http(s) script`
  if (target.origin !== from.origin) return `${target.origin} is another origin than ${from.origin}`
  if (target.username !== '' || target.password !== '') return 'a worker URL with credentials is refused'
  if (isSameDirectory && directoryOf(target) !== directoryOf(from)) return `${target.pathname} is not in the worker's directory ${directoryOf(from)}`
  return null
}

function directoryOf(url: URL): string {
  return url.pathname.slice(0, url.pathname.lastIndexOf('/') + 1)
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
 * Whether `generation` can be a page's load time as seen at `now` (both epoch ms).
 * @example
 * isSaneGeneration(performance.timeOrigin, Date.now()) // true; 9e15 is not
 */
export function isSaneGeneration(generation: unknown, now: number): generation is number {
  return typeof generation === 'number' && Number.isFinite(generation) && generation > 0 && generation <= now + MAX_FUTURE_MS
}
