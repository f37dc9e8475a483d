/**
 * `npm run build` (also `prepack`): `tsc` compiles every source to `dist/` file by file (ESM, `.d.ts`,
 * maps), then Vite bundles each self-contained worker file of `entries.ts`.
 *
 * Why `tsc` for the library: the output mirrors the sources, so a subpath is a file and the app's
 * bundler tree-shakes and dedupes Comlink and realtime-js itself; the native compiler (TypeScript 7)
 * takes about a second, and its declarations are the ones `npm run typecheck` already proves. A
 * declaration bundler (tsdown's rolldown-plugin-dts) would need TypeScript's JS API, which
 * TypeScript 7 does not have. Vite, already a dev dependency, bundles only what must be self-contained.
 */
import { spawnSync } from 'node:child_process'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'
import { SCOPE_ORDER, SCOPE_PROJECTS, WORKER_BUNDLES, type WorkerBundle } from './entries.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const dist = join(root, 'dist')

function tsc(project: string): void {
  const result = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, project)], { stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`tsc -p ${project} failed (exit ${result.status ?? result.signal})`)
}

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith(suffix)).map((e) => join(e.parentPath, e.name))
}

/**
 * `rewriteRelativeImportExtensions` rewrites `./x.ts` to `./x.js` in the JavaScript only; the
 * declarations keep `.ts`. TypeScript 5.9 and 7 accept that inside a `.d.ts`, older compilers
 * (before 5.0) and tools that read declarations themselves do not; `.js` names the file that
 * exists beside it.
 */
async function rewriteDeclarationSpecifiers(): Promise<void> {
  const relativeTs = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g
  for (const file of await filesUnder(dist, '.d.ts')) {
    const text = await readFile(file, 'utf8')
    const rewritten = text.replace(relativeTs, '$1$2.js$3')
    if (rewritten !== text) await writeFile(file, rewritten)
  }
}

/**
 * Bundles a worker with every dependency inside. `window` is defined away: the worker has none,
 * and realtime-js's Phoenix code reads `window` behind `typeof window`, which Next.js rewrites to
 * `"object"` in client code (then `ReferenceError: window is not defined` in the worker).
 */
async function bundleWorker(bundle: WorkerBundle): Promise<void> {
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    define: { window: 'undefined' },
    build: {
      outDir: dist,
      emptyOutDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      reportCompressedSize: false,
      lib: { entry: join(root, bundle.source), formats: ['es'], fileName: () => bundle.file },
      rolldownOptions: { output: { codeSplitting: false, minify: true } },
    },
  })
  // Exports nothing; the declaration lets `import 'tabrelay/tabrelay.worker.js'` typecheck.
  await writeFile(join(dist, bundle.file.replace(/\.js$/, '.d.ts')), '/** Starts the tabrelay hub in the worker that loads this file. */\nexport {}\n')
  const code = await readFile(join(dist, bundle.file), 'utf8')
  if (/\bwindow\b/.test(code)) throw new Error(`${bundle.file} still mentions window: a bundler that rewrites typeof window would break it`)
}

await rm(dist, { recursive: true, force: true })
// One project per scope (entries.ts); the tab build last rewrites the shared contract files, byte-identical.
for (const scope of SCOPE_ORDER) tsc(SCOPE_PROJECTS[scope])
await rewriteDeclarationSpecifiers()
for (const bundle of WORKER_BUNDLES) await bundleWorker(bundle)
console.log(`build: dist/ ready (${(await filesUnder(dist, '.js')).length} .js files)`)
