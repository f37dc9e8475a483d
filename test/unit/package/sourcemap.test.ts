import { describe, expect, it } from 'vitest'
import { decodeLine, deflateCosts } from '../../package/sourcemap.ts'

describe('size:attribute helpers', () => {
  it('decodes generated columns and source indexes, the source index carried across lines', () => {
    const state = { source: 0 }
    // AAAA: col 0, src +0; CAAC: col +1; GCAC: col +3, src +1; gBAAgB: col +16 (two digits).
    expect(decodeLine('AAAA,CAAC,GCAC,gBAAgB', state)).toEqual([[0, 0], [1, 0], [4, 1], [20, 1]])
    expect(decodeLine('ADAA', state)).toEqual([[0, 0]])
    expect(decodeLine('', state)).toEqual([])
  })

  it('charges a repeated run less than its first occurrence', async () => {
    const text = 'function checkTopic(topic){return typeof topic==="string"}'
    const [first = 0, again = 0] = await deflateCosts([text, text])
    expect(first).toBeGreaterThan(text.length / 2)
    expect(again).toBeLessThan(first / 2)
  })
})
