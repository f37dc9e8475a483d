/**
 * The drop-in claim, kept honest: the supabase-js chat component under test/types/supabase-chat/
 * and its tabrelay twin differ in the owner import alone (both type-check in `npm run typecheck`).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const read = (name: string): string[] => readFileSync(new URL(`../../types/supabase-chat/${name}`, import.meta.url), 'utf8').split('\n')

describe('supabase-js chat component fixture', () => {
  it('switching to tabrelay changes only the import of the channel owner', () => {
    const before = read('chat.supabase.ts')
    const after = read('chat.tabrelay.ts')
    expect(after).toHaveLength(before.length)
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[line, after[i]]]))
    expect(changed).toEqual([["import { client } from './owner.supabase.ts'", "import { client } from './owner.tabrelay.ts'"]])
  })
})
