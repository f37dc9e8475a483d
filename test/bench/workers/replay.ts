// A worker serving Supabase Realtime that asks for replays of up to 1000 (the bench server's cap):
// the tab-host lane with `BENCH_REPLAY=1` resumes a handover at 200 msg/s through it.
import { serveHub } from '../../../worker/index.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'

serveHub({ transports: { supabase: supabaseTransport({ replayLimit: 1_000 }) } })
