/**
 * Lints the docs' code blocks that test/docs/snippets.ts wrote to test/docs/out/ with React's hooks
 * rules (`rules-of-hooks`, `exhaustive-deps`). ESLint runs from this folder's own package: its
 * TypeScript parser needs the compiler API, which TypeScript 7 lacks; `npm ci` installs it on first use.
 */
import { spawnSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureTools } from './install.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
const blocks = resolve(here, '../out')

ensureTools()
const eslint = spawnSync(join(here, 'node_modules/.bin/eslint'), ['--config', join(here, 'eslint.config.js'), '--max-warnings', '0', blocks], { cwd: resolve(here, '..'), encoding: 'utf8' })
if (eslint.status !== 0) {
  process.stderr.write(`docs code blocks break React's hooks rules:\n${eslint.stdout}${eslint.stderr}`)
  process.exitCode = 1
} else {
  process.stdout.write('docs: code blocks pass react-hooks/rules-of-hooks and exhaustive-deps\n')
}
