// The app's realtime owner with tabrelay: the same channel() API, one connection for all tabs.
import { createSharedRealtime, workerName } from '../../../src/supabase/index.ts'

export const client = createSharedRealtime({
  url: 'http://127.0.0.1:54321',
  apikey: 'anon-key',
  worker: () => new SharedWorker(new URL('./realtime.worker.ts', import.meta.url), { type: 'module', name: workerName() }),
})
