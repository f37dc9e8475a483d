/**
 * One page of the three-tab check, no bundler: the browser resolves `tabrelay` and `comlink`
 * through the import map in index.html; the hub is the prebuilt dist/tabrelay.worker.js, served
 * as /tabrelay.worker.js. The client is created at module scope,
 * joins `?topic=`, lists every broadcast it receives; the button broadcasts `<tab>-<n>`.
 */
import { createSharedRealtime, workerName } from 'tabrelay/supabase'

const params = new URLSearchParams(location.search)
const tab = params.get('tab') ?? '?'
const realtime = createSharedRealtime({
  url: params.get('realtime') ?? '',
  apikey: params.get('apikey') ?? '',
  worker: () => new SharedWorker('/tabrelay.worker.js', { type: 'module', name: workerName() }),
})
const room = realtime.channel(params.get('topic') ?? 'room:static')

function textOf(payload) {
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
  .on('broadcast', { event: 'message' }, ({ payload }) => {
    const item = document.createElement('li')
    item.dataset['testid'] = 'message'
    item.textContent = textOf(payload)
    list.append(item)
  })
  .subscribe((s) => { status.textContent = s })
