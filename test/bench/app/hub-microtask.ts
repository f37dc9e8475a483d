/**
 * The bench's per-message hub: `serveHub()` flushing each tab's outbox in a microtask, so every
 * socket message (its own task) crosses the port in its own Comlink call. The default hub
 * (`worker/default.ts`) batches across tasks; the bench runs both to measure the trade-off.
 */
import { serveHub } from '../../../worker/index.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'

serveHub({ schedule: (fn) => queueMicrotask(fn), transports: { supabase: supabaseTransport() } })
