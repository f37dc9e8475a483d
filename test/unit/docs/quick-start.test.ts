/**
 * The quick start of README.md and docs/guide/quick-start.md is the `vite-react` consumer app's
 * client, verbatim: the check passes on the repository as it is, and reports a quick start that
 * changes, loses or adds a file.
 */
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkQuickStart, QUICK_START_APP, quickStartDrift, quickStartFiles } from '../../docs/quick-start.ts'

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)))
const fence = (code: string): string => ['```ts', code, '```'].join('\n')

async function appFiles(): Promise<Map<string, string>> {
  const app = new Map<string, string>()
  for (const path of ['src/realtime.ts', 'src/realtime.worker.ts']) app.set(path, await readFile(join(root, QUICK_START_APP, path), 'utf8'))
  return app
}

describe('the quick start is a consumer app', () => {
  it('reads the blocks that name a src/ file on their first line, and no other', () => {
    const text = [fence('// src/a.ts — the a\nexport const a = 1'), fence('// vite.config.ts\nexport default {}'), fence('const b = 2'), fence('// src/b/c.tsx\nexport {}')].join('\n\n')
    expect([...quickStartFiles(text)]).toEqual([
      ['src/a.ts', '// src/a.ts — the a\nexport const a = 1\n'],
      ['src/b/c.tsx', '// src/b/c.tsx\nexport {}\n'],
    ])
  })

  it('README.md and docs/guide/quick-start.md write the app\'s two client files exactly', async () => {
    expect(await checkQuickStart(root)).toEqual([])
    const readme = quickStartFiles(await readFile(join(root, 'README.md'), 'utf8'))
    expect([...readme.keys()].sort()).toEqual(['src/realtime.ts', 'src/realtime.worker.ts'])
  })

  it('reports a quick start that no longer matches the app, naming the line', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8')
    const changed = readme.replace("realtime.channel('room:1')", "realtime.channel('room:2')")
    expect(changed).not.toBe(readme)
    const drift = quickStartDrift({ 'README.md': changed }, await appFiles())
    expect(drift).toHaveLength(1)
    expect(drift[0]).toContain("README.md: the quick start's src/realtime.ts differs")
    expect(drift[0]).toContain("doc: const room = realtime.channel('room:2')")
  })

  it('reports a quick start that loses a file or writes one the app lacks', async () => {
    const app = await appFiles()
    const worker = app.get('src/realtime.worker.ts') ?? ''
    const text = [fence(worker.trimEnd()), fence('// src/extra.ts\nexport {}')].join('\n')
    expect(quickStartDrift({ 'docs/x.md': text }, app)).toEqual([
      'docs/x.md: the quick start has no block starting `// src/realtime.ts`',
      `docs/x.md: the quick start writes src/extra.ts, which ${QUICK_START_APP} does not have`,
    ])
  })
})
