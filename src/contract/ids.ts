/**
 * Random ids for tabs and workers, in both programs. `crypto.randomUUID` exists only in secure
 * contexts (https, localhost), and an app served over plain http on a LAN address is not one.
 */

/**
 * A random id: a UUID where the context allows, else time plus randomness (unique enough for
 * tab and worker ids, which are not secrets).
 * @example
 * const tabId = randomId()
 */
export function randomId(): string {
  const crypto = globalThis.crypto as { randomUUID?: () => string } | undefined
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID()
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`
}
