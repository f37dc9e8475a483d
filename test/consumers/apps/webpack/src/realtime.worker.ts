// The hub: webpack bundles it (with the app's own @supabase/realtime-js) from the new URL(...) in index.ts.
import { serveHub } from 'tabrelay/worker'

serveHub()
