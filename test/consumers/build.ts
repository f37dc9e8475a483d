/**
 * `npm run test:consumers` step 1: packs tabrelay (`npm pack`, so `prepack` builds dist/), installs
 * the tarball into every consumer app, builds each with its bundler, compiles the types consumer
 * under four settings and imports the entries in Node (as server rendering does). Prints how long each step took. Step 2 is consumers.spec.ts and quick-start.spec.ts,
 * step 3 suites.ts (the apps' own suites). `tsx test/consumers/build.ts playwright static` builds
 * only the apps named (the types consumer always).
 *
 * Each app keeps its node_modules between runs and npm's cache serves the registry offline where it
 * can (`--prefer-offline`), so only the tarball is installed anew.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ENTRIES } from '../package/entries.ts'
import { APPS, APPS_DIR, CONSUMERS_DIR, TYPES_APP } from './apps.ts'

const consumers = fileURLToPath(CONSUMERS_DIR)
const apps = fileURLToPath(APPS_DIR)
const root = join(consumers, '../..')
const packDir = join(consumers, '.pack')
const tarball = join(packDir, 'tabrelay.tgz')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const times: string[] = []

function run(what: string, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const started = Date.now()
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env } })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  times.push(`${what}: ${seconds} s`)
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${result.status ?? result.signal}) in ${cwd}:\n${result.stdout}\n${result.stderr}`)
  }
  return result.stdout
}

function pack(): void {
  rmSync(packDir, { recursive: true, force: true })
  mkdirSync(packDir, { recursive: true })
  run('npm pack (prepack builds dist/)', npm, ['pack', '--pack-destination', packDir, '--silent'], root)
  const [file, ...more] = readdirSync(packDir).filter((name) => name.endsWith('.tgz'))
  if (!file || more.length > 0) throw new Error(`npm pack left ${readdirSync(packDir).join(', ')} in ${packDir}`)
  renameSync(join(packDir, file), tarball)
}

/**
 * npm install with the app's node_modules kept between runs: only tabrelay is removed first, so npm
 * installs the new tarball (an unchanged `file:` spec would otherwise count as installed) and
 * leaves the rest, served from npm's cache. Then the installed copy must be this build's.
 */
function install(dir: string): void {
  const app = basename(dir)
  rmSync(join(dir, 'node_modules', 'tabrelay'), { recursive: true, force: true })
  run(`${app}: npm install`, npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline'], dir)
  const probe = 'dist/src/index.js'
  if (!readFileSync(join(dir, 'node_modules/tabrelay', probe)).equals(readFileSync(join(root, probe)))) {
    throw new Error(`${app}: node_modules/tabrelay/${probe} differs from this build's ${probe}`)
  }
}

/** Apps whose bundler builds the hub must end up with exactly one realtime-js: the app's own. */
function checkOneRealtime(app: string): void {
  const out = run(`${app}: npm ls @supabase/realtime-js`, npm, ['ls', '--all', '--parseable', '@supabase/realtime-js'], join(apps, app))
  const copies = out.split('\n').filter((line) => line.endsWith(join('node_modules', '@supabase', 'realtime-js')))
  if (copies.length !== 1) throw new Error(`${app}: expected one @supabase/realtime-js, found ${copies.length}:\n${out}`)
}

function typesConsumer(): void {
  const dir = join(consumers, TYPES_APP)
  install(dir)
  // tabrelay's own TypeScript 7, and the 5.9 most apps' tooling still runs (it has the JS API).
  const compilers = { 'tsc 7': join(root, 'node_modules/typescript/bin/tsc'), 'tsc 5.9': join(dir, 'node_modules/typescript/bin/tsc') }
  for (const config of readdirSync(dir).filter((name) => /^tsconfig\.\w+\.\w+\.json$/.test(name))) {
    for (const [name, tsc] of Object.entries(compilers)) run(`${TYPES_APP}: ${name} -p ${config}`, process.execPath, [tsc, '-p', config], dir)
  }
  // Server rendering imports the package in Node: no entry may touch a browser global on import.
  // Entries that start a hub when imported are left out: they are worker scripts.
  const specifiers = ENTRIES.filter((entry) => !entry.hasSideEffects).map((entry) => `tabrelay${entry.subpath.slice(1)}`)
  const script = specifiers.map((specifier) => `await import(${JSON.stringify(specifier)})`).join('; ')
  run(`${TYPES_APP}: node imports ${specifiers.join(', ')}`, process.execPath, ['--input-type=module', '-e', script], dir)
}

const started = Date.now()
pack()
typesConsumer()
const only = process.argv.slice(2)
const unknown = only.filter((name) => !APPS.some((app) => app.name === name))
if (unknown.length > 0) throw new Error(`no consumer app ${unknown.join(', ')}; the apps are ${APPS.map((app) => app.name).join(', ')}`)
for (const app of APPS.filter((candidate) => only.length === 0 || only.includes(candidate.name))) {
  install(join(apps, app.name))
  if (app.hubInApp) checkOneRealtime(app.name)
  run(`${app.name}: npm run build`, npm, ['run', 'build', '--silent'], join(apps, app.name))
}
console.log(times.map((line) => `consumers: ${line}`).join('\n'))
console.log(`consumers: all built in ${((Date.now() - started) / 1000).toFixed(1)} s`)
