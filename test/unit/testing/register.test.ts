// @vitest-environment happy-dom
/**
 * `registerForTesting(client)` (tabrelay/testing/page): what the page shows the Playwright helpers.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { RelayError } from '../../../src/contract/errors.ts'
import { TESTING_EVENT, TESTING_HOOK, type TestingGlobal } from '../../../src/contract/testing.ts'
import { registerForTesting, type TestableClient } from '../../../src/testing/index.ts'
import { FakeClient } from './fakes.ts'

const scope = globalThis as TestingGlobal

afterEach(() => { delete scope[TESTING_HOOK] })

describe('registerForTesting', () => {
  it('shows live status, leader flag and stats, and nothing that acts', async () => {
    const client = new FakeClient()
    registerForTesting(client)
    const probe = scope[TESTING_HOOK]?.['default']
    if (!probe) throw new Error('no probe registered')
    expect(Object.keys(probe).sort()).toEqual(['isLeader', 'onLeaderChange', 'onStatus', 'stats', 'status'])
    expect(Object.isFrozen(probe)).toBe(true)
    client.setStatus('open')
    client.isLeader = true
    expect([probe.status(), probe.isLeader()]).toEqual(['open', true])
    client.tabs = 3
    expect((await probe.stats()).tabs).toBe(3)
  })

  it('announces the registration with an event, so a waiting helper need not poll', () => {
    const heard: string[] = []
    const listener = (): void => { heard.push(Object.keys(scope[TESTING_HOOK] ?? {}).join()) }
    addEventListener(TESTING_EVENT, listener)
    registerForTesting(new FakeClient(), 'inbox')
    removeEventListener(TESTING_EVENT, listener)
    expect(heard).toEqual(['inbox'])
  })

  it('rejects what is not a client, and an empty name, with bad-input', () => {
    const notClient = { status: 'open' } as unknown as TestableClient
    expect(() => registerForTesting(notClient)).toThrow(RelayError)
    expect(() => registerForTesting(notClient)).toThrow(/createSharedRealtime/)
    try {
      registerForTesting(new FakeClient(), '')
      expect.unreachable('an empty name was accepted')
    } catch (error) {
      expect(error instanceof RelayError && error.code).toBe('bad-input')
    }
  })

  it('unregisters its own client only: a newer registration under the name stays', () => {
    const unregisterOld = registerForTesting(new FakeClient())
    const newer = new FakeClient()
    newer.isLeader = true
    const unregisterNew = registerForTesting(newer)
    unregisterOld()
    expect(scope[TESTING_HOOK]?.['default']?.isLeader()).toBe(true)
    unregisterNew()
    expect(scope[TESTING_HOOK]?.['default']).toBeUndefined()
  })
})
