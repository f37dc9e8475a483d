/**
 * `npm run test:soak`: the soak and fault suite of issue #12, in Node, bounded to 5 minutes. The
 * real hub (`createHub`) with the real Supabase transport over `ws`, real tab clients over
 * MessageChannel, the demo server in its own process. Prints a table, writes JSON to
 * test/soak/out/, exits non-zero on any failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import WebSocket from 'ws'
import { createHub } from '../../worker/index.ts'
import { supabaseTransport } from '../../worker/transports/supabase/index.ts'
import { startServer } from './control.ts'
import { FROZEN, runFrozen } from './frozen.ts'
import { LOAD, runLoad } from './load.ts'
import { table } from './table.ts'

const BUDGET_MS = 5 * 60_000
const budget = setTimeout(() => {
  console.error(`soak: over its ${BUDGET_MS / 60_000}-minute budget; stopping`)
  process.exit(2)
}, BUDGET_MS)

// SOAK_QUICK=1: a 10-second version for working on the suite itself (not the figures).
const isQuick = process.env['SOAK_QUICK'] === '1'
const loadPlan = isQuick ? { ...LOAD, durationMs: 10_000, dropEveryMs: 4_000, tokenEveryMs: 3_000 } : LOAD
const frozenPlan = isQuick ? { ...FROZEN, durationMs: 20_000, freezeAtMs: 2_000, freezeMs: 14_000 } : FROZEN
const started = performance.now()
const server = await startServer()
const hubOf = () => createHub({ transports: { supabase: supabaseTransport({ WebSocket: WebSocket as unknown as typeof globalThis.WebSocket }) } })
try {
  const load = await runLoad(hubOf(), server, loadPlan)
  console.log(`load done in ${((performance.now() - started) / 1000).toFixed(0)} s`)
  const frozen = await runFrozen(hubOf(), server, frozenPlan)
  const wallS = (performance.now() - started) / 1000
  const failures = [...load.failures.map((f) => `load: ${f}`), ...frozen.failures.map((f) => `frozen: ${f}`)]
  console.log(table(load, frozen, wallS))
  const dir = fileURLToPath(new URL('./out/', import.meta.url))
  mkdirSync(dir, { recursive: true })
  const file = `${dir}soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`
  writeFileSync(file, JSON.stringify({ wallS, node: process.version, load, frozen, failures }, null, 2))
  console.log(`wrote ${file}`)
  if (failures.length > 0) {
    console.error(`soak FAILED:\n  ${failures.join('\n  ')}`)
    process.exitCode = 1
  } else {
    console.log('soak passed')
  }
} finally {
  server.stop()
  clearTimeout(budget)
  // Realtime-js timers of closed sockets may linger; the verdict is in.
  setTimeout(() => process.exit(), 500).unref()
}
