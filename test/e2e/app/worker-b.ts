/**
 * A second app's hub worker on the test origin (`?app=b`): the same hub as worker.ts in a worker
 * file of its own, as a second app of one origin would have. Its tabs must elect their own tab
 * host (test/e2e/tab-host-attacks.spec.ts).
 */
import { serveHub } from '../../../worker/index.ts'
import { supabaseTransport } from '../../../worker/transports/supabase/index.ts'
import { hubOptionsFrom } from './params.ts'

const options = hubOptionsFrom(new URL(self.location.href).searchParams)
console.info(`tabrelay e2e hub (app b) starting with options ${JSON.stringify(options)}`)
serveHub({ ...options, transports: { supabase: supabaseTransport() } })
