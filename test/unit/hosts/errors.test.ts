/**
 * In host 'leader-tab' the hub's errors reach the tab typed: TabHost.open() installs the error
 * transfer, as the SharedWorker path does (without it the hub's `unsupported` arrived as
 * `undefined`). This file imports no hub code, which would install it by itself.
 */
import { transferHandlers } from 'comlink'
import { expect, it } from 'vitest'
import { RelayError } from '../../../src/contract/errors.ts'
import type { ChannelLike } from '../../../src/hosts/broadcast.ts'
import { TabHost } from '../../../src/hosts/tab-host.ts'
import { FakeLocks } from '../fakes/locks.ts'

const channel = (): ChannelLike => ({ postMessage: () => undefined, addEventListener: () => undefined, removeEventListener: () => undefined, close: () => undefined })
// A worker that never answers: the host stays unknown, which is all this test needs.
const worker = () => ({ postMessage: () => undefined, addEventListener: () => undefined, removeEventListener: () => undefined, terminate: () => undefined })

it("a hub's RelayError reaches a leader-tab tab with its code and message", () => {
  const before = transferHandlers.get('throw')
  const host = new TabHost(worker, { locks: new FakeLocks().agent(), channel, page: { isHidden: () => false, onChange: () => () => undefined } }, 60_000)
  const link = host.open()
  const handler = transferHandlers.get('throw')
  expect(handler).not.toBe(before)
  if (!handler) throw new Error('no throw handler')
  const thrown = { value: new RelayError('unsupported', 'this hub serves no transport "inbox"'), [Symbol('Comlink.thrown')]: true }
  expect(handler.canHandle(thrown)).toBe(true)
  const [wire] = handler.serialize(thrown)
  let arrived: unknown
  try {
    handler.deserialize(structuredClone(wire))
  } catch (error) {
    arrived = error
  }
  expect(arrived).toBeInstanceOf(RelayError)
  expect(arrived).toMatchObject({ code: 'unsupported', message: 'this hub serves no transport "inbox"' })
  link.release()
  host.close()
})
