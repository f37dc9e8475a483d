/**
 * The latest-ref: a handler that changes every render is read at call time, so a hook never
 * resubscribes because a component passed a new arrow function.
 */
import { useEffect, useLayoutEffect, useRef } from 'react'

// useLayoutEffect warns during SSR in React 18; on the server there is nothing to call anyway.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect

/**
 * A ref that always holds the value of the last committed render.
 * @example
 * const latest = useLatest(handler); useEffect(() => channel.on('x', (p) => latest.current(p)), [channel])
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value)
  useIsomorphicLayoutEffect(() => {
    ref.current = value
  })
  return ref
}
