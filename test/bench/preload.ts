/**
 * `<link rel="modulepreload">` for the contender a bench page loads, as an app's HTML preloads its
 * tab entry: the page's dynamic import then finds the code already fetched (and parsed) instead of
 * starting the request after main.ts ran. Every contender gets the same treatment, from Vite's
 * build manifest, so the new-tab comparison stays fair.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Vite's `.vite/manifest.json`: per source module, its output file and the chunks it imports. */
type Manifest = Record<string, { file: string; imports?: string[] }>

function isManifest(value: unknown): value is Manifest {
  return typeof value === 'object' && value !== null
}

/**
 * The page's module for a query (`contender`, `batch`), as main.ts picks it.
 * @example
 * moduleFor(new URLSearchParams('contender=pertab')) // 'pertab.ts'
 */
export function moduleFor(query: URLSearchParams): string {
  const contender = query.get('contender')
  if (contender === 'pertab' || contender === 'leader') return `${contender}.ts`
  if (query.get('floor') === '1') return 'floor.ts'
  if (query.get('host') === 'leader-tab') return 'tabrelay-tabhost.ts'
  return query.get('batch') === 'microtask' ? 'tabrelay-microtask.ts' : 'tabrelay.ts'
}

/**
 * The files `key` needs, itself first then its static imports, each once.
 * @example
 * filesOf(manifest, 'tabrelay.ts') // ['assets/tabrelay-abc.js', 'assets/client-def.js']
 */
export function filesOf(manifest: Manifest, key: string, seen = new Set<string>()): string[] {
  const entry = manifest[key]
  if (entry === undefined || seen.has(key)) return []
  seen.add(key)
  return [entry.file, ...(entry.imports ?? []).flatMap((k) => filesOf(manifest, k, seen))]
}

/**
 * Reads the manifest once; returns a function that adds the preload links to index.html.
 * @example
 * const inject = await preloader(outDir); res.end(inject(html, query))
 */
export async function preloader(outDir: string): Promise<(html: string, query: URLSearchParams) => string> {
  const parsed: unknown = JSON.parse(await readFile(join(outDir, '.vite/manifest.json'), 'utf8'))
  const manifest: Manifest = isManifest(parsed) ? parsed : {}
  return (html, query) => {
    const links = filesOf(manifest, moduleFor(query)).map((file) => `<link rel="modulepreload" href="/${file}" />`).join('')
    return html.replace('</head>', `${links}</head>`)
  }
}
