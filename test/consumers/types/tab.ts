/**
 * Compiles against the packed declarations only (never run): the strictest settings an app may
 * have must find no error in tabrelay's .d.ts files. See tsconfig.*.json.
 */
import { createSharedRealtime, RelayError, workerName, type ConnectionStatus, type Json, type SharedChannel } from 'tabrelay/supabase'
import { createRelay } from 'tabrelay'

export const relay = createRelay({ transport: 'inbox', endpoint: 'ws://127.0.0.1:8000/ws/inbox/', worker: () => new SharedWorker('/w.js', { type: 'module', name: workerName() }) })
export const offRelay = relay.topic('conversation:42').on<{ message: string }>('TEXT', (msg) => msg.message.length)

const realtime = createSharedRealtime({
  url: 'http://127.0.0.1:54321',
  apikey: 'anon',
  accessToken: async () => null,
  worker: () => new SharedWorker(new URL('./worker.js', import.meta.url), { type: 'module', name: workerName() }),
})
const room: SharedChannel = realtime.channel('room:1', { config: { broadcast: { self: true } } })
room.on<Json>('broadcast', { event: 'message' }, ({ payload }) => {
  const copy: Json = payload
  console.log(copy)
}).subscribe((status, error) => {
  if (error instanceof RelayError) console.log(error.code)
  console.log(status)
})
const status: ConnectionStatus = realtime.status
export { status }
