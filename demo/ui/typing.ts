/**
 * The typing signal: presence `typing` goes true on the first keystroke and back to false after
 * `idleMs` without one (or at once when the message is sent). Only transitions are tracked, so a
 * fast typist costs two presence updates, not one per key.
 */

/** Drives the signal; `track` sends the new value. */
export interface Typing {
  keystroke(): void
  stop(): void
}

/**
 * Creates the debounced signal.
 * @example
 * const typing = createTyping((isTyping) => room.track({ name, typing: isTyping }), 3_000)
 * input.oninput = () => typing.keystroke()
 */
export function createTyping(track: (isTyping: boolean) => void, idleMs: number): Typing {
  let isTyping = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const stop = (): void => {
    clearTimeout(timer)
    timer = undefined
    if (!isTyping) return
    isTyping = false
    track(false)
  }
  return {
    keystroke() {
      clearTimeout(timer)
      timer = setTimeout(stop, idleMs)
      if (isTyping) return
      isTyping = true
      track(true)
    },
    stop,
  }
}
