/**
 * Real HS256 tokens (jose) and a hub whose fake transport follows the WebSocket transport's
 * identity and token rules, for the identity and trust tests.
 */
import { SignJWT, type JWTPayload } from 'jose'
import type { ConnectionTarget } from '../../../src/contract/protocol.ts'
import { websocketTransport } from '../../../worker/transports/websocket/index.ts'
import { FakeNetwork } from '../fakes/transport.ts'
import { createHarness, type Harness } from './harness.ts'

/** Any claims, numeric `sub` included (jose's own type allows string subs only). */
export type Claims = { [claim: string]: unknown }

const SECRET = new TextEncoder().encode('the server secret; the worker never has it')

/**
 * Signs `claims` with HS256 (`exp` one hour after `iat` unless given).
 * @example
 * await sign({ user_id: 7 })
 */
export async function sign(claims: Claims, secret: Uint8Array = SECRET): Promise<string> {
  const iat = typeof claims['iat'] === 'number' ? claims['iat'] : 1_700_000_000
  const payload: JWTPayload = { ...claims, iat, exp: typeof claims['exp'] === 'number' ? claims['exp'] : iat + 3_600 }
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret)
}

/**
 * A forged token: the claims a tab chose, signed with a key the server does not know.
 * @example
 * await forge({ user_id: 7, exp: 4_102_444_800 })
 */
export function forge(claims: Claims): Promise<string> {
  return sign(claims, new TextEncoder().encode('not the server secret'))
}

/**
 * A Django-inbox-like target (`identity`: cookie auth).
 * @example
 * h.tab('a', { token, target: inbox() })
 */
export function inbox(identity: string | null = null): ConnectionTarget {
  return { transport: 'inbox', endpoint: 'ws://127.0.0.1:9/ws/inbox/', params: {}, identity }
}

/**
 * A hub serving `inbox` with the WebSocket transport's rules (identity from `user_id`/`sub`, a
 * token shown to the server by the next attempt only) over the fake transport.
 * @example
 * const h = inboxHarness(); h.tab('a', { token, target: inbox() })
 */
export function inboxHarness(): Harness {
  const ws = websocketTransport()
  const net = new FakeNetwork({ echoesToSender: true }, { identify: (target, token) => ws.identify(target, token), prefers: undefined, appliesTokenInPlace: false })
  return createHarness({ transports: { inbox: net.transport } }, net)
}
