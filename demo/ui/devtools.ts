/**
 * The `tabrelay/devtools` panel in the demo, behind the header's "Devtools" button (or open at
 * once with `?devtools=1`). Imported on first use, so the demo's first load does not carry it.
 */
import type { Inspectable, ReportContext } from '../../src/devtools/index.ts'
import { byTestId } from './dom.ts'

/**
 * Wires the toggle button to mount and unmount the panel for `client`.
 * @example
 * mountDevtoolsToggle(realtime, { options: { url, apikey } })
 */
export function mountDevtoolsToggle(client: Inspectable, context: ReportContext): void {
  const button = byTestId('devtools-open', HTMLButtonElement)
  const slot = byTestId('devtools-slot', HTMLElement)
  let unmount: (() => void) | null = null
  const toggle = async (): Promise<void> => {
    if (unmount) {
      unmount()
      unmount = null
    } else {
      const { mountDevtools } = await import('../../src/devtools/index.ts')
      unmount = mountDevtools(client, { target: slot, context })
    }
    button.setAttribute('aria-pressed', String(unmount !== null))
  }
  button.hidden = false
  button.addEventListener('click', () => void toggle())
  if (new URLSearchParams(location.search).get('devtools') === '1') void toggle()
}
