/**
 * An app page whose multi-tab behaviour tests/notify.spec.ts checks with tabrelay/testing: every
 * tab of the user receives each `notify` broadcast on `alerts`, and only the leader tab "plays" it
 * (a sound, a desktop notification: once per user, not once per tab). The hub is the prebuilt
 * dist/tabrelay.worker.js. `?realtime=`, `?apikey=`, `?pauseMs=` (pauseWhenHiddenMs) come from the test.
 */
import { createSharedRealtime, workerName } from 'tabrelay/supabase'
import { registerForTesting } from 'tabrelay/testing/page'

const params = new URLSearchParams(location.search)
const realtime = createSharedRealtime({
  url: params.get('realtime') ?? '',
  apikey: params.get('apikey') ?? '',
  pauseWhenHiddenMs: Number(params.get('pauseMs') ?? 300_000),
  worker: () => new SharedWorker('/tabrelay.worker.js', { type: 'module', name: workerName() }),
})
// The one line an app adds for tabrelay/testing (a real app would do it in test builds only).
registerForTesting(realtime)

const played = document.querySelector('[data-testid="played"]')
const received = document.querySelector('[data-testid="received"]')
const increment = (element) => { if (element) element.textContent = String(Number(element.textContent) + 1) }

const alerts = realtime.channel('alerts', { config: { broadcast: { self: true } } })
alerts
  .on('broadcast', { event: 'notify' }, () => {
    increment(received)
    if (realtime.isLeader) increment(played)
  })
  .subscribe()

document.querySelector('[data-testid="notify"]')?.addEventListener('click', () => {
  void alerts.send({ type: 'broadcast', event: 'notify', payload: { at: Date.now() } })
})
