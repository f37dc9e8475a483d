/**
 * The test app's hub worker: `serveHub()` with numeric hub options read from this script's URL,
 * e.g. `worker.js?idleCloseMs=200` (the page copies its `hub.*` query params there).
 */
import { serveHub } from '../../../worker/index.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'
import { persistedSends } from '../../../worker/persist/index.ts'
import { hubDevtools } from '../../../worker/devtools.ts'
import { hubOptionsFrom } from './params.ts'

const { replayLimit, ...options } = hubOptionsFrom(new URL(self.location.href).searchParams)
// The first line of every worker console a failing spec prints (test/e2e/support/worker-console.ts).
console.info(`tabrelay e2e hub starting with options ${JSON.stringify(options)}, replayLimit ${replayLimit ?? 'default'}`)
// The persisted outbox serves pages opened with `?outbox=persist` (outbox.spec.ts); others never use it.
// Devtools answer `inspect()`, which the replay specs read to know when the hub has judged a replay.
serveHub({
  ...options, transports: { supabase: supabaseTransport(replayLimit === undefined ? {} : { replayLimit }) }, persist: persistedSends(), devtools: hubDevtools(),
})
