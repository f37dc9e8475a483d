/**
 * `npm run check:docs`: every ```ts / ```tsx block of README.md and docs/**\/*.md is written to
 * test/docs/out/ as a module and type-checked under strict settings against the package's own
 * sources (`tabrelay/...` resolves to the entry's source, as test/package/entries.ts lists them).
 * A block that imports `tabrelay/worker` compiles with the WebWorker lib, every other with the DOM.
 * Names a snippet uses without defining (the app's own `url`, `render`, …) are declared once in
 * test/docs/ambient.d.ts, so a typo in an API name still fails. Then every relative link of those
 * files must point at a file (and its #anchor at a heading) that exists, and the quick start's
 * files must be the `vite-react` consumer app's, verbatim (test/docs/quick-start.ts).
 */
import { spawnSync } from 'node:child_process'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ENTRIES } from '../package/entries.ts'
import { blocksOf, brokenLinks } from './markdown.ts'
import { checkQuickStart } from './quick-start.ts'

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)))
const out = join(root, 'test/docs/out')

async function markdownFiles(): Promise<string[]> {
  const files = [join(root, 'README.md')]
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      // docs/api/ is generated from the TSDoc, whose @example fragments are not whole programs.
      if (entry.name === 'node_modules' || entry.name === '.vitepress' || (dir.endsWith('docs') && entry.name === 'api')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.name.endsWith('.md')) files.push(path)
    }
  }
  await walk(join(root, 'docs')).catch(() => undefined)
  return files
}

function tsconfig(scope: 'tab' | 'worker', files: string[]): string {
  const paths: Record<string, string[]> = {}
  for (const entry of ENTRIES) paths[`tabrelay${entry.subpath.slice(1)}`] = [`./${relative(out, join(root, entry.source))}`]
  return JSON.stringify({
    extends: relative(out, join(root, 'tsconfig.json')),
    compilerOptions: {
      lib: scope === 'worker' ? ['ES2023', 'WebWorker'] : ['ES2023', 'DOM', 'DOM.Iterable'],
      types: scope === 'worker' ? [] : ['vite/client'],
      paths, noUnusedLocals: false, allowUnreachableCode: false,
    },
    files: [...files, ...(scope === 'tab' ? ['../ambient.d.ts'] : ['../ambient-worker.d.ts'])],
    include: [],
  }, null, 2)
}

async function main(): Promise<void> {
  await rm(out, { recursive: true, force: true })
  await mkdir(out, { recursive: true })
  const scoped: Record<'tab' | 'worker', string[]> = { tab: [], worker: [] }
  const failures: string[] = []
  let count = 0
  for (const file of await markdownFiles()) {
    const text = await readFile(file, 'utf8')
    const name = relative(root, file).replace(/[^\w]+/g, '_')
    for (const block of blocksOf(text)) {
      const scope = /from 'tabrelay\/worker/.test(block.code) ? 'worker' : 'tab'
      // A module of its own (`export {}`), with where it came from on its first line.
      const path = `${name}_L${block.line}.${block.lang}`
      await writeFile(join(out, path), `// ${relative(root, file)}:${block.line}\n${block.code}\nexport {}\n`)
      scoped[scope].push(path)
      count += 1
    }
    for (const broken of await brokenLinks(file, text)) failures.push(`${relative(root, file)}: broken link ${broken}`)
  }
  for (const scope of ['tab', 'worker'] as const) {
    if (scoped[scope].length === 0) continue
    const config = join(out, `tsconfig.${scope}.json`)
    await writeFile(config, tsconfig(scope, scoped[scope]))
    const tsc = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', config, '--noEmit'], { encoding: 'utf8' })
    if (tsc.status !== 0) failures.push(`${scope} snippets do not compile:\n${tsc.stdout}${tsc.stderr}`)
  }
  failures.push(...await checkQuickStart(root))
  if (failures.length > 0) {
    process.stderr.write(`${failures.join('\n')}\n`)
    process.exitCode = 1
    return
  }
  process.stdout.write(`docs: ${count} code blocks compile, every relative link resolves, the quick start is the vite-react app (${dirname(relative(root, out))})\n`)
}

await main()
