/**
 * `npm run size`: the gzipped size of each bundle a user ships — the tab entries and one worker
 * per transport — built by Vite as an app would (minified, every dependency bundled), with whether
 * realtime-js ended up inside. A worker serving only a non-Supabase transport must not carry it.
 */
import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Rollup } from 'vite'

const root = fileURLToPath(new URL('../../', import.meta.url))
const workers = fileURLToPath(new URL('./workers/', import.meta.url))

/**
 * One bundle's size.
 * @example
 * const row: BundleRow = { name: 'worker: supabase', gzipBytes: 16_000, hasRealtimeJs: true }
 */
export interface BundleRow {
  name: string
  gzipBytes: number
  hasRealtimeJs: boolean
}

function isOutput(value: unknown): value is Rollup.RollupOutput {
  return typeof value === 'object' && value !== null && 'output' in value
}

/**
 * Builds one entry as a minified ES bundle with every dependency inside, and gzips it.
 * @example
 * await measure('tab: core', 'src/index.ts')
 */
export async function measure(name: string, entry: string): Promise<BundleRow> {
  const result = await build({
    configFile: false, root, logLevel: 'silent',
    build: { write: false, minify: true, target: 'es2022', reportCompressedSize: false, lib: { entry, formats: ['es'], fileName: 'bundle' } },
  })
  const outputs = (Array.isArray(result) ? result : [result]).filter(isOutput).flatMap((r) => r.output)
  let gzipBytes = 0
  let hasRealtimeJs = false
  for (const file of outputs) {
    if (file.type !== 'chunk') continue
    gzipBytes += gzipSync(Buffer.from(file.code), { level: 9 }).length
    // realtime-js's Phoenix join event: present only where its client is bundled.
    if (file.code.includes('phx_join')) hasRealtimeJs = true
  }
  return { name, gzipBytes, hasRealtimeJs }
}

/**
 * The tab entries and every worker under test/bench/workers/, one build at a time (2 cores).
 * @example
 * const rows = await measureAll()
 */
export async function measureAll(): Promise<BundleRow[]> {
  const entries: Array<[string, string]> = [
    ['tab: tabrelay (core)', join(root, 'src/index.ts')],
    ['tab: tabrelay/supabase', join(root, 'src/supabase/index.ts')],
    ...readdirSync(workers).filter((f) => f.endsWith('.ts')).sort().map((f): [string, string] => [`worker: ${basename(f, '.ts')}`, join(workers, f)]),
  ]
  const rows: BundleRow[] = []
  for (const [name, entry] of entries) rows.push(await measure(name, entry))
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await measureAll()
  const width = Math.max(...rows.map((r) => r.name.length))
  console.log(`${'bundle'.padEnd(width)}  gzip       realtime-js inside`)
  for (const row of rows) console.log(`${row.name.padEnd(width)}  ${(row.gzipBytes / 1024).toFixed(1).padStart(5)} kB   ${row.hasRealtimeJs ? 'yes' : 'no'}`)
  console.log(JSON.stringify(rows))
}
