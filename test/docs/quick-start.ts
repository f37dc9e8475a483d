/**
 * The quick start cannot drift from an app that runs: its code blocks that name a file on their
 * first line (`// src/realtime.ts — …`) ARE that file of the `vite-react` consumer app, verbatim, in
 * README.md and in docs/guide/quick-start.md alike. The consumer check builds that app from the
 * packed tarball and opens it in three tabs (test/consumers/quick-start.spec.ts).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { blocksOf } from './markdown.ts'

/** The Markdown files that carry the quick start, relative to the repository root. */
export const QUICK_START_DOCS = ['README.md', 'docs/guide/quick-start.md'] as const

/** The consumer app made of the quick start's files, relative to the repository root. */
export const QUICK_START_APP = 'test/consumers/apps/vite-react'

/**
 * The files a Markdown text's quick start writes: each ```ts/```tsx block whose first line is
 * `// src/<path>` (a comment may follow after a space), keyed by that path, with the block as the
 * file's whole text (ending in a newline, as files do).
 * @example
 * quickStartFiles('```ts\n// src/a.ts\nexport {}\n```') // Map { 'src/a.ts' => '// src/a.ts\nexport {}\n' }
 */
export function quickStartFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const block of blocksOf(markdown)) {
    const path = /^\/\/ (src\/[\w./-]+)(?:\s|$)/.exec(block.code)?.[1]
    if (path !== undefined) files.set(path, `${block.code}\n`)
  }
  return files
}

/**
 * How the quick start of each Markdown text differs from the app's files: one line per file that a
 * text lacks, adds, or writes differently from the app (and from the other texts). Empty when they agree.
 * @example
 * quickStartDrift({ 'README.md': readme }, new Map([['src/a.ts', 'export {}\n']])) // []
 */
export function quickStartDrift(docs: Readonly<Record<string, string>>, app: ReadonlyMap<string, string>): string[] {
  const drift: string[] = []
  if (app.size === 0) drift.push(`${QUICK_START_APP}: no quick-start files to compare with`)
  for (const [doc, markdown] of Object.entries(docs)) {
    const files = quickStartFiles(markdown)
    for (const path of app.keys()) if (!files.has(path)) drift.push(`${doc}: the quick start has no block starting \`// ${path}\``)
    for (const [path, text] of files) {
      const expected = app.get(path)
      if (expected === undefined) drift.push(`${doc}: the quick start writes ${path}, which ${QUICK_START_APP} does not have`)
      else if (text !== expected) drift.push(`${doc}: the quick start's ${path} differs from ${QUICK_START_APP}/${path}${firstDifference(text, expected)}`)
    }
  }
  return drift
}

function firstDifference(doc: string, app: string): string {
  const docLines = doc.split('\n')
  const appLines = app.split('\n')
  const index = docLines.findIndex((line, i) => line !== appLines[i])
  const at = index === -1 ? docLines.length : index
  return ` at line ${at + 1}:\n  doc: ${docLines[at] ?? '(end)'}\n  app: ${appLines[at] ?? '(end)'}`
}

/**
 * Read the quick-start texts and the app's files under `root` and compare them.
 * @example
 * const drift = await checkQuickStart(process.cwd()); if (drift.length > 0) throw new Error(drift.join('\n'))
 */
export async function checkQuickStart(root: string): Promise<string[]> {
  const docs: Record<string, string> = {}
  for (const doc of QUICK_START_DOCS) docs[doc] = await readFile(join(root, doc), 'utf8')
  // The app's quick-start files are the ones the docs name; one the app lacks is reported by the drift.
  const paths = new Set(Object.values(docs).flatMap((markdown) => [...quickStartFiles(markdown).keys()]))
  const app = new Map<string, string>()
  for (const path of paths) {
    const text = await readFile(join(root, QUICK_START_APP, path), 'utf8').catch(() => null)
    if (text !== null) app.set(path, text)
  }
  return quickStartDrift(docs, app)
}
