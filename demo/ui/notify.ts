/**
 * Attention for a message that arrives while the page is hidden: a short beep and a blinking
 * title. The page calls it only in the leader tab, so the user hears one beep, not one per tab.
 */

/** Rings the bell; `count` says how often it rang in this tab. */
export interface Notifier {
  ring(text: string): void
  readonly count: number
}

/**
 * Creates the notifier. Browsers start an AudioContext only after a user gesture in that page
 * (autoplay policy), so the context is created on the first click or key; until then only the
 * title blinks.
 * @example
 * const bell = createNotifier(); if (document.hidden && realtime.isLeader) bell.ring('bob: hi')
 */
export function createNotifier(): Notifier {
  let audio: AudioContext | undefined
  let count = 0
  let blink: ReturnType<typeof setInterval> | undefined
  const title = document.title
  const unlock = (): void => { audio ??= new AudioContext() }
  window.addEventListener('pointerdown', unlock, { once: true })
  window.addEventListener('keydown', unlock, { once: true })
  const stopBlink = (): void => {
    clearInterval(blink)
    blink = undefined
    document.title = title
  }
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') stopBlink() })
  return {
    ring(text) {
      count++
      document.body.dataset['notified'] = String(count)
      if (audio) beep(audio)
      if (blink !== undefined) return
      let isOn = false
      blink = setInterval(() => {
        isOn = !isOn
        document.title = isOn ? `● ${text}` : title
      }, 800)
    },
    get count() { return count },
  }
}

function beep(audio: AudioContext): void {
  const osc = audio.createOscillator()
  const gain = audio.createGain()
  osc.frequency.value = 880
  gain.gain.setValueAtTime(0.0001, audio.currentTime)
  gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02)
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25)
  osc.connect(gain).connect(audio.destination)
  osc.start()
  osc.stop(audio.currentTime + 0.3)
}
