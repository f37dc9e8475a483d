/**
 * One page of the three-tab check, without a framework: the client is created at module scope,
 * joins `?topic=`, lists every broadcast it receives; the button broadcasts `<tab>-<n>`. The hub
 * is the package's ready worker entry, which webpack bundles with the app's realtime-js.
 */
import { createSharedRealtime, workerName, type Json } from 'tabrelay/supabase'

const params = new URLSearchParams(location.search)
const tab = params.get('tab') ?? '?'
const realtime = createSharedRealtime({
  url: params.get('realtime') ?? '',
  apikey: params.get('apikey') ?? '',
  worker: () => new SharedWorker(new URL('tabrelay/worker/default', import.meta.url), { type: 'module', name: workerName() }),
})
const room = realtime.channel(params.get('topic') ?? 'room:webpack')

function textOf(payload: Json): string {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? String(payload['text']) : ''
}

const status = document.createElement('p')
status.dataset['testid'] = 'channel-status'
status.textContent = 'joining'
const button = document.createElement('button')
button.dataset['testid'] = 'send'
button.textContent = 'send'
const list = document.createElement('ul')
document.body.append(status, button, list)

let sent = 0
button.addEventListener('click', () => {
  sent += 1
  void room.send({ type: 'broadcast', event: 'message', payload: { text: `${tab}-${sent}` } })
})
room
  .on<Json>('broadcast', { event: 'message' }, ({ payload }) => {
    const item = document.createElement('li')
    item.dataset['testid'] = 'message'
    item.textContent = textOf(payload)
    list.append(item)
  })
  .subscribe((s) => { status.textContent = s })
