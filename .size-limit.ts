/**
 * size-limit budgets (`npm run check:package`), one per entry of test/package/entries.ts, measured on the
 * built `dist/`. Tab and worker entries are bundled with their dependencies by esbuild, minified and
 * gzipped; peer dependencies (realtime-js) are left out, as the app brings them. Worker files are
 * self-contained: everything inside counts.
 */
import { ENTRIES, LAZY_CHUNKS, WORKER_BUNDLES, distOf } from './test/package/entries.ts'

interface Check {
  name: string
  path: string
  limit: string
  gzip: true
  modifyEsbuildConfig?: (config: EsbuildConfig) => EsbuildConfig
}

interface EsbuildConfig {
  external?: string[]
}

// A tab entry's budget is what every tab loads: its lazy chunks stay behind their import() and are
// measured as checks of their own.
const lazyExternal = (config: EsbuildConfig): EsbuildConfig => ({
  ...config,
  external: [...(config.external ?? []), ...LAZY_CHUNKS.map((chunk) => `*/${chunk.source.split('/').at(-1)?.replace(/\.ts$/, '.js') ?? ''}`)],
})

const checks: Check[] = [
  ...ENTRIES.map((entry): Check => ({
    name: `tabrelay${entry.subpath.slice(1)} (${entry.scope}, + comlink, without peers)`,
    path: distOf(entry.source, '.js'),
    limit: entry.budgetGz,
    gzip: true,
    ...(entry.scope === 'tab' ? { modifyEsbuildConfig: lazyExternal } : {}),
  })),
  ...LAZY_CHUNKS.map((chunk): Check => ({
    name: `${chunk.name} (lazy tab chunk, with what it shares with the entry)`,
    path: distOf(chunk.source, '.js'),
    limit: chunk.budgetGz,
    gzip: true,
  })),
  ...WORKER_BUNDLES.map((bundle): Check => ({
    name: `dist/${bundle.file} (self-contained worker)`,
    path: `dist/${bundle.file}`,
    limit: bundle.budgetGz,
    gzip: true,
  })),
]

export default checks
