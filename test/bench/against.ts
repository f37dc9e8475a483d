/**
 * `npm run bench -- --against <ref>`: the ref's tabrelay (its `src/` and `worker/`) built into the
 * bench page, so ab.ts can run it as a second tabrelay lane beside the current code. The ref is
 * checked out in a detached git worktree under test/bench/out/against/<sha> (gitignored; reused by
 * the next run against the same commit, `git worktree remove` drops it), the CURRENT bench app is
 * copied over the ref's copy (so both lanes run the same page and contender code), and Vite builds
 * that copy with its root inside the worktree: `../../../src` then resolves to the ref's code.
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, realpath, stat, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build, type Plugin } from 'vite'

const run = promisify(execFile)
const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
const appRoot = fileURLToPath(new URL('./app/', import.meta.url))
const worktrees = fileURLToPath(new URL('./out/against/', import.meta.url))
const builds = fileURLToPath(new URL('./out/against-app/', import.meta.url))

/**
 * The page's modules the tabrelay lane never loads: the other contenders, the floor lane and the hubs that import
 * worker internals (`worker/tab/outbox.ts`'s `nextTask`, the per-message schedule), which an older ref
 * may not have. They become a stub, so the ref needs only what the package exports.
 */
export const LEFT_OUT = ['./pertab.ts', './leader.ts', './tabrelay-microtask.ts', './tabrelay-probe.ts', './tabrelay-tabhost.ts', './floor.ts'] as const

/**
 * A ref built into a lane: `lane` is its name (`tabrelay@<short sha>`), `outDir` what to serve.
 * @example
 * const built: AgainstBuild = { ref: 'HEAD~3', sha: '677b2e4…', short: '677b2e4', lane: 'tabrelay@677b2e4', outDir: '/…/out/against-app/677b2e4…/' }
 */
export interface AgainstBuild { ref: string; sha: string; short: string; lane: string; outDir: string }

/**
 * The lane name of a commit: `tabrelay@` and its first 7 hex digits.
 * @example
 * laneName('677b2e4f00d1c2a3b4c5d6e7f8091a2b3c4d5e6f') // 'tabrelay@677b2e4'
 */
export function laneName(sha: string): string {
  return `tabrelay@${sha.slice(0, 7)}`
}

/** Resolves the left-out modules to one stub that fails loudly if a page asks for them anyway. */
function leaveOut(): Plugin {
  const stub = '\0against-stub'
  return {
    name: 'bench-against-leave-out',
    enforce: 'pre',
    resolveId: (source) => ((LEFT_OUT as readonly string[]).includes(source) ? stub : null),
    load: (id) => (id === stub ? `export function start() { return Promise.reject(new Error('not in the --against build: tabrelay lane only')) }` : null),
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}

/**
 * Checks out `ref` (reusing its worktree), copies the current bench app over it, builds it
 * (`minify: false` for a CPU profile's function names).
 * @example
 * const built = await buildAgainst('677b2e4')
 */
export async function buildAgainst(ref: string, minify = true): Promise<AgainstBuild> {
  const { stdout } = await run('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: repoRoot })
  const sha = stdout.trim()
  const tree = join(worktrees, sha)
  if (!(await exists(join(tree, '.git')))) {
    await mkdir(worktrees, { recursive: true })
    await run('git', ['worktree', 'add', '--detach', tree, sha], { cwd: repoRoot })
  }
  // The ref's package.json may differ, but the lane needs the same libraries the current one runs.
  const modules = join(tree, 'node_modules')
  if (!(await exists(modules))) await symlink(await realpath(join(repoRoot, 'node_modules')), modules)
  const treeApp = join(tree, 'test/bench/app/')
  await cp(appRoot, treeApp, { recursive: true, force: true })
  const outDir = join(builds, sha, '/')
  await build({
    configFile: false,
    root: treeApp,
    logLevel: 'warn',
    plugins: [leaveOut()],
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false, reportCompressedSize: false, manifest: true, minify },
  })
  return { ref, sha, short: sha.slice(0, 7), lane: laneName(sha), outDir }
}
