/**
 * The two halves of `npm run size:attribute` that are worth a test: reading a sourcemap line and
 * charging each run of output its share of the gzip stream.
 */
import { constants, createDeflateRaw } from 'node:zlib'

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * The segments of one sourcemap line: [generated column, source index] (the other fields unused).
 * @example
 * decodeLine('AAAA,CAAC', { source: 0 }) // [[0, 0], [1, 0]]
 */
export function decodeLine(line: string, state: { source: number }): Array<[number, number]> {
  const segments: Array<[number, number]> = []
  let column = 0
  for (const segment of line.split(',')) {
    if (segment === '') continue
    const fields: number[] = []
    let value = 0
    let shift = 0
    for (const char of segment) {
      const digit = BASE64.indexOf(char)
      value += (digit & 31) << shift
      if (digit & 32) shift += 5
      else {
        fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
        value = 0
        shift = 0
      }
    }
    column += fields[0] ?? 0
    if (fields.length > 1) state.source += fields[1] ?? 0
    segments.push([column, state.source])
  }
  return segments
}

/**
 * Gzip cost of each chunk in order: the deflate stream's growth from one sync flush to the next.
 * @example
 * await deflateCosts(['aaaa', 'aaaa']) // the second costs less: it repeats the first
 */
export async function deflateCosts(chunks: readonly string[]): Promise<number[]> {
  const deflate = createDeflateRaw({ level: 9 })
  let produced = 0
  deflate.on('data', (data: Buffer) => {
    produced += data.length
  })
  const costs: number[] = []
  for (const chunk of chunks) {
    const before = produced
    await new Promise<void>((resolve) => {
      deflate.write(chunk)
      deflate.flush(constants.Z_SYNC_FLUSH, () => resolve())
    })
    costs.push(produced - before)
  }
  deflate.end()
  return costs
}
