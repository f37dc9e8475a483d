/**
 * Builds the bench page with Vite's JS API, measures each contender's tab-side bundle, and serves
 * the page from a tiny static server on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Rollup } from 'vite'
import { CONTENDERS, type ContenderName } from './app/contract.ts'
import { preloader } from './preload.ts'

const appRoot = fileURLToPath(new URL('./app/', import.meta.url))
/** Gitignored (test/bench/out/). */
export const outDir = fileURLToPath(new URL('./out/app/', import.meta.url))

/**
 * One contender's tab-side bundle: what a tab downloads and runs, worker code excluded.
 * @example
 * const size: BundleSize = { contender: 'pertab', rawBytes: 150_000, gzipBytes: 40_000, hasSupabase: true, workerGzipBytes: 0 }
 */
export interface BundleSize {
  contender: ContenderName
  rawBytes: number
  gzipBytes: number
  /** Whether supabase-js's realtime client is inside the tab bundle (the `phx_join` frame). */
  hasSupabase: boolean
  /** The SharedWorker file, for tabrelay; 0 for the others. */
  workerGzipBytes: number
}

/**
 * Builds the page (all contenders, each a lazy chunk) into `outDir`; `minify: false` keeps the
 * function names a CPU profile shows (profile.ts).
 * @example
 * await buildApp()
 */
export async function buildApp(minify = true): Promise<void> {
  await build({
    configFile: false,
    root: appRoot,
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false, manifest: true, minify },
  })
}

function isOutput(value: unknown): value is Rollup.RollupOutput {
  return typeof value === 'object' && value !== null && 'output' in value
}

/**
 * Builds one contender's tab entry as an ES library, minified, every dependency bundled, and
 * gzips each output file; worker files are counted apart.
 * @example
 * const size = await measureBundle('tabrelay')
 */
export async function measureBundle(contender: ContenderName): Promise<BundleSize> {
  const result = await build({
    configFile: false,
    root: appRoot,
    logLevel: 'silent',
    worker: { format: 'es' },
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      reportCompressedSize: false,
      lib: { entry: join(appRoot, `${contender}.ts`), formats: ['es'], fileName: contender },
    },
  })
  const outputs = (Array.isArray(result) ? result : [result]).filter(isOutput).flatMap((r) => r.output)
  let rawBytes = 0
  let gzipBytes = 0
  let workerGzipBytes = 0
  let hasSupabase = false
  for (const file of outputs) {
    const code = file.type === 'chunk' ? file.code : file.source
    const bytes = typeof code === 'string' ? Buffer.from(code) : Buffer.from(code)
    const gz = gzipSync(bytes, { level: 9 }).length
    if (/worker|default/i.test(file.fileName) && file.type === 'asset') {
      workerGzipBytes += gz
      continue
    }
    if (!file.fileName.endsWith('.js')) continue
    rawBytes += bytes.length
    gzipBytes += gz
    if (bytes.includes('phx_join')) hasSupabase = true
  }
  return { contender, rawBytes, gzipBytes, hasSupabase, workerGzipBytes }
}

/**
 * All three bundle sizes, one build at a time (2 cores).
 * @example
 * const sizes = await measureBundles()
 */
export async function measureBundles(): Promise<BundleSize[]> {
  const sizes: BundleSize[] = []
  for (const contender of CONTENDERS) sizes.push(await measureBundle(contender))
  return sizes
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
}

/**
 * Serves `dir` (default: `outDir`; an A/B lane's build, against.ts) on 127.0.0.1, cross-origin
 * isolated so `performance.now()` keeps its 5 µs resolution instead of the coarsened 100 µs
 * (FIELD_NOTES "Relay costs"); the page comes with a modulepreload of its contender's code (preload.ts).
 * @example
 * const { origin, close } = await serveApp()
 */
export async function serveApp(dir = outDir): Promise<{ origin: string; close(): Promise<void> }> {
  const root = dir.endsWith('/') ? dir : `${dir}/`
  const inject = await preloader(root)
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const path = url.pathname
    const file = normalize(join(root, path === '/' ? 'index.html' : path))
    if (!file.startsWith(root)) {
      res.writeHead(403).end()
      return
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
          'cache-control': 'no-store',
        })
        res.end(path === '/' ? inject(body.toString('utf8'), url.searchParams) : body)
      },
      () => res.writeHead(404).end(),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}
