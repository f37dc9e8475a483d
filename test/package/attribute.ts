/**
 * `npx tsx test/package/attribute.ts [entry-subpath]` (after `npm run build`): what a tab entry is
 * made of. Bundles the built entry the way size-limit does (esbuild, minified, peers and lazy chunks
 * left out), then attributes the minified bytes to source files through the bundle's sourcemap, and
 * the gzipped bytes by compressing the bundle in order, one flush per run of a file's code, so each
 * file is charged what it adds to the gzip stream after what precedes it (context included).
 *
 * Why a script of our own: source-map-explorer reports minified bytes only, and the budget is gzip.
 * @example
 * // npm run build && npx tsx test/package/attribute.ts ./supabase
 */
import { build } from 'esbuild'
import { ENTRIES, LAZY_CHUNKS, distOf } from './entries.ts'
import { decodeLine, deflateCosts } from './sourcemap.ts'


const subpath = process.argv[2] ?? '.'
const entry = ENTRIES.find((candidate) => candidate.subpath === subpath)
if (entry === undefined) throw new Error(`no entry ${subpath} in test/package/entries.ts`)
const peers = ['@playwright/test', '@supabase/realtime-js', 'react', 'socket.io-client']
const lazy = LAZY_CHUNKS.map((chunk) => `*/${chunk.source.split('/').at(-1)?.replace(/\.ts$/, '.js') ?? ''}`)
const result = await build({
  entryPoints: [distOf(entry.source, '.js')],
  bundle: true,
  write: false,
  minify: true,
  sourcemap: 'external',
  format: 'esm',
  outdir: '/tmp/tabrelay-attribute',
  external: entry.scope === 'tab' ? [...peers, ...lazy] : peers,
})
const code = result.outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? ''
const map = JSON.parse(result.outputFiles.find((file) => file.path.endsWith('.map'))?.text ?? '{}') as { sources: string[]; mappings: string }
const name = (index: number): string => (map.sources[index] ?? '(none)').replace(process.cwd().slice(1) + '/', '').replace(/^(\.\.\/)+/, '').replace(/^.*node_modules\//, 'node_modules/').replace(/^dist\//, '').replace(/\.js$/, '.ts')

// Runs of consecutive output bytes from one source file.
const runs: Array<{ file: string; text: string }> = []
const lines = code.split('\n')
const state = { source: 0 }
map.mappings.split(';').forEach((mapped, lineIndex) => {
  const text = `${lines[lineIndex] ?? ''}\n`
  const segments = decodeLine(mapped, state)
  if (segments.length === 0) runs.push({ file: '(unmapped)', text })
  segments.forEach(([column, source], index) => {
    const start = index === 0 ? 0 : column
    const end = segments[index + 1]?.[0] ?? text.length
    const file = name(source)
    const last = runs.at(-1)
    if (last?.file === file) last.text += text.slice(start, end)
    else runs.push({ file, text: text.slice(start, end) })
  })
})
const costs = await deflateCosts(runs.map((run) => run.text))
const table = new Map<string, { min: number; gz: number }>()
runs.forEach((run, index) => {
  const row = table.get(run.file) ?? { min: 0, gz: 0 }
  row.min += Buffer.byteLength(run.text)
  row.gz += costs[index] ?? 0
  table.set(run.file, row)
})
const rows = [...table].sort((a, b) => b[1].gz - a[1].gz)
const total = rows.reduce((sum, [, row]) => ({ min: sum.min + row.min, gz: sum.gz + row.gz }), { min: 0, gz: 0 })
console.log(`tabrelay${subpath.slice(1)}: ${total.min} B min, ${total.gz} B gz by flushed runs (${runs.length} runs; one-shot gzip is smaller)`)
console.log('| file | min B | gz B (attributed) | gz share |\n|---|---:|---:|---:|')
for (const [file, row] of rows) console.log(`| ${file} | ${row.min} | ${row.gz} | ${((100 * row.gz) / total.gz).toFixed(1)}% |`)
