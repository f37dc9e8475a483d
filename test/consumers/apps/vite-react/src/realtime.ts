// src/realtime.ts — the tab side, made once at module scope; channels as with supabase-js
import { createSharedRealtime, workerName } from 'tabrelay/supabase'

export const realtime = createSharedRealtime({
  url: import.meta.env.VITE_SUPABASE_URL,
  apikey: import.meta.env.VITE_SUPABASE_ANON_KEY,
  worker: () => new SharedWorker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module', name: workerName() }),
})

const room = realtime.channel('room:1')
room.on('broadcast', { event: 'message' }, ({ payload }) => console.log(payload)).subscribe()
await room.send({ type: 'broadcast', event: 'message', payload: { text: 'hi' } })
