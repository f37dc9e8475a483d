/**
 * The API reference: typedoc with typedoc-plugin-markdown writes one Markdown page per public
 * subpath (test/package/entries.ts) into docs/api/, which VitePress then builds with the guide
 * (`npm run docs:build`). docs/api/ is generated, never committed.
 *
 * typedoc runs from this folder's own package (install.ts): it needs the TypeScript compiler API,
 * which TypeScript 7 (the repository's compiler) does not have.
 */
import { spawnSync } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ENTRIES } from '../../package/entries.ts'
import { ensureTools } from './install.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = resolve(here, '../../..')
const out = join(root, 'docs/api')

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${String(result.status)})`)
}

// typedoc names a module by its path (src/supabase); readers import it as tabrelay/supabase.
async function nameModules(): Promise<void> {
  const names = ENTRIES.map((entry) => ({ path: entry.source.replace(/(\/index)?\.ts$/, ''), name: `tabrelay${entry.subpath.slice(1)}` }))
  const index = join(out, 'index.md')
  let text = await readFile(index, 'utf8')
  for (const { path, name } of names) {
    text = text.replace(`- [${path}](`, `- [${name}](`)
    const page = join(out, path, 'index.md')
    const body = await readFile(page, 'utf8')
    await writeFile(page, body.replace(/^# .*$/m, `# ${name}`))
  }
  await writeFile(index, text.replace(/^# tabrelay$/m, '# API reference\n\nGenerated from the TSDoc of each public import by `npm run docs:build`.'))
}

async function main(): Promise<void> {
  ensureTools()
  const typedoc = join(here, 'node_modules/typedoc/bin/typedoc')
  await rm(out, { recursive: true, force: true })
  // One module per public subpath, named as the app imports it; Node-only helpers included.
  const config = {
    entryPoints: ENTRIES.map((entry) => join(root, entry.source)),
    tsconfig: join(here, 'tsconfig.json'),
    plugin: ['typedoc-plugin-markdown'],
    out,
    readme: 'none',
    entryFileName: 'index',
    // The sources compile under two libs (DOM for tabs, WebWorker for the hub); typedoc reads them
    // in one program, so the typecheck stays tsc's (`npm run typecheck`), not typedoc's.
    skipErrorChecking: true,
    excludePrivate: true,
    excludeInternal: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    useCodeBlocks: true,
    sanitizeComments: true,
    disableSources: true,
    validation: { notExported: false, invalidLink: false },
    logLevel: 'Warn',
  }
  const configFile = join(here, 'typedoc.generated.json')
  await writeFile(configFile, JSON.stringify(config, null, 2))
  const started = performance.now()
  run(process.execPath, [typedoc, '--options', configFile], here)
  await rm(configFile)
  await nameModules()
  process.stdout.write(`api: ${ENTRIES.length} modules into ${relative(root, out)}/ in ${Math.round(performance.now() - started)} ms\n`)
}

await main()
