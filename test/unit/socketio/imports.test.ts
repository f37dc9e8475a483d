/**
 * The Socket.IO transport is the worked example of "Write your own transport": it may import only
 * what the package exports (`tabrelay/worker`, i.e. worker/index.ts), socket.io-client and its own
 * files, so an app's transport can be written the same way outside this repository.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const dir = fileURLToPath(new URL('../../../worker/transports/socketio/', import.meta.url))
const allowed = (specifier: string): boolean => specifier === '../../index.ts' || specifier === 'socket.io-client' || /^\.\/[a-z-]+\.ts$/.test(specifier)

describe('worker/transports/socketio imports', () => {
  it.each(readdirSync(dir).filter((name) => name.endsWith('.ts')))('%s imports only tabrelay/worker, socket.io-client and its own files', (name) => {
    const specifiers = [...readFileSync(`${dir}${name}`, 'utf8').matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)].map((m) => m[1] ?? '')
    expect(specifiers.length).toBeGreaterThan(0)
    expect(specifiers.filter((s) => !allowed(s))).toEqual([])
  })
})
