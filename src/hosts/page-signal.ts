/**
 * The page's visibility as the tab host reads it: a hidden host hands the role to a visible tab.
 */

/** The page's visibility (a fake in tests). */
export interface PageSignal {
  isHidden(): boolean
  onChange(listener: () => void): () => void
}

/**
 * The document's visibility; always visible where there is no document.
 * @example
 * const page = documentSignal(); page.isHidden()
 */
export function documentSignal(): PageSignal {
  const doc = typeof document === 'undefined' ? undefined : document
  return {
    isHidden: () => doc?.visibilityState === 'hidden',
    onChange(listener) {
      doc?.addEventListener('visibilitychange', listener)
      return () => doc?.removeEventListener('visibilitychange', listener)
    },
  }
}
